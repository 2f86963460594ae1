"""Statistics computed once, at write time, and stored in each step's header.

Every statistic is taken over the positions where the values compared are
finite; non-finite values are counted instead.
"""

import numpy as np

from tb_plugin_spectro import plugin_data_pb2 as pb

__all__ = [
    "DiffAccumulator",
    "count_nonfinite",
    "noise_stats",
    "frame_mse",
    "plane_squared_errors",
    "mean_squared",
    "similarity_stats",
    "recall_at_k",
    "alignment_stats",
    "pool_alignment_stats",
    "value_range",
    "pool_ranges",
]


def count_nonfinite(*arrays: np.ndarray) -> pb.NonFiniteCounts:
    """Counts NaN, +Inf and -Inf over all arrays together."""
    counts = pb.NonFiniteCounts()
    for array in arrays:
        if np.isfinite(array).all():
            continue
        counts.nan += int(np.isnan(array).sum())
        counts.pos_inf += int(np.isposinf(array).sum())
        counts.neg_inf += int(np.isneginf(array).sum())
    return counts


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    """Sum of x * y without BLAS, whose threads would keep spinning on cores
    the training loop needs after each call."""
    return float(np.einsum("i,i->", x, y))


def _finite_pairs(x: np.ndarray, y: np.ndarray):
    both = np.isfinite(x) & np.isfinite(y)
    if both.all():
        return x.ravel(), y.ravel()
    return x[both], y[both]


class DiffAccumulator:
    """Sums of diff = target - predicted, pooled over one or more pairs."""

    def __init__(self) -> None:
        self.count = 0
        self.sum = 0.0
        self.sum_abs = 0.0
        self.sum_sq = 0.0
        self.max_abs = 0.0
        self.nonfinite = pb.NonFiniteCounts()

    def add(self, target: np.ndarray, predicted: np.ndarray) -> "DiffAccumulator":
        t, p = _finite_pairs(target, predicted)
        diff = t.astype(np.float64) - p
        if diff.size:
            abs_diff = np.abs(diff)
            self.count += diff.size
            self.sum += float(diff.sum())
            self.sum_abs += float(abs_diff.sum())
            self.sum_sq += _dot(diff, diff)
            self.max_abs = max(self.max_abs, float(abs_diff.max()))
        counts = count_nonfinite(target, predicted)
        self.nonfinite.nan += counts.nan
        self.nonfinite.pos_inf += counts.pos_inf
        self.nonfinite.neg_inf += counts.neg_inf
        return self

    def merge(self, other: "DiffAccumulator") -> None:
        self.count += other.count
        self.sum += other.sum
        self.sum_abs += other.sum_abs
        self.sum_sq += other.sum_sq
        self.max_abs = max(self.max_abs, other.max_abs)
        self.nonfinite.nan += other.nonfinite.nan
        self.nonfinite.pos_inf += other.nonfinite.pos_inf
        self.nonfinite.neg_inf += other.nonfinite.neg_inf

    def to_proto(self) -> pb.MelStats:
        """Returns the stats; NaN where no position could be compared."""
        stats = pb.MelStats(compared=self.count, nonfinite=self.nonfinite)
        if self.count:
            stats.mae = self.sum_abs / self.count
            stats.rmse = float(np.sqrt(self.sum_sq / self.count))
            stats.max_abs_diff = self.max_abs
            stats.bias = self.sum / self.count
        else:
            stats.mae = stats.rmse = stats.max_abs_diff = stats.bias = float("nan")
        return stats


def noise_stats(predicted: np.ndarray, actual: np.ndarray) -> pb.NoiseStats:
    """MSE, MAE, Pearson correlation and SNR of predicted against actual noise."""
    stats = pb.NoiseStats(nonfinite=count_nonfinite(predicted, actual))
    p, a = _finite_pairs(predicted, actual)
    stats.compared = p.size
    if not p.size:
        stats.mse = stats.mae = stats.correlation = stats.snr_db = float("nan")
        return stats
    p = p.astype(np.float64)
    a = a.astype(np.float64)
    error = p - a
    error_energy = _dot(error, error)
    signal_energy = _dot(a, a)
    stats.mse = error_energy / p.size
    stats.mae = float(np.abs(error).mean())
    p_centered = p - p.mean()
    a_centered = a - a.mean()
    denominator = float(np.sqrt(_dot(p_centered, p_centered) * _dot(a_centered, a_centered)))
    stats.correlation = _dot(p_centered, a_centered) / denominator if denominator > 0 else 0.0
    with np.errstate(divide="ignore"):
        stats.snr_db = float(10 * np.log10(np.float64(signal_energy) / np.float64(error_energy)))
    return stats


def frame_mse(predicted: np.ndarray, actual: np.ndarray) -> list:
    """MSE of each frame (leading axis) of a stack; NaN for a frame with no finite pair."""
    result = []
    for p_frame, a_frame in zip(predicted, actual):
        p, a = _finite_pairs(p_frame, a_frame)
        if p.size:
            error = p.astype(np.float64) - a
            result.append(_dot(error, error) / p.size)
        else:
            result.append(float("nan"))
    return result


def plane_squared_errors(predicted: np.ndarray, actual: np.ndarray):
    """The sum of squared errors and the number of finite pairs of each [H, W] plane (the last two axes).

    Returns two arrays of the leading shape, e.g. [C, T] for a video
    [C, T, H, W]: float64 sums and integer counts, which add up over any
    axis to the MSE of a larger part (`mean_squared`).
    """
    both = np.isfinite(predicted) & np.isfinite(actual)
    with np.errstate(invalid="ignore"):  # Inf - Inf at positions left out below
        error = predicted.astype(np.float64) - actual
    if not both.all():
        error[~both] = 0.0
    # einsum without `optimize` sums in place, without BLAS (see _dot).
    return np.einsum("...ij,...ij->...", error, error), both.sum(axis=(-2, -1))


def mean_squared(sums: np.ndarray, counts: np.ndarray) -> list:
    """sums / counts element by element as a list of floats; NaN where nothing was compared."""
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return [float(v) for v in np.ravel(means)]


def recall_at_k(matrix: np.ndarray, k: int) -> float:
    """Fraction of rows whose own column (the diagonal) ranks in the top k.

    A column that ties with the diagonal ranks ahead of it, so a matrix that
    does not tell its samples apart scores low. A row whose diagonal entry is
    not finite counts as a miss; non-finite entries elsewhere never rank ahead.
    """
    n = min(matrix.shape)
    diagonal = np.diagonal(matrix)[:n]
    with np.errstate(invalid="ignore"):
        ahead = (matrix[:n] >= diagonal[:, None]).sum(axis=1) - 1
    hits = np.isfinite(diagonal) & (ahead < k)
    return float(hits.mean())


def similarity_stats(matrix: np.ndarray) -> pb.SimilarityStats:
    """Diagonal and off-diagonal means, their gap, and R@1 / R@5 both ways."""
    stats = pb.SimilarityStats(nonfinite=count_nonfinite(matrix))
    n = min(matrix.shape)
    on_diagonal = np.zeros(matrix.shape, dtype=bool)
    on_diagonal[np.arange(n), np.arange(n)] = True
    finite = np.isfinite(matrix)
    diagonal = matrix[on_diagonal & finite]
    off_diagonal = matrix[~on_diagonal & finite]
    stats.diagonal_mean = _mean(diagonal)
    stats.off_diagonal_mean = _mean(off_diagonal)
    stats.gap = stats.diagonal_mean - stats.off_diagonal_mean
    stats.square = matrix.shape[0] == matrix.shape[1]
    if stats.square:
        stats.recall_at_1_rows = recall_at_k(matrix, 1)
        stats.recall_at_5_rows = recall_at_k(matrix, 5)
        stats.recall_at_1_columns = recall_at_k(matrix.T, 1)
        stats.recall_at_5_columns = recall_at_k(matrix.T, 5)
    return stats


def _mean(values: np.ndarray) -> float:
    return float(values.mean(dtype=np.float64)) if values.size else float("nan")


def alignment_stats(weights: np.ndarray) -> pb.AlignmentStats:
    """Focus rate, monotonicity, coverage and diagonal distance of W [tokens, frames].

    As `pb.AlignmentStats` defines them: the most-attended token of a frame is
    its first largest finite weight; frames with no finite weight are left
    out; NaN for a figure with no frame to take it over.
    """
    tokens, frames = weights.shape
    stats = pb.AlignmentStats(nonfinite=count_nonfinite(weights))
    finite = np.isfinite(weights)
    kept = finite.any(axis=0)
    masked = np.where(finite, weights, -np.inf)[:, kept].astype(np.float64)
    stats.frames = masked.shape[1]
    if not stats.frames:
        stats.focus_rate = stats.diagonal_distance = float("nan")
        stats.monotonicity = 1.0
        stats.coverage = 0.0
        return stats
    path = masked.argmax(axis=0)
    stats.focus_rate = float(masked.max(axis=0).mean())
    steps = np.diff(path)
    stats.monotonicity = float((steps >= 0).mean()) if steps.size else 1.0
    stats.coverage = len(np.unique(path)) / tokens
    frame_index = np.flatnonzero(kept)
    stats.diagonal_distance = float(np.abs(path / max(tokens - 1, 1) - frame_index / max(frames - 1, 1)).mean())
    return stats


def pool_alignment_stats(samples) -> pb.AlignmentStats:
    """Pools (stats, tokens) of samples: means weighted by frames, coverage by tokens; counts summed."""
    pooled = pb.AlignmentStats()
    frames = sum(s.frames for s, _ in samples)
    tokens = sum(n for _, n in samples)
    for s, _ in samples:
        pooled.nonfinite.nan += s.nonfinite.nan
        pooled.nonfinite.pos_inf += s.nonfinite.pos_inf
        pooled.nonfinite.neg_inf += s.nonfinite.neg_inf
    pooled.frames = frames
    for name in ("focus_rate", "monotonicity", "diagonal_distance"):
        total = sum(getattr(s, name) * s.frames for s, _ in samples if s.frames)
        setattr(pooled, name, total / frames if frames else float("nan"))
    pooled.coverage = sum(s.coverage * n for s, n in samples) / tokens if tokens else float("nan")
    return pooled


def value_range(array: np.ndarray) -> pb.ValueRange:
    """Min, max, mean and count of the finite values; all zero when none is finite."""
    finite = array[np.isfinite(array)] if not np.isfinite(array).all() else array
    if not finite.size:
        return pb.ValueRange()
    return pb.ValueRange(
        min=float(finite.min()), max=float(finite.max()), mean=_mean(finite.ravel()), count=finite.size
    )


def pool_ranges(ranges) -> pb.ValueRange:
    """The range of several arrays' finite values together, from their ranges."""
    kept = [r for r in ranges if r.count]
    if not kept:
        return pb.ValueRange()
    count = sum(r.count for r in kept)
    return pb.ValueRange(
        min=min(r.min for r in kept),
        max=max(r.max for r in kept),
        mean=sum(r.mean * r.count for r in kept) / count,
        count=count,
    )
