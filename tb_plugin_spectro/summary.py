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
grad, half precision), JAX arrays or TF tensors; a torch meta or sparse
tensor is refused (pass one with values, or `.to_dense()`). Values are
stored as float32 at most: a finite value beyond float32's range (about
3.4e38) is a ValueError, never a silent Inf. Every argument is checked
before anything is written: a TypeError for the wrong kind of value, a
ValueError for a bad value, each naming the parameter. Strings (tags,
labels, ids, texts, paths) must encode as UTF-8: a lone surrogate is a
ValueError.

NaN and Inf are not errors: they are stored in place, counted in the step's
header, and warned about once per tag. The masked values of a numpy masked
array are stored as NaN, counted and warned about as such (to leave out
padded frames, pass `lengths` instead).

A tag holds one kind for its whole life: an op refuses a tag that already
holds another Spectro kind in the same writer (the same `Writer`, torch,
tensorboardX or tf.summary writer). Tags holding a double quote, a
backslash or a control character (tab, newline, NUL, ...) are refused:
TensorBoard's fast reader (RustBoard, `--load_fast=true`) lists their steps
but cannot serve their data.
"""

from typing import Optional, Sequence, Union

from tensorboard.compat.proto import summary_pb2

from tb_plugin_spectro import _inputs, _writing
from tb_plugin_spectro._summary_lowest import LowestPointTracker, lowest_point, lowest_point_pb, lowest_point_tag
from tb_plugin_spectro.kinds import alignment as alignment_kind
from tb_plugin_spectro.kinds import mel, noise, similarity
from tb_plugin_spectro.kinds import spectrogram as spectrogram_kind
from tb_plugin_spectro.writer import Writer, resolve_writer

__all__ = [
    "Writer",
    "mel_comparison",
    "mel_comparison_pb",
    "spectrogram",
    "spectrogram_pb",
    "alignment",
    "alignment_pb",
    "noise_pair",
    "noise_pair_pb",
    "similarity_matrix",
    "similarity_matrix_pb",
    "lowest_point",
    "lowest_point_pb",
    "LowestPointTracker",
    "lowest_point_tag",
]

ArrayLike = _writing.ArrayLike


# ---------------------------------------------------------------------------
# Mel comparisons


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
    alignment: Optional[ArrayLike] = None,
    tokens: Optional[Sequence] = None,
    target_audio: Optional[ArrayLike] = None,
    predicted_audio: Optional[ArrayLike] = None,
    audio_lengths: Optional[Sequence[int]] = None,
    predicted_audio_lengths: Optional[Sequence[int]] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a mel-comparison Summary proto; see `mel_comparison`."""
    options = _writing.check_array_op(tag, step, precision, max_elements, display_name, description)
    encoded = mel.encode(
        options,
        target,
        predicted,
        layout=layout,
        lengths=lengths,
        predicted_lengths=predicted_lengths,
        length_mismatch=length_mismatch,
        max_outputs=max_outputs,
        sample_ids=sample_ids,
        texts=texts,
        sample_rate=sample_rate,
        hop_length=hop_length,
        alignment=alignment,
        tokens=tokens,
        target_audio=target_audio,
        predicted_audio=predicted_audio,
        audio_lengths=audio_lengths,
        predicted_audio_lengths=predicted_audio_lengths,
    )
    return _writing.summary(
        options.tag, options.step, encoded, display_name, description, max_elements=options.max_elements
    )


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
    alignment: Optional[ArrayLike] = None,
    tokens: Optional[Sequence] = None,
    target_audio: Optional[ArrayLike] = None,
    predicted_audio: Optional[ArrayLike] = None,
    audio_lengths: Optional[Sequence[int]] = None,
    predicted_audio_lengths: Optional[Sequence[int]] = None,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Writes target and predicted mel spectrograms for side-by-side comparison.

    The pane shows target, predicted and their difference (target - predicted)
    in one synchronized view. MAE, RMSE, max |diff| and bias are computed here,
    once, and stored with the step. With audio, the pane plays it with a
    playhead across the panels and switches between target and prediction
    at the same instant.

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
      sample_rate: audio sample rate in Hz, to show time in seconds;
        required with audio, whose sample rate it is.
      hop_length: hop in samples between frames, likewise.
      alignment: the attention alignment of the same sample(s), [tokens,
        frames] or a batch [batch, tokens, frames], on the target's frames
        (its padded frames, cropped by `lengths`, or each sample's frames
        after `lengths`). Shown as a fourth panel on the same frame axis;
        its stats are those `alignment` stores.
      tokens: the labels of the alignment's rows, one string per token (a
        list per sample of a batch).
      target_audio: the ground-truth waveform, mono [samples], or a batch
        [batch, samples] (padded; see `audio_lengths`): float in [-1, 1] or
        int16 PCM. Stored losslessly at 16 bits (float rounded to the
        nearest of 65536 levels, pcm / 32768 read back; int16 exactly);
        values beyond [-1, 1] are clipped, counted and flagged, never
        scaled; NaN is stored as 0 and counted. Needs `sample_rate`.
        Either waveform may be left out: a vocoder's ground truth may be
        logged once, at the first step, and the pane offers it at later
        steps.
      predicted_audio: the model's waveform, same layout as `target_audio`.
      audio_lengths: valid samples per waveform of a batch, to strip
        padding; applies to both (capped at the prediction's samples)
        unless `predicted_audio_lengths` is given. A length that differs
        from the mel's frames times `hop_length` by more than a hop and a
        window (4 hops) is not an error; it is recorded and shown.
      predicted_audio_lengths: valid samples of the predicted waveforms.
      precision: storage of each value: "uint8" (default; error at most half
        of (max - min) / 255), "uint16", "float16" or "float32" (lossless).
        Audio is always 16-bit.
      max_elements: most values an array argument may hold. TensorBoard's
        Spectro plugin reads arrays of up to the default (1 << 24 values)
        only: a larger stored array is written, with a warning (once per
        tag), but the server refuses to show its step.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError: an argument is of the wrong kind (e.g. a complex array, a
        torch meta or sparse tensor, a bool or bool tensor as step, audio
        of an integer type other than int16).
      ValueError: an argument has a bad value (wrong rank, mismatched mel
        bins, a negative step, an unknown option, no writer, a value beyond
        float32's range, a string that cannot be encoded as UTF-8, a tag
        that TensorBoard's fast reader cannot serve, or a tag that already
        holds another Spectro kind in this writer).
      FileNotFoundError: the event file of a `Writer` is gone (its
        directory was deleted); nothing is written.

    Example:
      spectro_summary.mel_comparison(
          "mel/val", batch_mels, model_mels, step, writer=writer,
          lengths=mel_lengths, sample_ids=utterance_ids, max_outputs=4)
    """
    walltime = _writing.check_walltime(walltime)
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
        alignment=alignment,
        tokens=tokens,
        target_audio=target_audio,
        predicted_audio=predicted_audio,
        audio_lengths=audio_lengths,
        predicted_audio_lengths=predicted_audio_lengths,
        precision=precision,
        max_elements=max_elements,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


# ---------------------------------------------------------------------------
# Single spectrograms


def spectrogram_pb(
    tag: str,
    mel: ArrayLike,
    step: int,
    *,
    layout: str = "mels_frames",
    lengths: Optional[Sequence[int]] = None,
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
    """Returns a single-spectrogram Summary proto; see `spectrogram`."""
    options = _writing.check_array_op(tag, step, precision, max_elements, display_name, description)
    encoded = spectrogram_kind.encode(
        options,
        mel,
        layout=layout,
        lengths=lengths,
        max_outputs=max_outputs,
        sample_ids=sample_ids,
        texts=texts,
        sample_rate=sample_rate,
        hop_length=hop_length,
    )
    return _writing.summary(
        options.tag, options.step, encoded, display_name, description, max_elements=options.max_elements
    )


def spectrogram(
    tag: str,
    mel: ArrayLike,
    step: int,
    *,
    writer=None,
    walltime: Optional[float] = None,
    layout: str = "mels_frames",
    lengths: Optional[Sequence[int]] = None,
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
    """Writes a single spectrogram, with nothing to compare it to.

    For the full target mel, an inference output or a vocoder's input. The
    pane shows it as the mel comparison's card with one panel (the same zoom,
    cursor, colour range and maps); the value range and mean of each step are
    computed here and stored with it.

    Args:
      tag: name of the series, e.g. "mel/full_target".
      mel: float [n_mels, frames], or a batch [batch, n_mels, frames].
      step: training step, an integer >= 0.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      layout: "mels_frames" or "frames_mels", as for `mel_comparison`.
      lengths: valid frame counts per sample of a batch, to strip padding.
      max_outputs: how many samples of a batch to keep, the first ones.
      sample_ids: an id per sample of the batch.
      texts: a transcript per sample of the batch.
      sample_rate: audio sample rate in Hz, to show time in seconds.
      hop_length: hop in samples between frames, likewise.
      precision: "uint8" (default), "uint16", "float16" or "float32".
      max_elements: most values `mel` may hold; see `mel_comparison` for
        values above the default.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError, FileNotFoundError: as for `mel_comparison`.

    Example:
      spectro_summary.spectrogram("gt/y_spec", y_spec[0], step, writer=writer,
                                  sample_rate=22050, hop_length=256)
    """
    walltime = _writing.check_walltime(walltime)
    write = resolve_writer(writer)
    summary = spectrogram_pb(
        tag,
        mel,
        step,
        layout=layout,
        lengths=lengths,
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
# Alignments


def alignment_pb(
    tag: str,
    weights: Optional[ArrayLike],
    step: int,
    *,
    tokens: Optional[Sequence] = None,
    durations: Optional[ArrayLike] = None,
    layout: str = "tokens_frames",
    token_lengths: Optional[Sequence[int]] = None,
    frame_lengths: Optional[Sequence[int]] = None,
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
    """Returns an alignment Summary proto; see `alignment`."""
    options = _writing.check_array_op(tag, step, precision, max_elements, display_name, description)
    encoded = alignment_kind.encode(
        options,
        weights,
        tokens=tokens,
        durations=durations,
        layout=layout,
        token_lengths=token_lengths,
        frame_lengths=frame_lengths,
        max_outputs=max_outputs,
        sample_ids=sample_ids,
        texts=texts,
        sample_rate=sample_rate,
        hop_length=hop_length,
    )
    return _writing.summary(
        options.tag, options.step, encoded, display_name, description, max_elements=options.max_elements
    )


def alignment(
    tag: str,
    weights: Optional[ArrayLike],
    step: int,
    *,
    writer=None,
    walltime: Optional[float] = None,
    tokens: Optional[Sequence] = None,
    durations: Optional[ArrayLike] = None,
    layout: str = "tokens_frames",
    token_lengths: Optional[Sequence[int]] = None,
    frame_lengths: Optional[Sequence[int]] = None,
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
    """Writes an alignment of text tokens against decoder frames.

    Attention weights (Tacotron) or the path of monotonic alignment search
    (Glow-TTS, VITS), or a hard alignment from integer durations (FastSpeech).
    The pane shows a tokens x frames heatmap with the token labels. Computed
    here and stored with the step: the focus rate (mean over frames of the
    largest weight), the monotonicity (share of consecutive frames whose
    most-attended token does not go back), the coverage (share of tokens
    most attended by at least one frame) and the mean distance of the
    most-attended path from the diagonal. A hard diagonal gives 1, 1, 1, 0.

    Args:
      tag: name of the series, e.g. "align/attn".
      weights: float [tokens, frames], [frames, tokens] with
        layout="frames_tokens", or a batch [batch, tokens, frames]; >= 0.
        None when `durations` is given.
      step: training step, an integer >= 0.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      tokens: the labels of the rows (phonemes, characters), one string per
        token; a list per sample of a batch.
      durations: integer frames per token, [tokens] or [batch, tokens], >= 0,
        for a hard alignment: frame f belongs to the token whose run holds it.
      layout: "tokens_frames" (default) or "frames_tokens".
      token_lengths: valid token counts per sample of a batch, to strip padding.
      frame_lengths: valid frame counts per sample; with `durations` each must
        equal the sample's sum of durations.
      max_outputs: how many samples of a batch to keep, the first ones.
      sample_ids: an id per sample of the batch.
      texts: a transcript per sample of the batch.
      sample_rate: audio sample rate in Hz, to show time in seconds.
      hop_length: hop in samples between frames, likewise.
      precision: "uint8" (default), "uint16", "float16" or "float32".
      max_elements: most values the weights may hold; see `mel_comparison`
        for values above the default.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError, FileNotFoundError: as for `mel_comparison`;
        also for negative weights or durations, token labels of the wrong
        count, or durations whose sum is not the frame length given.

    Example:
      spectro_summary.alignment("align/attn", attn[:, 0], step, writer=writer,
                                tokens=phonemes, token_lengths=x_lengths,
                                frame_lengths=y_lengths)
    """
    walltime = _writing.check_walltime(walltime)
    write = resolve_writer(writer)
    summary = alignment_pb(
        tag,
        weights,
        step,
        tokens=tokens,
        durations=durations,
        layout=layout,
        token_lengths=token_lengths,
        frame_lengths=frame_lengths,
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
    timestep: Union[int, Sequence[int], ArrayLike, None] = None,
    total_timesteps: Optional[int] = None,
    layout: str = "channels_frames",
    max_outputs: int = 3,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> summary_pb2.Summary:
    """Returns a noise-pair Summary proto; see `noise_pair`."""
    options = _writing.check_array_op(tag, step, precision, max_elements, display_name, description)
    encoded = noise.encode(
        options,
        predicted,
        actual,
        timestep=timestep,
        total_timesteps=total_timesteps,
        layout=layout,
        max_outputs=max_outputs,
    )
    return _writing.summary(
        options.tag, options.step, encoded, display_name, description, max_elements=options.max_elements
    )


def noise_pair(
    tag: str,
    predicted: ArrayLike,
    actual: ArrayLike,
    step: int,
    *,
    timestep: Union[int, Sequence[int], ArrayLike, None] = None,
    writer=None,
    walltime: Optional[float] = None,
    total_timesteps: Optional[int] = None,
    layout: str = "channels_frames",
    max_outputs: int = 3,
    precision: str = "uint8",
    max_elements: int = _inputs.DEFAULT_MAX_ELEMENTS,
    display_name: Optional[str] = None,
    description: Optional[str] = None,
) -> None:
    """Writes the predicted and actual noise of a diffusion model at a timestep.

    MSE, MAE, Pearson correlation and SNR (dB) are computed here and stored
    with the step, with the MSE of each slice of a stack or channel of a
    video, and of each frame of a video; the pane plots the MSE against both
    training step and diffusion timestep, and a video's MSE per frame.

    Args:
      tag: name of the series, e.g. "diffusion/noise".
      predicted: the model's noise estimate, float [H, W] (e.g. [n_mels,
        frames]), a stack [C or frames, H, W], a video [C, T, H, W]
        (channels, frames, height, width; see `layout`), or a batch of
        videos [B, C, T, H, W] (a batch of images is [B, C, 1, H, W]).
      actual: the noise that was added, same shape.
      step: training step, an integer >= 0.
      timestep: the diffusion timestep t of this pair, an integer >= 0; for
        a batch, one for every video or a sequence (list, array, tensor)
        of one per video of the batch passed in.
      writer: as for `mel_comparison`.
      walltime: seconds since the epoch; now if None.
      total_timesteps: T of the noise schedule; `timestep` must be below it.
      layout: the order of a video's axes: "channels_frames" for
        [C, T, H, W] (default) or "frames_channels" for [T, C, H, W] (a
        batch adds B in front); stored as [C, T, H, W]. [H, W] and
        [C, H, W] are taken as they are.
      max_outputs: how many videos of a batch to keep, the first ones; the
        step's stats are pooled over them.
      precision: "uint8" (default), "uint16", "float16" or "float32".
      max_elements: most values an array argument may hold; see
        `mel_comparison` for values above the default.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError, FileNotFoundError: as for `mel_comparison`.

    Example:
      spectro_summary.noise_pair("noise", eps_hat[0], eps[0], step,
                                 timestep=int(t[0]), total_timesteps=1000, writer=writer)
      # A batch of videos [B, T, C, H, W], each at its own timestep:
      spectro_summary.noise_pair("noise/video", eps_hat, eps, step, timestep=t,
                                 total_timesteps=1000, layout="frames_channels",
                                 max_outputs=2, writer=writer)
    """
    walltime = _writing.check_walltime(walltime)
    write = resolve_writer(writer)
    summary = noise_pair_pb(
        tag,
        predicted,
        actual,
        step,
        timestep=timestep,
        total_timesteps=total_timesteps,
        layout=layout,
        max_outputs=max_outputs,
        precision=precision,
        max_elements=max_elements,
        display_name=display_name,
        description=description,
    )
    write(summary, int(step), walltime)


# ---------------------------------------------------------------------------
# Similarity matrices


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
    options = _writing.check_array_op(tag, step, precision, max_elements, display_name, description)
    encoded = similarity.encode(options, a, b, labels_a=labels_a, labels_b=labels_b, a_name=a_name, b_name=b_name)
    return _writing.summary(
        options.tag, options.step, encoded, display_name, description, max_elements=options.max_elements
    )


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
      max_elements: most values an array argument, or the matrix, may hold;
        see `mel_comparison` for values above the default.
      display_name: shown instead of the tag.
      description: a Markdown description of the series.

    Raises:
      TypeError, ValueError, FileNotFoundError: as for `mel_comparison`;
        also for labels of the wrong count or type, or embeddings of
        different dimensions.

    Example:
      spectro_summary.similarity_matrix("align", text_emb, audio_emb, step,
                                        labels_a=captions, a_name="text", b_name="audio",
                                        writer=writer)
    """
    walltime = _writing.check_walltime(walltime)
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
