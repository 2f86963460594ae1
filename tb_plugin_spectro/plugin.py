"""The Spectro plugin's HTTP API, served under /data/plugin/spectro/.

Every handler parses its request and calls an `*_impl` method that returns
plain data; the data comes only through TensorBoard's data provider, so both
readers (the Python one and RustBoard), remote logdirs and
/experiment/<id>/ URLs work alike. `http_api.md` shows each route.
"""

import collections
import concurrent.futures
import functools
import io
import json
import logging
import math
import mimetypes
import os
import posixpath
import struct
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple, cast
from urllib.parse import unquote

import numpy as np
from tensorboard import errors, plugin_util
from tensorboard.backend import http_util
from tensorboard.data import grpc_provider, provider
from tensorboard.plugins import base_plugin
from werkzeug import wrappers

from tb_plugin_spectro import checkpoints, codec, lowest, metadata
from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = ["SpectroPlugin", "DATA_MAGIC"]

logger = logging.getLogger(__name__)

_STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
_ALL_STEPS = 1 << 31  # downsample limit that keeps every step
_CACHE_BYTES = 256 << 20  # bytes of decoded headers and blobs kept in memory
# The pane's ES module. Until the bundled pane is built, a plain module that
# lists the series.
_ES_MODULE = "index.js" if os.path.exists(os.path.join(_STATIC_DIR, "index.js")) else "series-list.js"
DATA_MAGIC = b"SPD1"  # first bytes of a /data body; see http_api.md
_SCALARS_PLUGIN = "scalars"  # where both readers put scalars, simple_value ones included
_DEFAULT_SMOOTHING = 0.6  # TensorBoard's default slider position
# Seconds a listing of checkpoint directories is reused: listing s3:// or
# gs:// is slow, and a deleted checkpoint should show soon.
_CHECKPOINT_LISTING_TTL = 5.0
# Data-provider calls run at once for one request when the provider is
# RustBoard's gRPC client; see _ProviderCalls.
_READ_THREADS = 8
_NUDGE_SECONDS = 0.002  # a wait with no call finished after which the connection is nudged
_NUDGES_IN_FLIGHT = 2  # most nudges outstanding at once

_PRECISION_NAMES = {code: name for name, code in codec.PRECISIONS.items()}


class _ByteBoundedCache:
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


Outcome = Tuple[Any, Optional[Exception]]  # a call's result, or the exception it raised


def _outcome(call: Callable[[], Any]) -> Outcome:
    try:
        return call(), None
    except Exception as e:  # handed back to the caller, which raises or reports it
        return None, e


def _raise_any(outcomes: Sequence[Outcome]) -> List[Any]:
    """The results, or the first exception raised."""
    for _, error in outcomes:
        if error is not None:
            raise error
    return [result for result, _ in outcomes]


class _ProviderCalls:
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
        """Each call's (result, None) or (None, exception), in order.

        Must not be called from one of the calls (it waits for the pool).
        """
        if not self.concurrent or not calls:
            return [_outcome(call) for call in calls]
        reads, nudges = self._pools()
        finished = threading.Condition()
        count = [0]

        def on_done(_future) -> None:
            with finished:
                count[0] += 1
                finished.notify_all()

        futures = [reads.submit(_outcome, call) for call in calls]
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
        future = nudges.submit(_outcome, lambda: self._provider.experiment_metadata(ctx, experiment_id=experiment))
        future.add_done_callback(self._nudged)

    def _nudged(self, _future) -> None:
        with self._lock:
            self._nudges_in_flight -= 1


def _companion_blob(datum) -> Optional[bytes]:
    """The header copied in one step of a companion header series, if it holds one."""
    values = np.asarray(datum.numpy, dtype=object).reshape(-1)
    if values.size != 1 or not isinstance(values[0], bytes):
        return None
    return values[0]


def _json_body(data: Any) -> Any:
    """`data` as the JSON text TensorBoard's `http_util.Respond` would send.

    Respond walks every value in Python (json_util.Cleanse) before encoding;
    the routes' data holds no NaN, Inf or bytes, so the C encoder gives the
    same text. Data that does hold them is passed back for Respond to clean.
    """
    try:
        return json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        return data


def _finite_or_none(value: float) -> Optional[float]:
    """JSON has no NaN or Inf; those become null (counts say why)."""
    return value if math.isfinite(value) else None


# How _message_dict renders a field.
_MESSAGE, _MESSAGES, _ENUM, _ENUMS, _NUMBERS, _NUMBER, _PLAIN = range(7)
_FIELD_PLANS: Dict[Any, List[Tuple[str, int, bool, Any]]] = {}


def _field_plan(descriptor) -> List[Tuple[str, int, bool, Any]]:
    """(name, how, only if set, enum names) of each field of a message type, worked out once."""
    plan = _FIELD_PLANS.get(descriptor)
    if plan is not None:
        return plan
    plan = []
    for field in descriptor.fields:
        only_if_set = field.has_presence and field.containing_oneof is not None
        names = None
        if field.message_type is not None:
            how = _MESSAGES if field.is_repeated else _MESSAGE
        elif field.enum_type is not None:
            how = _ENUMS if field.is_repeated else _ENUM
            names = {number: value.name for number, value in field.enum_type.values_by_number.items()}
        elif field.is_repeated:
            how = _NUMBERS
        elif field.cpp_type in (field.CPPTYPE_DOUBLE, field.CPPTYPE_FLOAT):
            how = _NUMBER
        else:
            how = _PLAIN
        plan.append((field.name, how, only_if_set, names))
    _FIELD_PLANS[descriptor] = plan
    return plan


def _message_dict(message) -> Dict[str, Any]:
    """A protobuf message as a dict of its fields, with defaults, NaN as null."""
    result: Dict[str, Any] = {}
    for name, how, only_if_set, names in _field_plan(message.DESCRIPTOR):
        if only_if_set and not message.HasField(name):
            continue
        value = getattr(message, name)
        if how == _NUMBER:
            result[name] = value if math.isfinite(value) else None
        elif how == _PLAIN:
            result[name] = value
        elif how == _MESSAGE:
            result[name] = _message_dict(value)
        elif how == _MESSAGES:
            result[name] = [_message_dict(item) for item in value]
        elif how == _ENUM:
            result[name] = names.get(value, value)
        elif how == _ENUMS:
            result[name] = [names[v] for v in value]
        else:
            result[name] = [_finite_or_none(v) if isinstance(v, float) else v for v in value]
    return result


def _array_json(encoded: pb.EncodedArray, name: str) -> Dict[str, Any]:
    return {
        "name": name,
        "shape": list(encoded.shape),
        "precision": _PRECISION_NAMES.get(encoded.precision, "unknown"),
        "offset": encoded.offset,
        "scale": encoded.scale,
        "nonfinite": _message_dict(encoded.nonfinite),
        "range": _message_dict(encoded.range),
        "filter": "gradient" if encoded.filter == pb.GRADIENT else "none",
    }


def _pair_range(first: pb.EncodedArray, second: pb.EncodedArray) -> Dict[str, Optional[float]]:
    """The finite value range of two arrays together, from their headers."""
    ranges = [r for r in (first.range, second.range) if r.count]
    if not ranges:
        return {"min": None, "max": None}
    return {"min": _finite_or_none(min(r.min for r in ranges)), "max": _finite_or_none(max(r.max for r in ranges))}


def _parse_labels(blob: bytes) -> pb.Labels:
    try:
        return pb.Labels.FromString(blob)
    except Exception as e:  # protobuf raises DecodeError or a runtime error
        raise ValueError(f"unreadable labels: {e}") from None


def _find_step(data, step: int):
    for datum in reversed(data):  # a resumed run's later write wins
        if datum.step == step:
            return datum
    return None


def _step_arrays(header: pb.StepHeader, sample: int) -> List[Tuple[str, pb.EncodedArray]]:
    """The arrays of one step (one sample of a mel step), named."""
    body = header.WhichOneof("body")
    if body == "mel":
        chosen = header.mel.samples[sample]
        return [("target", chosen.target), ("predicted", chosen.predicted)]
    if body == "noise":
        return [("predicted", header.noise.predicted), ("actual", header.noise.actual)]
    if body == "similarity":
        return [("matrix", header.similarity.matrix)]
    return []


def _is_url(path: str) -> bool:
    return "://" in path


def _split_path(path: str) -> Tuple[str, str]:
    """(directory, base name) of a local path or a URL, by path syntax only."""
    if _is_url(path):
        directory, _, name = path.rstrip("/").rpartition("/")
        return ("" if "://" not in directory else directory), name
    normalized = os.path.normpath(path)
    return os.path.dirname(normalized), os.path.basename(normalized)


def _url_parent(url: str) -> Optional[str]:
    """The parent of a URL directory; None at the bucket or host."""
    head = url.rstrip("/").rpartition("/")[0]
    return head if _is_url(head) and head.split("://", 1)[1] else None


class _CheckpointSearch(NamedTuple):
    """What a search of checkpoint directories found."""

    checkpoints: List[checkpoints.Checkpoint]  # sorted as checkpoints.find_checkpoints sorts
    searched: List[str]  # directories listed (a missing one lists as empty)
    names: Dict[str, Set[str]]  # directory -> base names of the checkpoints in it
    note: Optional[str]  # why nothing, or not everything, could be searched


def _search_checkpoints(directories: Tuple[str, ...]) -> _CheckpointSearch:
    found: Dict[str, checkpoints.Checkpoint] = {}
    searched: List[str] = []
    names: Dict[str, Set[str]] = {}
    failures: List[str] = []
    for directory in directories:
        # The file layer's errors depend on the scheme and its package
        # (botocore, fsspec); any of them is a note, never a 500.
        try:
            listed = checkpoints.find_checkpoints(directory)
        except Exception as e:
            failures.append(f"{directory} ({type(e).__name__}: {e})")
            continue
        searched.append(directory)
        names[directory] = {_split_path(c.path)[1] for c in listed}
        for checkpoint in listed:
            found.setdefault(checkpoint.path, checkpoint)
    ordered = sorted(found.values(), key=lambda c: (c.step, checkpoints.KINDS.index(c.kind), c.path))
    note = "Could not list " + "; ".join(failures) + "." if failures else None
    return _CheckpointSearch(ordered, searched, names, note)


def _checkpoint_json(checkpoint: checkpoints.Checkpoint, step: int) -> Dict[str, Any]:
    return {
        "path": checkpoint.path,
        "name": _split_path(checkpoint.path)[1],
        "step": checkpoint.step,
        "epoch": checkpoint.epoch,
        "kind": checkpoint.kind,
        "distance": checkpoint.step - step,
    }


def _empty_reason(values: np.ndarray) -> Optional[str]:
    """One sentence saying why a series has no lowest point, or None if it has one."""
    finite = values[np.isfinite(values)]
    if values.size == 0:
        return "The series has no points."
    if values.size == 1:
        return "The series has one point, so it has no lowest point yet."
    if finite.size == 0:
        return f"None of the {values.size} values is finite (NaN or Inf), so there is no lowest point."
    if finite.size == 1:
        return f"Only one of the {values.size} values is finite, so there is no lowest point."
    if finite.min() == finite.max():
        return f"All {finite.size} finite values equal {float(finite[0]):.6g}, so there is no lowest point."
    return None


def _floats(values: Iterable[float]) -> List[Optional[float]]:
    return [_finite_or_none(float(v)) for v in values]


class SpectroPlugin(base_plugin.TBPlugin):
    """Serves every kind of Spectro data; see http_api.md."""

    plugin_name = metadata.PLUGIN_NAME

    def __init__(self, context: base_plugin.TBContext):
        self._data_provider = context.data_provider
        self._calls = _ProviderCalls(context.data_provider)
        hint = (context.sampling_hints or {}).get(self.plugin_name)
        self._downsample = hint if hint else _ALL_STEPS  # 0 or unset: every step
        self._cache = _ByteBoundedCache(_CACHE_BYTES)
        # The step list of each series as last read; /data looks a step up
        # here before asking the reader again, which costs RustBoard a
        # gRPC round trip over the whole series. /tags and /steps refresh it.
        self._series_index: Dict[Tuple[str, str, str], Tuple[pb.SpectroPluginData, list]] = {}
        self._warned_versions: Set[Tuple[str, str]] = set()  # series warned about
        self._lock = threading.Lock()
        # Where the run directories are, for the checkpoint search; the data
        # provider does not say. Empty with --logdir_spec.
        logdir = context.logdir or ""
        self._logdir = logdir if not logdir or _is_url(logdir) else os.path.abspath(os.path.expanduser(logdir))
        self._checkpoint_searches: Dict[Tuple[str, ...], Tuple[float, _CheckpointSearch]] = {}
        self._warned_markers: Set[Tuple[str, str, int]] = set()  # unreadable markers warned about

    def get_plugin_apps(self):
        return {
            "/static/*": self._serve_static,
            "/tags": self._serve_tags,
            "/steps": self._serve_steps,
            "/data": self._serve_data,
            "/scalars": self._serve_scalars,
            "/lowest": self._serve_lowest,
        }

    def is_active(self) -> bool:
        return False  # TensorBoard asks the data provider instead

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/static/" + _ES_MODULE, tab_name="Spectro")

    # -- reading ---------------------------------------------------------

    def _plugin_data(self, run: str, tag: str, content: bytes) -> Optional[pb.SpectroPluginData]:
        try:
            return metadata.parse_plugin_metadata(content)
        except ValueError as e:
            with self._lock:
                if (run, tag) in self._warned_versions:
                    return None
                self._warned_versions.add((run, tag))
            logger.warning("Spectro: skipping run %r tag %r: %s", run, tag, e)
            return None

    def _run_calls(self, ctx, experiment: str, *calls: Callable[[], Any]) -> List[Outcome]:
        return self._calls.run(ctx, experiment, calls)

    def _series(self, ctx, experiment: str, run: str, tag: str, with_copies: bool = False):
        """Returns (plugin data, [BlobSequenceDatum], copies) of one series.

        `copies` are the headers copied in the series' header series, by
        (step, wall time), read at once with the series `with_copies`, else None.

        Raises:
          NotFoundError: no such run or tag, or a series of a newer format.
        """
        only = provider.RunTagFilter(runs=[run], tags=[tag])
        calls = [
            lambda: self._data_provider.list_blob_sequences(
                ctx, experiment_id=experiment, plugin_name=self.plugin_name, run_tag_filter=only
            ),
            lambda: self._data_provider.read_blob_sequences(
                ctx,
                experiment_id=experiment,
                plugin_name=self.plugin_name,
                downsample=self._downsample,
                run_tag_filter=only,
            ),
        ]
        if with_copies:
            calls.append(lambda: self._read_copies(ctx, experiment, run, tag))
        outcomes = self._run_calls(ctx, experiment, *calls)
        listing, data = _raise_any(outcomes[:2])
        series = listing.get(run, {}).get(tag)
        if series is None:
            if run not in listing and not self._run_exists(ctx, experiment, run):
                raise errors.NotFoundError(f"No run {run!r} with Spectro data")
            raise errors.NotFoundError(f"No Spectro tag {tag!r} in run {run!r}")
        plugin_data = self._plugin_data(run, tag, series.plugin_content)
        if plugin_data is None:
            raise errors.NotFoundError(f"Spectro tag {tag!r} in run {run!r} was written by a newer Spectro")
        result = (plugin_data, data.get(run, {}).get(tag, []))
        with self._lock:
            self._series_index[(experiment, run, tag)] = result
        return result[0], result[1], self._copies(run, tag, outcomes[2]) if with_copies else None

    def _read_copies(self, ctx, experiment: str, run: str, tag: str):
        """The series' header series, every step in one call."""
        return self._data_provider.read_tensors(
            ctx,
            experiment_id=experiment,
            plugin_name=self.plugin_name,
            downsample=self._downsample,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=[metadata.headers_tag(tag)]),
        )

    @staticmethod
    def _copies(run: str, tag: str, outcome: Outcome) -> Dict[Tuple[int, float], bytes]:
        """{(step, wall time): header blob} from a `_read_copies` outcome; empty for series written without."""
        tensors, error = outcome
        if error is not None:
            # The copies only save reads; the blobs hold the same headers.
            logger.debug("Spectro: no header copies for run %r tag %r: %s", run, tag, error)
            return {}
        copies = {}
        for datum in tensors.get(run, {}).get(metadata.headers_tag(tag), []):
            blob = _companion_blob(datum)
            if blob is not None:
                copies[(datum.step, datum.wall_time)] = blob
        return copies

    def _series_headers(self, ctx, experiment: str, run: str, tag: str):
        """(plugin data, [BlobSequenceDatum], read headers) of one series; see `_headers`.

        The header series is read only if some header is not in the cache.
        Through RustBoard, where each call waits on the connection, it is read
        together with the series unless the steps listed before have their
        headers cached (their first and last tell).
        """
        with self._lock:
            known = self._series_index.get((experiment, run, tag))
        cached = (
            known is not None
            and bool(known[1])
            and all(self._cached_header(datum, None) is not None for datum in (known[1][0], known[1][-1]))
        )
        plugin_data, data, copies = self._series(
            ctx, experiment, run, tag, with_copies=self._calls.concurrent and not cached
        )

        def read_copies():
            return self._copies(
                run, tag, self._run_calls(ctx, experiment, lambda: self._read_copies(ctx, experiment, run, tag))[0]
            )

        return plugin_data, data, lambda kept: self._headers(ctx, experiment, kept, copies, read_copies)

    def _run_exists(self, ctx, experiment: str, run: str) -> bool:
        listing = self._data_provider.list_blob_sequences(ctx, experiment_id=experiment, plugin_name=self.plugin_name)
        return run in listing

    def _read(self, ctx, datum, index: int, parse=None):
        """Blob `index` of a step, parsed by `parse` if given, through the cache."""
        if index >= len(datum.values):
            raise ValueError(f"the step holds {len(datum.values)} blobs, not blob {index}")
        blob_key = datum.values[index].blob_key
        # The wall time tells a step rewritten by a resumed run from the first write.
        key = (parse, blob_key, datum.wall_time)
        value = self._cache.get(key)
        if value is None:
            blob = self._data_provider.read_blob(ctx, blob_key=blob_key)
            value = blob if parse is None else parse(blob)
            self._cache.put(key, value, len(blob))  # a parsed header's size, roughly
        return value

    def _header(self, ctx, datum) -> pb.StepHeader:
        """The step's header; raises ValueError if it cannot be read."""
        return self._read(ctx, datum, 0, metadata.parse_step_header)

    def _headers(
        self,
        ctx,
        experiment: str,
        data,
        copies: Optional[Dict[Tuple[int, float], bytes]],
        read_copies: Optional[Callable[[], Dict[Tuple[int, float], bytes]]] = None,
    ) -> List[Outcome]:
        """(header, None) or (None, error) of each step: cached, copied, or read from its blob.

        `copies` as `_series` returns them; when None, `read_copies` reads
        them if some header is not cached.
        """
        outcomes: List[Optional[Outcome]] = [None] * len(data)

        def fill(indices: Iterable[int], found: Dict[Tuple[int, float], bytes]) -> List[int]:
            """Fills in the headers found; returns the indices still missing."""
            still = []
            for index in indices:
                datum = data[index]
                header = self._cached_header(datum, found.get((datum.step, datum.wall_time)))
                if header is None:
                    still.append(index)
                else:
                    outcomes[index] = (header, None)
            return still

        missing = fill(range(len(data)), copies or {})
        if missing and copies is None and read_copies is not None:
            missing = fill(missing, read_copies())
        read = self._run_calls(ctx, experiment, *[functools.partial(self._header, ctx, data[i]) for i in missing])
        for index, outcome in zip(missing, read):
            outcomes[index] = outcome
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

    # -- implementations -------------------------------------------------

    def tags_impl(self, ctx, experiment: str) -> Dict[str, Dict[str, Any]]:
        """Every run and tag with Spectro data, with its kind, steps and facts."""
        listing, data = _raise_any(
            self._run_calls(
                ctx,
                experiment,
                lambda: self._data_provider.list_blob_sequences(
                    ctx, experiment_id=experiment, plugin_name=self.plugin_name
                ),
                lambda: self._data_provider.read_blob_sequences(
                    ctx, experiment_id=experiment, plugin_name=self.plugin_name, downsample=self._downsample
                ),
            )
        )
        result: Dict[str, Dict[str, Any]] = {}
        for run, tags in sorted(listing.items()):
            for tag, series in sorted(tags.items()):
                plugin_data = self._plugin_data(run, tag, series.plugin_content)
                if plugin_data is None:
                    continue
                series_data = data.get(run, {}).get(tag, [])
                with self._lock:
                    self._series_index[(experiment, run, tag)] = (plugin_data, series_data)
                steps = [d.step for d in series_data]
                kind = metadata.kind_name(plugin_data.kind)
                facts_field = plugin_data.WhichOneof("series")
                facts = _message_dict(getattr(plugin_data, facts_field)) if facts_field else {}
                result.setdefault(run, {})[tag] = {
                    "kind": kind,
                    "steps": len(steps),
                    "first_step": min(steps) if steps else None,
                    "last_step": max(steps) if steps else None,
                    "max_samples": (series.max_length - 1) // 2 if kind == "mel_comparison" else 1,
                    "display_name": series.display_name,
                    "description": series.description,
                    "series": facts,
                }
        return result

    def steps_impl(self, ctx, experiment: str, run: str, tag: str) -> Dict[str, Any]:
        """Every step of a series with its wall time and the header's stats."""
        plugin_data, data, headers = self._series_headers(ctx, experiment, run, tag)
        steps = []
        for datum, (header, error) in zip(data, headers(data)):
            entry: Dict[str, Any] = {"step": datum.step, "wall_time": datum.wall_time}
            if error is not None:
                if not isinstance(error, (ValueError, errors.PublicError)):
                    raise error
                entry["error"] = str(error)
            else:
                entry.update(self._step_summary(header))
            steps.append(entry)
        return {"run": run, "tag": tag, "kind": metadata.kind_name(plugin_data.kind), "steps": steps}

    @staticmethod
    def _step_summary(header: pb.StepHeader) -> Dict[str, Any]:
        body = header.WhichOneof("body")
        if body == "mel":
            return {
                "stats": _message_dict(header.mel.stats),
                "samples": [
                    {
                        "sample_id": s.sample_id,
                        "text": s.text,
                        "target_frames": s.target_frames,
                        "predicted_frames": s.predicted_frames,
                        "length_mismatch": pb.LengthMismatch.Name(s.length_mismatch),
                        "range": _pair_range(s.target, s.predicted),
                        "stats": _message_dict(s.stats),
                    }
                    for s in header.mel.samples
                ],
                "batch_size": header.mel.batch_size,
            }
        if body == "noise":
            step = header.noise
            return {
                "stats": _message_dict(step.stats),
                "timestep": step.timestep if step.has_timestep else None,
                "total_timesteps": step.total_timesteps or None,
                "frame_mse": [_finite_or_none(v) for v in step.frame_mse],
            }
        if body == "similarity":
            return {"stats": _message_dict(header.similarity.stats), "shape": list(header.similarity.matrix.shape)}
        if body == "lowest_point":
            return {"marker": _message_dict(header.lowest_point)}
        return {}

    def _step_datum(self, ctx, experiment: str, run: str, tag: str, step: int):
        with self._lock:
            known = self._series_index.get((experiment, run, tag))
        if known is not None:
            datum = _find_step(known[1], step)
            if datum is not None:
                return known[0], datum
        plugin_data, data, _ = self._series(ctx, experiment, run, tag)
        datum = _find_step(data, step)
        if datum is None:
            raise errors.NotFoundError(f"No step {step} in Spectro tag {tag!r} of run {run!r}")
        return plugin_data, datum

    def data_impl(self, ctx, experiment: str, run: str, tag: str, step: int, sample: int):
        """One step's header and stored array blobs: (JSON-able dict, [(name, EncodedArray, blob)])."""
        plugin_data, datum = self._step_datum(ctx, experiment, run, tag, step)
        ((header, error),) = self._headers(ctx, experiment, [datum], None)
        if isinstance(error, ValueError):
            raise errors.NotFoundError(f"Step {step} of Spectro tag {tag!r} in run {run!r} is unreadable: {error}")
        if error is not None:
            raise error
        body = header.WhichOneof("body")
        if body == "mel":
            count = len(header.mel.samples)
            if not 0 <= sample < count:
                raise errors.InvalidArgumentError(f"sample must be in [0, {count}) for step {step}, got {sample}")
        elif sample != 0:
            raise errors.InvalidArgumentError(
                f"sample must be 0 for a {metadata.kind_name(plugin_data.kind)} step, got {sample}"
            )
        named = _step_arrays(header, sample)
        calls: List[Callable[[], Any]] = [
            functools.partial(self._read, ctx, datum, encoded.blob_index) for _, encoded in named
        ]
        if body == "similarity" and header.similarity.labels_blob_index:
            calls.append(lambda: self._read(ctx, datum, header.similarity.labels_blob_index, _parse_labels))
        try:
            blobs = _raise_any(self._run_calls(ctx, experiment, *calls))
            arrays = [(name, encoded, blob) for (name, encoded), blob in zip(named, blobs)]
            labels = blobs[len(named)] if len(blobs) > len(named) else None
        except ValueError as e:
            raise errors.NotFoundError(f"Step {step} of Spectro tag {tag!r} in run {run!r} is unreadable: {e}")
        description = {
            "run": run,
            "tag": tag,
            "kind": metadata.kind_name(plugin_data.kind),
            "step": datum.step,
            "wall_time": datum.wall_time,
            "sample": sample,
        }
        description.update(self._step_summary(header))
        if labels is not None:
            description["labels"] = {"rows": list(labels.rows), "columns": list(labels.columns)}
        return description, arrays

    def scalars_impl(self, ctx, experiment: str) -> Dict[str, Any]:
        """Every scalar tag of every run, and the Spectro marker series watching each."""
        listing, blob_listing = _raise_any(
            self._run_calls(
                ctx,
                experiment,
                lambda: self._data_provider.list_scalars(ctx, experiment_id=experiment, plugin_name=_SCALARS_PLUGIN),
                lambda: self._data_provider.list_blob_sequences(
                    ctx, experiment_id=experiment, plugin_name=self.plugin_name
                ),
            )
        )
        runs = {run: sorted(tags) for run, tags in sorted(listing.items())}
        markers: Dict[str, Dict[str, List[str]]] = {}
        for run, tags in sorted(blob_listing.items()):
            for tag, series in sorted(tags.items()):
                watched = self._watched_tag(run, tag, series)
                if watched is not None and watched in listing.get(run, {}):
                    markers.setdefault(run, {}).setdefault(watched, []).append(tag)
        return {"runs": runs, "markers": markers}

    def _watched_tag(self, run: str, tag: str, series) -> Optional[str]:
        """The scalar tag a lowest-point marker series watches; None for other series."""
        plugin_data = self._plugin_data(run, tag, series.plugin_content)
        if plugin_data is None or plugin_data.kind != pb.LOWEST_POINT:
            return None
        return plugin_data.lowest_point.watched_tag

    def _markers(self, ctx, experiment: str, run: str, tag: str) -> List[Tuple[str, Any, pb.LowestPointStep]]:
        """(marker tag, datum, marker) of every lowest point marked on `tag`, by step."""
        listing = self._data_provider.list_blob_sequences(
            ctx,
            experiment_id=experiment,
            plugin_name=self.plugin_name,
            run_tag_filter=provider.RunTagFilter(runs=[run]),
        )
        marker_tags = sorted(
            marker_tag
            for marker_tag, series in listing.get(run, {}).items()
            if self._watched_tag(run, marker_tag, series) == tag
        )
        markers = []
        for marker_tag in marker_tags:
            _, data, headers = self._series_headers(ctx, experiment, run, marker_tag)
            latest: Dict[int, Any] = {}
            for datum in data:  # a resumed run's later write of a step wins
                if datum.step not in latest or datum.wall_time >= latest[datum.step].wall_time:
                    latest[datum.step] = datum
            kept = list(latest.values())
            for datum, (header, error) in zip(kept, headers(kept)):
                if error is not None:
                    if not isinstance(error, (ValueError, errors.PublicError)):
                        raise error
                    self._warn_once(
                        (run, marker_tag, datum.step),
                        "Spectro: skipping the marker at step %d of run %r tag %r: %s",
                        datum.step,
                        run,
                        marker_tag,
                        error,
                    )
                    continue
                if header.WhichOneof("body") == "lowest_point":
                    markers.append((marker_tag, datum, header.lowest_point))
        markers.sort(key=lambda marker: (marker[1].step, marker[0]))
        return markers

    def _warn_once(self, key, message: str, *args) -> None:
        with self._lock:
            if key in self._warned_markers:
                return
            self._warned_markers.add(key)
        logger.warning(message, *args)

    def _checkpoint_directories(self, run: str, recorded_paths: Iterable[str]) -> List[str]:
        """The run's directory, its parent, and the directories of absolute recorded paths."""
        if _is_url(self._logdir):
            base = self._logdir.rstrip("/")
            run_directory = base if run == "." else base + "/" + run.strip("/")
            parent = _url_parent(run_directory)
        else:
            run_directory = os.path.normpath(os.path.join(self._logdir, *run.split("/")))
            parent = os.path.dirname(run_directory)
        directories = [run_directory, parent or ""]
        directories += [_split_path(path)[0] for path in recorded_paths if _is_url(path) or os.path.isabs(path)]
        return list(dict.fromkeys(d for d in directories if d))

    def _search(self, directories: Tuple[str, ...]) -> _CheckpointSearch:
        """`_search_checkpoints`, reusing a listing younger than the TTL."""
        now = time.monotonic()
        with self._lock:
            cached = self._checkpoint_searches.get(directories)
        if cached is not None and now - cached[0] < _CHECKPOINT_LISTING_TTL:
            return cached[1]
        search = _search_checkpoints(directories)
        with self._lock:
            expired = [
                key for key, (listed, _) in self._checkpoint_searches.items() if now - listed >= _CHECKPOINT_LISTING_TTL
            ]
            for key in expired:
                del self._checkpoint_searches[key]
            self._checkpoint_searches[directories] = (now, search)
        return search

    @staticmethod
    def _recorded_status(path: str, search: _CheckpointSearch) -> Dict[str, Any]:
        """Whether a recorded checkpoint is still there: from the listing if it covers the path."""
        directory, name = _split_path(path)
        parsed = checkpoints.parse_checkpoint_name(name) if name else None
        if directory in search.names and parsed is not None and parsed.kind != "trainer":
            return {"exists": name in search.names[directory], "error": None}
        try:
            status = checkpoints.checkpoint_status(path)
        except Exception as e:  # as in _search_checkpoints: a note, never a 500
            return {"exists": None, "error": f"{type(e).__name__}: {e}"}
        return {"exists": status.exists, "error": status.error}

    def lowest_impl(
        self,
        ctx,
        experiment: str,
        run: str,
        tag: str,
        smoothing: float = _DEFAULT_SMOOTHING,
        ignore_outliers: bool = False,
    ) -> Dict[str, Any]:
        """A scalar curve, its lowest-point candidates with their checkpoints, markers and hint."""
        listing, data = _raise_any(
            self._run_calls(
                ctx,
                experiment,
                lambda: self._data_provider.list_scalars(
                    ctx,
                    experiment_id=experiment,
                    plugin_name=_SCALARS_PLUGIN,
                    run_tag_filter=provider.RunTagFilter(runs=[run]),
                ),
                lambda: self._data_provider.read_scalars(
                    ctx,
                    experiment_id=experiment,
                    plugin_name=_SCALARS_PLUGIN,
                    downsample=_ALL_STEPS,
                    run_tag_filter=provider.RunTagFilter(runs=[run], tags=[tag]),
                ),
            )
        )
        if run not in listing:
            raise errors.NotFoundError(f"No run {run!r} with scalars")
        if tag not in listing[run]:
            raise errors.NotFoundError(f"No scalar tag {tag!r} in run {run!r}")
        points = data.get(run, {}).get(tag, [])
        series = lowest.dedupe_resumed(
            [p.step for p in points],
            [p.value for p in points],
            [p.wall_time for p in points],
        )
        smoothed = lowest.smooth(series.values, smoothing)
        low_index = lowest.final_low(series.steps, series.values)
        hint = lowest.overtraining_hint(series.steps, smoothed, low_index)
        y_range = lowest.outlier_range(np.concatenate([series.values, smoothed]), ignore_outliers=ignore_outliers)

        markers = self._markers(ctx, experiment, run, tag)
        recorded_paths = [marker.checkpoint_path for _, _, marker in markers if marker.checkpoint_path]
        if self._logdir:
            search = self._search(tuple(self._checkpoint_directories(run, recorded_paths)))
        else:
            note = "TensorBoard has no --logdir (it was started with --logdir_spec, say), so no directory was searched."
            search = _CheckpointSearch([], [], {}, note)
        statuses = {path: self._recorded_status(path, search) for path in dict.fromkeys(recorded_paths)}
        recorded_at: Dict[int, str] = {}
        for _, datum, marker in markers:
            if marker.checkpoint_path:
                recorded_at.setdefault(datum.step, marker.checkpoint_path)

        candidates = []
        for rank, candidate in enumerate(lowest.rank_candidates(series.steps, series.values, smoothing), start=1):
            nearest = checkpoints.nearest_checkpoint(search.checkpoints, candidate.step, prefer="G")
            path = recorded_at.get(candidate.step)
            candidates.append(
                {
                    "rank": rank,
                    "step": candidate.step,
                    "value": candidate.value,
                    "smoothed": _finite_or_none(candidate.smoothed),
                    "is_final_low": candidate.is_final_low,
                    "improvement": candidate.improvement,
                    "later_min_gap": candidate.later_min_gap,
                    "checkpoint": None if nearest is None else _checkpoint_json(nearest, candidate.step),
                    "recorded": None if path is None else {"path": path, **statuses[path]},
                }
            )
        final_low = None
        if low_index is not None:
            final_low = {
                "step": int(series.steps[low_index]),
                "value": float(series.values[low_index]),
                "smoothed": _finite_or_none(float(smoothed[low_index])),
            }
        return {
            "run": run,
            "tag": tag,
            "smoothing": smoothing,
            "ignore_outliers": ignore_outliers,
            "points": {
                "step": series.steps.tolist(),
                "wall_time": series.wall_times.tolist(),
                "value": _floats(series.values),
                "smoothed": _floats(smoothed),
            },
            "dropped_resumed": len(points) - int(series.steps.size),
            "y_range": None if y_range is None else {"min": y_range[0], "max": y_range[1]},
            "empty_reason": _empty_reason(series.values),
            "candidates": candidates,
            "final_low": final_low,
            "markers": [
                {
                    "tag": marker_tag,
                    "step": datum.step,
                    "value": _finite_or_none(marker.value),
                    "smoothed_value": (
                        _finite_or_none(marker.smoothed_value) if marker.HasField("smoothed_value") else None
                    ),
                    "smoothing": marker.smoothing,
                    "epoch": marker.epoch if marker.HasField("epoch") else None,
                    "checkpoint_path": marker.checkpoint_path,
                    "checkpoint": statuses[marker.checkpoint_path] if marker.checkpoint_path else None,
                }
                for marker_tag, datum, marker in markers
            ],
            "hint": {
                "rising": hint.rising,
                "low_step": hint.low_step,
                "start_step": hint.start_step,
                "end_step": hint.end_step,
                "rise": None if hint.rise is None else _finite_or_none(hint.rise),
                "explanation": hint.explanation,
                "rule": lowest.overtraining_rule(),
            },
            "checkpoints": {"searched": search.searched, "count": len(search.checkpoints), "note": search.note},
        }

    # -- handlers --------------------------------------------------------

    @staticmethod
    def _arg(request, name: str) -> str:
        value = request.args.get(name)
        if value is None:
            raise errors.InvalidArgumentError(f"Missing query parameter {name!r}")
        return value

    @staticmethod
    def _int_arg(request, name: str, default: Optional[int] = None) -> int:
        raw = request.args.get(name)
        if raw is None:
            if default is None:
                raise errors.InvalidArgumentError(f"Missing query parameter {name!r}")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise errors.InvalidArgumentError(f"Query parameter {name!r} must be an integer, got {raw!r}")
        if value < 0:
            raise errors.InvalidArgumentError(f"Query parameter {name!r} must be >= 0, got {value}")
        return value

    @staticmethod
    def _smoothing_arg(request) -> float:
        raw = request.args.get("smoothing")
        if raw is None:
            return _DEFAULT_SMOOTHING
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not 0.0 <= value < 1.0:  # NaN fails this too
            raise errors.InvalidArgumentError(f"Query parameter 'smoothing' must be a number in [0, 1), got {raw!r}")
        return value

    @staticmethod
    def _bool_arg(request, name: str, default: bool) -> bool:
        raw = request.args.get(name)
        if raw is None:
            return default
        if raw not in ("true", "false"):
            raise errors.InvalidArgumentError(f"Query parameter {name!r} must be 'true' or 'false', got {raw!r}")
        return raw == "true"

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_tags(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        return http_util.Respond(request, _json_body(self.tags_impl(ctx, experiment)), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_steps(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        result = self.steps_impl(ctx, experiment, self._arg(request, "run"), self._arg(request, "tag"))
        return http_util.Respond(request, _json_body(result), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_data(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        run, tag = self._arg(request, "run"), self._arg(request, "tag")
        step = self._int_arg(request, "step")
        sample = self._int_arg(request, "sample", default=0)
        response_format = request.args.get("format", "binary")
        if response_format not in ("binary", "npz"):
            raise errors.InvalidArgumentError(f"format must be 'binary' or 'npz', got {response_format!r}")
        description, arrays = self.data_impl(ctx, experiment, run, tag, step, sample)
        if response_format == "npz":
            return http_util.Respond(request, _npz(description, arrays), "application/octet-stream")
        return http_util.Respond(request, _binary_body(description, arrays), "application/octet-stream")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_scalars(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        return http_util.Respond(request, _json_body(self.scalars_impl(ctx, experiment)), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_lowest(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        run, tag = self._arg(request, "run"), self._arg(request, "tag")
        smoothing = self._smoothing_arg(request)
        ignore_outliers = self._bool_arg(request, "ignore_outliers", default=False)
        result = self.lowest_impl(ctx, experiment, run, tag, smoothing=smoothing, ignore_outliers=ignore_outliers)
        return http_util.Respond(request, _json_body(result), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_static(self, request):
        relative = unquote(request.path.split("/static/", 1)[-1])
        normalized = posixpath.normpath(relative)
        if (
            not relative
            or "\\" in relative
            or "\x00" in relative
            or normalized.startswith(("/", ".."))
            or normalized != relative
        ):
            raise errors.NotFoundError(f"No static file {relative!r}")
        path = os.path.join(_STATIC_DIR, *normalized.split("/"))
        if not os.path.isfile(path):
            raise errors.NotFoundError(f"No static file {relative!r}")
        with open(path, "rb") as f:
            content = f.read()
        mimetype = (
            "text/javascript" if path.endswith(".js") else (mimetypes.guess_type(path)[0] or "application/octet-stream")
        )
        return http_util.Respond(request, content, mimetype)


def _binary_body(description: Dict[str, Any], arrays) -> bytes:
    """The /data body: magic, JSON length, JSON, then each blob 8-byte aligned."""
    entries = []
    offset = 0
    for name, encoded, blob in arrays:
        entry = _array_json(encoded, name)
        entry.update(
            compression="none" if encoded.compression == pb.NONE else "zlib", byte_offset=offset, byte_length=len(blob)
        )
        entries.append(entry)
        offset += (len(blob) + 7) // 8 * 8
    description = dict(description, arrays=entries)
    text = json.dumps(description, allow_nan=False).encode("utf-8")
    head_length = 8 + len(text)
    padding = (-head_length) % 8
    out = io.BytesIO()
    out.write(DATA_MAGIC)
    out.write(struct.pack("<I", len(text) + padding))
    out.write(text)
    out.write(b" " * padding)  # JSON allows trailing spaces
    for _, _, blob in arrays:
        out.write(blob)
        out.write(b"\x00" * ((-len(blob)) % 8))
    return out.getvalue()


def _npz(description: Dict[str, Any], arrays) -> bytes:
    """The arrays as float32 with NaN/Inf in place, plus the diff, as an .npz."""
    decoded = {name: codec.decode_array(encoded, blob) for name, encoded, blob in arrays}
    if description["kind"] == "mel_comparison":
        decoded["diff"] = decoded["target"] - decoded["predicted"]
    elif description["kind"] == "noise_pair":
        decoded["diff"] = decoded["actual"] - decoded["predicted"]  # as target - predicted
    out = io.BytesIO()
    np.savez_compressed(out, **cast(Dict[str, Any], decoded))
    return out.getvalue()
