"""Keras 3: a callback that logs Spectro series and Keras's scalars on any backend, without TensorFlow.

Keras's own TensorBoard callback writes through TensorFlow, and keeps its
writers private. This one writes through Spectro's `Writer` into the same
run folders, `<log_dir>/train` and `<log_dir>/validation`, with the same
scalars at the same steps (`epoch_loss` at each epoch; with `update_freq`
a number, `batch_loss` every that many batches at the count of batches), so
it can stand in for it on the JAX and PyTorch backends.
"""

import os
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import keras

from tb_plugin_spectro import _inputs
from tb_plugin_spectro.callbacks._series import Extract, Log, Series, _take
from tb_plugin_spectro.policy import LoggingPolicy, Reference
from tb_plugin_spectro.writer import Writer, other_process

__all__ = ["SpectroCallback", "LoggingPolicy", "Reference"]

_FOLDERS = {"train": "train", "validation": "validation"}


def _length(data) -> int:
    first = data[0] if isinstance(data, tuple) else data
    if isinstance(first, Mapping):
        first = next(iter(first.values()))
    return len(first)


def _select(data, indices):
    """The samples `indices` of `data`: an array, a dict of arrays, or a tuple of them (x, y, sample_weight)."""
    if isinstance(data, tuple):
        return tuple(_select(part, indices) for part in data)
    if isinstance(data, Mapping):
        return {key: _select(value, indices) for key, value in data.items()}
    return None if data is None else _take(data, indices)


def _number(value) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class SpectroCallback(keras.callbacks.Callback):
    """Logs a Spectro series and Keras's scalars from `model.fit`, on any backend.

        model.fit(x, y, validation_data=(x_val, y_val), epochs=100, callbacks=[
            keras.callbacks.ModelCheckpoint("ckpt/postnet_{epoch:03d}.keras", monitor="val_loss", save_best_only=True),
            SpectroCallback(
                "mel/val",
                lambda batch, outputs: dict(target=batch[1], predicted=outputs),
                log_dir="logs", data=(x_val, y_val), checkpoint=checkpoint,
            ),
        ])

    Keras hands its callbacks no batch, so at each step the policy picks,
    the callback takes the examples the policy picks from `data` (its
    `pick` over all of `data`, so `example="cycle"` goes through it), runs
    the model on them (`model(x, training=False)`) and logs what
    `extract(batch, outputs)` returns, where `batch` is the picked part of
    `data`. The step is the epoch (`update_freq="epoch"`, the default, as
    Keras's epoch scalars) or, with `update_freq` a number, the count of
    training batches (as Keras's batch scalars).

    It writes Keras's logs as scalars: `epoch_<name>` in `<log_dir>/train`
    and, for the `val_` entries, in `<log_dir>/validation`, at the epoch;
    with `update_freq=N`, `batch_<name>` every N batches. It watches
    `val_loss` (or the ModelCheckpoint's `monitor`, or `lowest`) with a
    `LowestPointTracker` under its scalar's tag, and each new low's marker
    records the file `checkpoint` saves for that epoch. On every process
    but the first it does nothing.

    Args:
      tag: the series' tag, e.g. "mel/val".
      extract: `extract(batch, outputs)` returns the keyword arguments of
        `op` but `tag`, `step` and `writer`, or None to log nothing.
      log_dir: the run's directory, as Keras's TensorBoard callback takes it.
      data: the samples to draw from: `x`, `(x, y)` or `(x, y,
        sample_weight)`, arrays (or dicts of arrays) over samples.
      log: instead of `extract`, `log(batch, outputs, step, writer)` calls
        the summary ops itself.
      policy: a `LoggingPolicy`; None logs one example every epoch, or
        every `update_freq` batches.
      split: the run folder the series goes to: "validation" (default) or
        "train"; the reference, drawn from `data` too, must be of it.
      sample_ids: an id per sample of `data`, to choose the reference by id.
      update_freq: "epoch", or log batch scalars and step the series every
        that many batches.
      lowest: the log entry whose lowest points to mark ("val_loss",
        "loss"); None for the checkpoint's monitor or "val_loss"; False for
        none.
      checkpoint: the `keras.callbacks.ModelCheckpoint` whose files the
        markers name (saving once an epoch).
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
        log_dir,
        data,
        log: Optional[Log] = None,
        policy: Optional[LoggingPolicy] = None,
        split: str = "validation",
        sample_ids: Optional[Sequence[str]] = None,
        update_freq: Union[str, int] = "epoch",
        lowest: Union[str, bool, None] = None,
        checkpoint: Any = None,
        smoothing: float = 0.0,
        op: str = "mel_comparison",
        **options: Any,
    ):
        super().__init__()
        if update_freq != "epoch":
            try:
                update_freq = _inputs.check_count(update_freq, "update_freq", minimum=1)
            except TypeError:
                raise TypeError(f"update_freq must be 'epoch' or an integer >= 1, got {update_freq!r}") from None
        self.update_freq = update_freq
        if policy is None:
            policy = LoggingPolicy(1 if update_freq == "epoch" else int(update_freq))
        self.series = Series(tag, extract, log, op, split, policy, options)
        self.log_dir = _inputs.check_path(log_dir, "log_dir")
        if isinstance(data, list):
            data = tuple(data)
        self.data = data
        self._size = _length(data)
        reference = self.series.reference
        self._reference_index: Optional[int] = None
        if reference is not None:
            if reference.split != split:
                raise ValueError(
                    f"the reference is drawn from data, which goes to the {split!r} run; "
                    f"give it split={split!r}, not {reference.split!r}"
                )
            if reference.id is not None:
                if sample_ids is None:
                    raise ValueError(
                        f"the reference is chosen by id ({reference.id!r}); pass sample_ids=, an id per sample of data"
                    )
                ids = _inputs.check_strings(sample_ids, "sample_ids", self._size, what="sample of data")
                if reference.id not in ids:
                    raise ValueError(f"the reference id {reference.id!r} is not among the {len(ids)} sample_ids")
                self._reference_index = ids.index(reference.id)
            else:
                self._reference_index = reference.index
                if reference.index is not None and reference.index >= self._size:
                    raise ValueError(f"the reference index {reference.index} is past data's {self._size} samples")
        if lowest is not None and not isinstance(lowest, (str, bool)):
            raise TypeError(f"lowest must be a key of Keras's logs, False, or None, got {lowest!r}")
        self.checkpoint = checkpoint
        watched = lowest if isinstance(lowest, str) else None
        if lowest is None or lowest is True:
            watched = getattr(checkpoint, "monitor", None) or "val_loss"
        self.watched = watched
        self.smoothing = smoothing
        self._writers: Dict[str, Writer] = {}
        self._trackers: Dict[str, Any] = {}
        self._batches = 0
        self._active = False

    # -- writers -------------------------------------------------------------

    def _writer(self, split: str) -> Writer:
        if split not in self._writers:
            self._writers[split] = Writer(os.path.join(self.log_dir, _FOLDERS[split]))
        return self._writers[split]

    def on_train_begin(self, logs=None):
        self._active = other_process() is None
        self._batches = 0

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        self._trackers.clear()

    # -- steps ---------------------------------------------------------------

    def on_train_batch_end(self, batch, logs=None):
        if not self._active or self.update_freq == "epoch":
            return
        self._batches += 1
        if self._batches % int(self.update_freq) == 0:
            for name, value in (logs or {}).items():
                number = _number(value)
                if number is not None:
                    self._writer("train").add_scalar(f"batch_{name}", number, self._batches)
        if self.series.policy.due(self._batches):
            self._log_series(self._batches)

    def on_epoch_end(self, epoch, logs=None):
        if not self._active:
            return
        logs = logs or {}
        for name, value in logs.items():
            number = _number(value)
            if number is None:
                continue
            split, scalar = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
            self._writer(split).add_scalar(f"epoch_{scalar}", number, epoch)
        if self.update_freq == "epoch" and self.series.policy.due(epoch):
            self._log_series(epoch)
        self._watch(epoch, logs)
        for writer in self._writers.values():
            writer.flush()

    def _log_series(self, step: int) -> None:
        writer = self._writer(self.series.split)
        batch, outputs = self._run(self.series.policy.pick(step, self._size))
        self.series.log_examples(writer, step, batch, outputs)
        reference = self.series.reference
        if reference is not None and self._reference_index is not None:
            batch, outputs = self._run([self._reference_index])
            self.series.log_examples(writer, step, batch, outputs, tag=reference.tag_for(self.series.tag))

    def _run(self, indices) -> Tuple[Any, Any]:
        batch = _select(self.data, indices)
        inputs = batch[0] if isinstance(batch, tuple) else batch
        return batch, self.model(inputs, training=False)

    # -- lowest points -----------------------------------------------------------

    def _watch(self, epoch: int, logs: Mapping[str, Any]) -> None:
        value = _number(logs.get(self.watched)) if self.watched else None
        if value is None or self.watched is None:
            return
        split, scalar = ("validation", self.watched[4:]) if self.watched.startswith("val_") else ("train", self.watched)
        tracker = self._trackers.get(split)
        if tracker is None:
            from tb_plugin_spectro.summary import LowestPointTracker

            tracker = self._trackers[split] = LowestPointTracker(
                f"epoch_{scalar}", writer=self._writer(split), smoothing=self.smoothing
            )
        path = None
        if self.checkpoint is not None and getattr(self.checkpoint, "save_freq", "epoch") == "epoch":
            # The name ModelCheckpoint gives the file it saves at the end of this epoch.
            path = os.fspath(self.checkpoint.filepath).format(epoch=epoch + 1, **logs)
        tracker.update(epoch, value, epoch=epoch, checkpoint_path=path)
