"""Write cost and bytes on disk: Spectro's op against the matplotlib-figure way.

The baseline is what TTS training loops do today (VITS, HiFi-GAN, Coqui, RVC):
per sample, an 18×4-inch figure at 100 dpi with target, predicted and
|difference| panels (viridis, viridis, hot), axis labels and colour bars,
`savefig` to PNG, written as a TensorBoard image summary. Both sides write
through the same `spectro_summary.Writer` and are timed up to its `flush()`,
so serialization, framing and the file write are counted, not left to a
background thread. They run in one process on the same arrays, alternating, so
the machine's noise falls on both.

The floor is what any design that stores the arrays pays: quantizing the two
arrays to 8 bits over their shared range and deflating them (zlib, the level
Spectro uses). The other rows split Spectro's cost: the Summary proto alone,
and the whole op through TensorBoard's own EventFileWriter, which is how a
PyTorch or tensorboardX SummaryWriter writes it.

A second pair of rows takes the kinds of one array: an attention alignment
(120 tokens × 800 frames) and a single 80 × 800 spectrogram, each against one
`imshow` panel with a colour bar as Tacotron's and VITS's `plot_alignment`
and `plot_spectrogram` draw them (6×4 and 10×2 inches), timed the same way.

Audio rows take 5 s of the demo's synthesized speech at 22.05 kHz per
sample, its target and a vocoder's rendering of a prediction: the cost and
bytes that the two waveforms add to a mel comparison, against TensorBoard's
own audio summaries of the same two waveforms (16-bit WAV, as a PyTorch
`SummaryWriter.add_audio` writes them). A table beside them measures the
encodings that were weighed for the waveforms: WAV, deflate of the 16-bit
codes as they are, Spectro's (deflate after the DELTA_PLANES filter), and
FLAC through `soundfile` where it is installed (Spectro does not use it).

A last table times the CRC-32C that frames each record, on the op's own
record: the one the writer uses (google-crc32c's compiled code where it
loads) and the numpy one it falls back to.
"""

import io
import os
import tempfile
import time
import zlib
from typing import Callable, Dict, List, Tuple

import numpy as np

from benchmarks import common
from tb_plugin_spectro import _crc32c, codec, demo, metadata
from tb_plugin_spectro import summary as spectro_summary
from tb_plugin_spectro.demo.alignment import attention

SIZES = [(80, 200), (80, 800), (128, 2000)]  # [n_mels, frames]
QUICK_SIZES = [(16, 40)]
HEADLINE = "80x800"
REPEATS = 15  # timed rounds per size; each round runs every variant once
QUICK_REPEATS = 3
WARMUP = 2  # rounds run before timing
PRECISIONS = ["uint8", "uint16", "float16", "float32"]
FIGURE_INCHES = (18, 4)
FIGURE_DPI = 100
RECORD_FRAMING = 16  # bytes a TFRecord adds around each event
CRC_CALLS = 20  # CRCs per timed sample: one of google-crc32c's takes a few µs
AUDIO_SECONDS = 5.0
QUICK_AUDIO_SECONDS = 0.5
# One-array kinds: name -> ([rows, frames], quick [rows, frames], figure inches, y label)
SINGLES = {
    "alignment": ((120, 800), (12, 40), (6, 4), "Encoder timestep"),
    "spectrogram": ((80, 800), (16, 40), (10, 2), "Channels"),
}


def speech_pair(n_mels: int, frames: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """A target log-mel of synthesized speech and a model's prediction of it."""
    rng = np.random.default_rng(seed)
    targets, predictions = [], []
    have = 0
    for index, item in enumerate(demo.TRAINING_SET * (1 + frames // 200)):
        sample = demo.utterance(*item, np.random.default_rng(seed + index))
        targets.append(sample.target)
        predictions.append(demo.predicted_mel(sample, 0.7, rng))
        have += sample.target.shape[1]
        if have >= frames:
            break
    target = np.concatenate(targets, axis=1)[:, :frames]
    predicted = np.concatenate(predictions, axis=1)[:, :frames]
    if n_mels != target.shape[0]:
        source = np.linspace(0.0, 1.0, target.shape[0])
        wanted = np.linspace(0.0, 1.0, n_mels)
        target = np.stack([np.interp(wanted, source, column) for column in target.T], axis=1)
        predicted = np.stack([np.interp(wanted, source, column) for column in predicted.T], axis=1)
    return target.astype(np.float32), predicted.astype(np.float32)


def figure_png(target: np.ndarray, predicted: np.ndarray) -> Tuple[bytes, Tuple[int, int]]:
    """The baseline's figure, as training loops draw it; returns the PNG and its (height, width)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=FIGURE_INCHES, dpi=FIGURE_DPI)
    panels = (
        ("Target", target, "viridis"),
        ("Predicted", predicted, "viridis"),
        ("|Target - Predicted|", np.abs(target - predicted), "hot"),
    )
    for ax, (title, values, cmap) in zip(axes, panels):
        image = ax.imshow(values, aspect="auto", origin="lower", interpolation="none", cmap=cmap)
        ax.set_title(title)
        ax.set_xlabel("Frames")
        ax.set_ylabel("Mel bins")
        fig.colorbar(image, ax=ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    width, height = fig.canvas.get_width_height()
    plt.close(fig)
    return buffer.getvalue(), (height, width)


def alignment_weights(tokens: int, frames: int, seed: int = 0) -> np.ndarray:
    """A nearly trained attention alignment [tokens, frames] of random phone durations."""
    rng = np.random.default_rng(seed)
    durations = 1 + rng.multinomial(frames - tokens, np.full(tokens, 1.0 / tokens))
    return attention(durations, 0.9, rng)


def single_figure_png(values: np.ndarray, inches: Tuple[int, int], ylabel: str) -> Tuple[bytes, Tuple[int, int]]:
    """One `imshow` panel with a colour bar, as `plot_alignment` and `plot_spectrogram` draw it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=inches, dpi=FIGURE_DPI)
    image = ax.imshow(values, aspect="auto", origin="lower", interpolation="none")
    fig.colorbar(image, ax=ax)
    ax.set_xlabel("Frames")
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
    width, height = fig.canvas.get_width_height()
    plt.close(fig)
    return buffer.getvalue(), (height, width)


def image_summary(tag: str, png: bytes, shape: Tuple[int, int]):
    from tensorboard.compat.proto import summary_pb2

    summary = summary_pb2.Summary()
    summary.value.add(
        tag=tag,
        image=summary_pb2.Summary.Image(height=shape[0], width=shape[1], colorspace=4, encoded_image_string=png),
    )
    return summary


def floor(target: np.ndarray, predicted: np.ndarray) -> int:
    """Quantize both arrays to 8 bits over their shared range and deflate them; returns the bytes."""
    low = float(min(target.min(), predicted.min()))
    high = float(max(target.max(), predicted.max()))
    step = (high - low) / 255 or 1.0
    size = 0
    for values in (target, predicted):
        codes = np.rint((values - np.float32(low)) * np.float32(1 / step)).astype(np.uint8)
        size += len(zlib.compress(codes.tobytes(), codec._ZLIB_LEVEL))
    return size


class _EventFileWriterAdapter:
    """TensorBoard's EventFileWriter, as PyTorch's SummaryWriter uses it."""

    def __init__(self, logdir: str):
        from tensorboard.compat.proto import event_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self._event = event_pb2.Event
        self._writer = EventFileWriter(logdir)

    def add_summary(self, summary, step: int) -> None:
        self._writer.add_event(self._event(wall_time=time.time(), step=step, summary=summary))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


def _variants(target: np.ndarray, predicted: np.ndarray, writer, tb_writer) -> Dict[str, Callable[[int], None]]:
    def spectro(step):
        spectro_summary.mel_comparison("mel/val", target, predicted, step, writer=writer)
        writer.flush()

    def spectro_via_tensorboard_writer(step):
        tb_writer.add_summary(spectro_summary.mel_comparison_pb("mel/val", target, predicted, step), step)
        tb_writer.flush()

    def proto_only(step):
        spectro_summary.mel_comparison_pb("mel/val", target, predicted, step)

    def baseline(step):
        png, shape = figure_png(target, predicted)
        writer.add_summary(image_summary("mel/val_figure", png, shape), step)
        writer.flush()

    return {
        "floor": lambda step: floor(target, predicted),
        "proto": proto_only,
        "spectro": spectro,
        "spectro_tb_writer": spectro_via_tensorboard_writer,
        "baseline": baseline,
    }


def _time_size(n_mels: int, frames: int, repeats: int, logdir: str) -> dict:
    target, predicted = speech_pair(n_mels, frames)
    writer = spectro_summary.Writer(os.path.join(logdir, f"spectro_{n_mels}x{frames}"))
    tb_writer = _EventFileWriterAdapter(os.path.join(logdir, f"tensorboard_{n_mels}x{frames}"))
    variants = _variants(target, predicted, writer, tb_writer)
    names = list(variants)
    samples: Dict[str, List[float]] = {name: [] for name in names}
    cpu: Dict[str, List[float]] = {name: [] for name in names}
    for round_index in range(WARMUP + repeats):
        # Rotating the order spreads any drift of the machine over every variant.
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            start, start_cpu = time.perf_counter(), time.process_time()
            variants[name](round_index)
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if round_index >= WARMUP:
                samples[name].append(elapsed)
                cpu[name].append(elapsed_cpu)
    writer.close()
    tb_writer.close()
    timings = {name: common.summarize(values) for name, values in samples.items()}
    ratios = [b / s for b, s in zip(samples["baseline"], samples["spectro"])]
    return {
        "timings": timings,
        # CPU time of every thread of the process: more than the wall time
        # when a thread (numpy's BLAS, a writer's) works alongside.
        "cpu_median_ms": {name: float(np.median(values) * 1e3) for name, values in cpu.items()},
        "baseline_over_spectro": float(np.median(ratios)),
        "baseline_over_spectro_range": [float(min(ratios)), float(max(ratios))],
        "spectro_over_floor": timings["spectro"]["median_ms"] / timings["floor"]["median_ms"],
        "tb_writer_over_spectro": timings["spectro_tb_writer"]["median_ms"] / timings["spectro"]["median_ms"],
    }


def _event_bytes(summary) -> int:
    from tensorboard.compat.proto import event_pb2

    return len(event_pb2.Event(wall_time=time.time(), step=1000, summary=summary).SerializeToString()) + RECORD_FRAMING


def _sizes(n_mels: int, frames: int) -> dict:
    target, predicted = speech_pair(n_mels, frames)
    png, shape = figure_png(target, predicted)
    baseline = _event_bytes(image_summary("mel/val_figure", png, shape))
    result = {
        "baseline_bytes": baseline,
        "baseline_pixels": list(shape),
        "floor_bytes": floor(target, predicted),
        "float32_raw_bytes": 2 * target.nbytes,
        "precisions": {},
    }
    for precision in PRECISIONS:
        summary = spectro_summary.mel_comparison_pb("mel/val", target, predicted, 1, precision=precision)
        blobs = list(summary.value[0].tensor.string_val)
        header = metadata.parse_step_header(blobs[0])
        sample = header.mel.samples[0]
        worst, sum_sq, count, worst_steps = 0.0, 0.0, 0, 0.0
        for encoded, original in ((sample.target, target), (sample.predicted, predicted)):
            decoded = codec.decode_array(encoded, blobs[encoded.blob_index])
            error = np.abs(decoded.astype(np.float64) - original)
            worst = max(worst, float(error.max()))
            sum_sq += float(np.square(error).sum())
            count += error.size
            if encoded.scale:
                worst_steps = max(worst_steps, float(error.max()) / encoded.scale)
        size = _event_bytes(summary)
        result["precisions"][precision] = {
            "bytes": size,
            "over_baseline": size / baseline,
            "max_error": worst,
            "rms_error": float(np.sqrt(sum_sq / count)),
            "max_error_in_steps": worst_steps if precision in ("uint8", "uint16") else None,
        }
    return result


def _single_pb(kind: str, values: np.ndarray, step: int):
    if kind == "alignment":
        return spectro_summary.alignment_pb(f"{kind}/val", values, step)
    return spectro_summary.spectrogram_pb(f"{kind}/val", values, step)


def _time_single(kind: str, quick: bool, repeats: int, logdir: str) -> dict:
    """One-array kind against its one-panel figure: cost, alternating, and bytes on disk."""
    full, small, inches, ylabel = SINGLES[kind]
    rows, frames = small if quick else full
    values = alignment_weights(rows, frames) if kind == "alignment" else speech_pair(rows, frames)[0]
    writer = spectro_summary.Writer(os.path.join(logdir, f"{kind}_{rows}x{frames}"))

    def spectro(step):
        if kind == "alignment":
            spectro_summary.alignment(f"{kind}/val", values, step, writer=writer)
        else:
            spectro_summary.spectrogram(f"{kind}/val", values, step, writer=writer)
        writer.flush()

    def baseline(step):
        png, shape = single_figure_png(values, inches, ylabel)
        writer.add_summary(image_summary(f"{kind}/val_figure", png, shape), step)
        writer.flush()

    variants = {"spectro": spectro, "baseline": baseline}
    samples: Dict[str, List[float]] = {name: [] for name in variants}
    for round_index in range(WARMUP + repeats):
        names = list(variants) if round_index % 2 == 0 else list(variants)[::-1]
        for name in names:
            start = time.perf_counter()
            variants[name](round_index)
            if round_index >= WARMUP:
                samples[name].append(time.perf_counter() - start)
    writer.close()
    ratios = [b / s for b, s in zip(samples["baseline"], samples["spectro"])]
    png, shape = single_figure_png(values, inches, ylabel)
    spectro_bytes = _event_bytes(_single_pb(kind, values, 1))
    baseline_bytes = _event_bytes(image_summary(f"{kind}/val_figure", png, shape))
    return {
        "shape": [rows, frames],
        "timings": {name: common.summarize(timed) for name, timed in samples.items()},
        "baseline_over_spectro": float(np.median(ratios)),
        "baseline_over_spectro_range": [float(min(ratios)), float(max(ratios))],
        "bytes": spectro_bytes,
        "baseline_bytes": baseline_bytes,
        "baseline_pixels": list(shape),
        "float32_raw_bytes": int(values.astype(np.float32).nbytes),
    }


def speech_audio(seconds: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The demo's reference utterance, `seconds` of it (tiled if shorter): target and predicted mels and waveforms."""
    from tb_plugin_spectro.demo import speech

    rng = np.random.default_rng(7)
    sample = speech.utterance(*demo.REFERENCE, rng, audio=True)
    assert sample.audio is not None
    frames = int(seconds * speech.SAMPLE_RATE) // speech.HOP_LENGTH
    predicted_mel = speech.predicted_mel(sample, 0.7, rng)
    spectrum = speech.stft(sample.audio)
    predicted_audio = speech.griffin_lim(predicted_mel, 8, phase=spectrum / np.maximum(np.abs(spectrum), 1e-12))
    fit = lambda a: np.resize(a, a.shape[:-1] + (frames,))  # noqa: E731
    samples = frames * speech.HOP_LENGTH
    return (
        np.ascontiguousarray(fit(sample.target)),
        np.ascontiguousarray(fit(predicted_mel)),
        np.resize(sample.audio, samples).astype(np.float32),
        np.resize(predicted_audio, samples).astype(np.float32),
    )


def wav_summary(tag: str, waveform: np.ndarray, sample_rate: int):
    """TensorBoard's audio summary of one waveform: 16-bit WAV, as PyTorch's `SummaryWriter.add_audio` makes it."""
    import wave

    from tensorboard.compat.proto import summary_pb2

    pcm = (np.clip(waveform, -1, 1) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    summary = summary_pb2.Summary()
    summary.value.add(
        tag=tag,
        audio=summary_pb2.Summary.Audio(
            sample_rate=sample_rate,
            num_channels=1,
            length_frames=len(pcm),
            encoded_audio_string=out.getvalue(),
            content_type="audio/wav",
        ),
    )
    return summary


def _flac_bytes(pcm: np.ndarray, sample_rate: int) -> bytes:
    import soundfile  # type: ignore[import-not-found]

    out = io.BytesIO()
    soundfile.write(out, pcm, sample_rate, format="FLAC", subtype="PCM_16")
    return out.getvalue()


def _time_audio(quick: bool, repeats: int, logdir: str) -> dict:
    """The cost and bytes two waveforms add to a mel comparison, against TensorBoard's WAV audio summaries."""
    from tb_plugin_spectro.demo import speech

    seconds = QUICK_AUDIO_SECONDS if quick else AUDIO_SECONDS
    rate, hop = speech.SAMPLE_RATE, speech.HOP_LENGTH
    target, predicted, target_audio, predicted_audio = speech_audio(seconds)
    writer = spectro_summary.Writer(os.path.join(logdir, "audio"))
    facts = dict(sample_rate=rate, hop_length=hop)
    with_audio = dict(facts, target_audio=target_audio, predicted_audio=predicted_audio)

    def spectro(step):
        spectro_summary.mel_comparison("mel/val", target, predicted, step, writer=writer, **with_audio)
        writer.flush()

    def mels_only(step):
        spectro_summary.mel_comparison("mel/plain", target, predicted, step, writer=writer, **facts)
        writer.flush()

    def baseline(step):
        for role, waveform in (("target", target_audio), ("predicted", predicted_audio)):
            writer.add_summary(wav_summary(f"audio/{role}", waveform, rate), step)
        writer.flush()

    variants = {"spectro": spectro, "mels_only": mels_only, "baseline": baseline}
    samples: Dict[str, List[float]] = {name: [] for name in variants}
    for round_index in range(WARMUP + repeats):
        shift = round_index % len(variants)
        names = list(variants)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            variants[name](round_index)
            if round_index >= WARMUP:
                samples[name].append(time.perf_counter() - start)
    writer.close()
    added = [a - m for a, m in zip(samples["spectro"], samples["mels_only"])]
    spectro_bytes = _event_bytes(spectro_summary.mel_comparison_pb("mel/val", target, predicted, 1, **with_audio))
    mels_bytes = _event_bytes(spectro_summary.mel_comparison_pb("mel/val", target, predicted, 1, **facts))
    wav_bytes = sum(_event_bytes(wav_summary("audio/x", w, rate)) for w in (target_audio, predicted_audio))

    pcm = np.rint(np.clip(target_audio.astype(np.float64) * 32768, -32768, 32767)).astype(np.int16)
    encodings: Dict[str, Callable[[], bytes]] = {
        "WAV (16-bit PCM)": lambda: pcm.tobytes(),
        "16-bit codes, deflated": lambda: zlib.compress(pcm.tobytes(), codec._ZLIB_LEVEL),
        "Spectro: DELTA_PLANES, deflated": lambda: codec.encode_pcm16(pcm, 1)[1],
    }
    try:
        _flac_bytes(pcm[:rate], rate)
        encodings["FLAC (soundfile)"] = lambda: _flac_bytes(pcm, rate)
    except ImportError:
        pass
    encoding_results = {}
    for name, encode in encodings.items():
        times = []
        for round_index in range(WARMUP + repeats):
            start = time.perf_counter()
            size = len(encode())
            if round_index >= WARMUP:
                times.append(time.perf_counter() - start)
        encoding_results[name] = {"bytes": size, "bytes_per_second": size / seconds, "timing": common.summarize(times)}
    return {
        "seconds": seconds,
        "sample_rate": rate,
        "timings": {name: common.summarize(values) for name, values in samples.items()},
        "added": common.summarize([max(a, 0.0) for a in added]),
        "spectro_added_bytes": spectro_bytes - mels_bytes,
        "wav_bytes": wav_bytes,
        "encodings": encoding_results,
    }


def _crc_cost(n_mels: int, frames: int, repeats: int) -> dict:
    """The CRC-32C of one Spectro event record, by the writer's implementation and by numpy."""
    from tensorboard.compat.proto import event_pb2

    target, predicted = speech_pair(n_mels, frames)
    summary = spectro_summary.mel_comparison_pb("mel/val", target, predicted, 1)
    record = event_pb2.Event(wall_time=time.time(), step=1000, summary=summary).SerializeToString()
    result: dict = {"record_bytes": len(record), "writer_implementation": _crc32c.IMPLEMENTATION}
    for name, crc32c in (("writer", _crc32c.crc32c), ("numpy", _crc32c.numpy_crc32c)):
        samples = []
        for round_index in range(WARMUP + repeats):
            start = time.perf_counter()
            for _ in range(CRC_CALLS):
                crc32c(record)
            if round_index >= WARMUP:
                samples.append((time.perf_counter() - start) / CRC_CALLS)
        result[name] = common.summarize(samples)
    return result


def run(quick: bool = False) -> dict:
    sizes = QUICK_SIZES if quick else SIZES
    repeats = QUICK_REPEATS if quick else REPEATS
    results = {"repeats": repeats, "figure": {"inches": list(FIGURE_INCHES), "dpi": FIGURE_DPI}, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="spectro-bench-write-") as logdir:
        for n_mels, frames in sizes:
            key = f"{n_mels}x{frames}"
            entry = _time_size(n_mels, frames, repeats, logdir)
            entry.update(_sizes(n_mels, frames))
            entry["crc"] = _crc_cost(n_mels, frames, repeats)
            results["sizes"][key] = entry
        results["singles"] = {kind: _time_single(kind, quick, repeats, logdir) for kind in SINGLES}
        results["audio"] = _time_audio(quick, repeats, logdir)
    return results


def report(results: dict) -> str:
    rows = []
    for key, entry in results["sizes"].items():
        t = entry["timings"]
        rows.append(
            [
                key,
                common.spread(t["baseline"]),
                common.spread(t["spectro"]),
                f"{entry['baseline_over_spectro']:.0f}× ({entry['baseline_over_spectro_range'][0]:.0f}–{entry['baseline_over_spectro_range'][1]:.0f})",
                common.spread(t["floor"]),
                f"{entry['spectro_over_floor']:.2f}×",
                common.fmt_ms(entry["cpu_median_ms"]["spectro"]),
                common.spread(t["proto"]),
                common.spread(t["spectro_tb_writer"]),
            ]
        )
    timing = common.table(
        f"Write cost per mel comparison, ms: median (p25–p75) of {results['repeats']} alternating rounds",
        [
            "mel",
            "matplotlib figure",
            "Spectro",
            "figure ÷ Spectro",
            "quantize+deflate floor",
            "Spectro ÷ floor",
            "Spectro CPU",
            "Spectro proto only",
            "Spectro via TB's EventFileWriter",
        ],
        rows,
    )
    rows = []
    for key, entry in results["sizes"].items():
        h, w = entry["baseline_pixels"]
        for precision, p in entry["precisions"].items():
            steps = p["max_error_in_steps"]
            rows.append(
                [
                    key,
                    precision,
                    common.fmt_bytes(p["bytes"]),
                    f"{p['over_baseline']:.2f}",
                    f"{p['max_error']:.2g}",
                    f"{p['rms_error']:.2g}",
                    "–" if steps is None else f"{steps:.3f}",
                ]
            )
        rows.append([key, f"PNG {w}×{h} px", common.fmt_bytes(entry["baseline_bytes"]), "1.00", "", "", ""])
    size = common.table(
        "Bytes on disk per comparison (whole event record), and error against the float data",
        ["mel", "stored as", "bytes", "÷ PNG", "max error", "RMS error", "max error ÷ quant step"],
        rows,
    )
    rows = []
    for key, entry in results["sizes"].items():
        crc = entry["crc"]
        writer_us, numpy_us = crc["writer"]["median_ms"] * 1e3, crc["numpy"]["median_ms"] * 1e3
        rows.append(
            [
                key,
                common.fmt_bytes(crc["record_bytes"]),
                f"{writer_us:.1f} ({crc['writer_implementation']})",
                f"{numpy_us:.0f}",
                f"{numpy_us / writer_us:.0f}×",
            ]
        )
    crc_table = common.table(
        "CRC-32C of one Spectro event record, µs: median",
        ["mel", "record", "the writer's", "numpy", "numpy ÷ the writer's"],
        rows,
    )
    rows = []
    for kind, entry in results["singles"].items():
        t = entry["timings"]
        h, w = entry["baseline_pixels"]
        low, high = entry["baseline_over_spectro_range"]
        rows.append(
            [
                kind,
                "×".join(str(n) for n in entry["shape"]),
                common.spread(t["baseline"]),
                common.spread(t["spectro"]),
                f"{entry['baseline_over_spectro']:.0f}× ({low:.0f}–{high:.0f})",
                f"{common.fmt_bytes(entry['baseline_bytes'])} ({w}×{h} px)",
                common.fmt_bytes(entry["bytes"]),
                f"{entry['bytes'] / entry['baseline_bytes']:.2f}",
            ]
        )
    singles = common.table(
        "Write cost and bytes per alignment or single spectrogram (uint8), ms: median (p25–p75), "
        "against one imshow panel with a colour bar",
        ["kind", "array", "matplotlib figure", "Spectro", "figure ÷ Spectro", "PNG record", "Spectro record", "÷ PNG"],
        rows,
    )
    audio = results["audio"]
    t = audio["timings"]
    audio_table = common.table(
        f"Audio: {audio['seconds']:g} s at {audio['sample_rate'] / 1000:g} kHz per waveform, a target and a "
        f"prediction per sample; ms: median (p25–p75) of {results['repeats']} alternating rounds",
        ["", "write cost, ms", "bytes on disk", "÷ WAV"],
        [
            [
                "TensorBoard audio summaries (2 WAV)",
                common.spread(t["baseline"]),
                common.fmt_bytes(audio["wav_bytes"]),
                "1.00",
            ],
            [
                "Spectro: what the 2 waveforms add to a mel comparison",
                common.spread(audio["added"]),
                common.fmt_bytes(audio["spectro_added_bytes"]),
                f"{audio['spectro_added_bytes'] / audio['wav_bytes']:.2f}",
            ],
            ["Spectro: the mel comparison with them", common.spread(t["spectro"]), "", ""],
        ],
    )
    encodings = common.table(
        f"Audio encodings weighed: {audio['seconds']:g} s of synthesized speech, lossless at 16 bits",
        ["encoding", "KB per second", "ms per waveform"],
        [
            [name, f"{e['bytes_per_second'] / 1000:.1f}", common.spread(e["timing"])]
            for name, e in audio["encodings"].items()
        ],
    )
    return timing + "\n" + size + "\n" + singles + "\n" + audio_table + "\n" + encodings + "\n" + crc_table
