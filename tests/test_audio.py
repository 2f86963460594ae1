"""Audio with the mels: what is stored, what the routes serve, and the WAV download."""

import io
import wave

import numpy as np
import pytest

from support.logdir import read_logdir
from support.routes import PREFIX, get_json, make_client, parse_binary
from tb_plugin_spectro import codec, metadata
from tb_plugin_spectro import summary as spectro_summary

SAMPLE_RATE, HOP = 22050, 256
FRAMES = 40


def mels(batch=2, frames=FRAMES, seed=0):
    rng = np.random.default_rng(seed)
    target = rng.normal(size=(batch, 16, frames)).astype(np.float32)
    return target, target + 0.1


def waves(batch=2, samples=FRAMES * HOP, seed=1):
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / SAMPLE_RATE
    voice = 0.4 * np.sin(2 * np.pi * 150 * t) * (1 + 0.3 * rng.normal(size=(batch, 1)))
    return (voice + 0.01 * rng.normal(size=(batch, samples))).astype(np.float32)


@pytest.fixture
def logdir(tmp_path):
    target, predicted = mels()
    target_audio = waves()
    target_audio[1, 100:110] = 1.5  # a clipping burst
    target_audio[1, 200] = np.nan
    predicted_pcm = (waves(seed=2) * 32768).astype(np.int16)
    warned = r"Spectro tag 'mel' step 1: target_audio holds 10 values beyond \[-1, 1\], stored clipped and 1 NaN, stored as 0"
    with spectro_summary.Writer(str(tmp_path / "run")) as writer, pytest.warns(RuntimeWarning, match=warned):
        spectro_summary.mel_comparison(
            "mel",
            target,
            predicted,
            1,
            writer=writer,
            sample_rate=SAMPLE_RATE,
            hop_length=HOP,
            target_audio=target_audio,
            predicted_audio=predicted_pcm,
            audio_lengths=[FRAMES * HOP, 30 * HOP],  # sample 1: 10 frames short, off by more than a hop and a window
        )
        spectro_summary.mel_comparison(
            "mel", target, predicted, 2, writer=writer, predicted_audio=predicted_pcm, sample_rate=SAMPLE_RATE
        )
        spectro_summary.noise_pair("noise", target[0], predicted[0], 1, writer=writer)
    return tmp_path, target_audio, predicted_pcm


def test_int16_audio_is_stored_exactly_and_float_within_16_bit_rounding(logdir):
    path, target_audio, predicted_pcm = logdir
    (written,) = [w for w in read_logdir(str(path)) if w.tag == "mel" and w.step == 1]
    first, second = written.header.mel.samples
    assert np.array_equal(np.rint(written.array(first.predicted_audio.samples) * 32768), predicted_pcm[0])
    decoded = written.array(first.target_audio.samples)
    assert np.abs(decoded - target_audio[0]).max() <= 0.5 / 32768 + 1e-9
    # Beyond ±1: clipped, counted; NaN: 0, counted; a length off by 10 hops is flagged, not refused.
    assert (second.target_audio.clipped, second.target_audio.nan) == (10, 1)
    assert second.target_audio.peak == pytest.approx(1.5)
    assert written.array(second.target_audio.samples)[100] == pytest.approx(32767 / 32768)
    assert written.array(second.target_audio.samples)[200] == 0
    assert second.target_audio.samples.shape == [30 * HOP] and second.target_audio.expected_samples == FRAMES * HOP
    assert second.target_audio.length_mismatch and not first.target_audio.length_mismatch
    assert first.predicted_audio.clipped == 0 and first.target_audio.sample_rate == SAMPLE_RATE


def test_steps_and_data_say_which_audio_a_sample_has(logdir):
    path, _, _ = logdir
    client, _ = make_client(path)
    steps = get_json(client, "/steps?run=run&tag=mel")["steps"]
    first = steps[0]["samples"][1]["audio"]
    assert first["target"]["clipped"] == 10 and first["target"]["nan"] == 1
    assert first["target"]["samples"] == 30 * HOP and first["target"]["length_mismatch"] is True
    assert first["target"]["seconds"] == pytest.approx(30 * HOP / SAMPLE_RATE)
    assert first["predicted"]["sample_rate"] == SAMPLE_RATE
    # Step 2 logged only the prediction, without a hop length.
    later = steps[1]["samples"][0]["audio"]
    assert later["target"] is None and later["predicted"]["expected_samples"] is None


def test_data_sends_the_outlines_and_part_audio_the_waveforms(logdir):
    path, target_audio, predicted_pcm = logdir
    client, _ = make_client(path)
    description, arrays = parse_binary(client.get(f"{PREFIX}/data?run=run&tag=mel&step=1&sample=0").get_data())
    assert sorted(arrays) == ["predicted", "predicted_envelope", "target", "target_envelope"]
    envelope = arrays["target_envelope"]
    assert envelope.shape == (2, 2048)
    # Each bin's min and max within one uint8 step (2/255) of the waveform's, lows under highs.
    bins = np.array_split(target_audio[0], 2048)
    assert np.abs(envelope[0] - [b.min() for b in bins]).max() <= 1 / 255 + 1 / 32768
    assert np.abs(envelope[1] - [b.max() for b in bins]).max() <= 1 / 255 + 1 / 32768
    body = client.get(f"{PREFIX}/data?run=run&tag=mel&step=1&sample=0&part=audio").get_data()
    description, arrays = parse_binary(body)
    assert [a["filter"] for a in description["arrays"]] == ["delta_planes", "delta_planes"]
    assert np.array_equal(np.rint(arrays["predicted_audio"] * 32768), predicted_pcm[0])
    assert np.abs(arrays["target_audio"] - target_audio[0]).max() <= 0.5 / 32768 + 1e-9
    npz = np.load(io.BytesIO(client.get(f"{PREFIX}/data?run=run&tag=mel&step=1&part=audio&format=npz").get_data()))
    assert sorted(npz.files) == ["predicted_audio", "target_audio"]


def test_the_wav_download_holds_the_written_samples(logdir):
    path, _, predicted_pcm = logdir
    client, _ = make_client(path)
    response = client.get(f"{PREFIX}/data?run=run&tag=mel&step=1&sample=0&part=audio&format=wav&array=predicted_audio")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    with wave.open(io.BytesIO(response.get_data())) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
    assert np.array_equal(samples, predicted_pcm[0])


@pytest.mark.parametrize(
    "query,status,message",
    [
        ("tag=mel&step=1&part=video", 400, "part must be one of 'audio' for a mel_comparison step, got 'video'"),
        ("tag=noise&step=1&part=audio", 400, "part must be left out for a noise_pair step, got 'audio'"),
        ("tag=mel&step=1&part=audio&format=wav", 400, "format 'wav' needs the query parameter 'array'"),
        ("tag=mel&step=1&format=ogg", 400, "format must be 'binary', 'npz' or 'wav', got 'ogg'"),
        (
            "tag=mel&step=2&part=audio&format=wav&array=target_audio",
            404,
            "has no audio array 'target_audio' in part 'audio' (audio arrays: 'predicted_audio')",
        ),
        ("tag=mel&step=1&format=wav&array=target", 404, "has no audio array 'target' in part ''"),
    ],
)
def test_bad_audio_requests_are_4xx_naming_the_value(logdir, query, status, message):
    path, _, _ = logdir
    client, _ = make_client(path)
    assert message in get_json(client, f"/data?run=run&{query}", status=status)


def test_the_encoding_is_smaller_than_wav():
    pcm = (waves(batch=1, samples=5 * SAMPLE_RATE)[0] * 32768).astype(np.int16)
    _, blob = codec.encode_pcm16(pcm, 1)
    assert len(blob) < 0.8 * pcm.nbytes


def test_torch_tensors_on_any_dtype_are_taken_as_numpy_is(tmp_path):
    torch = pytest.importorskip("torch")
    target, predicted = mels(batch=1)
    waveform = waves(batch=1)
    summary = spectro_summary.mel_comparison_pb(
        "mel",
        torch.from_numpy(target),
        torch.from_numpy(predicted),
        1,
        target_audio=torch.from_numpy(waveform).to(torch.bfloat16).requires_grad_(),
        predicted_audio=torch.from_numpy((waveform * 32768).astype(np.int16)),
        sample_rate=torch.tensor(SAMPLE_RATE),
    )
    header = metadata.parse_step_header(summary.value[0].tensor.string_val[0])
    blobs = summary.value[0].tensor.string_val
    sample = header.mel.samples[0]
    bf16 = torch.from_numpy(waveform).to(torch.bfloat16).float().numpy()[0]
    decoded = codec.decode_array(sample.target_audio.samples, blobs[sample.target_audio.samples.blob_index])
    assert np.abs(decoded - bf16).max() <= 0.5 / 32768 + 1e-9
    decoded = codec.decode_array(sample.predicted_audio.samples, blobs[sample.predicted_audio.samples.blob_index])
    assert np.array_equal(decoded * 32768, (waveform[0] * 32768).astype(np.int16))
