"""The demo logdir holds every kind, and what TTS, diffusion and contrastive runs would show."""

import os

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator

from support.logdir import by_tag, read_logdir
from tb_plugin_spectro import checkpoints, codec, demo, lowest
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.demo import alignment, speech, tts

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
    return np.array(
        [
            b
            for b in range(3, 31)
            if column[b] > column[b - 1]
            and column[b] >= column[b + 1]
            and column[b] - column[b - 3 : b + 4].min() >= 1.0
        ]
    )


def _voiced_frames(mel: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mel[:21].mean(axis=0) > -3.0)


def test_demo_writes_every_kind(demo_logdir, tags):
    assert sorted(tags) == [
        "align/text_audio",
        "alignment/reference",
        "diffusion/latent_noise",
        "diffusion/noise",
        "diffusion/video_noise",
        "loss/g/total/lowest_point",
        "mel/full_target",
        "mel/reference",
        "mel/train",
    ]
    kinds = {tag: items[0].plugin_data.kind for tag, items in tags.items()}
    assert kinds == {
        "align/text_audio": pb.SIMILARITY_MATRIX,
        "alignment/reference": pb.ALIGNMENT,
        "diffusion/latent_noise": pb.NOISE_PAIR,
        "diffusion/noise": pb.NOISE_PAIR,
        "diffusion/video_noise": pb.NOISE_PAIR,
        "loss/g/total/lowest_point": pb.LOWEST_POINT,
        "mel/full_target": pb.SPECTROGRAM,
        "mel/reference": pb.MEL_COMPARISON,
        "mel/train": pb.MEL_COMPARISON,
    }
    assert [w.step for w in tags["mel/reference"]] == list(range(0, 41, 4))
    assert [w.step for w in tags["alignment/reference"]] == list(range(0, 41, 4))
    assert [w.step for w in tags["mel/full_target"]] == [0]
    assert [w.step for w in tags["diffusion/noise"]] == list(range(0, 41, 8))
    assert [w.step for w in tags["diffusion/video_noise"]] == list(range(0, 41, 8))
    assert [w.step for w in tags["align/text_audio"]] == list(range(0, 41, 20))
    reference = tags["mel/reference"][0]
    assert (reference.plugin_data.mel.sample_rate, reference.plugin_data.mel.hop_length) == (22050, 256)
    # Only step 0 saves a checkpoint in 40 steps: the first marker names it, the later ones nothing.
    markers = tags["loss/g/total/lowest_point"]
    assert markers[0].step == 0
    assert markers[0].header.lowest_point.checkpoint_path == os.path.join(demo_logdir, "tts", "G_0.pth")
    assert len(markers) > 1 and not any(m.header.lowest_point.checkpoint_path for m in markers[1:])
    assert sorted(os.listdir(os.path.join(demo_logdir, "tts")))[:2] == ["D_0.pth", "G_0.pth"]


def test_reference_target_is_the_same_every_step(tags):
    first = tags["mel/reference"][0].header.mel.samples[0]
    target, _ = _reference(tags, 0)
    for index, written in enumerate(tags["mel/reference"]):
        sample = written.header.mel.samples[0]
        assert (sample.sample_id, sample.text) == demo.REFERENCE
        assert (sample.target.range.min, sample.target.range.max, sample.target.range.mean) == (
            first.target.range.min,
            first.target.range.max,
            first.target.range.mean,
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


def _payloads(logdir):
    """Every Spectro value of the logdir but its wall time, and the run directories' files."""
    values = []
    for w in read_logdir(logdir):
        point = w.header.lowest_point
        if w.plugin_data.kind == pb.LOWEST_POINT and point.checkpoint_path:
            # A marker's checkpoint path names the logdir; the rest of it must match.
            point.checkpoint_path = os.path.relpath(point.checkpoint_path, logdir)
        values.append((w.tag, w.step, [w.header.SerializeToString()] + w.blobs[1:]))
    values.sort()
    files = {
        run: sorted(name for name in os.listdir(os.path.join(logdir, run)) if ".pth" in name)
        for run in os.listdir(logdir)
    }
    return values, files


def _alignment_stats(tags):
    return [(w.step, w.header.alignment.samples[0].stats) for w in tags["alignment/reference"]]


def _failed(stats) -> bool:
    return stats.monotonicity < 1.0 or stats.coverage < 1.0


def test_full_target_is_the_reference_target_once(tags):
    (written,) = tags["mel/full_target"]
    (sample,) = written.header.spectrogram.samples
    assert (sample.sample_id, sample.text) == demo.REFERENCE
    target, _ = _reference(tags, 0)
    tolerance = codec.quantization_error(sample.mel) + codec.quantization_error(
        tags["mel/reference"][0].header.mel.samples[0].target
    )
    np.testing.assert_allclose(written.array(sample.mel), target, rtol=0, atol=tolerance + 1e-6)


def test_alignment_is_over_the_reference_phones_and_frames(tags):
    target, _ = _reference(tags, 0)
    for written in tags["alignment/reference"]:
        (sample,) = written.header.alignment.samples
        weights = written.array(sample.weights)
        assert weights.shape[1] == target.shape[1]
        np.testing.assert_allclose(weights.sum(axis=0), 1.0, atol=weights.shape[0] * 0.5 / 255 + 1e-3)
        labels = pb.Labels.FromString(written.blobs[sample.tokens_blob_index]).rows
        assert len(labels) == weights.shape[0]
        assert labels[0] == "_" and labels[-1] == "," and "DH" in labels  # "... that, ... fine typography,"
        assert (sample.sample_id, sample.text) == demo.REFERENCE and not sample.from_durations


def test_alignment_goes_from_diffuse_to_a_sharp_monotonic_path(tags):
    stats = _alignment_stats(tags)
    tokens = tags["alignment/reference"][0].array(tags["alignment/reference"][0].header.alignment.samples[0].weights)
    first, last = stats[0][1], stats[-1][1]
    assert first.focus_rate < 5.0 / tokens.shape[0]  # broad: a few times uniform's 1/N
    assert last.focus_rate > 0.75  # near one-hot
    assert first.monotonicity < 0.9 and first.diagonal_distance < 0.2  # blotchy, around the diagonal
    healthy = [s for step, s in stats if step >= 16 and not _failed(s)]
    assert len(healthy) >= 3
    assert all(s.monotonicity == 1.0 and s.coverage == 1.0 for s in healthy)
    focus = [s.focus_rate for _, s in stats]
    assert focus[-1] > max(focus) - 0.02 and np.mean(focus[-3:]) > 5 * np.mean(focus[:2])


def test_a_few_late_alignments_skip_or_repeat_phones(tags):
    stats = _alignment_stats(tags)
    failed = [(step, s) for step, s in stats if step >= 16 and _failed(s)]
    assert len(failed) == 3
    healthy_focus = min(s.focus_rate for step, s in stats if step >= 16 and not _failed(s))
    for _, s in failed:
        # A repeat goes back; a skip only jumps forward, leaving phones no frame attends most.
        assert s.monotonicity < 1.0 or (s.monotonicity == 1.0 and s.coverage < 0.97)
        assert s.focus_rate > 0.5 * healthy_focus  # still sharp: a failure of the path, not of the focus
    assert {s.monotonicity < 1.0 for _, s in failed} == {True, False}  # both kinds happen


def test_reference_comparison_carries_the_alignment_of_its_step(tags):
    for written, alone in zip(tags["mel/reference"], tags["alignment/reference"]):
        attached = written.header.mel.samples[0].alignment
        assert attached.stats == alone.header.alignment.samples[0].stats
        np.testing.assert_array_equal(
            written.array(attached.weights), alone.array(alone.header.alignment.samples[0].weights)
        )
        labels = pb.Labels.FromString(written.blobs[attached.tokens_blob_index]).rows
        assert labels == pb.Labels.FromString(alone.blobs[alone.header.alignment.samples[0].tokens_blob_index]).rows


def test_phones_time_the_utterance_as_its_mel():
    text = demo.REFERENCE[1]
    phones = alignment.phones(text, np.random.default_rng(7))
    assert int(phones.durations.sum()) == demo.speech_mel(text, np.random.default_rng(7)).shape[1]
    assert len(phones.tokens) == len(phones.durations) and phones.durations.min() >= 1
    assert phones.tokens.count(",") == 2  # one per phrase


def test_demo_is_deterministic(tmp_path):
    written = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        demo.write_demo(str(tmp_path / name), steps=8, every=4, seed=seed)
        written.append(_payloads(str(tmp_path / name)))
    assert written[0] == written[1]
    assert sorted(written[0][1]) == ["contrastive", "diffusion", "tts"]
    assert written[0][0] != written[2][0]


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


# ---------------------------------------------------------------------------
# The reference's audio: synthesized from the model of its mel, and vocoded from the predictions

_AUDIBLE = demo.SILENCE + 2.0  # a frame whose loudest mel bin is above this is not a pause


@pytest.fixture(scope="module")
def reference():
    return speech.utterance(*demo.REFERENCE, np.random.default_rng(tts.REFERENCE_SEED), audio=True)


def _audible_frames(target):
    return target.max(axis=0) > _AUDIBLE


def _mean_difference(mel, target):
    """Mean absolute difference of two log-mels over the target's frames above silence."""
    return float(np.abs(mel - target)[:, _audible_frames(target)].mean())


def _frame_energy(mel):
    return np.log(np.exp(mel).sum(axis=0))


def _hifigan_log_mel(waveform):
    """HiFi-GAN's `mel_spectrogram` (meldataset.py) in torch, with the demo's filterbank."""
    torch = pytest.importorskip("torch")
    pad = (demo.N_FFT - demo.HOP_LENGTH) // 2
    y = torch.nn.functional.pad(torch.from_numpy(waveform)[None, None], (pad, pad), mode="reflect")[0]
    spec = torch.stft(
        y,
        demo.N_FFT,
        hop_length=demo.HOP_LENGTH,
        win_length=demo.N_FFT,
        window=torch.hann_window(demo.N_FFT),
        center=False,
        return_complex=True,
    ).abs()
    mel = torch.from_numpy(demo.mel_filterbank().astype(np.float32)) @ spec[0]
    return torch.log(torch.clamp(mel, min=1e-5)).numpy()


def test_log_mel_is_hifigans(reference):
    mel = speech.log_mel(reference.audio)
    assert mel.shape == (demo.N_MELS, len(reference.audio) // demo.HOP_LENGTH) and mel.dtype == np.float32
    np.testing.assert_allclose(mel, _hifigan_log_mel(reference.audio), rtol=0, atol=2e-3)


def test_reference_audio_is_a_waveform_of_the_mels_frames(reference):
    audio = reference.audio
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - reference.target.shape[1] * demo.HOP_LENGTH) < demo.HOP_LENGTH
    assert 0.3 <= np.abs(audio).max() <= 1.0
    # Silence at both ends, as in the mel.
    assert np.abs(audio[: 5 * demo.HOP_LENGTH]).max() < 0.01 and np.abs(audio[-5 * demo.HOP_LENGTH :]).max() < 0.01


def test_reference_audio_sounds_as_its_target_mel_looks(reference):
    target = reference.target
    mel = speech.log_mel(reference.audio)
    audible = _audible_frames(target)
    assert audible.sum() > target.shape[1] / 2
    # Two waveforms of one model differ by about 0.3 (their noise differs): the match is at that floor.
    assert _mean_difference(mel, target) < 0.4
    assert abs(float((mel - target)[:, audible].mean())) < 0.1  # at the target's level
    assert np.corrcoef(_frame_energy(mel), _frame_energy(target))[0, 1] > 0.99
    # The pauses are quiet in the sound too; its voiced frames have the mel's harmonics.
    assert (mel[:, ~audible].max(axis=0) < _AUDIBLE + 1.0).all()
    voiced = _voiced_frames(target)
    assert np.median([len(_harmonic_peaks(mel[:, frame])) for frame in voiced]) >= 3


def test_reference_target_is_the_same_with_or_without_audio(reference):
    without = speech.utterance(*demo.REFERENCE, np.random.default_rng(tts.REFERENCE_SEED))
    assert without.audio is None
    np.testing.assert_array_equal(without.target, reference.target)
    np.testing.assert_array_equal(without.errors, reference.errors)
    again = speech.utterance(*demo.REFERENCE, np.random.default_rng(tts.REFERENCE_SEED), audio=True)
    np.testing.assert_array_equal(again.audio, reference.audio)


def test_vocoded_predictions_approach_the_target_audio(reference):
    spectrum = speech.stft(reference.audio)
    phase = spectrum / np.abs(spectrum)
    target_mel = speech.log_mel(reference.audio)
    rng = np.random.default_rng(0)
    differences, peaks = [], []
    for progress in (0.0, 0.3, 0.6, 0.9, 1.0):
        audio = speech.griffin_lim(speech.predicted_mel(reference, progress, rng), 0, phase=phase)
        assert audio.dtype == np.float32 and len(audio) == len(reference.audio)
        differences.append(_mean_difference(speech.log_mel(audio), target_mel))
        peaks.append(np.abs(audio).max())
    assert all(later < earlier for earlier, later in zip(differences, differences[1:]))
    assert differences[0] > 1.5 and differences[-1] < 0.4
    assert peaks[0] < 0.1 * peaks[-1] and peaks[-1] <= 1.0  # an untrained model's mel is too quiet, and so its sound


def test_reference_steps_carry_the_predicted_audio_and_the_first_the_target_s(tags, reference):
    frames = reference.target.shape[1]
    steps = tags["mel/reference"]
    # A vocoder's ground truth is logged once, at the first step; the pane offers it at the later ones.
    assert [w.header.mel.samples[0].HasField("target_audio") for w in steps] == [True] + [False] * (len(steps) - 1)
    first = steps[0].header.mel.samples[0]
    target = steps[0].array(first.target_audio.samples)
    np.testing.assert_allclose(target, reference.audio, rtol=0, atol=0.5 / 32768 + 1e-6)
    differences = []
    for written in steps:
        sample = written.header.mel.samples[0]
        assert sample.HasField("predicted_audio")
        for clip in (first.target_audio, sample.predicted_audio):
            assert clip.sample_rate == demo.SAMPLE_RATE
            assert clip.expected_samples == frames * demo.HOP_LENGTH and not clip.length_mismatch
            assert clip.clipped == 0 and clip.nan == 0
        predicted = written.array(sample.predicted_audio.samples)
        assert predicted.shape == target.shape
        differences.append(_mean_difference(speech.log_mel(predicted), speech.log_mel(target)))
    assert differences[0] > 1.5 and differences[-1] < 0.4
    assert all(later < earlier + 0.05 for earlier, later in zip(differences, differences[1:]))


def test_griffin_lim_from_a_random_phase_converges_on_the_mel(reference):
    start = [
        _mean_difference(
            speech.log_mel(speech.griffin_lim(reference.target, n, rng=np.random.default_rng(0))), reference.target
        )
        for n in (0, 8)
    ]
    assert start[1] < 0.2 < 0.5 < start[0]
    with pytest.raises(ValueError, match="phase= or rng="):
        speech.griffin_lim(reference.target, 1)


# ---------------------------------------------------------------------------
# The diffusion run

_DIFFUSION_STEPS = 200


@pytest.fixture(scope="module")
def diffusion(tmp_path_factory):
    """The diffusion run with a pair every other step: enough pairs to see the timesteps' spread."""
    logdir = str(tmp_path_factory.mktemp("diffusion"))
    demo.write_diffusion(logdir, steps=_DIFFUSION_STEPS, every=2, rng=np.random.default_rng(0))
    return by_tag(read_logdir(logdir))


def _noise_series(written):
    """(steps, timesteps, MSE) of a noise-pair series, one entry per pair."""
    steps = np.array([w.step for w in written])
    timesteps = np.array([w.header.noise.timestep for w in written])
    mse = np.array([w.header.noise.stats.mse for w in written])
    return steps, timesteps, mse


def _ranks(values):
    return np.argsort(np.argsort(values))


@pytest.mark.parametrize("tag", ["diffusion/noise", "diffusion/latent_noise"])
def test_noise_pairs_cover_the_timesteps_with_standard_normal_noise(diffusion, tag):
    written = diffusion[tag]
    assert len(written) == _DIFFUSION_STEPS // 2 + 1
    assert all(w.plugin_data.noise.total_timesteps == 1000 and w.header.noise.has_timestep for w in written)
    _, timesteps, _ = _noise_series(written)
    counts, _ = np.histogram(timesteps, bins=[0, 250, 500, 750, 1000])
    assert counts.min() >= 0.1 * len(written)
    actual = np.concatenate([w.array(w.header.noise.actual).ravel() for w in written])
    assert abs(actual.mean()) < 0.02 and 0.97 < actual.std() < 1.03


@pytest.mark.parametrize("tag", ["diffusion/noise", "diffusion/latent_noise"])
def test_noise_error_falls_with_training_at_comparable_timesteps(diffusion, tag):
    steps, timesteps, mse = _noise_series(diffusion[tag])
    assert mse[0] > 0.9  # an untrained network's output is about zero: the MSE is the noise's variance
    # Pairs of pairs within 25 timesteps of each other, at least a quarter of the run apart.
    comparable = (np.abs(timesteps[:, None] - timesteps[None, :]) < 25) & (steps[:, None] + 50 < steps[None, :])
    assert comparable.sum() > 50
    later_is_lower = mse[None, :] < mse[:, None]
    assert later_is_lower[comparable].mean() > 0.8
    assert later_is_lower[comparable & (timesteps[:, None] >= 100)].mean() > 0.85


@pytest.mark.parametrize("tag", ["diffusion/noise", "diffusion/latent_noise"])
def test_noise_error_is_largest_at_small_timesteps(diffusion, tag):
    steps, timesteps, mse = _noise_series(diffusion[tag])
    trained = steps >= _DIFFUSION_STEPS // 2
    # Epsilon is hard to predict where x_t is almost clean, easy where it is almost the noise.
    assert np.corrcoef(_ranks(timesteps[trained]), _ranks(mse[trained]))[0, 1] < -0.85
    assert np.median(mse[trained & (timesteps < 100)]) > 10 * np.median(mse[trained & (timesteps >= 300)])
    # So a loss against the step alone swings by orders of magnitude with t.
    assert mse[trained].max() > 30 * mse[trained].min()


def test_noise_error_follows_the_mel_not_white_noise(diffusion):
    spreads = []
    for written in diffusion["diffusion/noise"]:
        if written.step >= _DIFFUSION_STEPS // 2 and written.header.noise.timestep < 300:
            predicted = written.array(written.header.noise.predicted)
            actual = written.array(written.header.noise.actual)
            frame_error = ((predicted - actual) ** 2).mean(axis=0)
            spreads.append(frame_error.std() / frame_error.mean())
    # White error over 80 bins would spread the frames' MSE by about sqrt(2 / 80) = 0.16.
    assert len(spreads) >= 5 and np.median(spreads) > 0.35


def test_latent_noise_is_a_stack_of_four_channels_that_differ(diffusion):
    written = diffusion["diffusion/latent_noise"]
    assert all(list(w.header.noise.predicted.shape) == [4, 20, 32] for w in written)
    assert all(len(w.header.noise.frame_mse) == 4 for w in written)
    per_channel = np.mean(
        [
            list(w.header.noise.frame_mse)
            for w in written
            if w.step >= _DIFFUSION_STEPS // 2 and w.header.noise.timestep < 300
        ],
        axis=0,
    )
    assert per_channel[3] > 1.5 * per_channel[0]  # the texture is harder to denoise than the level


# ---------------------------------------------------------------------------
# The contrastive run


@pytest.fixture(scope="module")
def similarity(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("contrastive"))
    demo.write_contrastive(logdir, steps=100, every=5, rng=np.random.default_rng(0))
    return by_tag(read_logdir(logdir))["align/text_audio"]


def _matrix(written):
    return written.array(written.header.similarity.matrix)


def test_similarity_rows_are_captions_and_columns_clip_files(similarity):
    written = similarity[0]
    step = written.header.similarity
    labels = pb.Labels.FromString(written.blobs[step.labels_blob_index])
    assert list(labels.rows) == [clip.caption for clip in demo.CLIPS]
    assert list(labels.columns) == [clip.clip_id for clip in demo.CLIPS]
    assert len(demo.CLIPS) == 32 and all(column.endswith(".wav") for column in labels.columns)
    assert max(len(caption) for caption in labels.rows) > 100  # some captions are long
    assert step.source == pb.COSINE_OF_EMBEDDINGS and step.embedding_dim == 512
    assert (written.plugin_data.similarity.rows_name, written.plugin_data.similarity.columns_name) == ("text", "audio")


def test_similarity_diagonal_emerges(similarity):
    first, last = (w.header.similarity.stats for w in (similarity[0], similarity[-1]))
    # At first nothing matches: near-uniform similarities, recall at chance.
    assert abs(first.gap) < 0.03 and first.recall_at_1_rows < 0.15
    assert _matrix(similarity[0]).std() < 0.06
    # Later a clear diagonal, in CLAP's range.
    assert last.gap > 0.25 and last.recall_at_1_rows >= 0.9 and last.recall_at_1_columns >= 0.9
    assert 0.3 < last.diagonal_mean < 0.6 and 0.0 < last.off_diagonal_mean < 0.2
    gaps = [w.header.similarity.stats.gap for w in similarity]
    assert all(later > earlier - 0.02 for earlier, later in zip(gaps, gaps[1:]))


def test_captions_sharing_speaker_and_style_stay_confused_longest(similarity):
    speakers = np.array([clip.speaker for clip in demo.CLIPS])
    groups = np.array([f"{clip.speaker} {clip.style}" for clip in demo.CLIPS])
    own = np.eye(len(demo.CLIPS), dtype=bool)
    hard = (groups[:, None] == groups[None, :]) & ~own
    easy = speakers[:, None] != speakers[None, :]

    def beaten(matrix, negatives):
        """Fraction of rows whose own clip scores above all of `negatives`."""
        diagonal = np.diagonal(matrix)
        return np.mean([(matrix[row, negatives[row]] < diagonal[row]).all() for row in range(len(matrix))])

    easy_beaten = np.array([beaten(_matrix(w), easy) for w in similarity])
    hard_beaten = np.array([beaten(_matrix(w), hard) for w in similarity])
    assert np.argmax(easy_beaten >= 0.9) < np.argmax(hard_beaten >= 0.9)
    assert hard_beaten[-1] >= 0.9
    # Early on, ordering a row by similarity puts its hard negatives first.
    matrix = _matrix(similarity[len(similarity) // 4]).copy()
    np.fill_diagonal(matrix, -np.inf)
    assert np.mean(groups[matrix.argmax(axis=1)] == groups) > 0.8
    late = _matrix(similarity[-1])
    assert late[hard].mean() > late[~hard & ~own].mean() + 0.1


# ---------------------------------------------------------------------------
# The TTS run's losses and checkpoints

_TTS_STEPS = 400


@pytest.fixture(scope="module")
def vits_run(tmp_path_factory):
    """The TTS run at the default length, its mels logged only at the ends to stay fast: (run, scalars, markers)."""
    logdir = str(tmp_path_factory.mktemp("tts"))
    demo.write_tts(logdir, steps=_TTS_STEPS, every=_TTS_STEPS, rng=np.random.default_rng(0))
    run = os.path.join(logdir, "tts")
    accumulator = event_accumulator.EventAccumulator(run, size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    scalars = {tag: accumulator.Scalars(tag) for tag in accumulator.Tags()["scalars"]}
    markers = by_tag(read_logdir(run))["loss/g/total/lowest_point"]
    return run, scalars, markers


def _smoothed(events):
    steps = np.array([event.step for event in events])
    return steps, lowest.smooth([event.value for event in events], demo.LOSS_SMOOTHING)


def test_losses_are_the_ones_vits_logs(vits_run):
    _, scalars, _ = vits_run
    assert {"loss/g/total", "loss/d/total", "loss/g/mel", "loss/g/kl", "loss/g/fm", "loss/g/dur"} <= set(scalars)
    for events in scalars.values():
        assert [event.step for event in events] == list(range(_TTS_STEPS + 1))
    mel = [event.value for event in scalars["loss/g/mel"]]
    assert 35 < np.mean(mel[:5]) < 50 and 12 < np.mean(mel[-20:]) < 22  # 45 x L1 of log-mels


def test_loss_falls_then_rises_in_an_overtraining_tail(vits_run):
    _, scalars, _ = vits_run
    steps, smoothed = _smoothed(scalars["loss/g/total"])
    raw = np.array([event.value for event in scalars["loss/g/total"]])
    assert np.std(np.diff(raw)) > 0.5  # batch noise
    low = lowest.final_low(steps, smoothed)
    assert 0.45 * _TTS_STEPS < steps[low] < 0.7 * _TTS_STEPS
    assert smoothed[0] > smoothed[low] + 15
    hint = lowest.overtraining_hint(steps, smoothed, low)
    assert hint.rising and hint.start_step < 0.8 * _TTS_STEPS and hint.rise > 2
    # The discriminator overfits: its loss drops over the tail.
    d_steps, d_smoothed = _smoothed(scalars["loss/d/total"])
    assert d_smoothed[-1] < d_smoothed[steps[low]] - 0.3


def test_only_the_last_saves_and_the_base_checkpoints_are_kept(vits_run):
    run, _, _ = vits_run
    kept = [0] + list(
        range(
            _TTS_STEPS - (demo.KEEP_CHECKPOINTS - 1) * demo.CHECKPOINT_INTERVAL,
            _TTS_STEPS + 1,
            demo.CHECKPOINT_INTERVAL,
        )
    )
    assert kept == [0, 200, 250, 300, 350, 400]
    assert sorted(name for name in os.listdir(run) if name.endswith(".pth")) == sorted(
        f"{model}_{step}.pth" for model in "GD" for step in kept
    )
    found = checkpoints.find_checkpoints(run)
    assert [(c.step, c.kind) for c in found if c.kind == "G"] == [(step, "G") for step in kept]


def test_lowest_points_name_the_checkpoint_saved_at_their_step(vits_run):
    run, scalars, markers = vits_run
    assert len(markers) > 10
    for marker in markers:
        point = marker.header.lowest_point
        assert point.smoothing == pytest.approx(demo.LOSS_SMOOTHING)
        assert point.epoch == marker.step // demo.STEPS_PER_EPOCH
        if marker.step % demo.CHECKPOINT_INTERVAL:
            assert point.checkpoint_path == ""  # nothing was saved at this step
        else:
            assert point.checkpoint_path == os.path.join(run, f"G_{marker.step}.pth")
            # Saves before the last five were deleted; only the base model's survives from the fall.
            assert checkpoints.checkpoint_status(point.checkpoint_path).exists == (
                marker.step == 0 or marker.step >= _TTS_STEPS - (demo.KEEP_CHECKPOINTS - 1) * demo.CHECKPOINT_INTERVAL
            )
    named = [m.step for m in markers if m.header.lowest_point.checkpoint_path]
    assert named[0] == 0 and len(named) >= 3
    # The last marker is the final low of the smoothed curve, between two kept saves,
    # the one after it not yet far into the rise.
    steps, smoothed = _smoothed(scalars["loss/g/total"])
    final = markers[-1]
    assert final.step == steps[lowest.final_low(steps, smoothed)]
    assert final.header.lowest_point.smoothed_value == pytest.approx(smoothed[final.step], rel=1e-6)
    found = checkpoints.find_checkpoints(run)
    assert checkpoints.nearest_checkpoint(found, final.step).step in (200, 250)
    after = min(c.step for c in found if c.step > final.step)
    assert smoothed[after] < smoothed[final.step] + 0.5


def test_video_noise_is_a_batch_of_latent_clips_each_at_its_own_timestep(tags):
    from tb_plugin_spectro.demo import diffusion

    steps = tags["diffusion/video_noise"]
    for written in steps:
        noise = written.header.noise
        assert noise.batch_size == diffusion.VIDEO_BATCH and len(noise.samples) == diffusion.VIDEO_BATCH
        for sample in noise.samples:
            assert list(sample.actual.shape) == [4, diffusion.VIDEO_FRAMES, 20, diffusion.SEGMENT_FRAMES // 4]
            assert 0 <= sample.timestep < diffusion.TOTAL_TIMESTEPS
    # As the model learns, the error of its noise predictions falls.
    first, last = (np.mean([s.stats.mse for s in w.header.noise.samples]) for w in (steps[0], steps[-1]))
    assert last < first
