"""What every callback shares: the series it logs, picked by the policy, and lowest points with their checkpoints.

Framework-free: each framework's module says where the batches, the
outputs, the steps and the writer come from, and hands them to a `Series`.
"""

import dataclasses
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, cast

import numpy as np

from tb_plugin_spectro import _inputs
from tb_plugin_spectro._summary_lowest import LowestPointTracker
from tb_plugin_spectro.policy import LoggingPolicy, Reference
from tb_plugin_spectro.writer import resolve_writer

__all__ = ["Series", "CheckpointedLows", "SPLITS"]

SPLITS = ("train", "validation")

Extract = Callable[[Any, Any], Optional[Mapping[str, Any]]]
Log = Callable[[Any, Any, int, Any], None]

# The arguments of each op that hold one entry per sample of a batch, the
# first one the array whose rank says whether it is a batch; the examples
# the policy picks are taken from each of them.
_PER_SAMPLE = {
    "mel_comparison": (
        "target",
        "predicted",
        "lengths",
        "predicted_lengths",
        "sample_ids",
        "texts",
        "alignment",
        "tokens",
        "target_audio",
        "predicted_audio",
        "audio_lengths",
        "predicted_audio_lengths",
    ),
    "spectrogram": ("mel", "lengths", "sample_ids", "texts"),
    "alignment": ("weights", "durations", "tokens", "token_lengths", "frame_lengths", "sample_ids", "texts"),
}
_BATCH_RANK = {"target": 3, "mel": 3, "weights": 3, "durations": 2}  # rank of the first array when it is a batch
_WHOLE = ("noise_pair", "similarity_matrix")  # logged as extract returns them, nothing picked
OPS = tuple(_PER_SAMPLE) + _WHOLE


def _rank(value) -> int:
    ndim = getattr(value, "ndim", None)
    return int(ndim) if isinstance(ndim, (int, np.integer)) else int(np.ndim(value))


def _take(value, indices: List[int]):
    """The entries `indices` of `value` along its first axis, keeping its kind (list, numpy, torch, JAX, TF)."""
    if isinstance(value, (list, tuple)):
        return [value[i] for i in indices]
    if (type(value).__module__ or "").startswith("tensorflow"):
        import tensorflow as tf  # type: ignore[import-not-found]  # only when TF handed us the tensor

        return tf.gather(value, indices)
    return value[np.asarray(indices, dtype=np.int64)]


def _batch_size(op: str, arguments: Mapping[str, Any]) -> Optional[int]:
    """The samples in `arguments` when they are a batch, None when they hold one sample (or the op takes no batch)."""
    for name in _PER_SAMPLE.get(op, ()):
        value = arguments.get(name)
        if value is not None and name in _BATCH_RANK:
            return len(value) if _rank(value) == _BATCH_RANK[name] else None
    return None


@dataclasses.dataclass
class _Pass:
    """Where the current pass over a split's batches stands: the samples seen before this batch."""

    key: object = None
    seen: int = 0
    logged: bool = False


class Series:
    """One series a callback logs: its tag, what to log from a batch, and the policy.

    Args:
      tag: the series' tag, e.g. "mel/train".
      extract: `extract(batch, outputs)` returns the keyword arguments of
        `op` (all but `tag`, `step` and `writer`), or None to log nothing
        for this batch.
      log: instead of `extract`, `log(batch, outputs, step, writer)` calls
        the summary ops itself, at the steps the policy picks.
      op: the summary op `extract` feeds: "mel_comparison", "spectrogram",
        "alignment", "noise_pair" or "similarity_matrix".
      split: the batches logged: "train" (at the steps the policy picks) or
        "validation" (the first batch of each validation pass).
      policy: the `LoggingPolicy`.
      options: fixed keyword arguments of every call of `op`, e.g.
        `sample_rate=22050, hop_length=256`.
    """

    def __init__(
        self,
        tag: str,
        extract: Optional[Extract],
        log: Optional[Log],
        op: str,
        split: str,
        policy: LoggingPolicy,
        options: Mapping[str, Any],
    ):
        self.tag = _inputs.check_series_tag(tag)
        if (extract is None) == (log is None):
            raise TypeError(
                "pass one of extract= (a function of the batch and the outputs returning the op's arguments) "
                f"and log= (a function that calls the summary ops itself); got extract={extract!r}, log={log!r}"
            )
        for name, function in (("extract", extract), ("log", log)):
            if function is not None and not callable(function):
                raise TypeError(f"{name} must be a function, got {type(function).__name__} {function!r}")
        self.op = _inputs.check_choice(op, "op", OPS)
        self.split = _inputs.check_choice(split, "split", SPLITS)
        if not isinstance(policy, LoggingPolicy):
            raise TypeError(f"policy must be a LoggingPolicy, got {type(policy).__name__} {policy!r}")
        self.policy = policy
        if self.reference is not None and (log is not None or op in _WHOLE):
            what = "log=" if log is not None else f"op={op!r}"
            raise ValueError(
                f"a reference sample is taken from a batch of extract's arguments; with {what} "
                "there is no batch to take it from: leave reference out of the policy"
            )
        for reserved in ("tag", "step", "writer"):
            if reserved in options:
                raise TypeError(f"{reserved}= is set by the callback; got {reserved}={options[reserved]!r}")
        self.extract = extract
        self.log = log
        self.options = dict(options)
        self._passes: Dict[str, _Pass] = {split: _Pass() for split in SPLITS}
        from tb_plugin_spectro import summary  # the ops; nothing heavy

        self._write_op = getattr(summary, self.op)

    @property
    def reference(self) -> Optional[Reference]:
        return cast(Optional[Reference], self.policy.reference)

    @property
    def reference_tag(self) -> Optional[str]:
        return None if self.reference is None else self.reference.tag_for(self.tag)

    def wants(self, split: str, due: bool) -> bool:
        """Whether a batch of `split` needs extracting: it is logged, or may hold the reference."""
        if not self.policy.enabled:
            return False
        logged = self.split == split and (due if split == "train" else not self._passes[split].logged)
        return logged or (self.reference is not None and self.reference.split == split)

    def batch(self, writer, step: int, batch, outputs, *, split: str, due: bool = False, pass_key=None) -> None:
        """Logs what the policy asks of one batch of `split` at `step`.

        A training batch is logged when `due`; a validation batch when it is
        the first of its pass (a new `pass_key`: the step of the pass, or
        anything that changes between passes). The reference is looked for
        in every batch of its split; `pass_key` restarts its count of
        samples seen.
        """
        current = self._passes[split]
        if pass_key is not None and pass_key != current.key:
            current.key, current.seen, current.logged = pass_key, 0, False
        if not self.wants(split, due):
            return
        logged = self.split == split and (due if split == "train" else not current.logged)
        if self.log is not None:
            if logged:
                current.logged = True
                self.log(batch, outputs, step, writer)
            return
        assert self.extract is not None
        arguments = self.extract(batch, outputs)
        if arguments is None:
            return
        if not isinstance(arguments, Mapping):
            raise TypeError(
                f"extract must return a dict of {self.op}'s arguments (or None), got {type(arguments).__name__}"
            )
        size = _batch_size(self.op, arguments)
        if logged:
            current.logged = True
            picked = None if size is None else self.policy.pick(step, size)
            self._write(writer, self.tag, step, arguments, picked)
        reference = self.reference
        if reference is not None and reference.split == split:
            where = reference.find(current.seen, self._sample_ids(arguments, size), 1 if size is None else size)
            if where is not None:
                self._write(writer, reference.tag_for(self.tag), step, arguments, None if size is None else [where])
        current.seen += 1 if size is None else size

    def log_examples(self, writer, step: int, batch, outputs, tag: Optional[str] = None) -> None:
        """Logs every example of a batch the callback chose itself (a framework that gives callbacks no batch)."""
        if self.log is not None:
            self.log(batch, outputs, step, writer)
            return
        assert self.extract is not None
        arguments = self.extract(batch, outputs)
        if arguments is not None:
            size = _batch_size(self.op, arguments)
            self._write(writer, tag or self.tag, step, arguments, None if size is None else list(range(size)))

    @staticmethod
    def _sample_ids(arguments: Mapping[str, Any], size: Optional[int]) -> Optional[Sequence[str]]:
        ids = arguments.get("sample_ids")
        if ids is None:
            return None
        return [ids] if isinstance(ids, str) else list(ids)

    def _write(self, writer, tag: str, step: int, arguments: Mapping[str, Any], picked: Optional[List[int]]) -> None:
        call = {**self.options, **arguments}
        if picked is not None:
            for name in _PER_SAMPLE[self.op]:
                if call.get(name) is not None:
                    call[name] = _take(call[name], picked)
            call["max_outputs"] = len(picked)
        self._write_op(tag=tag, step=step, writer=writer, **call)


class CheckpointedLows:
    """A `LowestPointTracker` whose markers name the checkpoint saved for their value.

    A framework saves a checkpoint after it has computed the watched value
    (Lightning's ModelCheckpoint after validation, the Trainer after its
    evaluation), so the latest value waits until the next value or the end:
    a checkpoint saved meanwhile is the one holding the weights of that
    value, and its marker records its path.
    """

    def __init__(self, tag: str, writer, smoothing: float = 0.0):
        self.tracker = LowestPointTracker(tag, writer=writer, smoothing=smoothing)
        self._pending: Optional[Dict[str, Any]] = None

    @property
    def tag(self) -> str:
        return self.tracker.tag

    def value(self, step: int, value: float, epoch: Optional[int] = None) -> None:
        """The watched scalar at `step`; a value already given for `step` is ignored."""
        if self._pending is not None and self._pending["step"] == step:
            return
        self.flush()
        self._pending = dict(step=step, value=float(value), epoch=epoch)

    def saved(self, path: str) -> None:
        """A checkpoint was saved at `path` since the last value."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.tracker.update(pending["step"], pending["value"], epoch=pending["epoch"], checkpoint_path=path)

    def write_through(self, writer) -> None:
        """Writes the markers to come through `writer` (the same writer, reopened after its owner closed it)."""
        self.tracker._write = resolve_writer(writer)

    def flush(self) -> None:
        """Writes the marker of the pending value, if it is a new low, with no checkpoint."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.tracker.update(pending["step"], pending["value"], epoch=pending["epoch"])
