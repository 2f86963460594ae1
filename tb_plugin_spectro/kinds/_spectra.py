"""What the kinds of spectrograms share: a batch of mels in either layout, valid lengths, ids and texts.

Used by `mel` (comparisons), `spectrogram` (single spectrograms) and
`alignment` (whose frames are a mel's frames). Not a kind: its name starts
with "_", so the registry does not import it as one.
"""

from typing import Any, Dict, List, NamedTuple, Optional

import numpy as np
from tensorboard import errors

from tb_plugin_spectro import _inputs

__all__ = [
    "MEL_LAYOUTS",
    "SampleFacts",
    "mel_array",
    "as_batch",
    "frame_lengths",
    "sample_facts",
    "check_audio",
    "check_sample",
    "max_samples",
    "frame_axis_facts",
]

MEL_LAYOUTS = ("mels_frames", "frames_mels")


class SampleFacts(NamedTuple):
    """Per-sample strings of a batch; None where not given."""

    ids: Optional[List[str]]
    texts: Optional[List[str]]

    def id(self, index: int) -> str:
        return self.ids[index] if self.ids else ""

    def text(self, index: int) -> str:
        return self.texts[index] if self.texts else ""


def mel_array(value, name: str, layout: str, max_elements: int) -> np.ndarray:
    """`value` ([n_mels, frames] or a batch, in `layout`) as float32, as given; see `as_batch`."""
    shape_hint = (
        "[n_mels, frames] or [batch, n_mels, frames]"
        if layout == "mels_frames"
        else "[frames, n_mels] or [batch, frames, n_mels]"
    )
    return _inputs.to_float_array(value, name, ranks=(2, 3), shape_hint=shape_hint, max_elements=max_elements)


def as_batch(array: np.ndarray, layout: str) -> np.ndarray:
    """A `mel_array` as [batch, n_mels, frames]."""
    if array.ndim == 2:
        array = array[None]
    return array.transpose(0, 2, 1) if layout == "frames_mels" else array


def frame_lengths(lengths, name: str, batch: int, frames: int, *, what: str = "frames") -> Optional[List[int]]:
    """Checks per-sample valid lengths: 1..frames each, one per sample; None when not given.

    `what` names the axis they count in messages ("frames", "tokens").
    """
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
            raise ValueError(f"{name}[{i}] must be at most the {frames} {what} given, got {length}")
        result.append(length)
    return result


def sample_facts(sample_ids, texts, batch: int) -> SampleFacts:
    """Checks the id and transcript of each sample of a batch."""
    return SampleFacts(
        None if sample_ids is None else _inputs.check_strings(sample_ids, "sample_ids", batch, what="sample"),
        None if texts is None else _inputs.check_strings(texts, "texts", batch, what="sample"),
    )


def check_audio(sample_rate, hop_length) -> tuple:
    """Checks the facts that label a frame axis in seconds; 0 for one not given."""
    return (
        _inputs.check_optional_count(sample_rate, "sample_rate", minimum=1) or 0,
        _inputs.check_optional_count(hop_length, "hop_length", minimum=1) or 0,
    )


def check_sample(count: int, sample: int, step: int) -> None:
    """Raises InvalidArgumentError unless `sample` is one of the `count` samples of the step."""
    if not 0 <= sample < count:
        raise errors.InvalidArgumentError(f"sample must be in [0, {count}) for step {step}, got {sample}")


def max_samples(longest: int, sample_blobs: int) -> int:
    """Samples in a step of `longest` blobs (header included) whose samples take `sample_blobs` each."""
    return max(longest - 1, 0) // max(sample_blobs, 1)


def frame_axis_facts(facts: Any) -> Dict[str, Any]:
    """The series facts /tags sends for a frame axis: sample rate and hop (not the blobs of a sample)."""
    return {"sample_rate": facts.sample_rate, "hop_length": facts.hop_length}
