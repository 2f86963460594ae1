"""Mel comparisons: target and predicted mel spectrograms of one or more samples.

A step holds up to `max_outputs` samples of a batch, each a target and a
predicted [n_mels, frames] sharing one quantization range; the diff
(target - predicted) is derived, never stored. A sample may carry the
alignment of the same utterance on the target's frames (`MelSample.alignment`),
whose blobs follow the mels' blobs, and its target and predicted waveforms
(`MelSample.target_audio`, `predicted_audio`; see `_audio`), whose blobs
follow the alignments'.
"""

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import _audio, _spectra
from tb_plugin_spectro.kinds import alignment as alignment_kind

__all__ = ["MelComparison", "KIND", "encode"]

_LENGTH_MISMATCH = ("crop", "pad")
_LENGTH_MISMATCH_ENUM = pb.LengthMismatch.DESCRIPTOR


# ---------------------------------------------------------------------------
# Writing


def _align_frames(target: np.ndarray, predicted: np.ndarray, mode: str) -> Tuple[np.ndarray, np.ndarray, int]:
    """Crops both to the shorter, or pads the shorter with its smallest finite value."""
    t_frames, p_frames = target.shape[1], predicted.shape[1]
    if t_frames == p_frames:
        return target, predicted, pb.LENGTHS_EQUAL
    if mode == "crop":
        frames = min(t_frames, p_frames)
        return target[:, :frames], predicted[:, :frames], pb.CROPPED
    frames = max(t_frames, p_frames)

    def pad(mel):
        low = codec.finite_range(mel)
        fill = low[0] if low else 0.0  # log-mel silence; 0 when nothing is finite
        return np.pad(mel, ((0, 0), (0, frames - mel.shape[1])), constant_values=fill)

    return pad(target), pad(predicted), pb.PADDED


def _attached_alignments(
    alignment, tokens, batch: int, frames: int, target_frames: List[int], options: _writing.ArrayOptions
) -> Optional[Tuple[np.ndarray, Optional[List[List[str]]]]]:
    """Checks the alignments of a mel comparison's samples: [batch, tokens, frames], and their token labels.

    An alignment's frames are the target's: its padded frames, cropped by
    `lengths` as the target is, or each sample's frames after `lengths`.
    """
    if alignment is None:
        if tokens is not None:
            raise ValueError("tokens label the rows of an alignment; pass alignment= with them")
        return None
    array = _inputs.to_float_array(
        alignment,
        "alignment",
        ranks=(2, 3),
        shape_hint="[tokens, frames] or [batch, tokens, frames]",
        max_elements=options.max_elements,
    )
    alignment_kind.check_weights(array, "alignment")
    if array.ndim == 2:
        array = array[None]
    if array.shape[0] != batch:
        raise ValueError(f"alignment must have one alignment per sample ({batch}), got {array.shape[0]}")
    if array.shape[2] != frames:
        for index, length in enumerate(target_frames):
            if array.shape[2] != length:
                raise ValueError(
                    f"alignment must have the target's frames: sample {index} has {array.shape[2]} frames "
                    f"in alignment and {length} in target (after lengths)"
                )
    labels = alignment_kind.check_tokens(tokens, batch, [array.shape[1]] * batch)
    return array, labels


def encode(
    options: _writing.ArrayOptions,
    target: _writing.ArrayLike,
    predicted: _writing.ArrayLike,
    *,
    layout,
    lengths,
    predicted_lengths,
    length_mismatch,
    max_outputs,
    sample_ids,
    texts,
    sample_rate,
    hop_length,
    alignment=None,
    tokens=None,
    target_audio=None,
    predicted_audio=None,
    audio_lengths=None,
    predicted_audio_lengths=None,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.mel_comparison` beyond the common ones; computes the stats; encodes."""
    layout = _inputs.check_choice(layout, "layout", _spectra.MEL_LAYOUTS)
    length_mismatch = _inputs.check_choice(length_mismatch, "length_mismatch", _LENGTH_MISMATCH)
    max_outputs = _inputs.check_count(max_outputs, "max_outputs", minimum=1)
    sample_rate, hop_length = _spectra.check_audio(sample_rate, hop_length)
    target_array = _spectra.mel_array(target, "target", layout, options.max_elements)
    predicted_array = _spectra.mel_array(predicted, "predicted", layout, options.max_elements)
    if target_array.ndim != predicted_array.ndim:
        raise ValueError(
            f"target and predicted must both be one mel or both a batch, got shapes "
            f"{target_array.shape!r} and {predicted_array.shape!r}"
        )
    target_array = _spectra.as_batch(target_array, layout)
    predicted_array = _spectra.as_batch(predicted_array, layout)
    batch = target_array.shape[0]
    if predicted_array.shape[0] != batch:
        raise ValueError(
            f"target and predicted must have the same batch size, got {batch} and {predicted_array.shape[0]}"
        )
    if predicted_array.shape[1] != target_array.shape[1]:
        raise ValueError(
            f"target and predicted must have the same number of mel bins, got {target_array.shape[1]} "
            f"and {predicted_array.shape[1]} (layout={layout!r}; pass layout='frames_mels' for [frames, n_mels])"
        )
    target_lengths = _spectra.frame_lengths(lengths, "lengths", batch, target_array.shape[2])
    if predicted_lengths is not None:
        predicted_lengths_checked = _spectra.frame_lengths(
            predicted_lengths, "predicted_lengths", batch, predicted_array.shape[2]
        )
    elif target_lengths is not None:
        predicted_lengths_checked = [min(length, predicted_array.shape[2]) for length in target_lengths]
    else:
        predicted_lengths_checked = None
    facts = _spectra.sample_facts(sample_ids, texts, batch)
    target_frames = target_lengths or [target_array.shape[2]] * batch
    attached = _attached_alignments(alignment, tokens, batch, target_array.shape[2], target_frames, options)
    audio = _checked_audio(
        target_audio, predicted_audio, audio_lengths, predicted_audio_lengths, sample_rate, batch, options
    )

    header = pb.StepHeader()
    step_pb = header.mel
    step_pb.batch_size = batch
    pooled = stats.DiffAccumulator()
    blobs: List[bytes] = []
    for index in range(min(batch, max_outputs)):
        target_mel = target_array[index, :, : target_lengths[index] if target_lengths else None]
        predicted_mel = predicted_array[
            index, :, : predicted_lengths_checked[index] if predicted_lengths_checked else None
        ]
        sample = step_pb.samples.add(
            batch_index=index,
            target_frames=target_mel.shape[1],
            predicted_frames=predicted_mel.shape[1],
            sample_id=facts.id(index),
            text=facts.text(index),
        )
        target_mel, predicted_mel, sample.length_mismatch = _align_frames(  # type: ignore[assignment]
            target_mel, predicted_mel, length_mismatch
        )
        accumulator = stats.DiffAccumulator().add(target_mel, predicted_mel)
        pooled.merge(accumulator)
        sample.stats.CopyFrom(accumulator.to_proto())
        shared_range = codec.finite_range(target_mel, predicted_mel)
        for field, values, name in (
            (sample.target, target_mel, "target"),
            (sample.predicted, predicted_mel, "predicted"),
        ):
            encoded, blob = codec.encode_array(
                values, options.precision, len(blobs) + 1, name=name, quant_range=shared_range
            )
            field.CopyFrom(encoded)
            blobs.append(blob)
    if attached is not None:
        weights, labels = attached
        for index, sample in enumerate(step_pb.samples):
            alignment_kind.encode_sample(
                sample.alignment,
                weights[index, :, : target_frames[index]],
                labels[index] if labels else None,
                options.precision,
                blobs,
            )
            sample.alignment.batch_index = index
            sample.alignment.sample_id = sample.sample_id
            sample.alignment.text = sample.text
    for waveforms, field, frames_field in (
        (audio[0], "target_audio", "target_frames"),
        (audio[1], "predicted_audio", "predicted_frames"),
    ):
        if waveforms is None:
            continue
        for index, sample in enumerate(step_pb.samples):
            _audio.encode_clip(
                getattr(sample, field),
                waveforms.sample(index),
                sample_rate,
                getattr(sample, frames_field),
                hop_length,
                blobs,
            )
    step_pb.stats.CopyFrom(pooled.to_proto())

    plugin_data = pb.SpectroPluginData(kind=pb.MEL_COMPARISON)
    plugin_data.mel.sample_rate = sample_rate
    plugin_data.mel.hop_length = hop_length
    clips = sum(waveforms is not None for waveforms in audio)
    plugin_data.mel.sample_blobs = (2 if attached is None else 3 if attached[1] is None else 4) + 2 * clips
    nonfinite = pb.NonFiniteCounts()
    nonfinite.CopyFrom(step_pb.stats.nonfinite)
    holders = ["target", "predicted"]
    if attached is not None:
        holders.append("alignment")
        for sample in step_pb.samples:
            nonfinite.nan += sample.alignment.stats.nonfinite.nan
            nonfinite.pos_inf += sample.alignment.stats.nonfinite.pos_inf
            nonfinite.neg_inf += sample.alignment.stats.nonfinite.neg_inf
    for field, _ in _CLIPS:
        _audio.warn_damaged(options.tag, options.step, field, [getattr(s, field) for s in step_pb.samples])
    holding = " and ".join(holders) if len(holders) == 2 else ", ".join(holders[:-1]) + " and " + holders[-1]
    return _writing.EncodedStep(plugin_data, header, blobs, nonfinite, holding)


def _checked_audio(
    target_audio, predicted_audio, audio_lengths, predicted_audio_lengths, sample_rate, batch, options
) -> Tuple[Optional[_audio.Waveforms], Optional[_audio.Waveforms]]:
    """Checks the waveforms of a mel comparison's samples, either or both, and what they need."""
    given = [
        name
        for name, value in (("target_audio", target_audio), ("predicted_audio", predicted_audio))
        if value is not None
    ]
    if not given:
        for name, value in (("audio_lengths", audio_lengths), ("predicted_audio_lengths", predicted_audio_lengths)):
            if value is not None:
                raise ValueError(
                    f"{name} counts the valid samples of audio; pass target_audio= or predicted_audio= with it"
                )
        return None, None
    _audio.check_sample_rate(sample_rate, *given)
    target = _audio.waveforms(target_audio, "target_audio", batch, audio_lengths, "audio_lengths", options.max_elements)
    if predicted_audio_lengths is not None or audio_lengths is None:
        predicted = _audio.waveforms(
            predicted_audio,
            "predicted_audio",
            batch,
            predicted_audio_lengths,
            "predicted_audio_lengths",
            options.max_elements,
        )
    else:  # audio_lengths apply to the prediction too, capped at its samples
        predicted = _audio.waveforms(predicted_audio, "predicted_audio", batch, None, "", options.max_elements)
        if predicted is not None:
            lengths = _spectra.frame_lengths(audio_lengths, "audio_lengths", batch, 1 << 62, what="samples") or []
            predicted = predicted._replace(lengths=[min(n, predicted.values.shape[1]) for n in lengths])
    return target, predicted


# ---------------------------------------------------------------------------
# Reading


def _pair_range(first: pb.EncodedArray, second: pb.EncodedArray) -> Dict[str, Optional[float]]:
    """The finite value range of two arrays together, from their headers."""
    ranges = [r for r in (first.range, second.range) if r.count]
    if not ranges:
        return {"min": None, "max": None}
    return {
        "min": wire.finite_or_none(min(r.min for r in ranges)),
        "max": wire.finite_or_none(max(r.max for r in ranges)),
    }


_CLIPS = (("target_audio", "target"), ("predicted_audio", "predicted"))


def _clip_summary(clip: pb.AudioClip) -> Dict[str, Any]:
    """What /steps and /data say of one audio clip, without its samples."""
    samples = clip.samples.shape[0] if clip.samples.shape else 0
    return {
        "sample_rate": clip.sample_rate,
        "samples": samples,
        "seconds": samples / clip.sample_rate if clip.sample_rate else None,
        "clipped": clip.clipped,
        "nan": clip.nan,
        "peak": wire.finite_or_none(clip.peak),
        "expected_samples": clip.expected_samples or None,
        "length_mismatch": clip.length_mismatch,
    }


def _audio_summary(sample: pb.MelSample) -> Optional[Dict[str, Any]]:
    """The sample's clips by role ("target", "predicted"; null where absent), or None without audio."""
    present = {role: sample.HasField(field) for field, role in _CLIPS}
    if not any(present.values()):
        return None
    return {role: _clip_summary(getattr(sample, field)) if present[role] else None for field, role in _CLIPS}


class MelComparison(kinds.Kind):
    """A step holds samples; /data sends one sample's target and predicted, and part "audio" its waveforms."""

    enum = pb.MEL_COMPARISON
    name = "mel_comparison"
    body = "mel"
    parts = ("audio",)

    def max_samples(self, listing: Any, plugin_data: pb.SpectroPluginData) -> int:
        return _spectra.max_samples(listing.max_length, plugin_data.mel.sample_blobs or 2)

    def series_facts(self, plugin_data: pb.SpectroPluginData) -> Dict[str, Any]:
        return _spectra.frame_axis_facts(plugin_data.mel)

    def check_sample(self, header: pb.StepHeader, sample: int, step: int) -> None:
        _spectra.check_sample(len(header.mel.samples), sample, step)

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        chosen = header.mel.samples[sample]
        named = [kinds.NamedArray("target", chosen.target), kinds.NamedArray("predicted", chosen.predicted)]
        if chosen.HasField("alignment"):
            named.append(kinds.NamedArray("alignment", chosen.alignment.weights))
        # The clips' outlines, for the waveform strip; their samples are the part "audio".
        named += [
            kinds.NamedArray(f"{role}_envelope", chosen.envelope)
            for role, chosen in ((role, getattr(chosen, field)) for field, role in _CLIPS if chosen.HasField(field))
        ]
        return named

    def part_arrays(self, header: pb.StepHeader, sample: int, part: str) -> List[kinds.NamedArray]:
        chosen = header.mel.samples[sample]
        return [
            kinds.NamedArray(field, getattr(chosen, field).samples) for field, _ in _CLIPS if chosen.HasField(field)
        ]

    def sample_rates(self, header: pb.StepHeader, sample: int) -> Dict[str, int]:
        chosen = header.mel.samples[sample]
        return {field: getattr(chosen, field).sample_rate for field, _ in _CLIPS if chosen.HasField(field)}

    def extra_blobs(self, header: pb.StepHeader, sample: int) -> List[kinds.ExtraBlob]:
        chosen = header.mel.samples[sample]
        return alignment_kind.tokens_blob(chosen.alignment) if chosen.HasField("alignment") else []

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        return {
            "stats": wire.message_dict(header.mel.stats),
            "samples": [
                {
                    "sample_id": s.sample_id,
                    "text": s.text,
                    "target_frames": s.target_frames,
                    "predicted_frames": s.predicted_frames,
                    "length_mismatch": wire.enum_name(_LENGTH_MISMATCH_ENUM, s.length_mismatch),
                    "range": _pair_range(s.target, s.predicted),
                    "stats": wire.message_dict(s.stats),
                    "alignment": alignment_kind.sample_summary(s.alignment) if s.HasField("alignment") else None,
                    "audio": _audio_summary(s),
                }
                for s in header.mel.samples
            ],
            "batch_size": header.mel.batch_size,
        }

    def derived_arrays(self, arrays: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        if "target" not in arrays or "predicted" not in arrays:
            return {}  # the audio part
        return {"diff": arrays["target"] - arrays["predicted"]}


KIND = kinds.register(MelComparison())
