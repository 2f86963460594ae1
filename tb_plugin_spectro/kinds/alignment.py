"""Alignments: attention weights of text tokens against decoder frames, or hard alignments from durations.

A step holds up to `max_outputs` samples of a batch, each a weight matrix
[tokens, frames] after stripping padding, its stats, and in a blob of its own
the token labels. A mel comparison may carry the alignment of each sample
(`MelSample.alignment`); `encode_sample` serves both.
"""

from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from tb_plugin_spectro import _inputs, _writing, codec, kinds, stats, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.kinds import _spectra

__all__ = ["Alignment", "KIND", "encode", "encode_sample", "check_weights", "check_tokens", "sample_summary"]

_LAYOUTS = ("tokens_frames", "frames_tokens")


# ---------------------------------------------------------------------------
# Writing


def check_weights(array: np.ndarray, name: str) -> None:
    """Raises ValueError at the first negative finite weight; NaN and ±Inf pass (stored and counted)."""
    with np.errstate(invalid="ignore"):
        negative = np.argwhere((array < 0) & np.isfinite(array))
    if negative.size:
        where = tuple(int(i) for i in negative[0])
        raise ValueError(f"{name} must be >= 0, got {float(array[where]):.6g} at index {list(where)}")


def check_tokens(tokens, batch: int, counts: Sequence[int]) -> Optional[List[List[str]]]:
    """Checks the token labels: one string per token, a list per sample of a batch; None when not given."""
    if tokens is None:
        return None
    if isinstance(tokens, np.ndarray):
        tokens = tokens.tolist()
    if not isinstance(tokens, (list, tuple)):
        raise TypeError(f"tokens must be a list of strings, got {type(tokens).__name__} {_inputs._describe(tokens)}")
    nested = bool(tokens) and all(isinstance(item, (list, tuple, np.ndarray)) for item in tokens)
    if not nested:
        if batch != 1:
            raise ValueError(f"tokens must be a list of labels per sample of the batch ({batch}), got one list")
        tokens = [tokens]
    if len(tokens) != batch:
        raise ValueError(f"tokens must have one list of labels per sample ({batch}), got {len(tokens)}")
    name = "tokens" if not nested else "tokens[{}]"
    return [
        _inputs.check_strings(labels, name.format(i), counts[i], what="token of the sample")
        for i, labels in enumerate(tokens)
    ]


def _durations_to_weights(durations, token_lengths, frame_lengths, max_elements: int):
    """One-hot weights [batch, tokens, frames] from integer frames per token; the frames of each sample."""
    array = _inputs._from_framework(durations, "durations")
    try:
        array = np.asarray(array)
    except (ValueError, TypeError) as e:
        raise TypeError(f"durations must be an array of integers; it does not convert to one: {e}") from None
    if array.dtype.kind not in "fiu":
        raise TypeError(f"durations must hold integers, got dtype {array.dtype}")
    if array.ndim not in (1, 2):
        raise ValueError(f"durations must be 1-D [tokens] or 2-D [batch, tokens], got shape {array.shape!r}")
    if array.size == 0:
        raise ValueError(f"durations must not be empty, got shape {array.shape!r}")
    if array.dtype.kind == "f":
        if not np.isfinite(array).all() or not (array == np.round(array)).all():
            bad = array[~(np.isfinite(array) & (array == np.round(array)))][0]
            raise ValueError(f"durations must be whole numbers of frames, got {float(bad)!r}")
    if (array < 0).any():
        raise ValueError(f"durations must be >= 0, got {array[array < 0][0].item()!r}")
    array = array.astype(np.int64).reshape(-1, array.shape[-1])
    batch, tokens = array.shape
    token_counts = (
        _spectra.frame_lengths(token_lengths, "token_lengths", batch, tokens, what="tokens") or [tokens] * batch
    )
    sums = [int(array[i, : token_counts[i]].sum()) for i in range(batch)]
    if frame_lengths is not None:
        given = _spectra.frame_lengths(frame_lengths, "frame_lengths", batch, 1 << 62)
        for i, (length, total) in enumerate(zip(given or [], sums)):
            if length != total:
                raise ValueError(f"durations of sample {i} sum to {total} frames, but frame_lengths[{i}] is {length}")
    if min(sums) < 1:
        raise ValueError(f"durations must give at least one frame per sample, got a sum of {min(sums)}")
    frames = max(sums)
    if batch * tokens * frames > max_elements:
        raise ValueError(
            f"the weights of durations {array.shape!r} hold {batch * tokens * frames} values, more than "
            f"max_elements={max_elements}; pass a larger max_elements to store them anyway"
        )
    weights = np.zeros((batch, tokens, frames), dtype=np.float32)
    for i in range(batch):
        rows = np.repeat(np.arange(token_counts[i]), array[i, : token_counts[i]])
        weights[i, rows, np.arange(rows.size)] = 1.0
    return weights, token_counts, sums


def encode_sample(
    sample: pb.AlignmentSample,
    weights: np.ndarray,
    labels: Optional[List[str]],
    precision: int,
    blobs: List[bytes],
    *,
    from_durations: bool = False,
) -> None:
    """Fills `sample` with one alignment [tokens, frames] and appends its blobs (weights, then labels) to `blobs`."""
    sample.from_durations = from_durations
    sample.stats.CopyFrom(stats.alignment_stats(weights))
    encoded, blob = codec.encode_array(weights, precision, len(blobs) + 1, name="weights")
    sample.weights.CopyFrom(encoded)
    blobs.append(blob)
    if labels is not None:
        sample.tokens_blob_index = len(blobs) + 1
        blobs.append(pb.Labels(rows=labels).SerializeToString())


def encode(
    options: _writing.ArrayOptions,
    weights: Optional[_writing.ArrayLike],
    *,
    tokens,
    durations,
    layout,
    token_lengths,
    frame_lengths,
    max_outputs,
    sample_ids,
    texts,
    sample_rate,
    hop_length,
) -> _writing.EncodedStep:
    """Checks the arguments of `summary.alignment` beyond the common ones; computes the stats; encodes."""
    layout = _inputs.check_choice(layout, "layout", _LAYOUTS)
    max_outputs = _inputs.check_count(max_outputs, "max_outputs", minimum=1)
    sample_rate, hop_length = _spectra.check_audio(sample_rate, hop_length)
    if (weights is None) == (durations is None):
        raise ValueError(
            "pass either weights or durations (with weights=None), got "
            + ("both" if weights is not None else "neither")
        )
    if weights is not None:
        shape_hint = (
            "[tokens, frames] or [batch, tokens, frames]"
            if layout == "tokens_frames"
            else "[frames, tokens] or [batch, frames, tokens]"
        )
        array = _inputs.to_float_array(
            weights, "weights", ranks=(2, 3), shape_hint=shape_hint, max_elements=options.max_elements
        )
        check_weights(array, "weights")
        if array.ndim == 2:
            array = array[None]
        if layout == "frames_tokens":
            array = array.transpose(0, 2, 1)
        batch = array.shape[0]
        token_counts = (
            _spectra.frame_lengths(token_lengths, "token_lengths", batch, array.shape[1], what="tokens")
            or [array.shape[1]] * batch
        )
        frame_counts = (
            _spectra.frame_lengths(frame_lengths, "frame_lengths", batch, array.shape[2]) or [array.shape[2]] * batch
        )
    else:
        array, token_counts, frame_counts = _durations_to_weights(
            durations, token_lengths, frame_lengths, options.max_elements
        )
        batch = array.shape[0]
    labels = check_tokens(tokens, batch, token_counts)
    facts = _spectra.sample_facts(sample_ids, texts, batch)

    header = pb.StepHeader()
    step_pb = header.alignment
    step_pb.batch_size = batch
    blobs: List[bytes] = []
    for index in range(min(batch, max_outputs)):
        sample = step_pb.samples.add(batch_index=index, sample_id=facts.id(index), text=facts.text(index))
        encode_sample(
            sample,
            array[index, : token_counts[index], : frame_counts[index]],
            labels[index] if labels else None,
            options.precision,
            blobs,
            from_durations=durations is not None,
        )
    step_pb.stats.CopyFrom(pool_stats(step_pb.samples))

    plugin_data = pb.SpectroPluginData(kind=pb.ALIGNMENT)
    plugin_data.alignment.sample_rate = sample_rate
    plugin_data.alignment.hop_length = hop_length
    plugin_data.alignment.sample_blobs = 1 if labels is None else 2
    return _writing.EncodedStep(plugin_data, header, blobs, step_pb.stats.nonfinite, "the weights")


def pool_stats(samples) -> pb.AlignmentStats:
    """The stats of a step's samples pooled, as `AlignmentStep.stats` defines them."""
    return stats.pool_alignment_stats([(s.stats, s.weights.shape[0]) for s in samples])


# ---------------------------------------------------------------------------
# Reading


def parse_tokens(blob: bytes) -> List[str]:
    """The token labels of a sample's Labels blob."""
    try:
        labels = pb.Labels.FromString(blob)
    except Exception as e:  # protobuf raises DecodeError or a runtime error
        raise ValueError(f"unreadable token labels: {e}") from None
    return list(labels.rows)


def sample_summary(sample: pb.AlignmentSample) -> Dict[str, Any]:
    """The facts and stats of one alignment, without the sample's id and text."""
    return {
        "tokens": sample.weights.shape[0] if sample.weights.shape else 0,
        "frames": sample.weights.shape[1] if len(sample.weights.shape) > 1 else 0,
        "from_durations": sample.from_durations,
        "stats": wire.message_dict(sample.stats),
    }


def tokens_blob(sample: pb.AlignmentSample) -> List[kinds.ExtraBlob]:
    """The /data entry `tokens`: the labels of the sample's tokens blob, or null when it has none."""
    index = sample.tokens_blob_index
    return [kinds.ExtraBlob("tokens", index, parse_tokens)]


class Alignment(kinds.Kind):
    """A step holds samples; /data sends one sample's weights and its token labels."""

    enum = pb.ALIGNMENT
    name = "alignment"
    body = "alignment"

    def max_samples(self, listing: Any, plugin_data: pb.SpectroPluginData) -> int:
        return _spectra.max_samples(listing.max_length, plugin_data.alignment.sample_blobs or 1)

    def series_facts(self, plugin_data: pb.SpectroPluginData) -> Dict[str, Any]:
        return _spectra.frame_axis_facts(plugin_data.alignment)

    def check_sample(self, header: pb.StepHeader, sample: int, step: int) -> None:
        _spectra.check_sample(len(header.alignment.samples), sample, step)

    def arrays(self, header: pb.StepHeader, sample: int) -> List[kinds.NamedArray]:
        return [kinds.NamedArray("weights", header.alignment.samples[sample].weights)]

    def extra_blobs(self, header: pb.StepHeader, sample: int) -> List[kinds.ExtraBlob]:
        return tokens_blob(header.alignment.samples[sample])

    def step_summary(self, header: pb.StepHeader) -> Dict[str, Any]:
        return {
            "stats": wire.message_dict(header.alignment.stats),
            "samples": [
                dict(sample_id=s.sample_id, text=s.text, **sample_summary(s)) for s in header.alignment.samples
            ],
            "batch_size": header.alignment.batch_size,
        }


KIND = kinds.register(Alignment())
