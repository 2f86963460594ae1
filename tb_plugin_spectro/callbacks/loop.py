"""Any training loop (JAX/Flax, Artifex-style trainers, a hand-written PyTorch loop): the same callback, called by hand.

No framework is imported: the loop hands the callback its batches and
outputs (numpy, JAX, PyTorch or TF arrays) and the step.
"""

import math
import os
from typing import Any, Mapping, Optional

from tensorboard.compat.proto import summary_pb2

from tb_plugin_spectro import _inputs
from tb_plugin_spectro.callbacks._series import CheckpointedLows, Extract, Log, Series
from tb_plugin_spectro.policy import LoggingPolicy, Reference
from tb_plugin_spectro.writer import Writer, other_process, resolve_writer

__all__ = ["SpectroCallback", "LoggingPolicy", "Reference"]


class SpectroCallback:
    """Logs a Spectro series from a loop that calls its hooks.

        spectro = SpectroCallback(
            "mel/train",
            lambda batch, outputs: dict(target=batch["mel"], predicted=outputs["mel"], sample_ids=batch["id"]),
            writer="runs/tts",  # or any writer the summary ops take
            policy=LoggingPolicy(every_n_steps=500, examples=2, example="cycle"),
            lowest="loss/val",
        )
        for step, batch in enumerate(loader):
            state, outputs = train_step(state, batch)
            spectro.on_step_end(step, batch, outputs)
            if step % 1000 == 0:
                for val_batch in val_loader:
                    spectro.on_eval(step, val_batch, eval_step(state, val_batch))
                spectro.on_metrics(step, {"loss/val": val_loss})
                spectro.on_save(save_checkpoint(state, f"ckpt/postnet_{step}"))
        spectro.close()

    Args:
      tag: the series' tag, e.g. "mel/train".
      extract: `extract(batch, outputs)` returns the keyword arguments of
        `op` but `tag`, `step` and `writer`, or None to log nothing.
      writer: a path (a Spectro `Writer` is opened there, and closed by
        `close`), or any writer the summary ops take; None only on the
        processes but the first, where nothing is written.
      log: instead of `extract`, `log(batch, outputs, step, writer)` calls
        the summary ops itself.
      policy: the `LoggingPolicy`; None logs one example every 100 steps.
      split: "train" logs the batches of `on_step_end` at the policy's
        steps; "validation" the first batch of `on_eval` at each step it is
        called with.
      lowest: a tag of `on_metrics` whose lowest points to mark, each with
        the checkpoint `on_save` reports after it.
      smoothing: the tracker's smoothing weight in [0, 1).
      op: "mel_comparison" (default), "spectrogram", "alignment",
        "noise_pair" or "similarity_matrix".
      **options: fixed arguments of every `op` call, e.g. `sample_rate=22050`.

    On every process of a distributed run but the first (`torch.distributed`
    rank, `jax.process_index()`), every hook does nothing.

    Raises:
      TypeError, ValueError: a bad argument, naming it.
    """

    def __init__(
        self,
        tag: str,
        extract: Optional[Extract] = None,
        *,
        writer: Any,
        log: Optional[Log] = None,
        policy: Optional[LoggingPolicy] = None,
        split: str = "train",
        lowest: Optional[str] = None,
        smoothing: float = 0.0,
        op: str = "mel_comparison",
        **options: Any,
    ):
        self.series = Series(tag, extract, log, op, split, policy or LoggingPolicy(100), options)
        if isinstance(writer, (str, os.PathLike)):
            self._path: Optional[str] = _inputs.check_path(writer, "writer")
            self._writer: Any = None
        else:
            self._path, self._writer = None, writer
        self.lowest = None if lowest is None else _inputs.check_tag(lowest, "lowest")
        self.smoothing = _inputs.check_smoothing(smoothing, "smoothing")
        self._lows: Optional[CheckpointedLows] = None
        self._first: Optional[bool] = None

    @property
    def writer(self) -> Any:
        """The writer it writes through, opened here when given a path; None on the processes but the first."""
        if not self._on_first_process():
            return None
        if self._writer is None:
            if self._path is None:
                raise TypeError(
                    "writer is None on the first process of the run; pass a path or a summary writer "
                    "(None is for the other processes, which log nothing)"
                )
            self._writer = Writer(self._path)
        return self._writer

    def _on_first_process(self) -> bool:
        if self._first is None:
            self._first = other_process() is None
        return self._first

    def on_step_end(self, step: int, batch: Any, outputs: Any) -> None:
        """After a training step: logs the examples the policy picks when `step` is due."""
        if not self._on_first_process():
            return
        step = _inputs.check_step(step)
        due = self.series.policy.due(step)
        if self.series.wants("train", due):
            self.series.batch(self.writer, step, batch, outputs, split="train", due=due, pass_key=None)

    def on_epoch_start(self) -> None:
        """Starts counting training samples afresh, for a reference chosen by index in the training set."""
        self.series._passes["train"].key = object()
        self.series._passes["train"].seen = 0

    def on_eval(self, step: int, batch: Any, outputs: Any) -> None:
        """For each batch of an evaluation at training step `step`: the first is logged, the reference looked for."""
        if not self._on_first_process():
            return
        step = _inputs.check_step(step)
        if self.series.policy.enabled:
            self.series.batch(self.writer, step, batch, outputs, split="validation", pass_key=step)

    def on_metrics(self, step: int, metrics: Mapping[str, float], epoch: Optional[int] = None) -> None:
        """Writes `metrics` (tag → number) as scalars at `step`; the one `lowest` names goes to the tracker."""
        if not self._on_first_process():
            return
        step = _inputs.check_step(step)
        summary = summary_pb2.Summary()
        values = {
            _inputs.check_tag(tag): _inputs.check_real(value, tag, finite=False) for tag, value in metrics.items()
        }
        for tag, number in values.items():
            summary.value.add(tag=tag, simple_value=number)
        resolve_writer(self.writer)(summary, step, None)
        watched = values.get(self.lowest) if self.lowest is not None else None
        if self.lowest is not None and watched is not None and math.isfinite(watched):
            if self._lows is None:
                self._lows = CheckpointedLows(self.lowest, self.writer, self.smoothing)
            self._lows.value(step, watched, epoch=epoch)

    def on_save(self, path: Any) -> None:
        """A checkpoint was saved at `path` since the last `on_metrics`: the marker of its value names it."""
        if self._on_first_process() and self._lows is not None:
            self._lows.saved(os.fspath(path))

    def close(self) -> None:
        """Writes the last marker; closes the writer it opened, or flushes the one it was given."""
        if not self._on_first_process():
            return
        if self._lows is not None:
            self._lows.flush()
        if self._writer is None:
            return
        if self._path is not None:
            self._writer.close()
        elif hasattr(self._writer, "flush"):
            self._writer.flush()
