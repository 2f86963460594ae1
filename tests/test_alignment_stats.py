"""The alignment stats on hand-made matrices, as `AlignmentStats` in the proto defines them."""

import numpy as np
import pytest

from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import stats


def figures(weights):
    s = stats.alignment_stats(np.asarray(weights, dtype=np.float32))
    return s.focus_rate, s.monotonicity, s.coverage, s.diagonal_distance


def test_a_hard_diagonal_gives_1_1_1_0():
    assert figures(np.eye(6)) == (1.0, 1.0, 1.0, 0.0)
    assert stats.alignment_stats(np.eye(6, dtype=np.float32)).frames == 6


def test_a_hard_diagonal_of_runs_is_near_the_diagonal():
    # 3 tokens over 9 frames, 3 frames each: path 0,0,0,1,1,1,2,2,2.
    weights = np.repeat(np.eye(3), 3, axis=1)
    focus, monotonicity, coverage, distance = figures(weights)
    assert (focus, monotonicity, coverage) == (1.0, 1.0, 1.0)
    path, frame = np.repeat([0, 1, 2], 3) / 2, np.arange(9) / 8
    assert distance == pytest.approx(np.abs(path - frame).mean())


@pytest.mark.parametrize("tokens", [1, 4, 50])
def test_uniform_attention_gives_a_focus_rate_of_one_over_n(tokens):
    focus, monotonicity, coverage, _ = figures(np.full((tokens, 30), 1.0 / tokens))
    assert focus == pytest.approx(1.0 / tokens)
    # Every frame's first largest weight is token 0: never back, one token covered.
    assert (monotonicity, coverage) == (1.0, pytest.approx(1.0 / tokens))


def test_a_path_that_goes_back():
    # Path 0, 1, 2, 1, 2: one of four consecutive pairs goes back.
    weights = np.zeros((3, 5))
    weights[[0, 1, 2, 1, 2], np.arange(5)] = 0.8
    weights[weights == 0] = 0.1
    focus, monotonicity, coverage, _ = figures(weights)
    assert focus == pytest.approx(0.8)
    assert monotonicity == pytest.approx(3 / 4)
    assert coverage == 1.0


def test_a_skipped_token_lowers_the_coverage():
    # Path 0, 0, 2, 3: token 1 is never the most attended.
    weights = np.zeros((4, 4))
    weights[[0, 0, 2, 3], np.arange(4)] = 1.0
    _, monotonicity, coverage, distance = figures(weights)
    assert (monotonicity, coverage) == (1.0, 0.75)
    assert distance == pytest.approx(np.mean(np.abs(np.array([0, 0, 2, 3]) / 3 - np.arange(4) / 3)))


def test_ties_go_to_the_first_token():
    weights = np.array([[0.5, 0.0], [0.5, 1.0]])
    _, monotonicity, coverage, distance = figures(weights)
    assert (monotonicity, coverage, distance) == (1.0, 1.0, 0.0)


def test_frames_with_no_finite_weight_are_left_out_and_counted():
    weights = np.eye(4, dtype=np.float32)
    weights[:, 1] = np.nan
    weights[3, 2] = np.inf  # frame 2 keeps its finite weights
    s = stats.alignment_stats(weights)
    assert s.frames == 3
    assert (s.nonfinite.nan, s.nonfinite.pos_inf, s.nonfinite.neg_inf) == (4, 1, 0)
    assert s.focus_rate == 1.0
    # Frames 0, 2, 3 with path 0, 2, 3: on the diagonal at its own frame indices.
    assert (s.monotonicity, s.coverage, s.diagonal_distance) == (1.0, 0.75, 0.0)


def test_one_token_or_one_frame_counts_a_missing_denominator_as_one():
    assert figures([[0.2, 0.7, 1.0]]) == pytest.approx((1.9 / 3, 1.0, 1.0, np.mean([0, 0.5, 1.0])))
    assert figures([[0.1], [0.9], [0.0]]) == pytest.approx((0.9, 1.0, 1 / 3, 0.5))


def test_nothing_finite():
    s = stats.alignment_stats(np.full((2, 3), np.nan, dtype=np.float32))
    assert s.frames == 0 and s.nonfinite.nan == 6
    assert np.isnan(s.focus_rate) and np.isnan(s.diagonal_distance)
    assert (s.monotonicity, s.coverage) == (1.0, 0.0)


def test_pooling_weights_by_frames_and_coverage_by_tokens():
    first = pb.AlignmentStats(focus_rate=1.0, monotonicity=1.0, coverage=1.0, diagonal_distance=0.0, frames=10)
    second = pb.AlignmentStats(focus_rate=0.5, monotonicity=0.5, coverage=0.5, diagonal_distance=0.3, frames=30)
    second.nonfinite.nan = 2
    pooled = stats.pool_alignment_stats([(first, 4), (second, 12)])
    assert pooled.frames == 40 and pooled.nonfinite.nan == 2
    assert pooled.focus_rate == pytest.approx((10 + 15) / 40)
    assert pooled.monotonicity == pytest.approx((10 + 15) / 40)
    assert pooled.diagonal_distance == pytest.approx(9 / 40)
    assert pooled.coverage == pytest.approx((4 + 6) / 16)


def test_value_ranges_pool_by_count():
    a = stats.value_range(np.array([1.0, 3.0, np.nan], dtype=np.float32))
    assert (a.min, a.max, a.mean, a.count) == (1.0, 3.0, 2.0, 2)
    b = stats.value_range(np.array([[-2.0, 10.0, 4.0, 0.0]], dtype=np.float32))
    pooled = stats.pool_ranges([a, b, stats.value_range(np.array([np.inf]))])
    assert (pooled.min, pooled.max, pooled.count) == (-2.0, 10.0, 6)
    assert pooled.mean == pytest.approx(16 / 6)
    assert stats.pool_ranges([pb.ValueRange()]).count == 0
