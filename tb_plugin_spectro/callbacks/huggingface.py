"""Hugging Face `Trainer`: a `TrainerCallback` that logs Spectro series at the Trainer's steps.

The Trainer hands its callbacks no batch and no outputs, so at each step
the policy picks, this callback takes the examples itself from the
evaluation set (or the training set), collates them with the Trainer's
collator, runs the model on them in eval mode without gradients, and hands
`extract` that batch and the model's outputs.
"""

import os
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import torch
from transformers import TrainerCallback
from transformers.integrations import TensorBoardCallback

from tb_plugin_spectro import _inputs
from tb_plugin_spectro.callbacks._series import CheckpointedLows, Extract, Log, Series
from tb_plugin_spectro.policy import LoggingPolicy, Reference
from tb_plugin_spectro.writer import Writer, other_process

__all__ = ["SpectroCallback", "LoggingPolicy", "Reference"]

Forward = Callable[[Any, Any], Any]


def _run_dir(args) -> str:
    """The run folder Hugging Face's TensorBoardCallback writes to, as it chooses it."""
    chosen = os.getenv("TENSORBOARD_LOGGING_DIR") or getattr(args, "logging_dir", None)
    if chosen:
        return os.path.expanduser(chosen)
    from transformers.integrations.integration_utils import default_logdir

    return os.path.join(args.output_dir, default_logdir())


def _tag(name: str) -> str:
    """The tag Hugging Face's TensorBoardCallback writes a log entry under (its `rewrite_logs`)."""
    for prefix in ("eval_", "test_"):
        if name.startswith(prefix):
            return prefix[:-1] + "/" + name[len(prefix) :]
    return "train/" + name


def _to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, Mapping):
        return type(batch)({key: _to_device(value, device) for key, value in batch.items()})
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(value, device) for value in batch)
    return batch


def _call_model(model, batch):
    return model(**batch) if isinstance(batch, Mapping) else model(batch)


class SpectroCallback(TrainerCallback):
    """Logs a Spectro series from a Hugging Face `Trainer`, at the steps the Trainer logs its scalars.

        trainer = Trainer(model=model, args=TrainingArguments(output_dir="out", report_to="tensorboard",
                                                              logging_steps=50, eval_strategy="steps"), ...)
        trainer.add_callback(SpectroCallback(
            "mel/val",
            lambda batch, outputs: dict(target=batch["labels"], predicted=outputs.spectrogram),
            trainer=trainer,
        ))
        trainer.train()

    It writes through the `SummaryWriter` of the Trainer's TensorBoard
    callback (`report_to="tensorboard"`), found through `trainer`; without
    one, it opens a Spectro `Writer` in the run folder that callback would
    use (`$TENSORBOARD_LOGGING_DIR`, `args.logging_dir` where the Trainer
    has one, else `<output_dir>/runs/<date>_<host>`) and writes the Trainer's
    logs there as scalars too, under the same tags (`train/loss`,
    `eval/loss`, ...).

    At each step `state.global_step` that the policy picks (without a
    policy, every `logging_steps`, as the Trainer logs), it takes the
    examples the policy picks from the dataset of `split` (the policy's
    `pick` over the whole dataset, so `example="cycle"` goes through all of
    it), collates them, runs `forward(model, batch)` (by default
    `model(**batch)`) in eval mode without gradients, and logs what
    `extract(batch, outputs)` returns. A reference sample is logged at the
    same steps under its own tag.

    It also watches a logged metric with a `LowestPointTracker`
    (`metric_for_best_model`, or `eval_loss`, unless `lowest` names
    another), and each new low's marker records the `checkpoint-{step}`
    folder the Trainer saved for it. On every process but the first it does
    nothing.

    Args:
      tag: the series' tag, e.g. "mel/val".
      extract: `extract(batch, outputs)` returns the keyword arguments of
        `op` but `tag`, `step` and `writer`, or None to log nothing.
      log: instead of `extract`, `log(batch, outputs, step, writer)` calls
        the summary ops itself.
      trainer: the `Trainer`, to share its TensorBoard writer and take its
        datasets as its dataloaders prepare them. Without it, the datasets
        come from the dataloaders the Trainer hands its callbacks (the
        evaluation set's once it has evaluated), and with
        `report_to="tensorboard"` the callback refuses to start, since it
        could not share the run.
      policy: a `LoggingPolicy`; None logs one example every
        `logging_steps`.
      split: "validation" (default; the evaluation set) or "train".
      forward: `forward(model, batch)` returns the outputs handed to
        `extract`, e.g. `lambda model, batch: model.generate_speech(...)`.
      sample_ids: the id of each sample of the reference's split, in the
        dataset's order, to choose the reference by id.
      lowest: the logged metric whose lowest points to mark (a key of the
        Trainer's logs, e.g. "eval_loss"); None for `metric_for_best_model`
        or "eval_loss"; False for none.
      smoothing: the tracker's smoothing weight in [0, 1).
      op: "mel_comparison" (default), "spectrogram", "alignment",
        "noise_pair" or "similarity_matrix".
      **options: fixed arguments of every `op` call, e.g. `sample_rate=22050`.

    Raises:
      TypeError, ValueError: a bad argument, naming it.
    """

    def __init__(
        self,
        tag: str,
        extract: Optional[Extract] = None,
        *,
        log: Optional[Log] = None,
        trainer: Any = None,
        policy: Optional[LoggingPolicy] = None,
        split: str = "validation",
        forward: Optional[Forward] = None,
        sample_ids: Optional[Sequence[str]] = None,
        lowest: Union[str, bool, None] = None,
        smoothing: float = 0.0,
        op: str = "mel_comparison",
        **options: Any,
    ):
        self.series = Series(tag, extract, log, op, split, policy or LoggingPolicy(1), options)
        self._follow_trainer = policy is None
        self.trainer = trainer
        if forward is not None and not callable(forward):
            raise TypeError(f"forward must be a function of the model and the batch, got {forward!r}")
        self.forward: Forward = forward or _call_model
        reference = self.series.reference
        if reference is not None and reference.id is not None:
            if sample_ids is None:
                raise ValueError(
                    f"the reference is chosen by id ({reference.id!r}); pass sample_ids=, the id of each sample "
                    f"of the {reference.split} set in order, or choose it by index"
                )
            ids = _inputs.check_strings(sample_ids, "sample_ids", len(sample_ids), what="sample")
            if reference.id not in ids:
                raise ValueError(f"the reference id {reference.id!r} is not among the {len(ids)} sample_ids")
            self._reference_index: Optional[int] = ids.index(reference.id)
        else:
            self._reference_index = None if reference is None else reference.index
        if lowest is not None and not isinstance(lowest, (str, bool)):
            raise TypeError(f"lowest must be a key of the Trainer's logs, False, or None, got {lowest!r}")
        self.lowest = None if lowest is True else lowest
        self.smoothing = smoothing
        self._writer: Any = None
        self._own_writer = False
        self._lows: Optional[CheckpointedLows] = None
        self._active = False

    # -- where it writes ---------------------------------------------------

    def _shared_writer(self):
        callbacks = getattr(getattr(self.trainer, "callback_handler", None), "callbacks", [])
        for callback in callbacks:
            if isinstance(callback, TensorBoardCallback) and callback.tb_writer is not None:
                return callback.tb_writer
        return None

    def on_train_begin(self, args, state, control, **kwargs):
        self._active = state.is_world_process_zero and other_process() is None
        if not self._active:
            return
        if self._follow_trainer:
            self.series.policy = self.series.policy.with_interval(int(state.logging_steps or args.logging_steps))
        self._writer = self._shared_writer()
        if self._writer is None:
            if "tensorboard" in (args.report_to or []):
                raise ValueError(
                    "report_to includes 'tensorboard', but this SpectroCallback cannot find the Trainer's "
                    "TensorBoard writer to share its run: pass trainer=trainer"
                )
            self._writer = Writer(_run_dir(args))
            self._own_writer = True
        watched = self.lowest
        if watched is None:
            best = args.metric_for_best_model
            if best and not args.greater_is_better:
                # As the Trainer reads it: a metric of its evaluation.
                watched = best if best.startswith("eval_") else "eval_" + best
            elif not best:
                watched = "eval_loss"
        self._watched = watched or None

    # -- the series --------------------------------------------------------

    def _dataloader(self, split: str, kwargs):
        if self.trainer is not None:
            if split == "validation":
                return self.trainer.get_eval_dataloader() if self.trainer.eval_dataset is not None else None
            return self.trainer.get_train_dataloader()
        return kwargs.get("eval_dataloader" if split == "validation" else "train_dataloader")

    def _examples(self, model, dataloader, indices):
        batch = dataloader.collate_fn([dataloader.dataset[i] for i in indices])
        device = next(model.parameters()).device
        batch = _to_device(batch, device)
        training = model.training
        model.eval()
        try:
            with torch.no_grad():
                outputs = self.forward(model, batch)
        finally:
            model.train(training)
        return batch, outputs

    def on_step_end(self, args, state, control, **kwargs):
        if not self._active:
            return
        step = state.global_step
        if not self.series.policy.due(step):
            return
        model = kwargs["model"]
        dataloader = self._dataloader(self.series.split, kwargs)
        if dataloader is not None:
            picked = self.series.policy.pick(step, len(dataloader.dataset))
            batch, outputs = self._examples(model, dataloader, picked)
            self.series.log_examples(self._writer, step, batch, outputs)
        reference = self.series.reference
        if reference is not None and self._reference_index is not None:
            reference_loader = self._dataloader(reference.split, kwargs)
            if reference_loader is not None:
                batch, outputs = self._examples(model, reference_loader, [self._reference_index])
                self.series.log_examples(self._writer, step, batch, outputs, tag=reference.tag_for(self.series.tag))

    # -- scalars, lowest points and checkpoints -------------------------------

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not self._active or not logs:
            return
        if self._own_writer:
            for name, value in logs.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._writer.add_scalar(_tag(name), value, state.global_step)
        watched = getattr(self, "_watched", None)
        if watched and isinstance(logs.get(watched), (int, float)):
            if self._lows is None:
                self._lows = CheckpointedLows(_tag(watched), self._writer, self.smoothing)
            epoch = None if state.epoch is None else int(state.epoch)
            self._lows.value(state.global_step, logs[watched], epoch=epoch)

    def on_save(self, args, state, control, **kwargs):
        if self._active and self._lows is not None:
            self._lows.saved(os.path.join(args.output_dir, f"checkpoint-{state.global_step}"))

    def on_train_end(self, args, state, control, **kwargs):
        if not self._active:
            return
        if self._lows is not None:
            if not self._own_writer:
                # The TensorBoard callback, before this one, has closed its writer; writing reopens it.
                self._lows.write_through(self._writer)
            self._lows.flush()
        self._writer.close()
        self._writer, self._own_writer, self._active = None, False, False
