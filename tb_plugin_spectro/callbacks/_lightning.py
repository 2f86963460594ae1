"""The Lightning callback's hooks, shared by `lightning` and `pytorch_lightning`, whose Callback classes differ.

No Lightning import: the trainer and module come as arguments of the hooks.

Steps: Lightning's logger connector writes a training step's scalars at
`fit_loop.epoch_loop._batches_that_stepped` (0 for the first batch; it grows
after `on_train_batch_end`), when `(_batches_that_stepped + 1) %
log_every_n_steps == 0`, and the metrics of a validation run inside
training at the same number. `trainer.global_step` counts optimizer steps,
already one more in `on_train_batch_end` (and two per batch with two
optimizers), so a summary written at it lands after the loss of its batch.
The callback writes at `_batches_that_stepped` and asks the policy with
the count Lightning tests, `_batches_that_stepped + 1`.
"""

import os
from typing import Any, Callable, Dict, List, Optional, Set, Union

from tb_plugin_spectro.callbacks._series import CheckpointedLows, Extract, Log, Series
from tb_plugin_spectro.policy import LoggingPolicy
from tb_plugin_spectro.writer import Writer, other_process

_LIGHTNING_MODULES = ("lightning", "pytorch_lightning", "lightning_fabric")


def _is_lightning(obj, class_name: str) -> bool:
    return any(
        cls.__name__ == class_name and (cls.__module__ or "").split(".")[0] in _LIGHTNING_MODULES
        for cls in type(obj).__mro__
    )


def _batches_that_stepped(trainer) -> int:
    """The step Lightning's loggers write a training batch's scalars at (see the module's docstring)."""
    epoch_loop = trainer.fit_loop.epoch_loop
    return int(getattr(epoch_loop, "_batches_that_stepped", trainer.global_step))


def _accumulating(trainer) -> bool:
    """True on a batch whose gradients are accumulated, before the optimizer steps (Lightning logs none there)."""
    should_accumulate = getattr(trainer.fit_loop.epoch_loop, "_should_accumulate", None)
    return bool(should_accumulate()) if callable(should_accumulate) else False


class LightningHooks:
    """See `tb_plugin_spectro.callbacks.lightning.SpectroCallback`."""

    def __init__(
        self,
        tag: str,
        extract: Optional[Extract] = None,
        *,
        log: Optional[Log] = None,
        policy: Optional[LoggingPolicy] = None,
        split: str = "train",
        op: str = "mel_comparison",
        lowest: Union[str, bool, None] = None,
        smoothing: float = 0.0,
        **options: Any,
    ):
        # The interval is the trainer's log_every_n_steps until setup() knows it.
        self.series = Series(tag, extract, log, op, split, policy or LoggingPolicy(1), options)
        self._follow_trainer = policy is None
        if lowest is not None and not isinstance(lowest, (str, bool)):
            raise TypeError(
                f"lowest must be the name of a logged metric, False, or None (ModelCheckpoint's monitor), "
                f"got {type(lowest).__name__} {lowest!r}"
            )
        if lowest is True:
            lowest = None
        self.lowest = lowest
        self.smoothing = smoothing
        self._writer: Any = None
        self._lows: Optional[CheckpointedLows] = None
        self._known_paths: Set[str] = set()
        self._validation_runs = 0

    # -- what the callback writes through --------------------------------

    @staticmethod
    def _first_process(trainer) -> bool:
        return bool(getattr(trainer, "is_global_zero", True)) and other_process() is None

    def _tensorboard_logger(self, trainer):
        for logger in getattr(trainer, "loggers", []):
            if _is_lightning(logger, "TensorBoardLogger"):
                return logger
        return None

    def _open(self, trainer) -> Any:
        """The trainer's TensorBoard logger's writer, or a Spectro Writer in the trainer's log_dir when it has none."""
        if self._writer is None:
            logger = self._tensorboard_logger(trainer)
            if logger is not None:
                self._writer = logger.experiment
            else:
                self._writer = Writer(trainer.log_dir or trainer.default_root_dir)
        return self._writer

    def _metric_tag(self, trainer, name: str) -> str:
        """The tag Lightning's TensorBoard logger writes the metric `name` under."""
        logger = self._tensorboard_logger(trainer)
        prefix = getattr(logger, "_prefix", "") if logger is not None else ""
        return f"{prefix}{getattr(logger, 'LOGGER_JOIN_CHAR', '-')}{name}" if prefix else name

    # -- hooks -----------------------------------------------------------

    def setup(self, trainer, pl_module, stage: Optional[str] = None) -> None:
        if self._follow_trainer:
            self.series.policy = self.series.policy.with_interval(trainer.log_every_n_steps)
        if self.lowest is None:
            monitors = [getattr(c, "monitor", None) for c in getattr(trainer, "checkpoint_callbacks", [])]
            monitor = next((m for m in monitors if m), None)
            # One marker series per metric: another of these callbacks before this one may watch it already.
            for callback in trainer.callbacks:
                if callback is self:
                    break
                if isinstance(callback, LightningHooks) and getattr(callback, "_watched", None) == monitor:
                    monitor = None
            self._watched: Optional[str] = monitor
        else:
            self._watched = self.lowest or None
        self._watched_in_validation = False

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        if trainer.sanity_checking or not self._first_process(trainer) or _accumulating(trainer):
            return
        self._poll_checkpoints(trainer)
        step = _batches_that_stepped(trainer)
        due = self.series.policy.due(step + 1)
        if self.series.policy.enabled:
            self.series.batch(
                self._open(trainer), step, batch, outputs, split="train", due=due, pass_key=trainer.current_epoch
            )

    def on_validation_start(self, trainer, pl_module) -> None:
        self._validation_runs += 1

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0):
        if trainer.sanity_checking or not self._first_process(trainer) or dataloader_idx != 0:
            return
        if self.series.policy.enabled:
            self.series.batch(
                self._open(trainer),
                _batches_that_stepped(trainer),
                batch,
                outputs,
                split="validation",
                pass_key=self._validation_runs,
            )

    def on_validation_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or not self._first_process(trainer):
            return
        self._poll_checkpoints(trainer)
        self._watched_in_validation |= self._watch(trainer, _batches_that_stepped(trainer))

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if not self._first_process(trainer):
            return
        self._poll_checkpoints(trainer)
        if not self._watched_in_validation:
            # A training metric logged per epoch; the epoch's last batch has been counted, and Lightning
            # writes the epoch's metrics one step back, at that batch's step.
            self._watch(trainer, max(0, _batches_that_stepped(trainer) - 1))

    def on_fit_end(self, trainer, pl_module) -> None:
        if not self._first_process(trainer):
            return
        self._poll_checkpoints(trainer)
        if self._lows is not None:
            self._lows.flush()
        if self._writer is not None:
            self._writer.flush()

    def teardown(self, trainer, pl_module, stage: Optional[str] = None) -> None:
        if isinstance(self._writer, Writer):
            self._writer.close()
        self._writer = None

    # -- lowest points and checkpoints -------------------------------------

    def _watch(self, trainer, step: int) -> bool:
        """Hands the watched metric, if the trainer has it, to the lowest-point tracker; True if it had it."""
        watched = getattr(self, "_watched", None)
        if not watched:
            return False
        value = trainer.callback_metrics.get(watched)
        if value is None:
            return False
        if self._lows is None:
            self._lows = CheckpointedLows(self._metric_tag(trainer, watched), self._open(trainer), self.smoothing)
        self._lows.value(step, float(value), epoch=trainer.current_epoch)
        return True

    def _poll_checkpoints(self, trainer) -> None:
        """Gives the lowest-point tracker the first checkpoint ModelCheckpoint saved since the last poll."""
        paths: List[str] = []
        for callback in getattr(trainer, "checkpoint_callbacks", []):
            best_k: Dict[str, Any] = getattr(callback, "best_k_models", {}) or {}
            paths.extend(best_k)
            paths.extend(
                p for p in (getattr(callback, "best_model_path", ""), getattr(callback, "last_model_path", ""))
            )
        new = [os.fspath(p) for p in paths if p and os.fspath(p) not in self._known_paths]
        self._known_paths.update(new)
        if new and self._lows is not None:
            self._lows.saved(new[0])


def make_callback_class(base: type, framework: str) -> Callable[..., Any]:
    """The SpectroCallback class on `base`, the Callback class of `framework`."""

    class SpectroCallback(LightningHooks, base):  # type: ignore[valid-type, misc]
        __doc__ = _DOC.format(framework=framework)

        def __init__(self, tag: str, extract: Optional[Extract] = None, **kwargs: Any):
            # Lightning's Callback has no __init__ of its own.
            LightningHooks.__init__(self, tag, extract, **kwargs)

        @property
        def state_key(self) -> str:
            # Several callbacks of this class may share a trainer.
            return f"SpectroCallback[{self.series.tag}]"

    return SpectroCallback


_DOC = """Logs a Spectro series from a {framework} training loop, at the steps of Lightning's own scalars.

    trainer = Trainer(
        logger=TensorBoardLogger("runs", name="tts"),
        callbacks=[
            ModelCheckpoint(monitor="val_loss", save_top_k=3),
            SpectroCallback(
                "mel/train",
                lambda batch, outputs: dict(target=batch["mel"], predicted=outputs["mel"],
                                            lengths=batch["mel_lengths"], sample_ids=batch["ids"]),
                sample_rate=22050, hop_length=256,
            ),
        ],
    )

    `outputs` is what `training_step` (or `validation_step`) returned, e.g.
    `{{"loss": loss, "mel": predicted_mel}}`.

    It writes through the trainer's TensorBoardLogger (its `experiment`), or,
    when the trainer has none, a Spectro `Writer` in `trainer.log_dir`, and
    at the step numbers Lightning writes its scalars at
    (`fit_loop.epoch_loop._batches_that_stepped`, not `global_step`, which
    is one ahead in `on_train_batch_end`), so a mel and the loss of its
    batch share a step. Without a policy it logs at the steps Lightning
    logs scalars (every `log_every_n_steps`); a policy's `due` is asked with
    the count Lightning tests, the batches done including this one. The
    sanity check is skipped; so is every process but the first.

    It also watches a metric (ModelCheckpoint's `monitor` unless `lowest`
    names another) with a `LowestPointTracker`, and each new low's marker
    records the checkpoint ModelCheckpoint saved for it.

    Args:
      tag: the series' tag, e.g. "mel/train".
      extract: `extract(batch, outputs)` returns the keyword arguments of
        `op` but `tag`, `step` and `writer` (e.g. `target`, `predicted`,
        `lengths`, `sample_ids`), or None to skip the batch. The policy's
        examples are taken from each per-sample argument.
      log: instead of `extract`, `log(batch, outputs, step, writer)` calls
        the summary ops itself at the steps the policy picks.
      policy: a `LoggingPolicy`; None logs one example every
        `log_every_n_steps`.
      split: "train" logs training batches at the policy's steps;
        "validation" the first batch of each validation run (its outputs
        are what `validation_step` returned).
      op: "mel_comparison" (default), "spectrogram", "alignment",
        "noise_pair" or "similarity_matrix".
      lowest: the metric whose lowest points to mark; None for the first
        ModelCheckpoint's `monitor`; False for none.
      smoothing: the tracker's smoothing weight in [0, 1).
      **options: fixed arguments of every `op` call, e.g. `sample_rate=22050`.

    Raises:
      TypeError, ValueError: a bad argument, naming it.
    """
