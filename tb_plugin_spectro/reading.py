"""Reading Spectro series through TensorBoard's data provider, and nothing else.

Both of TensorBoard's readers (the Python multiplexer and RustBoard with
`--load_fast`) answer through the data provider, so remote logdirs and
/experiment/<id>/ URLs work alike. `SeriesReader` lists series, reads their
steps' headers (from the cache, from the companion header series, or one
blob per step) and their blobs, and keeps what it read in a cache bounded
by bytes.
"""

import collections
import concurrent.futures
import functools
import logging
import threading
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, cast

import numpy as np
from tensorboard import errors
from tensorboard.data import grpc_provider, provider

from tb_plugin_spectro import _once, kinds, metadata
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = [
    "ALL_STEPS",
    "BlobKeyError",
    "ByteBoundedCache",
    "Outcome",
    "raise_any",
    "ProviderCalls",
    "Series",
    "ListedSeries",
    "StepRef",
    "SeriesHeaders",
    "SeriesReader",
    "unkeyable_names",
]

logger = logging.getLogger(__name__)

ALL_STEPS = 1 << 31  # downsample limit that keeps every step
_CACHE_BYTES = 256 << 20  # bytes of decoded headers and blobs kept in memory
# Data-provider calls run at once for one request when the provider is
# RustBoard's gRPC client; see ProviderCalls.
_READ_THREADS = 8
_NUDGE_SECONDS = 0.002  # a wait with no call finished after which the connection is nudged
_NUDGES_IN_FLIGHT = 2  # most nudges outstanding at once

# {(step, wall time): header blob} of a series' companion header series.
Copies = Dict[Tuple[int, float], bytes]

# Characters that RustBoard's blob keys cannot carry in a run or tag name: its
# key parser takes JSON strings without escapes, and JSON escapes these. By
# the name a message gives them; the other control characters by code point.
_UNKEYABLE = {'"': "a double quote", "\\": "a backslash", "\t": "a tab", "\n": "a newline", "\r": "a carriage return"}


def _unkeyable_characters(name: str) -> List[str]:
    found = []
    for character in name:
        what = _UNKEYABLE.get(character) or (f"the control character U+{ord(character):04X}" if character < " " else "")
        if what and what not in found:
            found.append(what)
    return found


def unkeyable_names(run: str, tag: str) -> Optional[str]:
    """Which of `run` and `tag` hold characters RustBoard's blob keys cannot carry ("the run's name holds a
    tab"); None when neither does."""
    parts = []
    for what, name in (("the run's name", run), ("the tag", tag)):
        found = _unkeyable_characters(name)
        if found:
            parts.append(f"{what} holds {' and '.join(found)}")
    return " and ".join(parts) or None


class BlobKeyError(ValueError):
    """The reader refused the blob key of a step: RustBoard's, for a run or tag whose name it cannot carry."""

    def __init__(self, run: Optional[str] = None, tag: Optional[str] = None):
        names = None if run is None or tag is None else unkeyable_names(run, tag)
        why = (
            f"{names}, which its blob keys cannot carry"
            if names
            else "its run or tag holds a character its blob keys cannot carry (a double quote, a backslash "
            "or a control character)"
        )
        super().__init__(
            f"RustBoard (--load_fast=true) cannot read this data: {why}. "
            "TensorBoard's Python reader (--load_fast=false) reads it"
        )


class ByteBoundedCache:
    """A least-recently-used cache bounded by the bytes of its values; thread-safe."""

    def __init__(self, max_bytes: int):
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: "collections.OrderedDict[Any, Tuple[Any, int]]" = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, size: int) -> None:
        if size > self._max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self._max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted


class Outcome(NamedTuple):
    """A call's result, or the exception it raised."""

    value: Any
    error: Optional[Exception]

    @classmethod
    def of(cls, call: Callable[[], Any]) -> "Outcome":
        try:
            return cls(call(), None)
        except Exception as e:  # handed back to the caller, which raises or reports it
            return cls(None, e)


def raise_any(outcomes: Sequence[Outcome]) -> List[Any]:
    """The results, or the first exception raised."""
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    return [outcome.value for outcome in outcomes]


class ProviderCalls:
    """Runs the data-provider calls of one request: at once, for RustBoard.

    With `--load_fast`, every call is a gRPC call to RustBoard's data server.
    That server writes a response's HTTP/2 HEADERS, DATA and trailers frames in
    separate writes on a socket without TCP_NODELAY, so Nagle's algorithm holds
    the DATA until the client acknowledges the HEADERS, and the client delays
    that acknowledgement (40 ms on Linux): a call answered in microseconds
    arrives about 40 ms later. Calls in flight together share that wait, and
    any request sent on the connection carries the acknowledgement along, so
    while calls are pending and none has finished for _NUDGE_SECONDS, a cheap
    call (`experiment_metadata`) is sent to release them.

    Other providers (TensorBoard's Python reader answers from memory, under
    the GIL) are called one after the other in the request's thread.
    """

    def __init__(self, data_provider) -> None:
        self._provider = data_provider
        self.concurrent = isinstance(data_provider, grpc_provider.GrpcDataProvider)
        self._lock = threading.Lock()
        self._reads: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._nudges: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._nudges_in_flight = 0

    def _pools(self) -> Tuple[concurrent.futures.ThreadPoolExecutor, concurrent.futures.ThreadPoolExecutor]:
        with self._lock:
            if self._reads is None or self._nudges is None:
                self._reads = concurrent.futures.ThreadPoolExecutor(_READ_THREADS, thread_name_prefix="spectro-read")
                self._nudges = concurrent.futures.ThreadPoolExecutor(
                    _NUDGES_IN_FLIGHT, thread_name_prefix="spectro-nudge"
                )
            return self._reads, self._nudges

    def run(self, ctx, experiment: str, calls: Sequence[Callable[[], Any]]) -> List[Outcome]:
        """Each call's `Outcome`, in order.

        Must not be called from one of the calls (it waits for the pool).
        """
        if not self.concurrent or not calls:
            return [Outcome.of(call) for call in calls]
        reads, nudges = self._pools()
        finished = threading.Condition()
        count = [0]

        def on_done(_future) -> None:
            with finished:
                count[0] += 1
                finished.notify_all()

        futures = [reads.submit(Outcome.of, call) for call in calls]
        for future in futures:
            future.add_done_callback(on_done)
        with finished:
            while count[0] < len(futures):
                before = count[0]
                finished.wait(_NUDGE_SECONDS)
                if count[0] == before:
                    self._nudge(nudges, ctx, experiment)
        return [future.result() for future in futures]

    def _nudge(self, nudges: concurrent.futures.ThreadPoolExecutor, ctx, experiment: str) -> None:
        with self._lock:
            if self._nudges_in_flight >= _NUDGES_IN_FLIGHT:
                return
            self._nudges_in_flight += 1
        future = nudges.submit(Outcome.of, lambda: self._provider.experiment_metadata(ctx, experiment_id=experiment))
        future.add_done_callback(self._nudged)

    def _nudged(self, _future) -> None:
        with self._lock:
            self._nudges_in_flight -= 1


class Series(NamedTuple):
    """One series as read: its facts, its steps, and the header copies if they were read with it."""

    plugin_data: pb.SpectroPluginData
    data: List[Any]  # provider.BlobSequenceDatum, in the reader's order
    copies: Optional[Copies]  # None when not read

    @property
    def kind(self) -> kinds.Kind:
        return kinds.of_series(self.plugin_data)


class ListedSeries(NamedTuple):
    """A series as the reader lists it, with its facts and steps."""

    run: str
    tag: str
    listing: Any  # provider.BlobSequenceTimeSeries: display name, description, max_length
    plugin_data: pb.SpectroPluginData  # empty when `error` is set
    data: List[Any]
    # Why its facts cannot be read (plugin data of a newer version, or damaged), or that its tag belongs to
    # another plugin (then `listing` and `data` are its header series').
    error: Optional[str]


class StepRef(NamedTuple):
    """One step of a series, found by its step number."""

    plugin_data: pb.SpectroPluginData
    datum: Any  # provider.BlobSequenceDatum


def claimed_tag_error(owner: Optional[str], kind: str, steps: Sequence[int]) -> str:
    """What /tags says of Spectro steps written under a tag that `owner`'s data (another plugin's) claimed first."""
    holder = f"the {owner} plugin's data" if owner else "another plugin's data"
    counted = ""
    if steps:
        first, last = min(steps), max(steps)
        counted = (
            f" ({len(steps)} step{'' if len(steps) == 1 else 's'}, {first if first == last else f'{first} to {last}'})"
        )
    return (
        f"its tag already holds {holder}, written under it first, and TensorBoard's readers give a tag to one "
        f"plugin, so Spectro cannot read the {kind} steps written under it{counted}; write them under another tag"
    )


def _companion_blob(datum) -> Optional[bytes]:
    """The header copied in one step of a companion header series, if it holds one."""
    values = np.asarray(datum.numpy, dtype=object).reshape(-1)
    if values.size != 1 or not isinstance(values[0], bytes):
        return None
    return values[0]


def _find_step(data, step: int):
    for datum in reversed(data):  # a resumed run's later write wins
        if datum.step == step:
            return datum
    return None


class SeriesHeaders:
    """A series, and the reading of the headers of any of its steps."""

    def __init__(self, reader: "SeriesReader", ctx, experiment: str, run: str, tag: str, series: Series):
        self._reader = reader
        self._ctx = ctx
        self._experiment = experiment
        self._run = run
        self._tag = tag
        self.series = series

    def headers(self, kept: Sequence[Any]) -> List[Outcome]:
        """The `Outcome` of the header of each step in `kept`, some of the series' steps."""
        return self._reader.headers(
            self._ctx, self._experiment, kept, self.series.kind, self.series.copies, self._copies
        )

    def _copies(self) -> Copies:
        reader = self._reader
        read = reader.run(
            self._ctx, self._experiment, lambda: reader.read_copies(self._ctx, self._experiment, self._run, self._tag)
        )
        return reader.copies(self._run, self._tag, read[0])


class SeriesReader:
    """Reads Spectro series through a data provider; thread-safe, one per plugin."""

    def __init__(self, data_provider, downsample: int):
        """Args:
        data_provider: TensorBoard's data provider of the plugin's context.
        downsample: steps kept per series, as the reader takes it.
        """
        self.provider = data_provider
        self.calls = ProviderCalls(data_provider)
        self._downsample = downsample
        self._cache = ByteBoundedCache(_CACHE_BYTES)
        # The step list of each series as last read; a step is looked up
        # here before asking the reader again, which costs RustBoard a gRPC
        # round trip over the whole series. Listing a series refreshes it.
        self._index: Dict[Tuple[str, str, str], Tuple[pb.SpectroPluginData, list]] = {}
        self._lock = threading.Lock()
        self._warned_facts = _once.WarnOnce()  # series whose facts cannot be read

    def run(self, ctx, experiment: str, *calls: Callable[[], Any]) -> List[Outcome]:
        """Each call's `Outcome`; at once through RustBoard (see `ProviderCalls`)."""
        return self.calls.run(ctx, experiment, calls)

    def facts(self, run: str, tag: str, content: bytes) -> Tuple[Optional[pb.SpectroPluginData], Optional[str]]:
        """The series' facts, or None and why they cannot be read (with one warning per series)."""
        try:
            return metadata.parse_plugin_metadata(content), None
        except ValueError as e:
            if self._warned_facts.first((run, tag)):
                logger.warning("Spectro: cannot read run %r tag %r: %s", run, tag, e)
            return None, str(e)

    def plugin_data(self, run: str, tag: str, content: bytes) -> Optional[pb.SpectroPluginData]:
        """The series' facts; None, with one warning per series, when they cannot be read."""
        return self.facts(run, tag, content)[0]

    def listing(self, ctx, experiment: str, run: Optional[str] = None):
        """The reader's listing of Spectro series, {run: {tag: series}}: of one run, or of all."""
        return self.provider.list_blob_sequences(
            ctx,
            experiment_id=experiment,
            plugin_name=metadata.PLUGIN_NAME,
            run_tag_filter=None if run is None else provider.RunTagFilter(runs=[run]),
        )

    def every_series(self, ctx, experiment: str) -> List[ListedSeries]:
        """Every series of every run, sorted by run and tag, with its steps; those whose facts cannot be
        read, or whose tag belongs to another plugin, with their `error`."""
        listing, data, copies_listing = raise_any(
            self.run(
                ctx,
                experiment,
                lambda: self.provider.list_blob_sequences(
                    ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME
                ),
                lambda: self.provider.read_blob_sequences(
                    ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME, downsample=self._downsample
                ),
                lambda: self.provider.list_tensors(ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME),
            )
        )
        result = self._claimed_elsewhere(ctx, experiment, listing, copies_listing)
        for run, tags in sorted(listing.items()):
            for tag, series in sorted(tags.items()):
                plugin_data, error = self.facts(run, tag, series.plugin_content)
                series_data = data.get(run, {}).get(tag, [])
                if plugin_data is None:
                    result.append(ListedSeries(run, tag, series, pb.SpectroPluginData(), series_data, error))
                    continue
                with self._lock:
                    self._index[(experiment, run, tag)] = (plugin_data, series_data)
                result.append(ListedSeries(run, tag, series, plugin_data, series_data, None))
        return sorted(result, key=lambda listed: (listed.run, listed.tag))

    def _claimed_elsewhere(self, ctx, experiment: str, listing, copies_listing) -> List[ListedSeries]:
        """The series whose tag another plugin's data claimed first, from their header series.

        Both readers give a tag to the plugin of the first data written under
        it: Spectro data written later under the tag is listed, and read, as
        that plugin's, and only its header series, a tag of its own, remains.
        """
        claimed = {
            (run, tag[: -len(metadata.HEADERS_SUFFIX)]): series
            for run, tags in copies_listing.items()
            for tag, series in tags.items()
            if tag.endswith(metadata.HEADERS_SUFFIX)
            and tag[: -len(metadata.HEADERS_SUFFIX)] not in listing.get(run, {})
        }
        if not claimed:
            return []
        runs, tags = sorted({run for run, _ in claimed}), sorted({tag for _, tag in claimed})
        only = provider.RunTagFilter(runs=runs, tags=tags)
        copies_only = provider.RunTagFilter(runs=runs, tags=[metadata.headers_tag(tag) for tag in tags])
        copies, plugins = raise_any(
            self.run(
                ctx,
                experiment,
                lambda: self.provider.read_tensors(
                    ctx,
                    experiment_id=experiment,
                    plugin_name=metadata.PLUGIN_NAME,
                    downsample=self._downsample,
                    run_tag_filter=copies_only,
                ),
                lambda: self.provider.list_plugins(ctx, experiment_id=experiment),
            )
        )
        owners = self._owners(ctx, experiment, [p for p in plugins if p != metadata.PLUGIN_NAME], only)
        result = []
        for (run, tag), series in claimed.items():
            steps = copies.get(run, {}).get(metadata.headers_tag(tag), [])
            plugin_data, _ = self.facts(run, metadata.headers_tag(tag), series.plugin_content)
            kind = metadata.kind_name(plugin_data.kind) if plugin_data is not None else "Spectro"
            error = claimed_tag_error(owners.get((run, tag)), kind, [datum.step for datum in steps])
            if self._warned_facts.first((run, tag)):
                logger.warning("Spectro: run %r tag %r: %s", run, tag, error)
            result.append(ListedSeries(run, tag, series, pb.SpectroPluginData(), steps, error))
        return result

    def _owners(self, ctx, experiment: str, plugins: Sequence[str], only) -> Dict[Tuple[str, str], str]:
        """{(run, tag): plugin} of the tags of `only` that one of `plugins` lists, as data of any class."""
        asked = [
            (plugin, functools.partial(lister, ctx, experiment_id=experiment, plugin_name=plugin, run_tag_filter=only))
            for plugin in sorted(plugins)
            for lister in (self.provider.list_scalars, self.provider.list_tensors, self.provider.list_blob_sequences)
        ]
        owners: Dict[Tuple[str, str], str] = {}
        for (plugin, _), outcome in zip(asked, self.run(ctx, experiment, *[call for _, call in asked])):
            if outcome.error is not None:
                continue  # an owner is named only where one is found
            for run, tags in outcome.value.items():
                for tag in tags:
                    owners.setdefault((run, tag), plugin)
        return owners

    def series(self, ctx, experiment: str, run: str, tag: str, with_copies: bool = False) -> Series:
        """One series; its header copies too if `with_copies`, read at once with it.

        Raises:
          NotFoundError: no such run or tag, a series whose facts cannot be
            read (of a newer format, or damaged), or whose tag another
            plugin's data claimed first; the message says why.
        """
        only = provider.RunTagFilter(runs=[run], tags=[tag])
        calls = [
            lambda: self.provider.list_blob_sequences(
                ctx, experiment_id=experiment, plugin_name=metadata.PLUGIN_NAME, run_tag_filter=only
            ),
            lambda: self.provider.read_blob_sequences(
                ctx,
                experiment_id=experiment,
                plugin_name=metadata.PLUGIN_NAME,
                downsample=self._downsample,
                run_tag_filter=only,
            ),
        ]
        if with_copies:
            calls.append(lambda: self.read_copies(ctx, experiment, run, tag))
        outcomes = self.run(ctx, experiment, *calls)
        listing, data = raise_any(outcomes[:2])
        listed = listing.get(run, {}).get(tag)
        if listed is None:
            copies_listing = self.provider.list_tensors(
                ctx,
                experiment_id=experiment,
                plugin_name=metadata.PLUGIN_NAME,
                run_tag_filter=provider.RunTagFilter(runs=[run], tags=[metadata.headers_tag(tag)]),
            )
            for claimed in self._claimed_elsewhere(ctx, experiment, {}, copies_listing):
                raise errors.NotFoundError(f"Spectro tag {tag!r} in run {run!r} cannot be read: {claimed.error}")
            if run not in listing and run not in self.listing(ctx, experiment):
                raise errors.NotFoundError(f"No run {run!r} with Spectro data")
            raise errors.NotFoundError(f"No Spectro tag {tag!r} in run {run!r}")
        plugin_data, error = self.facts(run, tag, listed.plugin_content)
        if plugin_data is None:
            raise errors.NotFoundError(f"Spectro tag {tag!r} in run {run!r} cannot be read: {error}")
        series_data = data.get(run, {}).get(tag, [])
        with self._lock:
            self._index[(experiment, run, tag)] = (plugin_data, series_data)
        return Series(plugin_data, series_data, self.copies(run, tag, outcomes[2]) if with_copies else None)

    def read_copies(self, ctx, experiment: str, run: str, tag: str):
        """The series' header series, every step in one call."""
        return self.provider.read_tensors(
            ctx,
            experiment_id=experiment,
            plugin_name=metadata.PLUGIN_NAME,
            downsample=self._downsample,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=[metadata.headers_tag(tag)]),
        )

    @staticmethod
    def copies(run: str, tag: str, outcome: Outcome) -> Copies:
        """The header copies of a `read_copies` outcome; empty for series written without."""
        if outcome.error is not None:
            # The copies only save reads; the blobs hold the same headers.
            logger.debug("Spectro: no header copies for run %r tag %r: %s", run, tag, outcome.error)
            return {}
        copies = {}
        for datum in outcome.value.get(run, {}).get(metadata.headers_tag(tag), []):
            blob = _companion_blob(datum)
            if blob is not None:
                copies[(datum.step, datum.wall_time)] = blob
        return copies

    def series_headers(self, ctx, experiment: str, run: str, tag: str) -> SeriesHeaders:
        """One series, ready to read the headers of its steps.

        The header series is read only if some header is not in the cache.
        Through RustBoard, where each call waits on the connection, it is read
        together with the series unless the steps listed before have their
        headers cached (their first and last tell).
        """
        with self._lock:
            known = self._index.get((experiment, run, tag))
        cached = (
            known is not None
            and bool(known[1])
            and all(self._cached_header(datum, None) is not None for datum in (known[1][0], known[1][-1]))
        )
        series = self.series(ctx, experiment, run, tag, with_copies=self.calls.concurrent and not cached)
        return SeriesHeaders(self, ctx, experiment, run, tag, series)

    def step(self, ctx, experiment: str, run: str, tag: str, step: int) -> StepRef:
        """One step of a series, from the step list last read if it is there.

        Raises:
          NotFoundError: no such run, tag or step.
        """
        with self._lock:
            known = self._index.get((experiment, run, tag))
        if known is not None:
            datum = _find_step(known[1], step)
            if datum is not None:
                return StepRef(known[0], datum)
        series = self.series(ctx, experiment, run, tag)
        datum = _find_step(series.data, step)
        if datum is None:
            raise errors.NotFoundError(f"No step {step} in Spectro tag {tag!r} of run {run!r}")
        return StepRef(series.plugin_data, datum)

    def read(self, ctx, datum, index: int, parse: Optional[Callable[[bytes], Any]] = None) -> Any:
        """Blob `index` of a step, parsed by `parse` if given, through the cache.

        Raises:
          BlobKeyError: the reader cannot read the blob by its key (see
            `unkeyable_names`).
          ValueError: there is no such blob, the step holds no blobs (a
            value of another plugin), or `parse` raised it.
        """
        if index >= len(datum.values):
            raise ValueError(f"the step holds {len(datum.values)} blobs, not blob {index}")
        blob_key = datum.values[index].blob_key
        # The wall time tells a step rewritten by a resumed run from the first write.
        key = (parse, blob_key, datum.wall_time)
        value = self._cache.get(key)
        if value is None:
            try:
                blob = self.provider.read_blob(ctx, blob_key=blob_key)
            except errors.InvalidArgumentError as e:
                # RustBoard makes keys it cannot parse back: "failed to parse blob key: BadJson(...)".
                if "blob key" in str(e):
                    raise BlobKeyError() from None
                raise
            except IndexError:
                # The Python reader's, for a step that holds one value: another plugin's (a scalar's), written
                # under the tag after Spectro's data; RustBoard leaves such a step out.
                raise ValueError(
                    "the step holds a single value, not a sequence of blobs: it is not Spectro data (was another "
                    "plugin's value, such as a scalar, written under this tag?)"
                ) from None
            if not isinstance(blob, bytes):
                raise ValueError(f"blob {index} of the step is a {type(blob).__name__}, not bytes")
            value = blob if parse is None else parse(blob)
            self._cache.put(key, value, len(blob))  # a parsed header's size, roughly
        return value

    def _header(self, ctx, datum) -> pb.StepHeader:
        """The step's header; raises ValueError if it cannot be read."""
        return self.read(ctx, datum, 0, metadata.parse_step_header)

    def headers(
        self,
        ctx,
        experiment: str,
        data: Sequence[Any],
        kind: kinds.Kind,
        copies: Optional[Copies],
        read_copies: Optional[Callable[[], Copies]] = None,
    ) -> List[Outcome]:
        """The `Outcome` of each step's header: cached, copied, or read from its blob.

        `copies` as `series` returns them; when None, `read_copies` reads
        them if some header is not cached. A header of another kind than
        `kind` is that step's ValueError.
        """
        outcomes: List[Optional[Outcome]] = [None] * len(data)

        def fill(indices: Iterable[int], found: Copies) -> List[int]:
            """Fills in the headers found; returns the indices still missing."""
            still = []
            for index in indices:
                datum = data[index]
                header = self._cached_header(datum, found.get((datum.step, datum.wall_time)))
                if header is None:
                    still.append(index)
                else:
                    outcomes[index] = Outcome(header, None)
            return still

        missing = fill(range(len(data)), copies or {})
        if missing and copies is None and read_copies is not None:
            missing = fill(missing, read_copies())
        read = self.run(ctx, experiment, *[functools.partial(self._header, ctx, data[i]) for i in missing])
        for index, outcome in zip(missing, read):
            outcomes[index] = outcome
        for index, found in enumerate(outcomes):
            if found is not None and found.error is None:
                try:
                    kind.check_header(found.value)
                except ValueError as e:
                    outcomes[index] = Outcome(None, e)
        return cast(List[Outcome], outcomes)

    def _cached_header(self, datum, copy: Optional[bytes]) -> Optional[pb.StepHeader]:
        """The step's header from the cache, or parsed from its copy and cached; None if neither has it."""
        if not datum.values:
            return None
        key = (metadata.parse_step_header, datum.values[0].blob_key, datum.wall_time)
        header = self._cache.get(key)
        if header is None and copy is not None:
            try:
                header = metadata.parse_step_header(copy)
            except ValueError:
                return None  # the blob's own header decides
            self._cache.put(key, header, len(copy))
        return header
