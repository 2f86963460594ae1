"""The summary ops, run against every writer and read back from event files."""

import glob
import math
import os
import warnings

import numpy as np
import pytest
from tensorboard.compat.proto import summary_pb2

from support.logdir import by_tag, read_logdir
from tb_plugin_spectro import _inputs, codec, metadata
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import stats as spectro_stats
from tb_plugin_spectro import summary as spectro_summary


def speech_like_mel(n_mels=80, frames=200, seed=0):
    """A log-mel with harmonics, a formant envelope and a pause."""
    rng = np.random.default_rng(seed)
    bins = np.arange(n_mels)[:, None]
    time = np.arange(frames)[None, :]
    harmonics = np.cos(2 * np.pi * bins / (6 + 2 * np.sin(time / 30))) ** 2
    envelope = np.exp(-((bins - 20 - 10 * np.sin(time / 17)) ** 2) / 200)
    mel = -11 + 9 * harmonics * envelope + 0.3 * rng.standard_normal((n_mels, frames))
    mel[:, frames // 2 : frames // 2 + 10] = -11.5
    return mel.astype(np.float32)


def assert_decodes_within_error(written, encoded, expected):
    decoded = written.array(encoded)
    assert decoded.shape == expected.shape
    finite = np.isfinite(expected)
    bound = codec.quantization_error(encoded) + 1e-5 * max(1.0, float(np.abs(expected[finite]).max()))
    np.testing.assert_array_equal(np.isnan(decoded), np.isnan(expected))
    np.testing.assert_array_equal(np.isposinf(decoded), np.isposinf(expected))
    np.testing.assert_array_equal(np.isneginf(decoded), np.isneginf(expected))
    assert np.max(np.abs(decoded[finite] - expected[finite])) <= bound
    return decoded


def assert_spectro_metadata(written, kind):
    assert written.summary_metadata.plugin_data.plugin_name == "spectro"
    assert written.summary_metadata.data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE
    assert written.plugin_data.version == metadata.PROTO_VERSION
    assert written.plugin_data.kind == kind
    assert written.header.version == metadata.PROTO_VERSION


class TestEveryWriter:
    """The same cases through the own writer, PyTorch, tensorboardX and TF2."""

    def test_mel_comparison(self, writer_case):
        target = speech_like_mel(seed=1)
        predicted = target + np.random.default_rng(2).normal(0, 0.5, target.shape).astype(np.float32)
        spectro_summary.mel_comparison(
            "mel/val",
            target,
            predicted,
            7,
            writer=writer_case.writer,
            sample_ids="LJ001-0001",
            texts="Printing, in the only sense",
            sample_rate=22050,
            hop_length=256,
        )
        (written,) = writer_case.read()
        assert (written.tag, written.step) == ("mel/val", 7)
        assert_spectro_metadata(written, pb.MEL_COMPARISON)
        assert (written.plugin_data.mel.sample_rate, written.plugin_data.mel.hop_length) == (22050, 256)
        assert len(written.blobs) == 3
        (sample,) = written.header.mel.samples
        assert (sample.sample_id, sample.text) == ("LJ001-0001", "Printing, in the only sense")
        assert (sample.target_frames, sample.predicted_frames) == (200, 200)
        decoded_target = assert_decodes_within_error(written, sample.target, target)
        assert_decodes_within_error(written, sample.predicted, predicted)
        # Both arrays share one quantization range.
        assert (sample.target.offset, sample.target.scale) == (sample.predicted.offset, sample.predicted.scale)
        assert sample.target.offset == pytest.approx(min(target.min(), predicted.min()))
        assert decoded_target.dtype == np.float32
        diff = target.astype(np.float64) - predicted
        for stats in (sample.stats, written.header.mel.stats):
            assert stats.mae == pytest.approx(np.abs(diff).mean())
            assert stats.rmse == pytest.approx(np.sqrt((diff**2).mean()))
            assert stats.max_abs_diff == pytest.approx(np.abs(diff).max())
            assert stats.bias == pytest.approx(diff.mean())
            assert stats.compared == target.size
        assert sample.target.range.min == pytest.approx(target.min())
        assert sample.target.range.max == pytest.approx(target.max())
        assert sample.predicted.range.mean == pytest.approx(predicted.mean(), rel=1e-5)

    def test_mel_batch(self, writer_case):
        batch = np.stack([speech_like_mel(frames=120, seed=s) for s in range(5)])
        predicted = batch * 0.9
        spectro_summary.mel_comparison(
            "mel/train",
            batch,
            predicted,
            3,
            writer=writer_case.writer,
            lengths=[120, 100, 80, 60, 40],
            max_outputs=3,
            sample_ids=[f"utt{i}" for i in range(5)],
        )
        (written,) = writer_case.read()
        step = written.header.mel
        assert step.batch_size == 5
        assert [s.batch_index for s in step.samples] == [0, 1, 2]
        assert [s.sample_id for s in step.samples] == ["utt0", "utt1", "utt2"]
        assert [s.target_frames for s in step.samples] == [120, 100, 80]
        assert len(written.blobs) == 1 + 2 * 3
        for index, sample in enumerate(step.samples):
            frames = sample.target_frames
            assert_decodes_within_error(written, sample.target, batch[index, :, :frames])
            assert_decodes_within_error(written, sample.predicted, predicted[index, :, :frames])
        pooled = np.concatenate([(batch[i, :, :f] - predicted[i, :, :f]).ravel() for i, f in enumerate([120, 100, 80])])
        assert step.stats.mae == pytest.approx(np.abs(pooled.astype(np.float64)).mean())
        assert step.stats.compared == pooled.size

    def test_noise_pair(self, writer_case):
        rng = np.random.default_rng(3)
        actual = rng.standard_normal((4, 16, 32)).astype(np.float32)
        predicted = (0.8 * actual + 0.3 * rng.standard_normal(actual.shape)).astype(np.float32)
        spectro_summary.noise_pair(
            "diffusion/noise", predicted, actual, 11, timestep=250, total_timesteps=1000, writer=writer_case.writer
        )
        (written,) = writer_case.read()
        assert_spectro_metadata(written, pb.NOISE_PAIR)
        assert written.plugin_data.noise.total_timesteps == 1000
        step = written.header.noise
        assert (step.has_timestep, step.timestep, step.total_timesteps) == (True, 250, 1000)
        assert_decodes_within_error(written, step.predicted, predicted)
        assert_decodes_within_error(written, step.actual, actual)
        error = predicted.astype(np.float64) - actual
        assert step.stats.mse == pytest.approx((error**2).mean())
        assert step.stats.mae == pytest.approx(np.abs(error).mean())
        assert step.stats.correlation == pytest.approx(np.corrcoef(predicted.ravel(), actual.ravel())[0, 1])
        assert step.stats.snr_db == pytest.approx(
            10 * np.log10((actual.astype(np.float64) ** 2).sum() / (error**2).sum())
        )
        assert list(step.frame_mse) == pytest.approx([(e**2).mean() for e in error])

    def test_noise_video_batch_in_frames_channels_layout(self, writer_case):
        rng = np.random.default_rng(5)
        # [B, T, C, H, W]: 3 videos of 5 frames of 2 channels; the error grows with the frame.
        actual = rng.standard_normal((3, 5, 2, 6, 8)).astype(np.float32)
        growth = np.arange(1, 6, dtype=np.float32)[None, :, None, None, None]
        predicted = (actual + 0.1 * growth * rng.standard_normal(actual.shape)).astype(np.float32)
        spectro_summary.noise_pair(
            "noise/video",
            predicted,
            actual,
            4,
            timestep=np.array([900, 10, 500]),
            total_timesteps=1000,
            layout="frames_channels",
            max_outputs=2,
            writer=writer_case.writer,
        )
        (written,) = writer_case.read()
        assert written.plugin_data.noise.sample_blobs == 3
        step = written.header.noise
        assert (step.batch_size, step.has_timestep, step.total_timesteps) == (3, False, 1000)
        assert not step.HasField("predicted") and not step.frame_mse
        assert len(written.blobs) == 1 + 3 * 2
        assert [(s.batch_index, s.has_timestep, s.timestep) for s in step.samples] == [(0, True, 900), (1, True, 10)]
        for index, sample in enumerate(step.samples):
            # Stored as [C, T, H, W]: channel c, frame t is the input's [t, c].
            expected_p, expected_a = predicted[index].transpose(1, 0, 2, 3), actual[index].transpose(1, 0, 2, 3)
            assert list(sample.predicted.shape) == [2, 5, 6, 8]
            assert_decodes_within_error(written, sample.predicted, expected_p)
            assert_decodes_within_error(written, sample.actual, expected_a)
            assert (sample.predicted.offset, sample.predicted.scale) == (sample.actual.offset, sample.actual.scale)
            error = expected_p.astype(np.float64) - expected_a
            assert sample.stats.mse == pytest.approx((error**2).mean())
            assert list(sample.frame_mse) == pytest.approx([(error[c] ** 2).mean() for c in range(2)])
            video = pb.VideoNoiseStats.FromString(written.blobs[sample.video_stats_blob_index])
            assert sample.video_stats_blob_index == 3 * index + 3
            assert list(video.frame_mse) == pytest.approx([(error[:, t] ** 2).mean() for t in range(5)])
            assert list(video.channel_frame_mse) == pytest.approx((error**2).mean(axis=(2, 3)).ravel().tolist())
            assert video.frame_mse[4] > 4 * video.frame_mse[0]
        kept = (predicted[:2].astype(np.float64) - actual[:2]).ravel()
        assert step.stats.mse == pytest.approx((kept**2).mean())
        assert step.stats.compared == kept.size

    def test_similarity_matrix(self, writer_case):
        rng = np.random.default_rng(4)
        text = rng.standard_normal((6, 12))
        audio = text + 0.5 * rng.standard_normal((6, 12))
        captions = [f"caption <b>{i}</b>" for i in range(6)]
        spectro_summary.similarity_matrix(
            "align/text_audio",
            text,
            audio,
            5,
            labels_a=captions,
            labels_b=[f"a{i}" for i in range(6)],
            a_name="text",
            b_name="audio",
            writer=writer_case.writer,
        )
        (written,) = writer_case.read()
        assert_spectro_metadata(written, pb.SIMILARITY_MATRIX)
        assert (written.plugin_data.similarity.rows_name, written.plugin_data.similarity.columns_name) == (
            "text",
            "audio",
        )
        step = written.header.similarity
        expected = (text / np.linalg.norm(text, axis=1, keepdims=True)) @ (
            audio / np.linalg.norm(audio, axis=1, keepdims=True)
        ).T
        assert step.source == pb.COSINE_OF_EMBEDDINGS and step.embedding_dim == 12
        assert_decodes_within_error(written, step.matrix, expected.astype(np.float32))
        labels = pb.Labels.FromString(written.blobs[step.labels_blob_index])
        assert list(labels.rows) == captions
        assert list(labels.columns) == [f"a{i}" for i in range(6)]
        off_diagonal = expected[~np.eye(6, dtype=bool)]
        assert step.stats.diagonal_mean == pytest.approx(np.diag(expected).mean(), abs=1e-6)
        assert step.stats.off_diagonal_mean == pytest.approx(off_diagonal.mean(), abs=1e-6)
        assert step.stats.gap == pytest.approx(np.diag(expected).mean() - off_diagonal.mean(), abs=1e-6)
        assert step.stats.square
        ranks = [(expected[i] >= expected[i, i]).sum() for i in range(6)]
        assert step.stats.recall_at_1_rows == pytest.approx(np.mean([r <= 1 for r in ranks]))
        column_ranks = [(expected[:, j] >= expected[j, j]).sum() for j in range(6)]
        assert step.stats.recall_at_1_columns == pytest.approx(np.mean([r <= 1 for r in column_ranks]))
        assert step.stats.recall_at_5_rows == pytest.approx(np.mean([r <= 5 for r in ranks]))

    def test_lowest_point(self, writer_case):
        spectro_summary.lowest_point(
            "loss/g/total",
            0.25,
            4000,
            writer=writer_case.writer,
            smoothed_value=0.3,
            smoothing=0.95,
            epoch=12,
            checkpoint_path="logs/G_4000.pth",
        )
        (written,) = writer_case.read()
        assert written.tag == "loss/g/total/lowest_point" == spectro_summary.lowest_point_tag("loss/g/total")
        assert_spectro_metadata(written, pb.LOWEST_POINT)
        assert written.plugin_data.lowest_point.watched_tag == "loss/g/total"
        marker = written.header.lowest_point
        assert (marker.value, marker.smoothed_value, marker.smoothing) == (0.25, 0.3, 0.95)
        assert (marker.epoch, marker.checkpoint_path, written.step) == (12, "logs/G_4000.pth", 4000)
        assert len(written.blobs) == 1

    def test_nonfinite_values_are_kept_counted_and_warned_once(self, writer_case):
        target = speech_like_mel(frames=50)
        predicted = target.copy()
        predicted[3, 4] = np.nan
        predicted[5, 6] = np.inf
        target[7, 8] = -np.inf
        with pytest.warns(RuntimeWarning, match=r"'mel/diverging' step 1: .* 1 NaN, 1 \+Inf and 1 -Inf"):
            spectro_summary.mel_comparison("mel/diverging", target, predicted, 1, writer=writer_case.writer)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            spectro_summary.mel_comparison("mel/diverging", target, predicted, 2, writer=writer_case.writer)
        first, second = writer_case.read()
        (sample,) = first.header.mel.samples
        assert (sample.stats.nonfinite.nan, sample.stats.nonfinite.pos_inf, sample.stats.nonfinite.neg_inf) == (1, 1, 1)
        assert sample.predicted.nonfinite.nan == 1 and sample.target.nonfinite.neg_inf == 1
        assert sample.stats.compared == target.size - 3
        assert_decodes_within_error(first, sample.target, target)
        assert_decodes_within_error(first, sample.predicted, predicted)
        assert second.step == 2

    def test_tracker_marks_each_new_low(self, writer_case):
        tracker = spectro_summary.LowestPointTracker("loss/d", writer=writer_case.writer)
        values = [5.0, 4.0, 4.5, 3.0, float("nan"), 3.5, 2.0, 2.5]
        results = [tracker.update(step, value, checkpoint_path=f"D_{step}.pth") for step, value in enumerate(values)]
        assert results == [True, True, False, True, False, False, True, False]
        assert (tracker.best_step, tracker.best_value) == (6, 2.0)
        written = writer_case.read()
        assert [w.step for w in written] == [0, 1, 3, 6]
        assert [w.header.lowest_point.checkpoint_path for w in written] == ["D_0.pth", "D_1.pth", "D_3.pth", "D_6.pth"]
        assert [w.header.lowest_point.value for w in written] == [5.0, 4.0, 3.0, 2.0]

    def test_walltime(self, writer_case):
        if writer_case.kind.startswith("tf2"):
            pytest.skip("tf.summary.write stamps the wall time itself")
        spectro_summary.noise_pair(
            "n", np.ones((2, 2)), np.zeros((2, 2)), 1, writer=writer_case.writer, walltime=1234.5
        )
        (written,) = writer_case.read()
        assert written.wall_time == 1234.5


def attention(tokens, frames, sharpness=8.0, seed=0):
    """Soft attention [tokens, frames] around the diagonal, columns summing to 1."""
    rng = np.random.default_rng(seed)
    centre = np.linspace(0, tokens - 1, frames)[None, :]
    logits = -sharpness * (np.arange(tokens)[:, None] - centre) ** 2 / tokens + 0.1 * rng.random((tokens, frames))
    weights = np.exp(logits - logits.max(axis=0))
    return (weights / weights.sum(axis=0)).astype(np.float32)


class TestTtsKindsOnEveryWriter:
    """Alignments, single spectrograms and a mel comparison's alignment through every writer."""

    def test_spectrogram(self, writer_case):
        mel = speech_like_mel(frames=150, seed=3)
        spectro_summary.spectrogram(
            "gt/y_spec",
            mel,
            5,
            writer=writer_case.writer,
            sample_ids="LJ002-0002",
            texts="in being comparatively modern",
            sample_rate=22050,
            hop_length=256,
        )
        (written,) = writer_case.read()
        assert (written.tag, written.step) == ("gt/y_spec", 5)
        assert_spectro_metadata(written, pb.SPECTROGRAM)
        facts = written.plugin_data.spectrogram
        assert (facts.sample_rate, facts.hop_length, facts.sample_blobs) == (22050, 256, 1)
        assert len(written.blobs) == 2
        step = written.header.spectrogram
        (sample,) = step.samples
        assert (sample.sample_id, sample.text, sample.batch_index) == ("LJ002-0002", "in being comparatively modern", 0)
        assert_decodes_within_error(written, sample.mel, mel)
        for value_range in (sample.mel.range, step.range):
            assert (value_range.min, value_range.max) == (pytest.approx(mel.min()), pytest.approx(mel.max()))
            assert value_range.mean == pytest.approx(mel.mean(dtype=np.float64), rel=1e-6)
            assert value_range.count == mel.size
        assert step.batch_size == 1 and step.nonfinite.nan == 0

    def test_spectrogram_batch_layout_and_lengths(self, writer_case):
        batch = np.stack([speech_like_mel(frames=90, seed=s) for s in range(4)])
        spectro_summary.spectrogram(
            "infer/mel",
            batch.transpose(0, 2, 1),
            2,
            writer=writer_case.writer,
            layout="frames_mels",
            lengths=[90, 70, 50, 30],
            max_outputs=2,
            sample_ids=["a", "b", "c", "d"],
            precision="uint16",
        )
        (written,) = writer_case.read()
        step = written.header.spectrogram
        assert step.batch_size == 4
        assert [(s.batch_index, s.sample_id, list(s.mel.shape)) for s in step.samples] == [
            (0, "a", [80, 90]),
            (1, "b", [80, 70]),
        ]
        assert len(written.blobs) == 3
        for index, sample in enumerate(step.samples):
            assert sample.mel.precision == pb.UINT16
            assert_decodes_within_error(written, sample.mel, batch[index, :, : [90, 70][index]])
        kept = np.concatenate([batch[0].ravel(), batch[1, :, :70].ravel()]).astype(np.float64)
        assert step.range.mean == pytest.approx(kept.mean(), rel=1e-6)
        assert step.range.count == kept.size

    def test_alignment(self, writer_case):
        weights = attention(12, 60)
        tokens = ["<s>", "h", "ə", "l", "oʊ", " ", "w", "ɜː", "l", "d", "<b>bold</b>", "</s>"]
        spectro_summary.alignment(
            "align/attn",
            weights,
            9,
            writer=writer_case.writer,
            tokens=tokens,
            sample_ids="LJ003-0003",
            texts="hello world",
            sample_rate=22050,
            hop_length=256,
        )
        (written,) = writer_case.read()
        assert (written.tag, written.step) == ("align/attn", 9)
        assert_spectro_metadata(written, pb.ALIGNMENT)
        facts = written.plugin_data.alignment
        assert (facts.sample_rate, facts.hop_length, facts.sample_blobs) == (22050, 256, 2)
        step = written.header.alignment
        (sample,) = step.samples
        assert (sample.sample_id, sample.text, sample.from_durations) == ("LJ003-0003", "hello world", False)
        assert list(sample.weights.shape) == [12, 60]
        assert_decodes_within_error(written, sample.weights, weights)
        assert sample.tokens_blob_index == 2
        assert list(pb.Labels.FromString(written.blobs[2]).rows) == tokens
        expected = spectro_stats.alignment_stats(weights)
        for figures in (sample.stats, step.stats):
            assert figures.focus_rate == pytest.approx(weights.max(axis=0).mean())
            assert figures.coverage == 1.0
            assert figures.monotonicity == 1.0
            assert figures.diagonal_distance == pytest.approx(expected.diagonal_distance)
            assert figures.frames == 60

    def test_alignment_batch_frames_tokens_and_padding(self, writer_case):
        batch = np.zeros((3, 40, 10), dtype=np.float32)  # [batch, frames, tokens], padded
        for index, (frames, tokens) in enumerate([(40, 10), (30, 8), (20, 5)]):
            batch[index, :frames, :tokens] = attention(tokens, frames, seed=index).T
        spectro_summary.alignment(
            "align/batch",
            batch,
            1,
            writer=writer_case.writer,
            layout="frames_tokens",
            token_lengths=[10, 8, 5],
            frame_lengths=[40, 30, 20],
            max_outputs=2,
            tokens=[list("abcdefghij"), list("abcdefgh"), list("abcde")],
        )
        (written,) = writer_case.read()
        step = written.header.alignment
        assert step.batch_size == 3
        assert [list(s.weights.shape) for s in step.samples] == [[10, 40], [8, 30]]
        assert_decodes_within_error(written, step.samples[1].weights, batch[1, :30, :8].T)
        assert list(pb.Labels.FromString(written.blobs[step.samples[1].tokens_blob_index]).rows) == list("abcdefgh")
        assert step.stats.frames == 70
        pooled = (step.samples[0].stats.focus_rate * 40 + step.samples[1].stats.focus_rate * 30) / 70
        assert step.stats.focus_rate == pytest.approx(pooled)
        assert len(written.blobs) == 1 + 2 * 2

    def test_alignment_from_durations(self, writer_case):
        spectro_summary.alignment(
            "align/durations",
            None,
            4,
            writer=writer_case.writer,
            durations=[[2, 0, 3, 1], [1, 2, 0, 0]],
            token_lengths=[4, 2],
            frame_lengths=[6, 3],
        )
        (written,) = writer_case.read()
        first, second = written.header.alignment.samples
        assert first.from_durations and second.from_durations
        expected = np.zeros((4, 6), dtype=np.float32)
        expected[[0, 0, 2, 2, 2, 3], np.arange(6)] = 1.0
        np.testing.assert_array_equal(written.array(first.weights), expected)
        np.testing.assert_array_equal(written.array(second.weights), [[1, 0, 0], [0, 1, 1]])
        assert first.tokens_blob_index == 0 and written.plugin_data.alignment.sample_blobs == 1
        # Token 1 has no frame: a hard alignment that skips it.
        assert (first.stats.focus_rate, first.stats.monotonicity, first.stats.coverage) == (1.0, 1.0, 0.75)
        assert (second.stats.coverage, second.stats.frames) == (1.0, 3)

    def test_mel_comparison_with_its_alignment(self, writer_case):
        target = np.stack([speech_like_mel(frames=50, seed=s) for s in range(2)])
        weights = np.stack([attention(7, 50, seed=s) for s in range(2)])
        tokens = [list("abcdefg"), list("ABCDEFG")]
        spectro_summary.mel_comparison(
            "mel/ref",
            target,
            target * 0.9,
            6,
            writer=writer_case.writer,
            lengths=[50, 35],
            alignment=weights,
            tokens=tokens,
        )
        (written,) = writer_case.read()
        assert written.plugin_data.mel.sample_blobs == 4
        assert len(written.blobs) == 1 + 4 * 2
        for index, (sample, frames) in enumerate(zip(written.header.mel.samples, [50, 35])):
            attached = sample.alignment
            assert list(attached.weights.shape) == [7, frames]
            assert_decodes_within_error(written, attached.weights, weights[index, :, :frames])
            assert list(pb.Labels.FromString(written.blobs[attached.tokens_blob_index]).rows) == tokens[index]
            expected = spectro_stats.alignment_stats(weights[index, :, :frames])
            assert attached.stats.focus_rate == pytest.approx(expected.focus_rate)
            assert attached.stats.frames == frames
            # The mels' blobs come first, as before.
            assert (sample.target.blob_index, sample.predicted.blob_index) == (2 * index + 1, 2 * index + 2)

    def test_mel_comparison_alignment_on_each_sample_s_own_frames(self, own_writer):
        target = speech_like_mel(frames=40)
        spectro_summary.mel_comparison(
            "m", target[None], target[None], 0, lengths=[25], alignment=attention(5, 25), writer=own_writer.writer
        )
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        assert list(sample.alignment.weights.shape) == [5, 25]
        assert sample.alignment.tokens_blob_index == 0
        assert written.plugin_data.mel.sample_blobs == 3

    def test_nonfinite_weights_are_stored_counted_and_warned_once(self, own_writer):
        weights = attention(4, 10)
        weights[:, 3] = np.nan
        weights[0, 5] = np.inf
        with pytest.warns(RuntimeWarning, match="'a'.*the weights hold 4 NaN, 1 \\+Inf"):
            spectro_summary.alignment("a", weights, 0, writer=own_writer.writer)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            spectro_summary.alignment("a", weights, 1, writer=own_writer.writer)
        written = own_writer.read()[0]
        (sample,) = written.header.alignment.samples
        assert (sample.stats.nonfinite.nan, sample.stats.nonfinite.pos_inf, sample.stats.frames) == (4, 1, 9)
        assert_decodes_within_error(written, sample.weights, weights)

    def test_nonfinite_alignment_of_a_mel_comparison_is_warned_and_counted(self, own_writer):
        target = speech_like_mel(frames=12)
        weights = attention(3, 12)
        weights[1, 4] = -np.inf
        weights[:, 7] = np.nan
        with pytest.warns(RuntimeWarning, match="target, predicted and alignment hold 3 NaN, 0 \\+Inf and 1 -Inf"):
            spectro_summary.mel_comparison("m", target, target, 0, alignment=weights, writer=own_writer.writer)
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        counts = sample.alignment.stats.nonfinite
        assert (counts.nan, counts.neg_inf, sample.alignment.stats.frames) == (3, 1, 11)
        assert written.header.mel.stats.nonfinite.nan == 0  # the mels' own counts
        assert_decodes_within_error(written, sample.alignment.weights, weights)

    def test_nonfinite_spectrogram_values_are_counted(self, own_writer):
        mel = speech_like_mel(frames=20)
        mel[0, :3] = -np.inf
        with pytest.warns(RuntimeWarning, match="mel hold 0 NaN, 0 \\+Inf and 3 -Inf"):
            spectro_summary.spectrogram("s", mel, 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        assert written.header.spectrogram.nonfinite.neg_inf == 3
        assert written.header.spectrogram.range.count == mel.size - 3


class TestPbTwins:
    def test_pb_is_what_the_op_writes(self, own_writer):
        target = speech_like_mel(frames=30)
        kwargs = dict(sample_ids="x", precision="uint16")
        proto = spectro_summary.mel_comparison_pb("m", target, target + 1, 2, **kwargs)
        spectro_summary.mel_comparison("m", target, target + 1, 2, writer=own_writer.writer, **kwargs)
        (written,) = own_writer.read()
        value, _ = proto.value
        assert value.metadata == written.summary_metadata
        assert list(value.tensor.string_val) == written.blobs

    @pytest.mark.parametrize(
        "make",
        [
            lambda: spectro_summary.mel_comparison_pb("t", np.ones((2, 3)), np.ones((2, 3)), 0),
            lambda: spectro_summary.noise_pair_pb("t", np.ones((2, 3)), np.ones((2, 3)), 0),
            lambda: spectro_summary.similarity_matrix_pb("t", np.ones((2, 3)), None, 0),
            lambda: spectro_summary.lowest_point_pb("t", 1.0, 0),
            lambda: spectro_summary.spectrogram_pb("t", np.ones((2, 3)), 0),
            lambda: spectro_summary.alignment_pb("t", np.ones((2, 3)), 0),
            lambda: spectro_summary.alignment_pb("t", None, 0, durations=[1, 2]),
        ],
    )
    def test_pb_returns_a_blob_sequence_and_its_header_copy(self, make):
        proto = make()
        assert isinstance(proto, summary_pb2.Summary)
        value, copy = proto.value
        for each in (value, copy):
            assert each.tensor.dtype == 7  # DT_STRING
            assert [d.size for d in each.tensor.tensor_shape.dim] == [len(each.tensor.string_val)]
            assert each.metadata.plugin_data.plugin_name == "spectro"
        assert value.metadata.data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE
        assert copy.tag == value.tag + "/_spectro_headers" == metadata.headers_tag(value.tag)
        assert copy.metadata.data_class == summary_pb2.DATA_CLASS_TENSOR
        assert list(copy.tensor.string_val) == [value.tensor.string_val[0]]
        assert copy.metadata.plugin_data.content == value.metadata.plugin_data.content


class TestMelOptions:
    def test_frames_mels_layout(self, own_writer):
        target = speech_like_mel(frames=40)
        spectro_summary.mel_comparison("m", target.T, target.T, 0, layout="frames_mels", writer=own_writer.writer)
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        assert list(sample.target.shape) == [80, 40]
        assert_decodes_within_error(written, sample.target, target)

    def test_crop_to_shorter_by_default(self, own_writer):
        target = speech_like_mel(frames=100)
        predicted = speech_like_mel(frames=90, seed=5)
        spectro_summary.mel_comparison("m", target, predicted, 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        assert (sample.target_frames, sample.predicted_frames, sample.length_mismatch) == (100, 90, pb.CROPPED)
        assert list(sample.target.shape) == list(sample.predicted.shape) == [80, 90]
        assert_decodes_within_error(written, sample.target, target[:, :90])
        diff = target[:, :90].astype(np.float64) - predicted
        assert sample.stats.mae == pytest.approx(np.abs(diff).mean())

    def test_pad_on_request(self, own_writer):
        target = speech_like_mel(frames=100)
        predicted = speech_like_mel(frames=90, seed=5)
        spectro_summary.mel_comparison("m", target, predicted, 0, length_mismatch="pad", writer=own_writer.writer)
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        assert (sample.target_frames, sample.predicted_frames, sample.length_mismatch) == (100, 90, pb.PADDED)
        decoded = assert_decodes_within_error(
            written, sample.predicted, np.pad(predicted, ((0, 0), (0, 10)), constant_values=predicted.min())
        )
        assert decoded.shape == (80, 100)

    def test_predicted_lengths(self, own_writer):
        target = np.stack([speech_like_mel(frames=60, seed=s) for s in range(2)])
        predicted = np.stack([speech_like_mel(frames=70, seed=s + 9) for s in range(2)])
        spectro_summary.mel_comparison(
            "m", target, predicted, 0, lengths=[60, 50], predicted_lengths=[70, 45], writer=own_writer.writer
        )
        (written,) = own_writer.read()
        samples = written.header.mel.samples
        assert [(s.target_frames, s.predicted_frames) for s in samples] == [(60, 70), (50, 45)]
        assert [list(s.target.shape) for s in samples] == [[80, 60], [80, 45]]

    @pytest.mark.parametrize("precision", ["uint8", "uint16", "float16", "float32"])
    def test_precisions(self, own_writer, precision):
        target = speech_like_mel(frames=64)
        predicted = target - 0.25
        spectro_summary.mel_comparison("m", target, predicted, 0, precision=precision, writer=own_writer.writer)
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        assert sample.target.precision == codec.PRECISIONS[precision]
        decoded = assert_decodes_within_error(written, sample.target, target)
        if precision == "float32":
            np.testing.assert_array_equal(decoded, target)
        if precision in ("uint8", "uint16"):
            levels = 255 if precision == "uint8" else 65535
            assert sample.target.scale == pytest.approx((target.max() - predicted.min()) / levels)

    def test_equal_values_store_equal_codes(self, own_writer):
        target = speech_like_mel(frames=64)
        predicted = target.copy()
        predicted[:, 32:] += 1.0
        spectro_summary.mel_comparison("m", target, predicted, 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        diff = written.array(sample.target) - written.array(sample.predicted)
        assert np.all(diff[:, :32] == 0)


class TestFrameworkInputs:
    def test_python_lists(self, own_writer):
        spectro_summary.noise_pair("n", [[1, 2], [3, 4]], [[1, 2], [3, 5]], 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        np.testing.assert_allclose(written.array(written.header.noise.actual), [[1, 2], [3, 5]], atol=4 / 510)

    def test_torch_tensors_with_grad_half_and_bfloat16(self, own_writer):
        torch = pytest.importorskip("torch")
        target = torch.tensor(speech_like_mel(frames=32), requires_grad=True)
        predicted = (target * 0.5).half()
        embeddings = torch.randn(4, 8, dtype=torch.bfloat16)
        spectro_summary.mel_comparison("m", target, predicted, torch.tensor(3), writer=own_writer.writer)
        spectro_summary.similarity_matrix("s", embeddings, embeddings, 3, writer=own_writer.writer)
        spectro_summary.lowest_point("l", torch.tensor(0.5), 3, writer=own_writer.writer)
        lowest, mel, similarity = sorted(own_writer.read(), key=lambda w: w.tag)
        (sample,) = mel.header.mel.samples
        assert_decodes_within_error(mel, sample.predicted, (target * 0.5).half().float().detach().numpy())
        assert similarity.header.similarity.stats.diagonal_mean == pytest.approx(1.0, abs=1e-3)
        assert lowest.header.lowest_point.value == 0.5

    def test_jax_arrays(self, own_writer):
        jnp = pytest.importorskip("jax.numpy", reason="JAX is not installed (optional)")
        matrix = jnp.eye(3)
        spectro_summary.similarity_matrix("s", matrix, None, 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        assert written.header.similarity.stats.recall_at_1_rows == 1.0


class TestVideoNoise:
    def test_one_video_is_one_pair_with_its_stats_by_frame(self, own_writer):
        rng = np.random.default_rng(6)
        actual = rng.standard_normal((3, 4, 5, 7)).astype(np.float32)  # [C, T, H, W]
        predicted = 0.5 * actual
        predicted[1, 2] = np.nan  # channel 1's frame 2: nothing to compare
        with pytest.warns(RuntimeWarning, match=r"35 NaN"):
            spectro_summary.noise_pair("v", predicted, actual, 0, timestep=3, writer=own_writer.writer)
        (written,) = own_writer.read()
        step = written.header.noise
        assert (step.has_timestep, step.timestep, step.batch_size, len(step.samples)) == (True, 3, 0, 0)
        assert list(step.predicted.shape) == [3, 4, 5, 7] and len(written.blobs) == 4
        assert_decodes_within_error(written, step.predicted, predicted)
        squared = (0.5 * actual.astype(np.float64)) ** 2
        video = pb.VideoNoiseStats.FromString(written.blobs[step.video_stats_blob_index])
        by_plane = np.array(video.channel_frame_mse).reshape(3, 4)
        assert math.isnan(by_plane[1, 2])
        expected = squared.mean(axis=(2, 3))
        expected[1, 2] = np.nan
        np.testing.assert_allclose(by_plane, expected, rtol=1e-9)
        # A frame's and a channel's MSE pool every finite position of it.
        assert video.frame_mse[2] == pytest.approx(squared[[0, 2], 2].mean())
        assert video.frame_mse[0] == pytest.approx(squared[:, 0].mean())
        assert step.frame_mse[1] == pytest.approx(np.delete(squared[1], 2, axis=0).mean())
        assert step.stats.compared == actual.size - 35

    def test_one_timestep_for_every_video_and_max_outputs(self, own_writer):
        videos = np.ones((4, 1, 2, 3, 3), dtype=np.float32)
        spectro_summary.noise_pair("v", videos, videos * 0.5, 0, timestep=7, max_outputs=3, writer=own_writer.writer)
        (written,) = own_writer.read()
        step = written.header.noise
        assert step.batch_size == 4
        assert [(s.batch_index, s.timestep) for s in step.samples] == [(0, 7), (1, 7), (2, 7)]

    def test_whole_float_timesteps_of_a_batch_are_taken(self, own_writer):
        torch = pytest.importorskip("torch")
        videos = torch.ones(2, 1, 2, 3, 3)
        spectro_summary.noise_pair(
            "v", videos, videos * 0.5, 0, timestep=torch.tensor([999.0, 0.0]), writer=own_writer.writer
        )
        (written,) = own_writer.read()
        assert [s.timestep for s in written.header.noise.samples] == [999, 0]


def bf16_exact(values: np.ndarray) -> np.ndarray:
    """`values` as float32 cut to bfloat16's 8 significant bits: values that bfloat16 holds exactly."""
    return (values.astype(np.float32).view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)


# Values that every 8-bit float type below holds exactly, zero and negatives among them.
FLOAT8_EXACT = np.array([[0.0, 0.5, -1.0, 1.5], [2.0, -3.0, 0.25, 4.0]], dtype=np.float32)
ML_DTYPES_FLOAT8 = ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz"]
TORCH_FLOAT8 = ["float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz"]


class TestNarrowFloatTypes:
    """bfloat16 and float8 of numpy's ml_dtypes, torch and JAX are stored as the float32 values they hold."""

    def write_and_read(self, own_writer, predicted, actual):
        spectro_summary.noise_pair("n", predicted, actual, 0, precision="float32", writer=own_writer.writer)
        (written,) = own_writer.read()
        step = written.header.noise
        return written.array(step.predicted), written.array(step.actual), step.stats

    def test_ml_dtypes_bfloat16_round_trips(self, own_writer):
        ml_dtypes = pytest.importorskip("ml_dtypes")
        rng = np.random.default_rng(7)
        actual = bf16_exact(rng.standard_normal((3, 4, 6, 8)).astype(np.float32))  # a video [C, T, H, W]
        predicted = bf16_exact(actual * 0.75)
        given_p, given_a = predicted.astype(ml_dtypes.bfloat16), actual.astype(ml_dtypes.bfloat16)
        assert given_p.dtype.kind == "V"  # numpy's view of the type, which numpy itself cannot convert
        stored_p, stored_a, stats = self.write_and_read(own_writer, given_p, given_a)
        assert stored_p.dtype == np.float32
        np.testing.assert_array_equal(stored_p, predicted)
        np.testing.assert_array_equal(stored_a, actual)
        assert stats.mse == pytest.approx(((predicted.astype(np.float64) - actual) ** 2).mean(), rel=1e-12)

    @pytest.mark.parametrize("name", ML_DTYPES_FLOAT8)
    def test_ml_dtypes_float8_round_trips(self, own_writer, name):
        ml_dtypes = pytest.importorskip("ml_dtypes")
        dtype = getattr(ml_dtypes, name)
        given = FLOAT8_EXACT.astype(dtype), (FLOAT8_EXACT * 0.5).astype(dtype)
        stored_p, stored_a, _ = self.write_and_read(own_writer, *given)
        np.testing.assert_array_equal(stored_p, FLOAT8_EXACT)
        np.testing.assert_array_equal(stored_a, FLOAT8_EXACT * 0.5)

    def test_a_list_of_bfloat16_scalars_and_a_masked_bfloat16_array(self, own_writer):
        ml_dtypes = pytest.importorskip("ml_dtypes")
        rows = [[ml_dtypes.bfloat16(1.5), ml_dtypes.bfloat16(-2.0)], [ml_dtypes.bfloat16(0.25), ml_dtypes.bfloat16(8)]]
        masked = np.ma.masked_array(np.array(rows, dtype=ml_dtypes.bfloat16), mask=[[False, True], [False, False]])
        with pytest.warns(RuntimeWarning, match="1 NaN"):
            stored_p, stored_a, _ = self.write_and_read(own_writer, rows, masked)
        np.testing.assert_array_equal(stored_p, [[1.5, -2.0], [0.25, 8.0]])
        np.testing.assert_array_equal(stored_a, [[1.5, np.nan], [0.25, 8.0]])

    def test_torch_bfloat16_and_float8_round_trip(self, own_writer):
        torch = pytest.importorskip("torch")
        actual = bf16_exact(np.random.default_rng(8).standard_normal((2, 3, 4, 5)).astype(np.float32))
        spectro_summary.noise_pair(
            "bf16",
            torch.tensor(actual).bfloat16(),
            torch.tensor(actual, requires_grad=True).bfloat16() * 2,
            0,
            precision="float32",
            writer=own_writer.writer,
        )
        names = [name for name in TORCH_FLOAT8 if hasattr(torch, name)]
        for name in names:
            dtype = getattr(torch, name)
            spectro_summary.noise_pair(
                name,
                torch.tensor(FLOAT8_EXACT).to(dtype),
                torch.tensor(-FLOAT8_EXACT).to(dtype),
                0,
                precision="float32",
                writer=own_writer.writer,
            )
        written = by_tag(own_writer.read())
        (bf16,) = written["bf16"]
        np.testing.assert_array_equal(bf16.array(bf16.header.noise.predicted), actual)
        np.testing.assert_array_equal(bf16.array(bf16.header.noise.actual), actual * 2)
        for name in names:
            (step,) = written[name]
            np.testing.assert_array_equal(step.array(step.header.noise.predicted), FLOAT8_EXACT)
            np.testing.assert_array_equal(step.array(step.header.noise.actual), -FLOAT8_EXACT)

    def test_jax_bfloat16_and_float8_round_trip(self, own_writer):
        jnp = pytest.importorskip("jax.numpy", reason="JAX is not installed (optional)")
        actual = bf16_exact(np.random.default_rng(9).standard_normal((2, 4, 6)).astype(np.float32))
        bf16 = jnp.asarray(actual, dtype=jnp.bfloat16)
        writer = own_writer.writer
        spectro_summary.noise_pair("bf16", bf16, bf16 * 2, 0, precision="float32", writer=writer)
        e4m3, e5m2 = (jnp.asarray(FLOAT8_EXACT, dtype=dtype) for dtype in (jnp.float8_e4m3fn, jnp.float8_e5m2))
        spectro_summary.noise_pair("f8", e4m3, e5m2, 0, precision="float32", writer=writer)
        spectro_summary.lowest_point("loss", jnp.asarray(0.5, dtype=jnp.bfloat16), 0, writer=writer)
        written = by_tag(own_writer.read())
        (step,) = written["bf16"]
        np.testing.assert_array_equal(step.array(step.header.noise.predicted), actual)
        np.testing.assert_array_equal(step.array(step.header.noise.actual), actual * 2)
        (step,) = written["f8"]
        np.testing.assert_array_equal(step.array(step.header.noise.predicted), FLOAT8_EXACT)
        np.testing.assert_array_equal(step.array(step.header.noise.actual), FLOAT8_EXACT)
        assert written["loss/lowest_point"][0].header.lowest_point.value == 0.5

    def test_tensorflow_bfloat16_round_trips(self, own_writer):
        tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed (optional)")
        actual = bf16_exact(np.random.default_rng(10).standard_normal((4, 6)).astype(np.float32))
        tensor = tf.constant(actual, dtype=tf.bfloat16)
        stored_p, stored_a, _ = self.write_and_read(own_writer, tensor, tensor * 2)
        np.testing.assert_array_equal(stored_p, actual)
        np.testing.assert_array_equal(stored_a, actual * 2)


class TestMaskedAndWideValues:
    def test_masked_values_are_stored_as_nan_counted_and_warned(self, own_writer):
        target = speech_like_mel(frames=30).astype(np.float64)
        target[5, 6] = 1e39  # masked: neither stored nor refused
        mask = np.zeros(target.shape, dtype=bool)
        mask[5, 6] = mask[10, :4] = True
        masked = np.ma.masked_array(target, mask=mask)
        predicted = np.ma.masked_array(np.arange(80 * 30).reshape(80, 30), mask=np.eye(80, 30, dtype=bool))
        with pytest.warns(RuntimeWarning, match=r"'mel/masked' step 2: target and predicted hold 35 NaN, 0 \+Inf"):
            spectro_summary.mel_comparison("mel/masked", masked, predicted, 2, writer=own_writer.writer)
        assert target[5, 6] == 1e39 and not np.isnan(predicted.data).any()  # the caller's arrays are as they were
        (written,) = own_writer.read()
        (sample,) = written.header.mel.samples
        assert (sample.target.nonfinite.nan, sample.predicted.nonfinite.nan) == (5, 30)
        expected = np.where(mask, np.nan, target).astype(np.float32)
        assert_decodes_within_error(written, sample.target, expected)
        decoded = written.array(sample.predicted)
        np.testing.assert_array_equal(np.isnan(decoded), np.eye(80, 30, dtype=bool))

    def test_a_mask_of_nothing_changes_nothing(self, own_writer):
        mel = speech_like_mel(frames=20)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            spectro_summary.spectrogram("s", np.ma.masked_array(mel), 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        assert_decodes_within_error(written, written.header.spectrogram.samples[0].mel, mel)

    def test_inf_given_in_wide_values_stays_a_warning(self, own_writer):
        noise = np.ones((8, 8))  # float64
        noise[0, 0] = np.inf
        noise[1, 1] = 3e38  # within float32's range
        with pytest.warns(RuntimeWarning, match=r"noise hold 0 NaN, 2 \+Inf and 0 -Inf"):
            spectro_summary.noise_pair("n", noise, noise, 0, writer=own_writer.writer)
        (written,) = own_writer.read()
        assert written.header.noise.predicted.nonfinite.pos_inf == 1
        assert written.header.noise.predicted.range.max == pytest.approx(3e38, rel=1e-6)

    def test_a_torch_float64_tensor_beyond_float32_is_refused(self, own_writer):
        torch = pytest.importorskip("torch")
        wide = torch.ones(4, 4, dtype=torch.float64) * 1e39
        with pytest.raises(ValueError, match=r"a has finite values up to 1e\+39 in magnitude, beyond float32's"):
            spectro_summary.similarity_matrix("s", wide, None, 0, writer=own_writer.writer)
        assert own_writer.read() == []


class TestArraysLargerThanTheServerReads:
    """max_elements above its default stores arrays that the server refuses; the ops warn of it."""

    def test_the_server_reads_up_to_the_default(self):
        assert codec.MAX_READ_ELEMENTS == _inputs.DEFAULT_MAX_ELEMENTS

    def test_warned_once_per_tag(self, own_writer, monkeypatch):
        monkeypatch.setattr(_inputs, "DEFAULT_MAX_ELEMENTS", 150)  # stands for 1 << 24, which would take seconds
        large, small = np.ones((10, 20)), np.ones((10, 10))
        with pytest.warns(RuntimeWarning) as caught:
            spectro_summary.spectrogram("s", large, 0, writer=own_writer.writer, max_elements=1000)
            spectro_summary.spectrogram("s", large, 1, writer=own_writer.writer, max_elements=1000)
            spectro_summary.noise_pair("n", large, large, 0, writer=own_writer.writer, max_elements=1000)
        assert [str(w.message) for w in caught] == [
            f"Spectro tag {tag!r} step 0: an array of shape (10, 20) holds 200 values, more than the 150 "
            f"(max_elements' default) that TensorBoard's Spectro plugin reads; it is written, but the server "
            f"will refuse to show the step (warned once per tag)"
            for tag in ("s", "n")
        ]
        assert all(w.filename == __file__ for w in caught)  # the line that called the op
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # The stored arrays are within the default: the first sample of a batch, or arrays under it.
            spectro_summary.spectrogram("b", np.ones((4, 10, 10)), 0, writer=own_writer.writer, max_elements=1000)
            spectro_summary.noise_pair("m", small, small, 0, writer=own_writer.writer, max_elements=1000)
        assert len(own_writer.read()) == 5


class TestTracker:
    def test_smoothing_follows_tensorboard(self, own_writer):
        values = [4.0, 1.0, 3.0, 2.0, 0.5, 5.0]
        weight = 0.6
        tracker = spectro_summary.LowestPointTracker("loss", writer=own_writer.writer, smoothing=weight)
        # TensorBoard's Scalars tab: a debiased exponential moving average.
        last, expected = 0.0, []
        for count, value in enumerate(values, start=1):
            last = last * weight + (1 - weight) * value
            expected.append(last / (1 - weight**count))
        fired = [tracker.update(step, value) for step, value in enumerate(values)]
        lows = [i for i in range(len(values)) if expected[i] < min(expected[:i], default=math.inf)]
        assert fired == [i in lows for i in range(len(values))]
        written = own_writer.read()
        assert [w.header.lowest_point.smoothed_value for w in written] == pytest.approx([expected[i] for i in lows])
        assert [w.header.lowest_point.value for w in written] == [values[i] for i in lows]
        assert all(w.header.lowest_point.smoothing == weight for w in written)

    def test_min_delta(self, own_writer):
        tracker = spectro_summary.LowestPointTracker("loss", writer=own_writer.writer, min_delta=0.1)
        assert [tracker.update(s, v) for s, v in enumerate([1.0, 0.95, 0.85, 0.8])] == [True, False, True, False]


def test_every_writer_writes_the_header_copies(writer_case):
    from tensorboard.backend.event_processing import event_file_loader

    spectro_summary.mel_comparison("m", np.ones((4, 6)), np.zeros((4, 6)), 3, writer=writer_case.writer)
    spectro_summary.lowest_point("loss", 0.5, 3, writer=writer_case.writer)
    written = {w.tag: w for w in writer_case.read()}
    copies = {}
    for path in sorted(glob.glob(os.path.join(writer_case.logdir, "**", "*tfevents*"), recursive=True)):
        for event in event_file_loader.EventFileLoader(path).Load():
            for value in event.summary.value:
                if value.metadata.data_class == summary_pb2.DATA_CLASS_TENSOR:
                    copies[value.tag] = (event.step, value)
    assert sorted(copies) == ["loss/lowest_point/_spectro_headers", "m/_spectro_headers"]
    for tag, item in written.items():
        step, value = copies[metadata.headers_tag(tag)]
        assert step == item.step == 3
        assert value.metadata.plugin_data.plugin_name == "spectro"
        assert list(value.tensor.string_val) == [item.blobs[0]]


def test_header_series_suffix_is_reserved():
    with pytest.raises(ValueError, match="_spectro_headers"):
        spectro_summary.noise_pair_pb("n/_spectro_headers", np.ones((2, 2)), np.ones((2, 2)), 0)
    spectro_summary.noise_pair_pb("n/_spectro_headers/x", np.ones((2, 2)), np.ones((2, 2)), 0)


def test_read_logdir_sees_all_kinds(own_writer):
    """A smoke test of the reader the other tests lean on."""
    spectro_summary.mel_comparison("a", np.ones((2, 2)), np.ones((2, 2)), 0, writer=own_writer.writer)
    spectro_summary.noise_pair("b", np.ones((2, 2)), np.ones((2, 2)), 0, writer=own_writer.writer)
    own_writer.writer.add_scalar("loss", 1.0, 0)
    tags = by_tag(read_logdir(own_writer.read() and own_writer.logdir))
    assert sorted(tags) == ["a", "b"]


def test_tf_tensors(own_writer):
    tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed (optional; see make test-tf)")
    target = tf.constant(speech_like_mel(frames=16))
    spectro_summary.mel_comparison("m", target, target * 0.5, tf.constant(4, dtype=tf.int64), writer=own_writer.writer)
    spectro_summary.lowest_point("l", tf.constant(0.25), 4, writer=own_writer.writer)
    lowest, mel = sorted(own_writer.read(), key=lambda w: w.tag)
    assert mel.step == 4
    (sample,) = mel.header.mel.samples
    assert_decodes_within_error(mel, sample.predicted, target.numpy() * 0.5)
    assert lowest.header.lowest_point.value == 0.25
