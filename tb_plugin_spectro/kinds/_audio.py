"""Waveforms stored with the mels: checks, 16-bit PCM with its clipping counted, and the outline.

Audio is stored losslessly at 16 bits (`codec.encode_pcm16`): int16 input
exactly, float input in [-1, 1] rounded to the nearest of 65536 levels
(pcm = round(value * 32768), read back as pcm / 32768, as soundfile and
torchaudio read 16-bit files). Values beyond [-1, 1] are clipped, counted
and flagged, never scaled: a clipping vocoder is worth seeing. NaN is stored
as 0 and counted. Not a kind: its name starts with "_".
"""

import warnings
from typing import List, NamedTuple, Optional

import numpy as np

from tb_plugin_spectro import _inputs, _once, codec
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import _spectra

__all__ = [
    "ENVELOPE_BINS",
    "WINDOW_HOPS",
    "DAMAGE_WARNINGS",
    "Waveforms",
    "waveforms",
    "check_sample_rate",
    "encode_clip",
    "warn_damaged",
]

ENVELOPE_BINS = 2048  # runs of samples in a clip's stored outline, at most
# A length is off when it differs from frames x hop by more than a hop and a
# window; the window is taken as 4 hops, the ratio of n_fft to hop in the
# common speech set-ups (1024 / 256, 2048 / 512).
WINDOW_HOPS = 4
# (tag, argument) pairs whose clipping or NaN were warned about, once each per process.
DAMAGE_WARNINGS = _once.WarnOnce()


class Waveforms(NamedTuple):
    """One audio argument of a batch, checked: [batch, samples] and the valid samples of each."""

    name: str
    values: np.ndarray  # int16 or float32
    lengths: List[int]

    def sample(self, index: int) -> np.ndarray:
        return self.values[index, : self.lengths[index]]


def check_sample_rate(sample_rate: int, *audio_names: str) -> int:
    """The sample rate that audio needs, already checked as the mel's (0: not given), required with audio."""
    if not sample_rate:
        raise ValueError(
            f"sample_rate is needed with {' and '.join(audio_names)}, to play it; pass the audio's "
            f"sample rate in Hz, e.g. sample_rate=22050"
        )
    return sample_rate


def waveforms(value, name: str, batch: int, lengths, lengths_name: str, max_elements: int) -> Optional[Waveforms]:
    """Checks one audio argument: mono [samples] (one sample) or [batch, samples], float or int16.

    Returns None for None.
    """
    if value is None:
        return None
    array, masked = _inputs.to_numeric_array(
        value, name, ranks=(1, 2), shape_hint="[samples] or [batch, samples] of mono audio", max_elements=max_elements
    )
    if array.dtype.kind in "iu" and array.dtype != np.int16:
        raise TypeError(
            f"{name} must be float audio in [-1, 1] or int16 PCM, got dtype {array.dtype}; "
            f"convert it (e.g. audio / 32768 for 16-bit values held in a wider integer type)"
        )
    if masked is not None and masked.any():  # masked samples are NaN, stored as 0 and counted
        array = np.where(masked, np.float32(np.nan), np.asarray(array, dtype=np.float32))
    if array.ndim == 1:
        if batch != 1:
            raise ValueError(
                f"{name} must be [batch, samples] with one waveform per sample of the mels' batch "
                f"({batch}), got shape {array.shape!r}"
            )
        array = array[None]
    if array.shape[0] != batch:
        raise ValueError(f"{name} must have one waveform per sample of the mels' batch ({batch}), got {array.shape[0]}")
    if array.dtype != np.int16:
        array = np.asarray(array, dtype=np.float32)
    checked = _spectra.frame_lengths(lengths, lengths_name, batch, array.shape[1], what="samples")
    return Waveforms(name, array, checked or [array.shape[1]] * batch)


def encode_clip(
    clip: pb.AudioClip,
    values: np.ndarray,
    sample_rate: int,
    frames: int,
    hop_length: int,
    blobs: List[bytes],
) -> None:
    """Fills `clip` with one waveform and appends its blobs (the samples, then the outline) to `blobs`."""
    clip.sample_rate = sample_rate
    if values.dtype == np.int16:
        pcm = values
        clip.peak = float(np.abs(values.astype(np.int32)).max()) / 32768
    else:
        nan = np.isnan(values)
        clip.nan = int(nan.sum())
        finite_or_inf = np.where(nan, np.float32(0), values)
        magnitude = np.abs(finite_or_inf)
        clip.peak = float(magnitude.max())
        clip.clipped = int((magnitude > 1).sum())
        scaled = np.clip(finite_or_inf.astype(np.float64) * 32768, -32768, 32767)
        pcm = np.rint(scaled).astype(np.int16)
    encoded, blob = codec.encode_pcm16(pcm, len(blobs) + 1)
    clip.samples.CopyFrom(encoded)
    blobs.append(blob)
    envelope, blob = codec.encode_array(
        outline(pcm), pb.UINT8, len(blobs) + 1, name="envelope", quant_range=(-1.0, 1.0)
    )
    clip.envelope.CopyFrom(envelope)
    blobs.append(blob)
    if hop_length:
        clip.expected_samples = frames * hop_length
        clip.length_mismatch = abs(len(pcm) - clip.expected_samples) > hop_length * (1 + WINDOW_HOPS)


def outline(pcm: np.ndarray) -> np.ndarray:
    """[2, bins]: the smallest and largest value of each of up to ENVELOPE_BINS runs of samples."""
    bins = min(ENVELOPE_BINS, len(pcm))
    edges = np.linspace(0, len(pcm), bins + 1).astype(np.int64)
    starts = edges[:-1]
    lows = np.minimum.reduceat(pcm, starts)
    highs = np.maximum.reduceat(pcm, starts)
    return np.stack([lows, highs]).astype(np.float32) * np.float32(codec.PCM16_SCALE)


def warn_damaged(tag: str, step: int, name: str, clips: List[pb.AudioClip]) -> None:
    """Warns, once per tag and argument, of the values clipped or NaN in the clips of one audio argument."""
    clipped = sum(clip.clipped for clip in clips)
    nan = sum(clip.nan for clip in clips)
    if not clipped + nan or not DAMAGE_WARNINGS.first((tag, name)):
        return
    parts = [
        f"{clipped} values beyond [-1, 1], stored clipped" if clipped else "",
        f"{nan} NaN, stored as 0" if nan else "",
    ]
    warnings.warn(
        f"Spectro tag {tag!r} step {step}: {name} holds {' and '.join(p for p in parts if p)}; "
        f"the pane flags them (warned once per tag)",
        RuntimeWarning,
        # The op's caller: above this function, mel.encode, the *_pb function and the op.
        stacklevel=5,
    )
