"""Spectro's summary ops: write spectrograms and other arrays for TensorBoard.

    from tb_plugin_spectro import summary as spectro_summary

    writer = spectro_summary.Writer("runs/tts")
    spectro_summary.mel_comparison("mel/val", target, predicted, step, writer=writer)

Each op has a `*_pb` twin that returns the `Summary` proto without writing.
The proto holds two values: the step's blob sequence under the tag, and a
copy of the step's header under `tag + "/_spectro_headers"`, a tensor series
that lets TensorBoard list every step's statistics in one read (see
`metadata.HEADERS_SUFFIX`). Tags ending with that suffix are refused.
Arrays may be numpy arrays, nested lists, PyTorch tensors (any device, with
grad, half precision), JAX arrays or TF tensors. Every argument is checked
before anything is written: a TypeError for the wrong kind of value, a
ValueError for a bad value, each naming the parameter.

NaN and Inf are not errors: they are stored in place, counted in the step's
header, and warned about once per tag.
"""

import math
import threading
import warnings
from typing import List, Optional, Sequence, Set, Tuple, Union

import numpy as np
from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

from tb_plugin_spectro import _inputs, codec, metadata, stats
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro.writer import Writer, resolve_writer

__all__ = [
    "Writer",
    "mel_comparison",
    "mel_comparison_pb",
    "noise_pair",
    "noise_pair_pb",
    "similarity_matrix",
    "similarity_matrix_pb",
    "lowest_point",
    "lowest_point_pb",
    "LowestPointTracker",
    "lowest_point_tag",
]

_PRECISION_NAMES = tuple(codec.PRECISIONS)
_MEL_LAYOUTS = ("mels_frames", "frames_mels")
_LENGTH_MISMATCH = ("crop", "pad")
_LOWEST_POINT_SUFFIX = "/lowest_point"  # appended to the watched tag
_COSINE_EPS = 1e-8  # smallest embedding norm divided by, as torch's cosine_similarity

ArrayLike = object  # numpy array, list, torch / JAX / TF tensor


def lowest_point_tag(watched_tag: str) -> str:
    """Returns the tag under which lowest points of `watched_tag` are written.

    The markers need a tag of their own: TensorBoard keeps one kind of data
    per tag, and `watched_tag` holds the scalars.
    """
    return watched_tag + _LOWEST_POINT_SUFFIX


# ---------------------------------------------------------------------------
# Shared plumbing


_warned_nonfinite: Set[str] = set()  # tags warned about, once per process
_warned_lock = threading.Lock()


def _warn_nonfinite(tag: str, what: str, counts: pb.NonFiniteCounts, step: int) -> None:
    total = counts.nan + counts.pos_inf + counts.neg_inf
    if not total:
        return
    with _warned_lock:
        if tag in _warned_nonfinite:
            return
        _warned_nonfinite.add(tag)
    warnings.warn(
        f"Spectro tag {tag!r} step {step}: {what} hold {counts.nan} NaN, "
        f"{counts.pos_inf} +Inf and {counts.neg_inf} -Inf values; they are "
        f"stored and shown as such (warned once per tag)",
        RuntimeWarning,
        stacklevel=4,
    )


def _string_tensor(elements: List[bytes]) -> tensor_pb2.TensorProto:
    """A rank-1 DT_STRING tensor of `elements`."""
    return tensor_pb2.TensorProto(
        dtype=types_pb2.DT_STRING,
        tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(elements))]),
        string_val=elements,
    )


def _summary(
    tag: str,
    plugin_data: pb.SpectroPluginData,
    header: pb.StepHeader,
    blobs: List[bytes],
    display_name: Optional[str],
    description: Optional[str],
) -> summary_pb2.Summary:
    """The step's blob sequence under `tag`, then its header again in the companion series."""
    header.version = metadata.PROTO_VERSION
    header_blob = header.SerializeToString()
    summary = summary_pb2.Summary()
    summary.value.add(
        tag=tag,
        metadata=metadata.create_summary_metadata(plugin_data, display_name=display_name, description=description),
        tensor=_string_tensor([header_blob] + blobs),
    )
    summary.value.add(
        tag=metadata.headers_tag(tag),
        metadata=metadata.create_headers_metadata(plugin_data),
        tensor=_string_tensor([header_blob]),
    )
    return summary


def _check_series_tag(tag) -> str:
    tag = _inputs.check_tag(tag)
    if tag.endswith(metadata.HEADERS_SUFFIX):
        raise ValueError(
            f"tag must not end with {metadata.HEADERS_SUFFIX!r}, the suffix of Spectro's header series; got {tag!r}"
        )
    return tag


def _check_common(tag, step, precision, max_elements, display_name, description) -> Tuple[str, int, int, int]:
    tag = _check_series_tag(tag)
    step = _inputs.check_step(step)
    precision_code = codec.PRECISIONS[_inputs.check_choice(precision, "precision", _PRECISION_NAMES)]
    max_elements = _inputs.check_count(max_elements, "max_elements", minimum=1)
    if display_name is not None:
        _inputs.check_string(display_name, "display_name", max_length=1000)
    if description is not None:
        _inputs.check_string(description, "description")
    return tag, step, precision_code, max_elements


def _check_walltime(walltime) -> Optional[float]:
    return None if walltime is None else _inputs.check_real(walltime, "walltime")


# ---------------------------------------------------------------------------
# Mel comparisons


def _frame_lengths(lengths, name: str, batch: int, frames: int) -> Optional[List[int]]:
    """Checks per-sample valid lengths: 1..frames each, one per sample."""
    if lengths is None:
        return None
    if isinstance(lengths, (int, np.integer)) and not isinstance(lengths, bool):
        lengths = [lengths]
    array = _inputs._from_framework(lengths, name)
    try:
        values = np.asarray(array).reshape(-1).tolist()
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a sequence of integers, got {lengths!r}") from None
    if len(values) != batch:
        raise ValueError(f"{name} must have one length per sample ({batch}), got {len(values)}")
    result = []
    for i, value in enumerate(values):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        length = _inputs.check_count(value, f"{name}[{i}]", minimum=1)
        if length > frames:
            raise ValueError(f"{name}[{i}] must be at most the {frames} frames given, got {length}")
        result.append(length)
    return result


def mel_comparison_pb(
    tag: str,
    target: ArrayLike,
    predicted: ArrayLike,
    step: int,
    *,
    layout: str = "mels_frames",
    lengths: Optional[Sequence[int]] = None,
    predicted_lengths: Optional[Sequence[int]] = None,
    length_mismatch: str = "crop",
    max_outputs: int = 3,
    sample_ids: Union[str, Sequence[str], None] = None,
    texts: Union[str, Sequence[str], None] = None,
    sample_rate: Optional[int] = None,
    hop_length: Optional[int] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a mel-comparison Summary proto; see `mel_comparison`."""
    tag, step, precision_code, max_elements = _check_common(
        tag, step, precision, max_elements, display_name, description
    )
    layout = _inputs.check_choice(layout, "layout", _MEL_LAYOUTS)
    length_mismatch = _inputs.check_choice(length_mismatch, "length_mismatch", _LENGTH_MISMATCH)
    max_outputs = _inputs.check_count(max_outputs, "max_outputs", minimum=1)
    sample_rate = _inputs.check_optional_count(sample_rate, "sample_rate", minimum=1)
    hop_length = _inputs.check_optional_count(hop_length, "hop_length", minimum=1)
    shape_hint = (
        "[n_mels, frames] or [batch, n_mels, frames]"
        if layout == "mels_frames"
        else "[frames, n_mels] or [batch, frames, n_mels]"
    )
    target_array = _inputs.to_float_array(
        target, "target", ranks=(2, 3), shape_hint=shape_hint, max_elements=max_elements
    )
    predicted_array = _inputs.to_float_array(
        predicted, "predicted", ranks=(2, 3), shape_hint=shape_hint, max_elements=max_elements
    )
    if target_array.ndim != predicted_array.ndim:
        raise ValueError(
            f"target and predicted must both be one mel or both a batch, got shapes "
            f"{target_array.shape!r} and {predicted_array.shape!r}"
        )
    batched = target_array.ndim == 3
    if not batched:
        target_array, predicted_array = target_array[None], predicted_array[None]
    if layout == "frames_mels":
        target_array = target_array.transpose(0, 2, 1)
        predicted_array = predicted_array.transpose(0, 2, 1)
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
    target_lengths = _frame_lengths(lengths, "lengths", batch, target_array.shape[2])
    if predicted_lengths is not None:
        predicted_lengths_checked = _frame_lengths(
            predicted_lengths, "predicted_lengths", batch, predicted_array.shape[2]
        )
    elif target_lengths is not None:
        predicted_lengths_checked = [min(length, predicted_array.shape[2]) for length in target_lengths]
    else:
        predicted_lengths_checked = None
    ids = None if sample_ids is None else _inputs.check_strings(sample_ids, "sample_ids", batch, what="sample")
    transcripts = None if texts is None else _inputs.check_strings(texts, "texts", batch, what="sample")

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
            sample_id=ids[index] if ids else "",
            text=transcripts[index] if transcripts else "",
        )
        target_mel, predicted_mel, sample.length_mismatch = _align_frames(target_mel, predicted_mel, length_mismatch)
        accumulator = stats.DiffAccumulator().add(target_mel, predicted_mel)
        pooled.merge(accumulator)
        sample.stats.CopyFrom(accumulator.to_proto())
        shared_range = codec.finite_range(target_mel, predicted_mel)
        for field, values, name in (
            (sample.target, target_mel, "target"),
            (sample.predicted, predicted_mel, "predicted"),
        ):
            encoded, blob = codec.encode_array(
                values, precision_code, len(blobs) + 1, name=name, quant_range=shared_range
            )
            field.CopyFrom(encoded)
            blobs.append(blob)
    step_pb.stats.CopyFrom(pooled.to_proto())
    _warn_nonfinite(tag, "target and predicted", step_pb.stats.nonfinite, step)

    plugin_data = pb.SpectroPluginData(kind=pb.MEL_COMPARISON)
    plugin_data.mel.sample_rate = sample_rate or 0
    plugin_data.mel.hop_length = hop_length or 0
    return _summary(tag, plugin_data, header, blobs, display_name, description)


def _align_frames(target: np.ndarray, predicted: np.ndarray, mode: str):
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


def mel_comparison(
    tag: str,
    target: ArrayLike,
    predicted: ArrayLike,
    step: int,
    *,
    writer=None,
    walltime: Optional[float] = None,
    layout: str = "mels_frames",
    lengths: Optional[Sequence[int]] = None,
    predicted_lengths: Optional[Sequence[int]] = None,
    length_mismatch: str = "crop",
    max_outputs: int = 3,
    sample_ids: Union[str, Sequence[str], None] = None,
    texts: Union[str, Sequence[str], None] = None,
    sample_rate: Optional[int] = None,
    hop_length: Optional[int] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Writes target and predicted mel spectrograms for side-by-side comparison.

    The pane shows target, predicted and their difference (target - predicted)
    in one synchronized view. MAE, RMSE, max |diff| and bias are computed here,
    once, and stored with the step.

    Args:
      tag: name of the series, e.g. "mel/val".
      target: the ground-truth mel, float [n_mels, frames], or a batch
        [batch, n_mels, frames]. Any units (log-mel, dB, normalized).
      predicted: the model's mel, same layout and n_mels as `target`. Its
        frame count may differ: see `length_mismatch`.
      step: training step, an integer >= 0.
      writer: a `spectro_summary.Writer`, a torch.utils.tensorboard or
        tensorboardX `SummaryWriter`, a tf.summary writer, or None for TF2's
        default writer.
      walltime: seconds since the epoch; now if None (ignored by TF writers).
      layout: "mels_frames" for [n_mels, frames] or "frames_mels" for
        [frames, n_mels] (and their batched forms).
      lengths: valid frame counts per sample of a batch, to strip padding;
        applies to both arrays (capped at the prediction's frames) unless
        `predicted_lengths` is given.
      predicted_lengths: valid frame counts of the predicted mels.
      length_mismatch: "crop" both to the shorter (default) or "pad" the
        shorter with its own smallest value. Both original lengths are kept.
      max_outputs: how many samples of a batch to keep, the first ones.
      sample_ids: an id per sample of the batch (e.g. "LJ001-0001").
      texts: a transcript per sample of the batch.
      sample_rate: audio sample rate in Hz, to show time in seconds.
      hop_length: hop in samples between frames, likewise.
      precision: storage of each value: "uint8" (default; error at most half
        of (max - min) / 255), "uint16", "float16" or "float32" (lossless).
      max_elements: most values an array argument may hold.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError: an argument is of the wrong kind (e.g. a complex array).
      ValueError: an argument has a bad value (wrong rank, mismatched mel
        bins, a negative step, an unknown option, no writer).

    Example:
      spectro_summary.mel_comparison(
          "mel/val", batch_mels, model_mels, step, writer=writer,
          lengths=mel_lengths, sample_ids=utterance_ids, max_outputs=4)
    """
    walltime = _check_walltime(walltime)
    write = resolve_writer(writer)
    summary = mel_comparison_pb(
        tag,
        target,
        predicted,
        step,
        layout=layout,
        lengths=lengths,
        predicted_lengths=predicted_lengths,
        length_mismatch=length_mismatch,
        max_outputs=max_outputs,
        sample_ids=sample_ids,
        texts=texts,
        sample_rate=sample_rate,
        hop_length=hop_length,
        precision=precision,
        max_elements=max_elements,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


# ---------------------------------------------------------------------------
# Noise pairs


def noise_pair_pb(
    tag: str,
    predicted: ArrayLike,
    actual: ArrayLike,
    step: int,
    *,
    timestep: Optional[int] = None,
    total_timesteps: Optional[int] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a noise-pair Summary proto; see `noise_pair`."""
    tag, step, precision_code, max_elements = _check_common(
        tag, step, precision, max_elements, display_name, description
    )
    timestep = _inputs.check_optional_count(timestep, "timestep")
    total_timesteps = _inputs.check_optional_count(total_timesteps, "total_timesteps", minimum=1)
    if timestep is not None and total_timesteps is not None and timestep >= total_timesteps:
        raise ValueError(f"timestep must be below total_timesteps={total_timesteps}, got {timestep}")
    shape_hint = "[H, W] or a stack [C or frames, H, W]"
    predicted_array = _inputs.to_float_array(
        predicted, "predicted", ranks=(2, 3), shape_hint=shape_hint, max_elements=max_elements
    )
    actual_array = _inputs.to_float_array(
        actual, "actual", ranks=(2, 3), shape_hint=shape_hint, max_elements=max_elements
    )
    if predicted_array.shape != actual_array.shape:
        raise ValueError(
            f"predicted and actual must have the same shape, got {predicted_array.shape!r} and {actual_array.shape!r}"
        )

    header = pb.StepHeader()
    step_pb = header.noise
    step_pb.has_timestep = timestep is not None
    step_pb.timestep = timestep or 0
    step_pb.total_timesteps = total_timesteps or 0
    step_pb.stats.CopyFrom(stats.noise_stats(predicted_array, actual_array))
    if predicted_array.ndim == 3:
        step_pb.frame_mse.extend(stats.frame_mse(predicted_array, actual_array))
    shared_range = codec.finite_range(predicted_array, actual_array)
    blobs: List[bytes] = []
    for field, values, name in (
        (step_pb.predicted, predicted_array, "predicted"),
        (step_pb.actual, actual_array, "actual"),
    ):
        encoded, blob = codec.encode_array(values, precision_code, len(blobs) + 1, name=name, quant_range=shared_range)
        field.CopyFrom(encoded)
        blobs.append(blob)
    _warn_nonfinite(tag, "predicted and actual noise", step_pb.stats.nonfinite, step)

    plugin_data = pb.SpectroPluginData(kind=pb.NOISE_PAIR)
    plugin_data.noise.total_timesteps = total_timesteps or 0
    return _summary(tag, plugin_data, header, blobs, display_name, description)


def noise_pair(
    tag: str,
    predicted: ArrayLike,
    actual: ArrayLike,
    step: int,
    *,
    timestep: Optional[int] = None,
    writer=None,
    walltime: Optional[float] = None,
    total_timesteps: Optional[int] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Writes the predicted and actual noise of a diffusion model at a timestep.

    MSE, MAE, Pearson correlation and SNR (dB) are computed here and stored
    with the step, with the MSE of each frame of a stack; the pane plots the
    MSE against both training step and diffusion timestep.

    Args:
      tag: name of the series, e.g. "diffusion/noise".
      predicted: the model's noise estimate, float [H, W] (e.g. [n_mels,
        frames]) or a stack [C or frames, H, W].
      actual: the noise that was added, same shape.
      step: training step, an integer >= 0.
      timestep: the diffusion timestep t of this pair, an integer >= 0.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      total_timesteps: T of the noise schedule; `timestep` must be below it.
      precision: "uint8" (default), "uint16", "float16" or "float32".
      max_elements: most values an array argument may hold.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError: as for `mel_comparison`.

    Example:
      spectro_summary.noise_pair("noise", eps_hat[0], eps[0], step,
                                 timestep=int(t[0]), total_timesteps=1000, writer=writer)
    """
    walltime = _check_walltime(walltime)
    write = resolve_writer(writer)
    summary = noise_pair_pb(
        tag,
        predicted,
        actual,
        step,
        timestep=timestep,
        total_timesteps=total_timesteps,
        precision=precision,
        max_elements=max_elements,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


# ---------------------------------------------------------------------------
# Similarity matrices


def _cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    def normalize(x):
        norms = np.linalg.norm(x.astype(np.float64), axis=1, keepdims=True)
        return (x / np.maximum(norms, _COSINE_EPS)).astype(np.float32)

    with np.errstate(invalid="ignore", over="ignore"):
        return normalize(a) @ normalize(b).T


def similarity_matrix_pb(
    tag: str,
    a: ArrayLike,
    b: Optional[ArrayLike],
    step: int,
    *,
    labels_a: Optional[Sequence[str]] = None,
    labels_b: Optional[Sequence[str]] = None,
    a_name: Optional[str] = None,
    b_name: Optional[str] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a similarity-matrix Summary proto; see `similarity_matrix`."""
    tag, step, precision_code, max_elements = _check_common(
        tag, step, precision, max_elements, display_name, description
    )
    for value, name in ((a_name, "a_name"), (b_name, "b_name")):
        if value is not None:
            _inputs.check_string(value, name, max_length=1000)
    header = pb.StepHeader()
    step_pb = header.similarity
    if b is None:
        matrix = _inputs.to_float_array(
            a, "a", ranks=(2,), shape_hint="[N, M] (a similarity matrix, as b is None)", max_elements=max_elements
        )
        step_pb.source = pb.GIVEN_MATRIX
    else:
        a_array = _inputs.to_float_array(
            a, "a", ranks=(2,), shape_hint="[N, D] (N embeddings)", max_elements=max_elements
        )
        b_array = _inputs.to_float_array(
            b, "b", ranks=(2,), shape_hint="[M, D] (M embeddings)", max_elements=max_elements
        )
        if a_array.shape[1] != b_array.shape[1]:
            raise ValueError(
                f"a and b must have the same embedding dimension, got a {a_array.shape!r} and b {b_array.shape!r}"
            )
        cells = a_array.shape[0] * b_array.shape[0]
        if cells > max_elements:
            raise ValueError(
                f"the similarity matrix of a {a_array.shape!r} and b {b_array.shape!r} has {cells} values, "
                f"more than max_elements={max_elements}; pass a larger max_elements to store it anyway"
            )
        matrix = _cosine_similarity(a_array, b_array)
        step_pb.source = pb.COSINE_OF_EMBEDDINGS
        step_pb.embedding_dim = a_array.shape[1]
    rows, columns = matrix.shape
    row_labels = [] if labels_a is None else _inputs.check_strings(labels_a, "labels_a", rows, what="row of the matrix")
    column_labels = (
        [] if labels_b is None else _inputs.check_strings(labels_b, "labels_b", columns, what="column of the matrix")
    )

    step_pb.stats.CopyFrom(stats.similarity_stats(matrix))
    encoded, blob = codec.encode_array(matrix, precision_code, 1, name="the similarity matrix")
    step_pb.matrix.CopyFrom(encoded)
    blobs = [blob]
    if row_labels or column_labels:
        step_pb.labels_blob_index = len(blobs) + 1
        blobs.append(pb.Labels(rows=row_labels, columns=column_labels).SerializeToString())
    _warn_nonfinite(tag, "the similarity matrix", step_pb.stats.nonfinite, step)

    plugin_data = pb.SpectroPluginData(kind=pb.SIMILARITY_MATRIX)
    plugin_data.similarity.rows_name = a_name or ""
    plugin_data.similarity.columns_name = b_name or ""
    return _summary(tag, plugin_data, header, blobs, display_name, description)


def similarity_matrix(
    tag: str,
    a: ArrayLike,
    b: Optional[ArrayLike],
    step: int,
    *,
    labels_a: Optional[Sequence[str]] = None,
    labels_b: Optional[Sequence[str]] = None,
    writer=None,
    walltime: Optional[float] = None,
    a_name: Optional[str] = None,
    b_name: Optional[str] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Writes the cosine similarity between two sets of embeddings.

    Row i is `a[i]`, column j is `b[j]`; for paired data (text i describes
    audio i) the diagonal holds the matches. The diagonal and off-diagonal
    means, their gap, and for a square matrix R@1 and R@5 in both directions
    are computed here and stored with the step.

    Args:
      tag: name of the series, e.g. "align/text_audio".
      a: embeddings [N, D], e.g. text.
      b: embeddings [M, D], e.g. audio; or None when `a` is an already
        computed [N, M] similarity matrix.
      step: training step, an integer >= 0.
      labels_a: a string per row (caption, id), shown on hover.
      labels_b: a string per column.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      a_name: what the rows are, e.g. "text" (a fact of the series).
      b_name: what the columns are, e.g. "audio".
      precision: "uint8" (default), "uint16", "float16" or "float32".
      max_elements: most values an array argument, or the matrix, may hold.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError: as for `mel_comparison`; also for labels of the
        wrong count or type, or embeddings of different dimensions.

    Example:
      spectro_summary.similarity_matrix("align", text_emb, audio_emb, step,
                                        labels_a=captions, a_name="text", b_name="audio",
                                        writer=writer)
    """
    walltime = _check_walltime(walltime)
    write = resolve_writer(writer)
    summary = similarity_matrix_pb(
        tag,
        a,
        b,
        step,
        labels_a=labels_a,
        labels_b=labels_b,
        a_name=a_name,
        b_name=b_name,
        precision=precision,
        max_elements=max_elements,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


# ---------------------------------------------------------------------------
# Lowest points


def lowest_point_pb(
    tag: str,
    value: float,
    step: int,
    *,
    smoothed_value: Optional[float] = None,
    smoothing: float = 0.0,
    epoch: Optional[int] = None,
    checkpoint_path=None,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a lowest-point Summary proto; see `lowest_point`."""
    tag = _inputs.check_tag(tag)
    step = _inputs.check_step(step)
    marker = pb.LowestPointStep(value=_inputs.check_real(value, "value"))
    if smoothed_value is not None:
        marker.smoothed_value = _inputs.check_real(smoothed_value, "smoothed_value")
    marker.smoothing = _check_smoothing(smoothing)
    epoch = _inputs.check_optional_count(epoch, "epoch")
    if epoch is not None:
        marker.epoch = epoch
    if checkpoint_path is not None:
        marker.checkpoint_path = _inputs.check_path(checkpoint_path, "checkpoint_path")
    if display_name is not None:
        _inputs.check_string(display_name, "display_name", max_length=1000)
    if description is not None:
        _inputs.check_string(description, "description")
    header = pb.StepHeader()
    header.lowest_point.CopyFrom(marker)
    plugin_data = pb.SpectroPluginData(kind=pb.LOWEST_POINT)
    plugin_data.lowest_point.watched_tag = tag
    return _summary(lowest_point_tag(tag), plugin_data, header, [], display_name, description)


def _check_smoothing(smoothing) -> float:
    weight = _inputs.check_real(smoothing, "smoothing")
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), as TensorBoard's slider, got {weight!r}")
    return weight


def lowest_point(
    tag: str,
    value: float,
    step: int,
    *,
    writer=None,
    walltime: Optional[float] = None,
    smoothed_value: Optional[float] = None,
    smoothing: float = 0.0,
    epoch: Optional[int] = None,
    checkpoint_path=None,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Marks that the scalar series `tag` reached a lowest point at `step`.

    The marker is written under `lowest_point_tag(tag)` ("<tag>/lowest_point"),
    since `tag` itself holds the scalars. The pane shows markers on the
    curve with their checkpoint paths. `LowestPointTracker` writes them for
    you as training goes.

    Args:
      tag: the watched scalar tag, e.g. "loss/g/total".
      value: the raw value at `step`, finite.
      step: training step, an integer >= 0.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      smoothed_value: the smoothed value at `step`, if smoothing was used.
      smoothing: the smoothing weight in [0, 1) behind `smoothed_value`.
      epoch: training epoch at `step`.
      checkpoint_path: the checkpoint saved at this point.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError: as for `mel_comparison`; a non-finite value is
        a ValueError.

    Example:
      spectro_summary.lowest_point("loss/g/total", loss, step, epoch=epoch,
                                   checkpoint_path=f"logs/G_{step}.pth", writer=writer)
    """
    walltime = _check_walltime(walltime)
    write = resolve_writer(writer)
    summary = lowest_point_pb(
        tag,
        value,
        step,
        smoothed_value=smoothed_value,
        smoothing=smoothing,
        epoch=epoch,
        checkpoint_path=checkpoint_path,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


class LowestPointTracker:
    """Watches a scalar as training goes and marks each new lowest point.

    With `smoothing` > 0 the tracker follows TensorBoard's smoothing (the
    debiased exponential moving average of its Scalars tab, same weight),
    so that one lucky batch does not count as a low. Each `update` that
    reaches a new low (below the previous by more than `min_delta`) writes a
    marker and returns True, so the loop can save that checkpoint:

        tracker = spectro_summary.LowestPointTracker("loss/g/total", writer=writer, smoothing=0.95)
        for step, batch in enumerate(loader):
            loss = train_step(batch)
            path = f"logs/G_{step}.pth"
            if tracker.update(step, loss, checkpoint_path=path):
                torch.save(model.state_dict(), path)

    The last marker written is the low that was never reached again.
    """

    def __init__(self, tag: str, *, writer, smoothing: float = 0.0, min_delta: float = 0.0):
        """Args:
        tag: the watched scalar tag, e.g. "loss/g/total".
        writer: as for `mel_comparison` (None for TF2's default writer).
        smoothing: TensorBoard smoothing weight in [0, 1); 0 watches the raw value.
        min_delta: how far below the previous low a new one must be, >= 0.
        """
        self.tag = _inputs.check_tag(tag)
        self._write = resolve_writer(writer)
        self.smoothing = _check_smoothing(smoothing)
        self.min_delta = _inputs.check_real(min_delta, "min_delta")
        if self.min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {self.min_delta!r}")
        self._ema = 0.0
        self._updates = 0
        self.best_value: Optional[float] = None  # the watched (smoothed) value
        self.best_step: Optional[int] = None

    def _smooth(self, value: float) -> float:
        """Folds a finite value into the moving average and returns it debiased."""
        self._ema = self._ema * self.smoothing + (1 - self.smoothing) * value
        self._updates += 1
        return self._ema / (1 - self.smoothing**self._updates)

    def update(
        self,
        step: int,
        value: float,
        *,
        epoch: Optional[int] = None,
        checkpoint_path=None,
        walltime: Optional[float] = None,
    ) -> bool:
        """Takes the value at `step`; writes a marker and returns True at a new low.

        A non-finite value is skipped (TensorBoard's smoothing skips it too)
        and returns False.
        """
        step = _inputs.check_step(step)
        raw = _inputs.check_real(value, "value", finite=False)
        walltime = _check_walltime(walltime)
        if not math.isfinite(raw):
            return False
        watched = self._smooth(raw) if self.smoothing > 0 else raw
        if self.best_value is not None and not watched < self.best_value - self.min_delta:
            return False
        summary = lowest_point_pb(
            self.tag,
            raw,
            step,
            smoothed_value=watched if self.smoothing > 0 else None,
            smoothing=self.smoothing,
            epoch=epoch,
            checkpoint_path=checkpoint_path,
        )
        self._write(summary, step, walltime)
        self.best_value, self.best_step = watched, step
        return True
