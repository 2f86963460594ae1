"""The Spectro plugin's HTTP API, served under /data/plugin/spectro/.

Every handler parses its request and calls an `*_impl` method that returns
plain data; the data comes only through TensorBoard's data provider
(`reading`), so both readers (the Python one and RustBoard), remote logdirs
and /experiment/<id>/ URLs work alike. What a step holds is its kind's
business (`kinds`); how it goes on the wire is `wire`'s. `http_api.md` shows
each route.
"""

import functools
import json
import math
import mimetypes
import os
import posixpath
import re
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote

from tensorboard import errors, plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin
from werkzeug import wrappers

from tb_plugin_spectro import codec, kinds, logdir_status, lowest_report, metadata, reading, wire
from tb_plugin_spectro.wire import DATA_MAGIC

__all__ = ["SpectroPlugin", "DATA_MAGIC"]

_STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
# The pane's ES module. Until the bundled pane is built, a plain module that
# lists the series.
_ES_MODULE = "index.js" if os.path.exists(os.path.join(_STATIC_DIR, "index.js")) else "series-list.js"
# An integer query parameter: ASCII digits only. int() also takes spaces,
# underscores ("5_0" is 50) and other scripts' digits.
_INTEGER = re.compile(r"-?[0-9]+")
# The most steps one /data_batch request may ask for.
MAX_BATCH = 32


class SpectroPlugin(base_plugin.TBPlugin):
    """Serves every kind of Spectro data; see http_api.md."""

    plugin_name = metadata.PLUGIN_NAME

    def __init__(self, context: base_plugin.TBContext):
        hint = (context.sampling_hints or {}).get(self.plugin_name)
        # 0 or unset: every step.
        self._reader = reading.SeriesReader(context.data_provider, downsample=hint if hint else reading.ALL_STEPS)
        self._lowest = lowest_report.LowestReport(self._reader, context.logdir or "")
        self._logdir = context.logdir or ""
        self._reader_name = logdir_status.reader_of(context.data_provider)

    def get_plugin_apps(self):
        return {
            "/static/*": self._serve_static,
            "/tags": self._serve_tags,
            "/steps": self._serve_steps,
            "/data": self._serve_data,
            "/data_batch": self._serve_data_batch,
            "/scalars": self._serve_scalars,
            "/lowest": self._serve_lowest,
            "/logdir": self._serve_logdir,
        }

    def is_active(self) -> bool:
        return False  # TensorBoard asks the data provider instead

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/static/" + _ES_MODULE, tab_name="Spectro")

    # -- implementations -------------------------------------------------

    def tags_impl(self, ctx, experiment: str) -> Dict[str, Dict[str, Any]]:
        """Every run and tag with Spectro data, with its kind, steps and facts, or why its facts cannot be read."""
        result: Dict[str, Dict[str, Any]] = {}
        for listed in self._reader.every_series(ctx, experiment):
            plugin_data = listed.plugin_data
            kind = kinds.of_series(plugin_data)
            steps = [d.step for d in listed.data]
            entry = result.setdefault(listed.run, {})[listed.tag] = {
                "kind": kind.name,
                "steps": len(steps),
                "first_step": min(steps) if steps else None,
                "last_step": max(steps) if steps else None,
                "max_samples": kind.max_samples(listed.listing, plugin_data),
                "display_name": listed.listing.display_name,
                "description": listed.listing.description,
                "series": kind.series_facts(plugin_data),
            }
            if listed.error is not None:
                entry["error"] = listed.error
        return result

    def steps_impl(self, ctx, experiment: str, run: str, tag: str) -> Dict[str, Any]:
        """Every step of a series with its wall time and the header's stats."""
        series = self._reader.series_headers(ctx, experiment, run, tag)
        kind = series.series.kind
        steps = []
        for datum, (header, error) in zip(series.series.data, series.headers(series.series.data)):
            entry: Dict[str, Any] = {"step": datum.step, "wall_time": datum.wall_time}
            if error is not None:
                if not isinstance(error, (ValueError, errors.PublicError)):
                    raise error
                entry["error"] = str(
                    reading.BlobKeyError(run, tag) if isinstance(error, reading.BlobKeyError) else error
                )
            else:
                entry.update(kind.step_summary(header))
            steps.append(entry)
        return {"run": run, "tag": tag, "kind": kind.name, "steps": steps}

    def data_impl(
        self, ctx, experiment: str, run: str, tag: str, step: int, sample: int, part: str = ""
    ) -> wire.StepData:
        """One step's facts and stats, and its stored arrays (of one sample of a batched kind).

        `part` names a part of the step sent only when asked (a mel
        comparison's "audio"); "" is the arrays a card draws.
        """
        reader = self._reader
        found = reader.step(ctx, experiment, run, tag, step)
        datum = found.datum
        kind = kinds.of_series(found.plugin_data)
        ((header, error),) = reader.headers(ctx, experiment, [datum], kind, None)
        if isinstance(error, ValueError):
            raise _unreadable(run, tag, step, error)
        if error is not None:
            raise error
        kind.check_sample(header, sample, step)
        if part and part not in kind.parts:
            parts = ", ".join(repr(p) for p in kind.parts)
            raise errors.InvalidArgumentError(
                f"part must be {'one of ' + parts if parts else 'left out'} for a {kind.name} step, got {part!r}"
            )
        named = kind.part_arrays(header, sample, part) if part else kind.arrays(header, sample)
        try:
            for array in named:  # before a blob is read or sent for the pane to inflate
                codec.payload_size(array.encoded)
        except ValueError as e:
            raise _unreadable(run, tag, step, e) from None
        extras = kind.extra_blobs(header, sample)
        calls: List[Callable[[], Any]] = [
            functools.partial(reader.read, ctx, datum, array.encoded.blob_index) for array in named
        ]
        read_extras = [extra for extra in extras if extra.blob_index]
        calls += [functools.partial(reader.read, ctx, datum, extra.blob_index, extra.parse) for extra in read_extras]
        try:
            blobs = reading.raise_any(reader.run(ctx, experiment, *calls))
        except ValueError as e:
            raise _unreadable(run, tag, step, e) from None
        description = {
            "run": run,
            "tag": tag,
            "kind": kind.name,
            "step": datum.step,
            "wall_time": datum.wall_time,
            "sample": sample,
        }
        description.update(kind.step_summary(header))
        description.update((extra.key, None) for extra in extras if not extra.blob_index)
        for extra, value in zip(read_extras, blobs[len(named) :]):
            description[extra.key] = value
        arrays = [wire.StepArray(array.name, array.encoded, blob) for array, blob in zip(named, blobs)]
        rates = kind.sample_rates(header, sample) if part else {}
        return wire.StepData(kind, description, arrays, rates)

    def data_batch_impl(self, ctx, experiment: str, keys: List[Tuple[str, str, int, int]]) -> List[Tuple[int, bytes]]:
        """Several steps' /data bodies, each with its status: 200 and the body, or the error's status and text."""
        answers: List[Tuple[int, bytes]] = []
        for run, tag, step, sample in keys:
            try:
                body = wire.binary_body(self.data_impl(ctx, experiment, run, tag, step, sample))
            except errors.PublicError as e:
                answers.append((e.http_code, str(e).encode("utf-8")))
            else:
                answers.append((200, body))
        return answers

    def scalars_impl(self, ctx, experiment: str) -> Dict[str, Any]:
        """Every scalar tag of every run, and the Spectro marker series watching each."""
        return self._lowest.scalars(ctx, experiment)

    def lowest_impl(
        self,
        ctx,
        experiment: str,
        run: str,
        tag: str,
        smoothing: float = lowest_report.DEFAULT_SMOOTHING,
        ignore_outliers: bool = False,
    ) -> Dict[str, Any]:
        """A scalar curve, its lowest-point candidates with their checkpoints, markers and hint."""
        return self._lowest.lowest(ctx, experiment, run, tag, smoothing=smoothing, ignore_outliers=ignore_outliers)

    def logdir_impl(self) -> Dict[str, Any]:
        """The logdir, its reader, and why the reader may find nothing there."""
        return logdir_status.logdir_status(self._logdir, self._reader_name)

    # -- handlers --------------------------------------------------------

    @staticmethod
    def _arg(request, name: str) -> str:
        value = request.args.get(name)
        if value is None:
            raise errors.InvalidArgumentError(f"Missing query parameter {name!r}")
        return value

    @staticmethod
    def _int_arg(request, name: str, default: Optional[int] = None, *, signed: bool = False) -> int:
        """An integer parameter; `signed` allows a negative one."""
        raw = request.args.get(name)
        if raw is None:
            if default is None:
                raise errors.InvalidArgumentError(f"Missing query parameter {name!r}")
            return default
        if not _INTEGER.fullmatch(raw):
            raise errors.InvalidArgumentError(
                f"Query parameter {name!r} must be an integer in ASCII digits, got {raw!r}"
            )
        value = int(raw)
        if value < 0 and not signed:
            raise errors.InvalidArgumentError(f"Query parameter {name!r} must be >= 0, got {value}")
        return value

    @staticmethod
    def _smoothing_arg(request) -> float:
        raw = request.args.get("smoothing")
        if raw is None:
            return lowest_report.DEFAULT_SMOOTHING
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
        return http_util.Respond(request, wire.json_body(self.tags_impl(ctx, experiment)), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_steps(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        result = self.steps_impl(ctx, experiment, self._arg(request, "run"), self._arg(request, "tag"))
        return http_util.Respond(request, wire.json_body(result), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_data(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        run, tag = self._arg(request, "run"), self._arg(request, "tag")
        # Other writers may log negative steps, and /steps lists them.
        step = self._int_arg(request, "step", signed=True)
        sample = self._int_arg(request, "sample", default=0)
        part = request.args.get("part", "")
        response_format = request.args.get("format", "binary")
        if response_format not in ("binary", "npz", "wav"):
            raise errors.InvalidArgumentError(f"format must be 'binary', 'npz' or 'wav', got {response_format!r}")
        name = request.args.get("array") if response_format == "wav" else None
        if response_format == "wav" and not name:
            raise errors.InvalidArgumentError("format 'wav' needs the query parameter 'array', e.g. array=target_audio")
        data = self.data_impl(ctx, experiment, run, tag, step, sample, part)
        if name is not None:
            try:
                body = wire.wav_body(data, name)
            except KeyError:
                audio = ", ".join(repr(n) for n in data.sample_rates) or "none"
                raise errors.NotFoundError(
                    f"Step {step} of Spectro tag {tag!r} in run {run!r} has no audio array {name!r} "
                    f"in part {part!r} (audio arrays: {audio})"
                ) from None
            except ValueError as e:
                raise _unreadable(run, tag, step, e) from None
            return http_util.Respond(request, body, "audio/wav")
        if response_format == "npz":
            try:
                body = wire.npz_body(data)
            except ValueError as e:  # the arrays do not decode as their header says
                raise _unreadable(run, tag, step, e) from None
        else:
            body = wire.binary_body(data)
        return http_util.Respond(request, body, "application/octet-stream")

    @staticmethod
    def _batch_keys(request) -> List[Tuple[str, str, int, int]]:
        """The query parameter `keys`: a JSON list of up to MAX_BATCH [run, tag, step, sample] lists."""
        raw = SpectroPlugin._arg(request, "keys")
        try:
            keys = json.loads(raw)
        except ValueError:
            keys = None
        if not isinstance(keys, list) or not 0 < len(keys) <= MAX_BATCH:
            raise errors.InvalidArgumentError(
                f"Query parameter 'keys' must be a JSON list of 1 to {MAX_BATCH} [run, tag, step, sample] lists, "
                f"got {raw[:200]!r}"
            )

        def is_int(value: Any) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        out = []
        for i, key in enumerate(keys):
            if not (
                isinstance(key, list)
                and len(key) == 4
                and isinstance(key[0], str)
                and isinstance(key[1], str)
                and is_int(key[2])
                and is_int(key[3])
                and key[3] >= 0
            ):
                raise errors.InvalidArgumentError(
                    f"Query parameter 'keys': item {i} must be [run, tag, step, sample] "
                    f"(two strings, an integer and a non-negative integer), got {json.dumps(key)[:200]}"
                )
            out.append((key[0], key[1], key[2], key[3]))
        return out

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_data_batch(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        answers = self.data_batch_impl(ctx, experiment, self._batch_keys(request))
        return http_util.Respond(request, wire.batch_body(answers), "application/octet-stream")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_scalars(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        return http_util.Respond(request, wire.json_body(self.scalars_impl(ctx, experiment)), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_lowest(self, request):
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        run, tag = self._arg(request, "run"), self._arg(request, "tag")
        smoothing = self._smoothing_arg(request)
        ignore_outliers = self._bool_arg(request, "ignore_outliers", default=False)
        result = self.lowest_impl(ctx, experiment, run, tag, smoothing=smoothing, ignore_outliers=ignore_outliers)
        return http_util.Respond(request, wire.json_body(result), "application/json")

    @wrappers.Request.application  # type: ignore[arg-type]
    def _serve_logdir(self, request):
        return http_util.Respond(request, wire.json_body(self.logdir_impl()), "application/json")

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


def _unreadable(run: str, tag: str, step: int, error: ValueError) -> errors.NotFoundError:
    """The 404 of a step whose header or blobs do not read as the format says, or that the reader cannot read."""
    if isinstance(error, reading.BlobKeyError):
        return errors.NotFoundError(
            f"Step {step} of Spectro tag {tag!r} in run {run!r}: {reading.BlobKeyError(run, tag)}"
        )
    return errors.NotFoundError(f"Step {step} of Spectro tag {tag!r} in run {run!r} is unreadable: {error}")
