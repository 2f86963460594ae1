"""Finding the lowest point of a scalar series, as people read it off TensorBoard.

People training voice models watch a loss such as "loss/g/total" with heavy
smoothing (0.95 to 0.987), look for the lowest point that is never reached
again, read its step and look for the checkpoint saved nearest to it. These
pure functions do that reading; the routes and the pane only show the answers.

All functions take numpy-convertible 1-D sequences. Apart from
`dedupe_resumed`, they expect one value per step with strictly increasing
steps, which is what `dedupe_resumed` returns. A series with nothing to say
(empty, one finite point, all NaN, constant) gets an empty answer, never an
exception; only bad parameters raise.
"""

import dataclasses
import math
from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from tb_plugin_spectro import _inputs

__all__ = [
    "Series",
    "Candidate",
    "OvertrainingHint",
    "smooth",
    "dedupe_resumed",
    "running_minimum_records",
    "final_low",
    "rank_candidates",
    "overtraining_hint",
    "overtraining_rule",
    "outlier_range",
]

ArrayLike = Union[Sequence[float], np.ndarray]

# TensorBoard's "ignore outliers in chart scaling" keeps values between these
# quantiles (vz_line_chart2's linear and log scales, `extentOfValues`).
_OUTLIER_QUANTILES = (0.05, 0.95)
_DEFAULT_RISE_MARGIN = 0.02  # fraction of |smoothed value at the low|
_DEFAULT_MIN_RISING_POINTS = 10  # logged points
_DEFAULT_MIN_RISING_FRACTION = 0.2  # of the finite points after the low


# ---------------------------------------------------------------------------
# Validation


def _as_1d(values, name: str, dtype=np.float64) -> np.ndarray:
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape!r}")
    return array


def _check_series(steps, values) -> Tuple[np.ndarray, np.ndarray]:
    step_array = _as_1d(steps, "steps", np.int64)
    value_array = _as_1d(values, "values")
    if step_array.shape != value_array.shape:
        raise ValueError(f"steps and values must have the same length, got {step_array.size} and {value_array.size}")
    if step_array.size > 1 and not np.all(np.diff(step_array) > 0):
        raise ValueError("steps must be strictly increasing; pass the series through dedupe_resumed first")
    return step_array, value_array


def _has_low(values: np.ndarray) -> bool:
    """Whether a series has a lowest point to speak of: two finite values that differ."""
    finite = values[np.isfinite(values)]
    return finite.size >= 2 and bool(finite.min() < finite.max())


# ---------------------------------------------------------------------------
# Smoothing and resumed runs


def smooth(values: ArrayLike, weight: float) -> np.ndarray:
    """Smooths a series exactly as TensorBoard's Scalars tab does.

    TensorBoard's smoothing (`resmoothDataset` in vz_line_chart2) is a
    debiased exponential moving average over the points in step order:

        last = last * weight + (1 - weight) * value
        num_accum += 1
        smoothed = last / (1 - weight ** num_accum)

    Non-finite values are passed through unchanged and do not update the
    average; a series whose values all equal the first is returned unchanged.

    Args:
      values: the raw values in step order, 1-D.
      weight: the smoothing slider's value, in [0, 1); 0 returns the values.

    Returns:
      float64 array of the smoothed values, the shape of `values`.

    Raises:
      TypeError, ValueError: `weight` is not a real number in [0, 1), or
        `values` is not 1-D.
    """
    weight = _inputs.check_smoothing(weight, "weight")
    raw = _as_1d(values, "values")
    smoothed = raw.copy()
    # TensorBoard compares with `==`, so a NaN first value makes nothing constant.
    if raw.size == 0 or bool(np.all(raw == raw[0])):
        return smoothed
    last = 0.0
    num_accum = 0
    for index, value in enumerate(raw.tolist()):
        if not math.isfinite(value):
            continue
        last = last * weight + (1 - weight) * value
        num_accum += 1
        smoothed[index] = last / (1 - weight**num_accum)
    return smoothed


class Series(NamedTuple):
    """One value per step, steps strictly increasing."""

    steps: np.ndarray  # int64
    values: np.ndarray  # float64
    wall_times: np.ndarray  # float64, seconds since the epoch


def dedupe_resumed(steps: ArrayLike, values: ArrayLike, wall_times: Optional[ArrayLike] = None) -> Series:
    """Folds the writes of a run that resumed from a checkpoint into one curve.

    The writes are replayed in the order they were made: by wall time, then
    by their order in the input (a stable sort). Each write drops every kept
    write whose step is at or after its own, TensorBoard's purge for
    restarts: a run resumed at step 800 after logging up to step 1000 keeps
    steps before 800 from the first attempt and everything from 800 on from
    the second. So the later write wins for a step and the curve never folds
    back.

    Args:
      steps: training steps, integers.
      values: the values, same length.
      wall_times: seconds since the epoch, same length; None replays the
        writes in their input order.

    Returns:
      a `Series` sorted by step, one write per step.

    Raises:
      ValueError: the arrays are not 1-D or differ in length.
    """
    step_array = _as_1d(steps, "steps", np.int64)
    value_array = _as_1d(values, "values")
    if wall_times is None:
        time_array = np.zeros(step_array.shape, dtype=np.float64)
    else:
        time_array = _as_1d(wall_times, "wall_times")
    if not step_array.shape == value_array.shape == time_array.shape:
        raise ValueError(
            f"steps, values and wall_times must have the same length, got {step_array.size}, "
            f"{value_array.size} and {time_array.size}"
        )
    kept: List[int] = []  # input indexes, steps strictly increasing
    for index in np.argsort(time_array, kind="stable").tolist():
        while kept and step_array[kept[-1]] >= step_array[index]:
            kept.pop()
        kept.append(index)
    return Series(step_array[kept], value_array[kept], time_array[kept])


# ---------------------------------------------------------------------------
# Records and the final low


def running_minimum_records(steps: ArrayLike, values: ArrayLike) -> List[int]:
    """Returns the indexes where the raw values set a new strict running minimum.

    Non-finite values (NaN, and the ±Inf of a diverged step) are ignored. The
    first finite value is the first record. A series without a low (fewer
    than two finite values, or all of them equal) has no records.

    Args:
      steps: training steps, strictly increasing.
      values: the raw values, same length.

    Returns:
      indexes into `values`, in step order; the values at them strictly decrease.
    """
    _, value_array = _check_series(steps, values)
    if not _has_low(value_array):
        return []
    records: List[int] = []
    best = math.inf
    for index, value in enumerate(value_array.tolist()):
        if math.isfinite(value) and value < best:
            records.append(index)
            best = value
    return records


def final_low(steps: ArrayLike, values: ArrayLike) -> Optional[int]:
    """Returns the index of the low that is never reached again, or None.

    That is the last running-minimum record: the first occurrence of the
    global minimum of the finite values. None when the series has no low.
    """
    records = running_minimum_records(steps, values)
    return records[-1] if records else None


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A running-minimum record, offered as a lowest point."""

    index: int  # into the series
    step: int
    value: float  # raw
    smoothed: float  # TensorBoard-smoothed value at `step`
    is_final_low: bool  # the record never reached again
    improvement: Optional[float]  # how far below the previous record; None for the first
    # Lowest raw value after this point minus `value`: negative once beaten,
    # >= 0 for the final low (its margin); None if no finite value follows.
    later_min_gap: Optional[float]


def rank_candidates(steps: ArrayLike, values: ArrayLike, weight: float = 0.0) -> List[Candidate]:
    """Returns the running-minimum records, best candidate first.

    A raw record can be one lucky batch; people judge by the smoothed curve.
    So candidates are ranked by the smoothed value at their step, ascending,
    then by raw value, then by step. With `weight` 0 that is the raw value,
    and the final low comes first.

    Args:
      steps: training steps, strictly increasing.
      values: the raw values, same length.
      weight: TensorBoard smoothing weight in [0, 1), as in `smooth`.

    Returns:
      `Candidate`s; empty when the series has no low.
    """
    weight = _inputs.check_smoothing(weight, "weight")
    step_array, value_array = _check_series(steps, values)
    records = running_minimum_records(step_array, value_array)
    if not records:
        return []
    smoothed = smooth(value_array, weight)
    finite = np.where(np.isfinite(value_array), value_array, np.inf)
    # later_min[i]: lowest finite value strictly after index i (inf if none).
    later_min = np.append(np.minimum.accumulate(finite[::-1])[::-1][1:], np.inf)
    candidates = []
    for position, index in enumerate(records):
        value = float(value_array[index])
        gap = float(later_min[index]) - value if math.isfinite(later_min[index]) else None
        candidates.append(
            Candidate(
                index=index,
                step=int(step_array[index]),
                value=value,
                smoothed=float(smoothed[index]),
                is_final_low=position == len(records) - 1,
                improvement=float(value_array[records[position - 1]]) - value if position else None,
                later_min_gap=gap,
            )
        )
    candidates.sort(key=lambda candidate: (candidate.smoothed, candidate.value, candidate.step))
    return candidates


# ---------------------------------------------------------------------------
# After the low


@dataclasses.dataclass(frozen=True)
class OvertrainingHint:
    """Whether the smoothed curve has been rising since the final low."""

    rising: bool
    low_step: Optional[int]
    start_step: Optional[int]  # first step of the trailing stretch above the low
    end_step: Optional[int]  # last step of that stretch (the latest finite point)
    rise: Optional[float]  # smoothed value at end_step minus that at the low
    explanation: str  # one sentence for the pane


def _check_rule(margin, min_points, min_fraction) -> Tuple[float, int, float]:
    margin = _inputs.check_real(margin, "margin", finite=False)
    if not 0.0 <= margin < math.inf:
        raise ValueError(f"margin must be finite and >= 0, got {margin!r}")
    min_points = _inputs.check_count(min_points, "min_points", minimum=2)
    min_fraction = _inputs.check_real(min_fraction, "min_fraction", finite=False)
    if not 0.0 <= min_fraction <= 1.0:
        raise ValueError(f"min_fraction must be in [0, 1], got {min_fraction!r}")
    return margin, min_points, min_fraction


def overtraining_rule(
    *,
    margin: float = _DEFAULT_RISE_MARGIN,
    min_points: int = _DEFAULT_MIN_RISING_POINTS,
    min_fraction: float = _DEFAULT_MIN_RISING_FRACTION,
) -> str:
    """Says how `overtraining_hint` decides, in two sentences for the pane.

    Args:
      margin, min_points, min_fraction: as for `overtraining_hint`.

    Returns:
      the rule, with these parameters' values in it.

    Raises:
      TypeError, ValueError: a parameter is out of range.
    """
    margin, min_points, min_fraction = _check_rule(margin, min_points, min_fraction)
    return (
        f"The hint looks at the smoothed curve after its lowest point, at the latest stretch of points that all "
        f"stay more than {margin:.0%} above the low. It says rising when that stretch holds at least {min_points} "
        f"points and {min_fraction:.0%} of the points after the low, and a least-squares line through it slopes upward."
    )


def overtraining_hint(
    steps: ArrayLike,
    smoothed: ArrayLike,
    final_low_index: Optional[int],
    *,
    margin: float = _DEFAULT_RISE_MARGIN,
    min_points: int = _DEFAULT_MIN_RISING_POINTS,
    min_fraction: float = _DEFAULT_MIN_RISING_FRACTION,
) -> OvertrainingHint:
    """Decides whether the smoothed curve keeps rising after the final low.

    Let `low` be the smoothed value at `final_low_index` and `tolerance` be
    `margin * |low|` (`margin` times the smoothed curve's span when `low` is
    0). Among the finite smoothed points after the low, the stretch is the
    trailing run of consecutive points all above `low + tolerance`, ending at
    the latest point. The curve is rising when all of:

    - the stretch holds at least `min_points` points,
    - and at least `min_fraction` of the finite points after the low,
    - and the least-squares line of smoothed value against step over the
      stretch has a positive slope.

    A stretch that came back down near the low, or a short bump at the end,
    is not rising.

    Args:
      steps: training steps, strictly increasing.
      smoothed: the smoothed values (see `smooth`), same length.
      final_low_index: index of the final low (see `final_low`), or None.
      margin: relative margin above the low, >= 0.
      min_points: smallest stretch, in points, >= 2.
      min_fraction: smallest stretch as a fraction of the points after the low, in [0, 1].

    Returns:
      an `OvertrainingHint`; `rising` False with an explanation when there is
      no low or nothing after it.

    Raises:
      TypeError, ValueError: a parameter is out of range.
    """
    margin, min_points, min_fraction = _check_rule(margin, min_points, min_fraction)
    step_array, smoothed_array = _check_series(steps, smoothed)
    if final_low_index is None:
        return OvertrainingHint(False, None, None, None, None, "There is no lowest point to judge a rise from.")
    final_low_index = _inputs.check_count(final_low_index, "final_low_index")
    if final_low_index >= step_array.size:
        raise ValueError(f"final_low_index must be < {step_array.size}, the series length, got {final_low_index!r}")
    low = float(smoothed_array[final_low_index])
    low_step = int(step_array[final_low_index])
    if not math.isfinite(low):
        return OvertrainingHint(
            False,
            low_step,
            None,
            None,
            None,
            f"The smoothed value at the lowest point (step {low_step}) is not finite.",
        )
    after = np.arange(final_low_index + 1, step_array.size)
    after = after[np.isfinite(smoothed_array[after])]
    if after.size == 0:
        return OvertrainingHint(
            False, low_step, None, None, None, f"The lowest point (step {low_step}) is the latest point."
        )
    finite_all = smoothed_array[np.isfinite(smoothed_array)]
    tolerance = margin * (abs(low) if low != 0 else float(finite_all.max() - finite_all.min()))
    above = smoothed_array[after] > low + tolerance
    # Length of the trailing run of True in `above`.
    below_positions = np.flatnonzero(~above)
    run = after.size - (int(below_positions[-1]) + 1 if below_positions.size else 0)
    if run == 0:
        return OvertrainingHint(
            False,
            low_step,
            None,
            None,
            None,
            f"The smoothed curve is within {margin:.0%} of its value at the lowest point (step {low_step}).",
        )
    stretch = after[-run:]
    start_step, end_step = int(step_array[stretch[0]]), int(step_array[stretch[-1]])
    rise = float(smoothed_array[stretch[-1]]) - low
    if run < min_points or run < min_fraction * after.size:
        return OvertrainingHint(
            False,
            low_step,
            start_step,
            end_step,
            rise,
            f"The smoothed curve has been more than {margin:.0%} above its lowest point (step {low_step}) "
            f"only since step {start_step}, too short a stretch to call a rise.",
        )
    slope = np.polyfit(step_array[stretch].astype(np.float64), smoothed_array[stretch], 1)[0]
    if not slope > 0:
        return OvertrainingHint(
            False,
            low_step,
            start_step,
            end_step,
            rise,
            f"The smoothed curve has stayed more than {margin:.0%} above its lowest point (step {low_step}) "
            f"since step {start_step} but is not trending upward.",
        )
    return OvertrainingHint(
        True,
        low_step,
        start_step,
        end_step,
        rise,
        f"Since step {start_step} the smoothed curve has stayed more than {margin:.0%} above its lowest point "
        f"(step {low_step}) and keeps rising, {rise:.3g} higher at step {end_step}: possible overtraining.",
    )


# ---------------------------------------------------------------------------
# Chart scaling


def outlier_range(values: ArrayLike, *, ignore_outliers: bool = True) -> Optional[Tuple[float, float]]:
    """Returns the y range TensorBoard's Scalars chart would scale to, or None.

    With `ignore_outliers` (the "Ignore outliers in chart scaling" option),
    TensorBoard keeps the finite values between the 5th and 95th percentiles
    (linearly interpolated, as d3.quantile) and takes their extent; without
    it, the extent of the finite values. TensorBoard then pads the range to
    nice ticks, which is the pane's business.

    Args:
      values: the values shown (raw or smoothed), 1-D.
      ignore_outliers: as TensorBoard's option.

    Returns:
      (low, high), equal for a constant series; None when no value is
      finite, or when none lies between the percentiles (two distinct
      values), where TensorBoard falls back to its default domain.
    """
    array = _as_1d(values, "values")
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return None
    if ignore_outliers:
        low_q, high_q = np.quantile(finite, _OUTLIER_QUANTILES)
        finite = finite[(finite >= low_q) & (finite <= high_q)]
        if finite.size == 0:
            return None
    return float(finite.min()), float(finite.max())
