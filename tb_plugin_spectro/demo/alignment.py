"""A TTS model's attention alignment of an utterance: diffuse at first, then a sharp monotonic path.

Rows are the tokens the model reads (the phones of the transcript, a
leading silence `_` and the closing punctuation of each phrase), columns the
mel's frames; each frame's weights over the tokens sum to 1, as a softmax
attention's do. The true path is the utterance's own phone durations, as the
synthesizer laid them out, so a late alignment falls on the mel's phones.
"""

from typing import Dict, List, NamedTuple, Optional, Sequence

import numpy as np

from tb_plugin_spectro.demo.speech import _articulate, blur

SHARPEST = 0.35  # tokens: the width of a trained model's attention
WIDEST = 14.0  # tokens: the width of an untrained model's, nearly uniform over a sentence
FAILURES = ("repeat", "skip", "repeat")  # the attention failures of a few logged steps, in order
FAILURE_SPAN = (0.35, 0.95)  # the part of the run in which they happen
FAILURE_TOKENS = (3, 6)  # tokens skipped or read again, at least and at most


class Phones(NamedTuple):
    """What a TTS model reads of an utterance, and how long each token lasts in its mel."""

    tokens: List[str]
    durations: np.ndarray  # [tokens] frames, summing to the mel's frames


def phones(text: str, rng: np.random.Generator) -> Phones:
    """The tokens of `text` and their frames, as `speech_mel(text, rng)` lays them out.

    `rng` must be in the state `speech_mel` starts from: both draw the
    articulation first, so a generator seeded alike gives the same timing.
    """
    tracks = _articulate(text, rng)
    starts = [first for _, first in tracks.tokens] + [tracks.frames]
    return Phones([label for label, _ in tracks.tokens], np.diff(starts))


def failure_steps(logged: Sequence[int], steps: int, rng: np.random.Generator) -> Dict[int, str]:
    """The logged steps whose attention fails, step -> failure, chosen by `rng` within FAILURE_SPAN."""
    low, high = (fraction * steps for fraction in FAILURE_SPAN)
    candidates = [step for step in logged if low <= step <= high]
    count = min(len(FAILURES), len(candidates))
    chosen = sorted(rng.choice(candidates, count, replace=False).tolist()) if count else []
    return dict(zip(chosen, FAILURES))


def _path(durations: np.ndarray) -> np.ndarray:
    """The position on the token axis at each frame: token i spans [i, i + 1) over its frames."""
    position = np.concatenate([index + (np.arange(count) + 0.5) / count for index, count in enumerate(durations)])
    return position.astype(np.float64)


def _failed_time(frames: int, durations: np.ndarray, failure: str, rng: np.random.Generator) -> np.ndarray:
    """Which frame of the true path each frame follows when attention skips or repeats a few tokens."""
    starts = np.concatenate([[0], np.cumsum(durations)])
    tokens = len(durations)
    first = int(rng.integers(tokens // 4, max(tokens // 4 + 1, (2 * tokens) // 3)))
    span = int(rng.integers(FAILURE_TOKENS[0], FAILURE_TOKENS[1] + 1))
    time = np.arange(frames)
    at = int(starts[first])
    if failure == "skip":  # jumps over `span` tokens, then lingers on the last one
        jump = int(starts[min(tokens - 1, first + span)]) - at
        time[at:] = np.minimum(time[at:] + jump, frames - 1)
    else:  # goes back `span` tokens and reads them again, so the end is never reached
        jump = at - int(starts[max(0, first - span)])
        time[at:] -= jump
    return time


def attention(
    durations: np.ndarray, progress: float, rng: np.random.Generator, failure: Optional[str] = None
) -> np.ndarray:
    """A soft alignment [tokens, frames] at `progress` in [0, 1] of training.

    Early the attention is broad and blotchy around the diagonal; as the
    model learns it narrows onto the true path and the noise fades. A
    `failure` ("skip" or "repeat") makes the path jump forward over a few
    tokens or back to read them again, as attention fails in practice.
    """
    tokens, frames = len(durations), int(np.sum(durations))
    time = np.arange(frames) if failure is None else _failed_time(frames, durations, failure, rng)
    diagonal = (time + 0.5) / frames * tokens
    centre = progress * _path(durations)[time] + (1.0 - progress) * diagonal
    width = SHARPEST + (WIDEST - SHARPEST) * (1.0 - progress) ** 2
    rows = np.arange(tokens)[:, None] + 0.5
    logits = -0.5 * ((rows - centre[None, :]) / width) ** 2
    noise = blur(rng.standard_normal((tokens, frames)), 1.5, axis=1)
    logits += 0.45 * (1.0 - progress) ** 1.5 * noise / noise.std()
    logits -= logits.max(axis=0, keepdims=True)
    weights = np.exp(logits)
    return (weights / weights.sum(axis=0, keepdims=True)).astype(np.float32)
