"""The lowest-point ops of `summary`, which re-exports them: `lowest_point`, its twin and the tracker.

Kept apart from the array ops, which share `summary.py`; users import them
from `tb_plugin_spectro.summary`.
"""

import math
from typing import Optional

from tensorboard.compat.proto import summary_pb2

from tb_plugin_spectro import _inputs, _writing
from tb_plugin_spectro.kinds import lowest
from tb_plugin_spectro.writer import resolve_writer

__all__ = ["lowest_point", "lowest_point_pb", "LowestPointTracker", "lowest_point_tag"]

_LOWEST_POINT_SUFFIX = "/lowest_point"  # appended to the watched tag


def lowest_point_tag(watched_tag: str) -> str:
    """Returns the tag under which lowest points of `watched_tag` are written.

    The markers need a tag of their own: TensorBoard keeps one kind of data
    per tag, and `watched_tag` holds the scalars.
    """
    return watched_tag + _LOWEST_POINT_SUFFIX


# ---------------------------------------------------------------------------
# Lowest points


def lowest_point_pb(
    tag: str,
    value: float,
    step: int,
    *,
    smoothed_value: Optional[float] = None,
    smoothing: float = 0.0,
    epoch: Optional[int] = None,
    checkpoint_path=None,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a lowest-point Summary proto; see `lowest_point`."""
    tag = _inputs.check_series_tag(tag)
    step = _inputs.check_step(step)
    encoded = lowest.encode(
        tag,
        value,
        smoothed_value=smoothed_value,
        smoothing=smoothing,
        epoch=epoch,
        checkpoint_path=checkpoint_path,
    )
    _writing.check_labels(display_name, description)
    return _writing.summary(lowest_point_tag(tag), step, encoded, display_name, description)


def lowest_point(
    tag: str,
    value: float,
    step: int,
    *,
    writer=None,
    walltime: Optional[float] = None,
    smoothed_value: Optional[float] = None,
    smoothing: float = 0.0,
    epoch: Optional[int] = None,
    checkpoint_path=None,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Marks that the scalar series `tag` reached a lowest point at `step`.

    The marker is written under `lowest_point_tag(tag)` ("<tag>/lowest_point"),
    since `tag` itself holds the scalars. The pane shows markers on the
    curve with their checkpoint paths. `LowestPointTracker` writes them for
    you as training goes.

    Args:
      tag: the watched scalar tag, e.g. "loss/g/total".
      value: the raw value at `step`, finite.
      step: training step, an integer >= 0.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      smoothed_value: the smoothed value at `step`, if smoothing was used.
      smoothing: the smoothing weight in [0, 1) behind `smoothed_value`.
      epoch: training epoch at `step`.
      checkpoint_path: the checkpoint saved at this point.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError, FileNotFoundError: as for `mel_comparison`
        (the marker's tag, "<tag>/lowest_point", holds one kind too); a
        non-finite value is a ValueError.

    Example:
      spectro_summary.lowest_point("loss/g/total", loss, step, epoch=epoch,
                                   checkpoint_path=f"logs/G_{step}.pth", writer=writer)
    """
    walltime = _writing.check_walltime(walltime)
    write = resolve_writer(writer)
    summary = lowest_point_pb(
        tag,
        value,
        step,
        smoothed_value=smoothed_value,
        smoothing=smoothing,
        epoch=epoch,
        checkpoint_path=checkpoint_path,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


class LowestPointTracker:
    """Watches a scalar as training goes and marks each new lowest point.

    With `smoothing` > 0 the tracker follows TensorBoard's smoothing (the
    debiased exponential moving average of its Scalars tab, same weight),
    so that one lucky batch does not count as a low. Each `update` that
    reaches a new low (below the previous by more than `min_delta`) writes a
    marker and returns True, so the loop can save that checkpoint:

        tracker = spectro_summary.LowestPointTracker("loss/g/total", writer=writer, smoothing=0.95)
        for step, batch in enumerate(loader):
            loss = train_step(batch)
            path = f"logs/G_{step}.pth"
            if tracker.update(step, loss, checkpoint_path=path):
                torch.save(model.state_dict(), path)

    The last marker written is the low that was never reached again.
    """

    def __init__(self, tag: str, *, writer, smoothing: float = 0.0, min_delta: float = 0.0):
        """Args:
        tag: the watched scalar tag, e.g. "loss/g/total".
        writer: as for `mel_comparison` (None for TF2's default writer).
        smoothing: TensorBoard smoothing weight in [0, 1); 0 watches the raw value.
        min_delta: how far below the previous low a new one must be, >= 0.
        """
        self.tag = _inputs.check_series_tag(tag)
        self._write = resolve_writer(writer)
        self.smoothing = _inputs.check_smoothing(smoothing, "smoothing")
        self.min_delta = _inputs.check_real(min_delta, "min_delta")
        if self.min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {self.min_delta!r}")
        self._ema = 0.0
        self._updates = 0
        self.best_value: Optional[float] = None  # the watched (smoothed) value
        self.best_step: Optional[int] = None

    def _smooth(self, value: float) -> float:
        """Folds a finite value into the moving average and returns it debiased."""
        self._ema = self._ema * self.smoothing + (1 - self.smoothing) * value
        self._updates += 1
        return self._ema / (1 - self.smoothing**self._updates)

    def update(
        self,
        step: int,
        value: float,
        *,
        epoch: Optional[int] = None,
        checkpoint_path=None,
        walltime: Optional[float] = None,
    ) -> bool:
        """Takes the value at `step`; writes a marker and returns True at a new low.

        A non-finite value is skipped (TensorBoard's smoothing skips it too)
        and returns False.
        """
        step = _inputs.check_step(step)
        raw = _inputs.check_real(value, "value", finite=False)
        walltime = _writing.check_walltime(walltime)
        if not math.isfinite(raw):
            return False
        watched = self._smooth(raw) if self.smoothing > 0 else raw
        if self.best_value is not None and not watched < self.best_value - self.min_delta:
            return False
        summary = lowest_point_pb(
            self.tag,
            raw,
            step,
            smoothed_value=watched if self.smoothing > 0 else None,
            smoothing=self.smoothing,
            epoch=epoch,
            checkpoint_path=checkpoint_path,
        )
        self._write(summary, step, walltime)
        self.best_value, self.best_step = watched, step
        return True
