"""The /scalars and /lowest routes' data: a scalar curve read off with its checkpoints and markers.

`tb_plugin_spectro.lowest` reads the lowest points off a curve;
`checkpoints` finds the saved checkpoints through TensorBoard's file layer;
the marker series (`kinds.lowest`) say where training code marked a low.
This module brings them together for one run and tag.
"""

import logging
import os
import threading
import time
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

import numpy as np
from tensorboard import errors
from tensorboard.data import provider

from tb_plugin_spectro import _once, checkpoints, lowest, reading, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import lowest as lowest_kind

__all__ = ["DEFAULT_SMOOTHING", "LowestReport", "Marker", "CheckpointSearch", "search_checkpoints", "empty_reason"]

logger = logging.getLogger(__name__)

DEFAULT_SMOOTHING = 0.6  # TensorBoard's default slider position
_SCALARS_PLUGIN = "scalars"  # where both readers put scalars, simple_value ones included
# Seconds a listing of checkpoint directories is reused: listing s3:// or
# gs:// is slow, and a deleted checkpoint should show soon.
_CHECKPOINT_LISTING_TTL = 5.0


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


class CheckpointSearch(NamedTuple):
    """What a search of checkpoint directories found."""

    checkpoints: List[checkpoints.Checkpoint]  # sorted as checkpoints.find_checkpoints sorts
    searched: List[str]  # directories listed (a missing one lists as empty)
    names: Dict[str, Set[str]]  # directory -> base names of the checkpoints in it
    note: Optional[str]  # why nothing, or not everything, could be searched


def search_checkpoints(directories: Tuple[str, ...]) -> CheckpointSearch:
    """Lists the checkpoints of each directory; one that cannot be listed is named in the note."""
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
    return CheckpointSearch(ordered, searched, names, note)


def _checkpoint_json(checkpoint: checkpoints.Checkpoint, step: int) -> Dict[str, Any]:
    return {
        "path": checkpoint.path,
        "name": _split_path(checkpoint.path)[1],
        "step": checkpoint.step,
        "epoch": checkpoint.epoch,
        "kind": checkpoint.kind,
        "distance": checkpoint.step - step,
    }


def empty_reason(values: np.ndarray) -> Optional[str]:
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


class Marker(NamedTuple):
    """One lowest-point marker on a watched tag."""

    tag: str  # the marker series' tag
    datum: Any  # provider.BlobSequenceDatum of its step
    marker: pb.LowestPointStep


class LowestReport:
    """Assembles /scalars and /lowest for one plugin; thread-safe."""

    def __init__(self, reader: reading.SeriesReader, logdir: str):
        """Args:
        reader: the plugin's reader.
        logdir: TensorBoard's --logdir, where the run directories are (the
          data provider does not say); empty with --logdir_spec.
        """
        self._reader = reader
        self._logdir = logdir if not logdir or _is_url(logdir) else os.path.abspath(os.path.expanduser(logdir))
        self._searches: Dict[Tuple[str, ...], Tuple[float, CheckpointSearch]] = {}
        self._lock = threading.Lock()
        self._warned_markers = _once.WarnOnce()  # unreadable markers, by (run, tag, step)

    def scalars(self, ctx, experiment: str) -> Dict[str, Any]:
        """Every scalar tag of every run, and the Spectro marker series watching each."""
        reader = self._reader
        listing, blob_listing = reading.raise_any(
            reader.run(
                ctx,
                experiment,
                lambda: reader.provider.list_scalars(ctx, experiment_id=experiment, plugin_name=_SCALARS_PLUGIN),
                lambda: reader.listing(ctx, experiment),
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
        plugin_data = self._reader.plugin_data(run, tag, series.plugin_content)
        return None if plugin_data is None else lowest_kind.watched_tag(plugin_data)

    def markers(self, ctx, experiment: str, run: str, tag: str) -> List[Marker]:
        """Every lowest point marked on `tag`, by step; a step written twice keeps its later write."""
        marker_tags = sorted(
            marker_tag
            for marker_tag, series in self._reader.listing(ctx, experiment, run).get(run, {}).items()
            if self._watched_tag(run, marker_tag, series) == tag
        )
        markers = []
        for marker_tag in marker_tags:
            series = self._reader.series_headers(ctx, experiment, run, marker_tag)
            latest: Dict[int, Any] = {}
            for datum in series.series.data:
                if datum.step not in latest or datum.wall_time >= latest[datum.step].wall_time:
                    latest[datum.step] = datum
            kept = list(latest.values())
            for datum, (header, error) in zip(kept, series.headers(kept)):
                if error is not None:
                    if not isinstance(error, (ValueError, errors.PublicError)):
                        raise error
                    if self._warned_markers.first((run, marker_tag, datum.step)):
                        logger.warning(
                            "Spectro: skipping the marker at step %d of run %r tag %r: %s",
                            datum.step,
                            run,
                            marker_tag,
                            error,
                        )
                    continue
                markers.append(Marker(marker_tag, datum, header.lowest_point))
        markers.sort(key=lambda marker: (marker.datum.step, marker.tag))
        return markers

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

    def _search(self, directories: Tuple[str, ...]) -> CheckpointSearch:
        """`search_checkpoints`, reusing a listing younger than the TTL."""
        now = time.monotonic()
        with self._lock:
            cached = self._searches.get(directories)
        if cached is not None and now - cached[0] < _CHECKPOINT_LISTING_TTL:
            return cached[1]
        search = search_checkpoints(directories)
        with self._lock:
            expired = [key for key, (listed, _) in self._searches.items() if now - listed >= _CHECKPOINT_LISTING_TTL]
            for key in expired:
                del self._searches[key]
            self._searches[directories] = (now, search)
        return search

    @staticmethod
    def _recorded_status(path: str, search: CheckpointSearch) -> Dict[str, Any]:
        """Whether a recorded checkpoint is still there: from the listing if it covers the path."""
        directory, name = _split_path(path)
        parsed = checkpoints.parse_checkpoint_name(name) if name else None
        if directory in search.names and parsed is not None and parsed.kind != "trainer":
            return {"exists": name in search.names[directory], "error": None}
        try:
            status = checkpoints.checkpoint_status(path)
        except Exception as e:  # as in search_checkpoints: a note, never a 500
            return {"exists": None, "error": f"{type(e).__name__}: {e}"}
        return {"exists": status.exists, "error": status.error}

    def lowest(
        self,
        ctx,
        experiment: str,
        run: str,
        tag: str,
        smoothing: float = DEFAULT_SMOOTHING,
        ignore_outliers: bool = False,
    ) -> Dict[str, Any]:
        """A scalar curve, its lowest-point candidates with their checkpoints, markers and hint."""
        reader = self._reader
        listed, read = reader.run(
            ctx,
            experiment,
            lambda: reader.provider.list_scalars(
                ctx,
                experiment_id=experiment,
                plugin_name=_SCALARS_PLUGIN,
                run_tag_filter=provider.RunTagFilter(runs=[run]),
            ),
            lambda: reader.provider.read_scalars(
                ctx,
                experiment_id=experiment,
                plugin_name=_SCALARS_PLUGIN,
                downsample=reading.ALL_STEPS,
                run_tag_filter=provider.RunTagFilter(runs=[run], tags=[tag]),
            ),
        )
        (listing,) = reading.raise_any([listed])
        if run not in listing:
            raise errors.NotFoundError(f"No run {run!r} with scalars")
        if tag not in listing[run]:
            raise errors.NotFoundError(f"No scalar tag {tag!r} in run {run!r}")
        if isinstance(read.error, ValueError):
            # The Python reader's, for a tag holding a value that is not a scalar after its scalars.
            raise errors.NotFoundError(
                f"Scalar tag {tag!r} in run {run!r} cannot be read: TensorBoard's reader failed on it ({read.error}); "
                "a value under the tag that is not a scalar, such as Spectro data written under it after the "
                "scalars, does that: write that data under another tag"
            )
        (data,) = reading.raise_any([read])
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

        markers = self.markers(ctx, experiment, run, tag)
        recorded_paths = [m.marker.checkpoint_path for m in markers if m.marker.checkpoint_path]
        if self._logdir:
            search = self._search(tuple(self._checkpoint_directories(run, recorded_paths)))
        else:
            note = "TensorBoard has no --logdir (it was started with --logdir_spec, say), so no directory was searched."
            search = CheckpointSearch([], [], {}, note)
        statuses = {path: self._recorded_status(path, search) for path in dict.fromkeys(recorded_paths)}
        recorded_at: Dict[int, str] = {}
        for m in markers:
            if m.marker.checkpoint_path:
                recorded_at.setdefault(m.datum.step, m.marker.checkpoint_path)

        candidates = []
        for rank, candidate in enumerate(lowest.rank_candidates(series.steps, series.values, smoothing), start=1):
            nearest = checkpoints.nearest_checkpoint(search.checkpoints, candidate.step, prefer="G")
            path = recorded_at.get(candidate.step)
            candidates.append(
                {
                    "rank": rank,
                    "step": candidate.step,
                    "value": candidate.value,
                    "smoothed": wire.finite_or_none(candidate.smoothed),
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
                "smoothed": wire.finite_or_none(float(smoothed[low_index])),
            }
        return {
            "run": run,
            "tag": tag,
            "smoothing": smoothing,
            "ignore_outliers": ignore_outliers,
            "points": {
                "step": series.steps.tolist(),
                "wall_time": series.wall_times.tolist(),
                "value": wire.floats(series.values),
                "smoothed": wire.floats(smoothed),
            },
            "dropped_resumed": len(points) - int(series.steps.size),
            "y_range": None if y_range is None else {"min": y_range[0], "max": y_range[1]},
            "empty_reason": empty_reason(series.values),
            "candidates": candidates,
            "final_low": final_low,
            "markers": [_marker_json(m, statuses) for m in markers],
            "hint": {
                "rising": hint.rising,
                "low_step": hint.low_step,
                "start_step": hint.start_step,
                "end_step": hint.end_step,
                "rise": None if hint.rise is None else wire.finite_or_none(hint.rise),
                "explanation": hint.explanation,
                "rule": lowest.overtraining_rule(),
            },
            "checkpoints": {"searched": search.searched, "count": len(search.checkpoints), "note": search.note},
        }


def _marker_json(m: Marker, statuses: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    marker = m.marker
    return {
        "tag": m.tag,
        "step": m.datum.step,
        "value": wire.finite_or_none(marker.value),
        "smoothed_value": wire.finite_or_none(marker.smoothed_value) if marker.HasField("smoothed_value") else None,
        "smoothing": wire.finite_or_none(marker.smoothing),
        "epoch": marker.epoch if marker.HasField("epoch") else None,
        "checkpoint_path": marker.checkpoint_path,
        "checkpoint": statuses[marker.checkpoint_path] if marker.checkpoint_path else None,
    }
