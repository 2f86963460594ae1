"""Tests of tb_plugin_spectro.lowest: TensorBoard's smoothing, records, rises, ranges."""

import math

import numpy as np
import pytest

from tb_plugin_spectro import lowest


class TestSmooth:
    def test_matches_tensorboard_by_hand(self):
        # weight 0.5: last = 0.5, 1.25, 2.125; debias = 0.5, 0.75, 0.875.
        np.testing.assert_allclose(lowest.smooth([1, 2, 3], 0.5), [1.0, 5 / 3, 17 / 7])

    def test_nan_passes_through_and_does_not_update(self):
        # The NaN neither counts in num_accum nor moves the average.
        smoothed = lowest.smooth([1.0, float("nan"), 2.0, float("inf"), 3.0], 0.5)
        assert math.isnan(smoothed[1])
        assert smoothed[3] == math.inf
        np.testing.assert_allclose(smoothed[[0, 2, 4]], [1.0, 5 / 3, 17 / 7])

    def test_constant_series_stays_constant(self):
        np.testing.assert_array_equal(lowest.smooth([0.3] * 50, 0.99), [0.3] * 50)

    def test_weight_zero_returns_the_values(self):
        values = [5.0, 1.0, 4.0]
        np.testing.assert_allclose(lowest.smooth(values, 0.0), values)

    def test_first_point_is_unbiased(self):
        # Debiasing makes the first smoothed value the raw one, whatever the weight.
        assert lowest.smooth([7.0, 1.0], 0.987)[0] == pytest.approx(7.0)

    def test_empty(self):
        assert lowest.smooth([], 0.9).size == 0

    @pytest.mark.parametrize("weight", [1.0, -0.1, float("nan"), 1.5])
    def test_bad_weight(self, weight):
        with pytest.raises(ValueError, match=r"weight must be in \[0, 1\)"):
            lowest.smooth([1, 2], weight)

    def test_weight_type(self):
        with pytest.raises(TypeError, match="weight"):
            lowest.smooth([1, 2], "0.5")


class TestDedupeResumed:
    def test_restart_purges_later_steps(self):
        # First attempt logged 0..4, crashed, resumed from step 2.
        steps = [0, 1, 2, 3, 4, 2, 3]
        values = [9, 8, 7, 6, 5, 70, 60]
        times = [0, 1, 2, 3, 4, 10, 11]
        series = lowest.dedupe_resumed(steps, values, times)
        np.testing.assert_array_equal(series.steps, [0, 1, 2, 3])
        np.testing.assert_array_equal(series.values, [9, 8, 70, 60])
        np.testing.assert_array_equal(series.wall_times, [0, 1, 10, 11])

    def test_wall_time_orders_the_writes(self):
        # Two event files read in the wrong order: the later wall time wins.
        series = lowest.dedupe_resumed([5, 5], [1.0, 2.0], [20.0, 10.0])
        np.testing.assert_array_equal(series.steps, [5])
        np.testing.assert_array_equal(series.values, [1.0])

    def test_equal_wall_times_keep_input_order(self):
        series = lowest.dedupe_resumed([1, 2, 2], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
        np.testing.assert_array_equal(series.values, [1.0, 3.0])

    def test_without_wall_times(self):
        series = lowest.dedupe_resumed([3, 1, 2], [3.0, 1.0, 2.0])
        np.testing.assert_array_equal(series.steps, [1, 2])

    def test_empty(self):
        assert lowest.dedupe_resumed([], [], []).steps.size == 0

    def test_length_mismatch(self):
        with pytest.raises(ValueError, match="same length"):
            lowest.dedupe_resumed([1, 2], [1.0], [0.0, 1.0])


class TestRecords:
    STEPS = [0, 10, 20, 30, 40, 50, 60]
    VALUES = [5.0, 3.0, float("nan"), 4.0, 2.0, 2.0, 2.5]

    def test_running_minimum_records(self):
        assert lowest.running_minimum_records(self.STEPS, self.VALUES) == [0, 1, 4]

    def test_final_low_is_first_occurrence_of_minimum(self):
        assert lowest.final_low(self.STEPS, self.VALUES) == 4

    def test_infinities_are_not_records(self):
        assert lowest.running_minimum_records([0, 1, 2], [3.0, -math.inf, 1.0]) == [0, 2]

    @pytest.mark.parametrize("values", [[], [1.0], [float("nan")] * 3, [2.0, 2.0, 2.0], [float("nan"), 4.0]])
    def test_no_low(self, values):
        steps = list(range(len(values)))
        assert lowest.running_minimum_records(steps, values) == []
        assert lowest.final_low(steps, values) is None
        assert lowest.rank_candidates(steps, values, 0.9) == []

    def test_unsorted_steps_rejected(self):
        with pytest.raises(ValueError, match="strictly increasing"):
            lowest.running_minimum_records([0, 2, 1], [1.0, 2.0, 3.0])


class TestRankCandidates:
    def test_raw_ranking_puts_final_low_first(self):
        candidates = lowest.rank_candidates([0, 1, 2, 3, 4], [5.0, 3.0, 4.0, 1.0, 2.0])
        assert [c.step for c in candidates] == [3, 1, 0]
        final = candidates[0]
        assert final.is_final_low and not any(c.is_final_low for c in candidates[1:])
        assert final.value == 1.0 and final.smoothed == 1.0
        assert final.improvement == pytest.approx(2.0)
        assert final.later_min_gap == pytest.approx(1.0)  # never reached again by that much
        assert candidates[1].later_min_gap == pytest.approx(-2.0)  # beaten later
        assert candidates[2].improvement is None

    def test_smoothed_ranking_prefers_the_trough(self):
        # The curve bottoms out near step 5, then rises; one lucky batch at
        # step 10 sets the raw record while the smoothed curve is high.
        values = [10.0, 6.0, 3.0, 1.5, 1.0, 0.9, 2.0, 4.0, 5.0, 5.0, 0.5, 5.0, 5.0]
        candidates = lowest.rank_candidates(list(range(len(values))), values, 0.6)
        smoothed = lowest.smooth(values, 0.6)
        assert sorted(c.step for c in candidates) == [0, 1, 2, 3, 4, 5, 10]
        assert candidates[0].step == 5 and not candidates[0].is_final_low
        assert candidates[0].smoothed == pytest.approx(smoothed[5])
        final = next(c for c in candidates if c.is_final_low)
        assert final.step == 10 and final.later_min_gap == pytest.approx(4.5)
        assert [c.smoothed for c in candidates] == sorted(c.smoothed for c in candidates)


def _falling_then_rising():
    steps = np.arange(0, 2000, 10)
    values = np.concatenate([np.linspace(10.0, 2.0, 100), np.linspace(2.05, 4.0, 100)])
    return steps, values


class TestOvertrainingHint:
    def test_falling_then_rising(self):
        steps, values = _falling_then_rising()
        smoothed = lowest.smooth(values, 0.9)
        low = lowest.final_low(steps, values)
        hint = lowest.overtraining_hint(steps, smoothed, low)
        assert hint.rising
        assert hint.low_step == 990
        assert hint.end_step == 1990
        assert 990 < hint.start_step < 1990
        assert hint.rise == pytest.approx(smoothed[-1] - smoothed[low])
        assert "possible overtraining" in hint.explanation

    def test_falling_only(self):
        steps = np.arange(200)
        values = np.linspace(10.0, 1.0, 200)
        smoothed = lowest.smooth(values, 0.95)
        hint = lowest.overtraining_hint(steps, smoothed, lowest.final_low(steps, values))
        assert not hint.rising
        assert hint.start_step is None
        assert "latest point" in hint.explanation

    def test_plateau_after_low_is_not_rising(self):
        steps = np.arange(200)
        values = np.concatenate([np.linspace(10.0, 1.0, 100), 1.001 + 0.001 * np.sin(np.arange(100))])
        hint = lowest.overtraining_hint(steps, values, lowest.final_low(steps, values))
        assert not hint.rising and "within 2%" in hint.explanation

    def test_short_bump_at_the_end_is_not_rising(self):
        steps = np.arange(200)
        values = np.concatenate([np.linspace(10.0, 1.0, 100), np.full(95, 1.001), np.linspace(1.1, 1.5, 5)])
        hint = lowest.overtraining_hint(steps, values, lowest.final_low(steps, values))
        assert not hint.rising
        assert hint.start_step == 195 and "too short" in hint.explanation

    def test_high_but_falling_back_is_not_rising(self):
        steps = np.arange(200)
        values = np.concatenate([np.linspace(10.0, 1.0, 100), np.linspace(3.0, 1.5, 100)])
        hint = lowest.overtraining_hint(steps, values, lowest.final_low(steps, values))
        assert not hint.rising and "not trending upward" in hint.explanation

    def test_no_low(self):
        hint = lowest.overtraining_hint([0, 1], [1.0, 1.0], None)
        assert not hint.rising and hint.explanation

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"margin": -0.1}, "margin"),
            ({"min_points": 1}, "min_points"),
            ({"min_fraction": 1.5}, "min_fraction"),
        ],
    )
    def test_bad_parameters(self, kwargs, match):
        steps, values = _falling_then_rising()
        with pytest.raises(ValueError, match=match):
            lowest.overtraining_hint(steps, values, 99, **kwargs)

    def test_index_out_of_range(self):
        with pytest.raises(ValueError, match="final_low_index"):
            lowest.overtraining_hint([0, 1], [2.0, 1.0], 2)


class TestOvertrainingRule:
    def test_states_the_defaults_of_the_hint(self):
        rule = lowest.overtraining_rule()
        for words in ("2% above", "at least 10 points", "20% of the points after the low", "least-squares"):
            assert words in rule

    def test_follows_the_parameters(self):
        rule = lowest.overtraining_rule(margin=0.05, min_points=30, min_fraction=0.5)
        assert "5% above" in rule and "at least 30 points" in rule and "50% of the points" in rule

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"margin": -0.1}, "margin"),
            ({"min_points": 1}, "min_points"),
            ({"min_fraction": 1.5}, "min_fraction"),
        ],
    )
    def test_bad_parameters(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            lowest.overtraining_rule(**kwargs)


class TestOutlierRange:
    def test_ignores_outliers_like_tensorboard(self):
        # d3.quantile: 5th = 1.2, 95th = 80.8; the values between are 2, 3, 4.
        assert lowest.outlier_range([1.0, 2.0, 3.0, 4.0, 100.0]) == (2.0, 4.0)

    def test_hundred_and_one_points(self):
        assert lowest.outlier_range(np.arange(101.0)) == (5.0, 95.0)

    def test_without_ignoring(self):
        assert lowest.outlier_range([1.0, float("nan"), 100.0, -math.inf], ignore_outliers=False) == (1.0, 100.0)

    def test_constant(self):
        assert lowest.outlier_range([3.0, 3.0, 3.0]) == (3.0, 3.0)

    @pytest.mark.parametrize("values", [[], [float("nan")], [1.0, 2.0]])
    def test_nothing_left(self, values):
        assert lowest.outlier_range(values) is None
