"""The demo logdir holds every kind, and what a TTS run would show."""

import os

import numpy as np
import pytest

from tb_plugin_spectro import codec, demo
from tb_plugin_spectro import plugin_data_pb2 as pb

from conftest import by_tag, read_logdir

_MEL_HZ_PER_BIN = 800.0 / 21.48  # Slaney bins below 1 kHz, 80 bins up to 8 kHz: about 37 Hz apart


@pytest.fixture(scope="module")
def demo_logdir(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("demo"))
    demo.write_demo(logdir, steps=40, every=4)
    return logdir


@pytest.fixture(scope="module")
def tags(demo_logdir):
    return by_tag(read_logdir(demo_logdir))


def _reference(tags, index):
    """(target, predicted) of the reference utterance at the index-th logged step."""
    written = tags["mel/reference"][index]
    sample = written.header.mel.samples[0]
    return written.array(sample.target), written.array(sample.predicted)


def _harmonic_peaks(column: np.ndarray) -> np.ndarray:
    """Low mel bins that stand out by 1 (log units) or more over their +-3 neighbours."""
    return np.array([
        b for b in range(3, 31)
        if column[b] > column[b - 1] and column[b] >= column[b + 1] and column[b] - column[b - 3 : b + 4].min() >= 1.0
    ])


def _voiced_frames(mel: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mel[:21].mean(axis=0) > -3.0)


def test_demo_writes_every_kind(demo_logdir, tags):
    assert sorted(tags) == [
        "align/text_audio", "diffusion/noise", "loss/g/total/lowest_point", "mel/reference", "mel/train"
    ]
    kinds = {tag: items[0].plugin_data.kind for tag, items in tags.items()}
    assert kinds["mel/train"] == pb.MEL_COMPARISON and kinds["diffusion/noise"] == pb.NOISE_PAIR
    assert [w.step for w in tags["mel/reference"]] == list(range(0, 41, 4))
    reference = tags["mel/reference"][0]
    assert (reference.plugin_data.mel.sample_rate, reference.plugin_data.mel.hop_length) == (22050, 256)
    # Lowest points name checkpoints; the ones on a multiple of 50 exist.
    markers = tags["loss/g/total/lowest_point"]
    assert markers and all(m.header.lowest_point.checkpoint_path.endswith(f"G_{m.step}.pth") for m in markers)
    assert os.path.exists(os.path.join(demo_logdir, "tts", "G_0.pth"))
    # The similarity diagonal emerges.
    gaps = [w.header.similarity.stats.gap for w in tags["align/text_audio"]]
    assert gaps[-1] > gaps[0] + 0.3
    assert np.isfinite(gaps).all()


def test_reference_target_is_the_same_every_step(tags):
    first = tags["mel/reference"][0].header.mel.samples[0]
    target, _ = _reference(tags, 0)
    for index, written in enumerate(tags["mel/reference"]):
        sample = written.header.mel.samples[0]
        assert (sample.sample_id, sample.text) == demo.REFERENCE
        assert (sample.target.range.min, sample.target.range.max, sample.target.range.mean) == (
            first.target.range.min, first.target.range.max, first.target.range.mean
        )
        # Quantization is over each step's shared range, so codes may move by one step.
        tolerance = codec.quantization_error(sample.target) + codec.quantization_error(first.target) + 1e-6
        np.testing.assert_allclose(_reference(tags, index)[0], target, rtol=0, atol=tolerance)


def test_reference_prediction_converges(tags):
    mae = [w.header.mel.stats.mae for w in tags["mel/reference"]]
    assert mae[-1] < mae[0] / 5
    assert 0.05 < mae[-1] < 0.3  # a little residual error stays
    assert all(later < earlier + 0.05 for earlier, later in zip(mae, mae[1:]))


def test_target_is_a_log_mel_with_a_floor_and_a_hifigan_range(tags):
    target, _ = _reference(tags, 0)
    assert target.shape[0] == 80
    error = codec.quantization_error(tags["mel/reference"][0].header.mel.samples[0].target)
    assert abs(target.min() - np.log(1e-5)) <= error + 1e-6
    assert 1.0 < target.max() < 2.5


def test_target_pauses_sit_at_the_floor(tags):
    target, _ = _reference(tags, 0)
    quiet = target.mean(axis=0) < demo.SILENCE + 1.5
    assert quiet[:5].all() and quiet[-5:].all()  # leading and trailing silence
    # The comma pause: a run of quiet frames inside the utterance.
    runs = np.split(np.flatnonzero(quiet), np.flatnonzero(np.diff(np.flatnonzero(quiet)) > 1) + 1)
    interior = [run for run in runs if run[0] > 0 and run[-1] < target.shape[1] - 1]
    assert max(len(run) for run in interior) >= 5


def test_voiced_frames_show_harmonics_at_a_speaking_pitch(tags):
    target, _ = _reference(tags, 0)
    voiced = _voiced_frames(target)
    assert len(voiced) > target.shape[1] / 4
    peaks = [_harmonic_peaks(target[:, frame]) for frame in voiced]
    assert np.median([len(p) for p in peaks]) >= 3
    spacing = np.median([np.median(np.diff(p)) for p in peaks if len(p) > 1])
    assert 100 < spacing * _MEL_HZ_PER_BIN < 280  # f0 in Hz


def test_early_predictions_wash_the_harmonics_out(tags):
    target, first_prediction = _reference(tags, 0)
    _, last_prediction = _reference(tags, -1)
    voiced = _voiced_frames(target)
    assert np.median([len(_harmonic_peaks(first_prediction[:, frame])) for frame in voiced]) <= 1
    assert np.median([len(_harmonic_peaks(last_prediction[:, frame])) for frame in voiced]) >= 3
    # Over-smoothed and compressed: the early prediction varies far less than the target.
    assert first_prediction.std() < 0.5 * target.std()


def test_fricatives_put_their_energy_high_up(tags):
    target, _ = _reference(tags, 0)
    high, low = target[62:].mean(axis=0), target[:21].mean(axis=0)  # above 4 kHz, below 750 Hz
    assert (high > low + 3).sum() >= 5


def test_train_batches_are_length_sorted_and_padded(tags):
    ids = dict(demo.TRAINING_SET)
    batches = tags["mel/train"]
    for written in batches:
        batch = written.header.mel
        assert batch.batch_size == demo.BATCH_SIZE and len(batch.samples) == demo.BATCH_SIZE
        lengths = [sample.target_frames for sample in batch.samples]
        assert lengths == sorted(set(lengths), reverse=True)  # different lengths, longest first
        for sample in batch.samples:
            assert sample.text == ids[sample.sample_id]
            assert sample.predicted_frames == sample.target_frames
            assert tuple(sample.target.shape) == (80, sample.target_frames)
    assert len({tuple(s.sample_id for s in w.header.mel.samples) for w in batches}) > 1  # batches vary
    maes = [w.header.mel.stats.mae for w in batches]
    assert maes[-1] < maes[0] / 5


def test_demo_is_deterministic(tmp_path):
    written = []
    for name in ("a", "b"):
        demo.write_demo(str(tmp_path / name), steps=8, every=4, seed=3)
        mels = [w for w in read_logdir(str(tmp_path / name / "tts")) if w.tag.startswith("mel/")]
        written.append([(w.tag, w.step, w.blobs) for w in mels])
    assert written[0] == written[1]


def test_mel_filterbank_is_slaney_normalized():
    basis = demo.mel_filterbank()
    assert basis.shape == (80, 513)
    fft_hz = np.linspace(0, 11025, 513)
    areas = basis.sum(axis=1) * (fft_hz[1] - fft_hz[0])
    # Each has unit area in Hz; the narrow ones below 1 kHz are coarsely sampled by the FFT bins.
    np.testing.assert_allclose(areas, 1.0, rtol=0.07)
    assert abs(areas.mean() - 1.0) < 0.01
    assert fft_hz[np.flatnonzero(basis[-1])[-1]] < 8000 <= fft_hz[np.flatnonzero(basis[-1])[-1] + 1]
    peaks = fft_hz[basis.argmax(axis=1)]
    assert (np.diff(peaks) >= 0).all() and peaks[0] < 60
