"""Writers: the package's own event-file writer, and adapters that send a
Summary through the writers training code already has.

Supported: `Writer` (this module, no TensorFlow or PyTorch needed), PyTorch's
`torch.utils.tensorboard.SummaryWriter` (also PyTorch Lightning's
`TensorBoardLogger.experiment`), tensorboardX's `SummaryWriter`, a TF2
`tf.summary` writer, and, with `writer=None`, TF2's default writer.

A tag holds one Spectro kind for its whole life. Each writer remembers the
kind of each Spectro tag written through it, and refuses a summary that would
put another kind under one of them, before writing anything. A tag also holds
one plugin's data: TensorBoard's readers give it to the plugin whose data was
written under it first, and the other plugins' steps are lost. The package's
own `Writer` sees every value written through it, so it remembers the plugin
of every tag too, and refuses a summary that would put another plugin's data
under one of them (a mel comparison under an image's tag, a scalar under a
mel comparison's).
"""

import contextlib
import errno
import itertools
import os
import queue
import socket
import sys
import threading
import time
import weakref
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from tensorboard.compat.proto import event_pb2, summary_pb2

from tb_plugin_spectro import _crc32c, _inputs, metadata

__all__ = ["Writer", "resolve_writer"]

# Writes one Summary at a step; the wall time defaults to now.
WriteFn = Callable[[summary_pb2.Summary, int, Optional[float]], None]

_WRITER_HELP = (
    "pass writer=spectro_summary.Writer(logdir), a torch.utils.tensorboard or tensorboardX SummaryWriter "
    "(Lightning's TensorBoardLogger or its .experiment, Hugging Face's TensorBoardCallback.tb_writer), "
    "or a tf.summary writer; in a training framework's loop, a callback of tb_plugin_spectro.callbacks "
    "finds the writer itself"
)


_file_ids = itertools.count()
_STOP = object()  # tells the writing thread to finish


# The plugin TensorBoard's readers give a value that names none, by the value's field (as data_compat does).
_PLUGIN_OF_FIELD = {"simple_value": "scalars", "image": "images", "audio": "audio", "histo": "histograms"}


def _tag_owners(summary: summary_pb2.Summary) -> Iterator[Tuple[str, str, Optional[int]]]:
    """The (tag, plugin, Spectro kind) of each value of `summary` that gives its tag to a plugin.

    The kind is None for another plugin's value. Spectro's header copies
    follow their series, and Spectro data this module cannot parse is the
    reader's to report: both are left out, as are values that name no plugin
    and hold a plain tensor (a writer that strips metadata after a tag's first
    value writes those).
    """
    for value in summary.value:
        value_metadata = value.metadata
        plugin = value_metadata.plugin_data.plugin_name or _PLUGIN_OF_FIELD.get(value.WhichOneof("value") or "")
        if not plugin:
            continue
        if plugin != metadata.PLUGIN_NAME:
            yield value.tag, plugin, None
            continue
        if value_metadata.data_class != summary_pb2.DATA_CLASS_BLOB_SEQUENCE:
            continue
        try:
            plugin_data = metadata.parse_plugin_metadata(value_metadata.plugin_data.content)
        except ValueError:
            continue
        yield value.tag, plugin, plugin_data.kind


# What a tag holds: its plugin, and its Spectro kind (None for another plugin's tag).
_Owner = Tuple[str, Optional[int]]


def _conflict(tag: str, held: _Owner, new: _Owner) -> Optional[str]:
    """Why `new` cannot be written under `tag`, which holds `held`; None if it can."""
    (held_plugin, held_kind), (new_plugin, new_kind) = held, new
    holds = f"{held_plugin} data" if held_kind is None else f"{metadata.kind_name(held_kind)} steps"
    if held_plugin != new_plugin:
        what = f"{new_plugin} data" if new_kind is None else f"a {metadata.kind_name(new_kind)}"
        return (
            f"tag {tag!r} already holds {holds} in this writer; {what} written under it would not be shown "
            "(TensorBoard's readers give a tag to the plugin whose data was written under it first, and that "
            "plugin cannot read the others' steps): use another tag"
        )
    if held_kind is None or new_kind is None or held_kind == new_kind:
        return None
    return f"tag {tag!r} already holds {holds} in this writer; {metadata.kind_name(new_kind)} cannot write to it: use another tag"


class _TagKinds:
    """What each tag holds (its plugin, and its Spectro kind), per destination: the writer object written through.

    Destinations are held weakly, so remembering them keeps no writer alive;
    one that cannot be weakly referenced is not checked.
    """

    def __init__(self) -> None:
        self._tables: "weakref.WeakKeyDictionary[object, Dict[str, _Owner]]" = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _claim(self, destination, summary: summary_pb2.Summary) -> List[str]:
        """Records what `summary`'s tags hold; returns the tags new to `destination`.

        Raises:
          ValueError: a tag already holds another plugin's data, or another
            Spectro kind, in `destination`.
        """
        written: Dict[str, _Owner] = {}
        for tag, plugin, kind in _tag_owners(summary):
            held = written.get(tag)
            if held is not None:
                error = _conflict(tag, held, (plugin, kind))
                if error:  # within this one summary
                    raise ValueError(error)
            written[tag] = (plugin, kind)
        if not written or destination is None:
            return []
        with self._lock:
            try:
                table = self._tables.setdefault(destination, {})
            except TypeError:  # not weakly referenceable, or not hashable
                return []
            for tag, owner in written.items():
                held = table.get(tag)
                error = None if held is None else _conflict(tag, held, owner)
                if error:
                    raise ValueError(error)
            new = [tag for tag in written if tag not in table]
            table.update(written)
            return new

    def _release(self, destination, tags: List[str]) -> None:
        with self._lock:
            table = self._tables.get(destination, {})
            for tag in tags:
                table.pop(tag, None)

    @contextlib.contextmanager
    def writing(self, destination, summary: summary_pb2.Summary) -> Iterator[None]:
        """Checks and records what `summary`'s tags hold around writing it; a failed write records nothing."""
        new = self._claim(destination, summary)
        try:
            yield
        except BaseException:
            self._release(destination, new)
            raise


_TAG_KINDS = _TagKinds()


def _keeping_kinds(destination: Callable[[], object], write: WriteFn) -> WriteFn:
    """`write`, refusing a Spectro tag that holds another kind in the writer `destination()` returns."""

    def checked(summary, step, walltime):
        with _TAG_KINDS.writing(destination(), summary):
            write(summary, step, walltime)

    return checked


def _naming_the_file(error: Exception, path: str) -> Exception:
    """`error`, or for an OSError that names the file in bytes (TensorBoard's file layer does), one naming `path`."""
    if isinstance(error, OSError) and isinstance(error.filename, bytes):
        named = type(error)(error.errno, error.strerror, path)
        named.__cause__ = error
        return named
    return error


class _EventFile:
    """An event file that a background thread appends records to.

    It behaves as TensorBoard's EventFileWriter (same file name, a bounded
    queue, a flush every `flush_secs`, errors raised at the next call), but
    the records are framed in the caller with a compiled CRC-32C (see
    `_crc32c`): TensorBoard's writer computes it in Python, byte by byte, in
    a thread that holds the GIL while the training loop waits for it.
    """

    def __init__(self, logdir: str, max_queue: int, flush_secs: float, filename_suffix: str):
        from tensorboard.compat import tf

        tf.io.gfile.makedirs(logdir)
        name = "events.out.tfevents.%010d.%s.%s.%s" % (time.time(), socket.gethostname(), os.getpid(), next(_file_ids))
        self.path = os.path.join(logdir, name) + filename_suffix
        # A local file is looked for before each event is queued; a remote one
        # (s3://, gs://) would cost a request per event.
        self._local = "://" not in self.path
        self._file = tf.io.gfile.GFile(self.path, "wb")
        self._file_lock = threading.Lock()
        self._queue: "queue.Queue[object]" = queue.Queue(max(1, max_queue))
        self._flush_secs = flush_secs
        self._error: Optional[BaseException] = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"spectro-writer {self.path}", daemon=True)
        self._thread.start()
        version = event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")
        version.source_metadata.writer = "tb_plugin_spectro"
        # Queued directly: the file layer creates the file at its first write.
        self._queue.put(_crc32c.frame_record(version.SerializeToString()))
        self.flush()

    def add(self, event: bytes) -> None:
        self._check()
        self._check_file()
        self._queue.put(_crc32c.frame_record(event))

    def flush(self) -> None:
        self._check()
        self._queue.join()
        with self._file_lock:
            self._file.flush()
        self._check()
        self._check_file()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()
        with self._file_lock:
            self._file.close()
        self._check()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _check_file(self) -> None:
        # TensorBoard's file layer opens a local file again for each write, so
        # a deleted file or directory would fail in the thread, after the call
        # that queued the event had returned.
        if self._local and not os.path.exists(self.path):
            raise FileNotFoundError(
                errno.ENOENT,
                "the event file is gone (was its directory deleted?); nothing more can be written",
                self.path,
            )

    def _run(self) -> None:
        next_flush = time.monotonic() + self._flush_secs
        while True:
            try:
                record = self._queue.get(timeout=max(0.0, next_flush - time.monotonic()))
            except queue.Empty:
                record = None
            try:
                if record is _STOP:
                    return
                if self._error is None:
                    with self._file_lock:
                        if record is not None:
                            self._file.write(record)
                        if time.monotonic() >= next_flush:
                            self._file.flush()
                            next_flush = time.monotonic() + self._flush_secs
            except Exception as e:  # raised to the caller at its next call
                self._error = _naming_the_file(e, self.path)
            finally:
                if record is not None:
                    self._queue.task_done()


class Writer:
    """Writes Spectro summaries, and plain scalars, to a new event file of a run.

    The package's own writer: no TensorFlow or PyTorch is needed, and the file
    is the one TensorBoard reads (its Python reader and RustBoard alike).

    Each Writer opens one new file in `logdir`, named as TensorBoard's writers
    name theirs, `events.out.tfevents.<seconds>.<host>.<pid>.<n>` plus
    `filename_suffix`, where `n` counts the Writers of the process: two
    Writers never share a file. The file starts with TensorBoard's version
    record, flushed at once, so the run shows up before its first event.

    Each event is framed as a TFRecord (its length and the data, each followed
    by its masked CRC-32C) in the calling thread, then handed to a queue of at
    most `max_queue` records that a background thread appends to the file.
    When the queue is full the call waits for the thread: events are never
    dropped. The thread flushes the file every `flush_secs` seconds, so events
    reach TensorBoard within about that long without any call.

    `add_summary`, `add_scalar` and `flush` may be called from several
    threads; each event is written whole, in the order the calls queued them.
    Close the Writer once, when no other thread writes to it any more.

    If writing or flushing the file fails (a full disk, a refused upload),
    the thread keeps the exception and writes nothing more; the next call to
    `add_summary`, `add_scalar`, `flush` or `close` raises it, and so does
    every call after that, except a second `close`. Events added after the
    failure are lost. A local event file that no longer exists (its
    directory was deleted) is found before the event is queued: that call,
    and every `add_summary`, `add_scalar` and `flush` after it, raises
    FileNotFoundError naming the file, and nothing is written.

    A Spectro tag holds one kind: `add_summary` refuses a Spectro summary
    (an op's or a `*_pb()` result) of another kind than the one this Writer
    already wrote under its tag. A tag holds one plugin's data too, since
    TensorBoard's readers give it to the plugin whose data was written under
    it first: `add_summary` and `add_scalar` refuse a value of another plugin
    than the one this Writer already wrote under its tag (a mel comparison
    under a scalar's or an image's tag, a scalar under a mel comparison's).
    Both are ValueErrors naming the tag and what it holds, raised before
    anything is written.

    Use it as a context manager, or call `close()`: the writing thread is a
    daemon thread, so events still queued when the process exits without a
    close may not reach the file.

    Args:
      logdir: directory of the run, a `str` or path-like; a local path, or a
        URL such as s3:// where TensorBoard's file layer supports it.
        Created if missing.
      max_queue: events that may wait for the writing thread before a call
        blocks; at least 1.
      flush_secs: seconds between the thread's flushes of the file; > 0.
      filename_suffix: appended to the event file's name.

    Raises:
      TypeError: `logdir` is not a non-empty path, or another argument is of
        the wrong type.
      ValueError: `max_queue` < 1 or `flush_secs` <= 0, or `logdir` or
        `filename_suffix` cannot be encoded as UTF-8 (a lone surrogate). Bad
        arguments are refused before anything is created.

    Example:
        with spectro_summary.Writer("runs/tts") as writer:
            spectro_summary.mel_comparison("mel/val", target, pred, step, writer=writer)
            writer.add_scalar("loss/g/total", loss, step)
    """

    def __init__(self, logdir, *, max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = ""):
        if isinstance(logdir, os.PathLike):
            logdir = os.fspath(logdir)
        if not isinstance(logdir, str) or not logdir:
            raise TypeError(f"logdir must be a non-empty path, got {logdir!r}")
        logdir = _inputs.check_path(logdir, "logdir")
        max_queue = _inputs.check_count(max_queue, "max_queue", minimum=1)
        flush_secs = _inputs.check_real(flush_secs, "flush_secs")
        if flush_secs <= 0:
            raise ValueError(f"flush_secs must be > 0 seconds, got {flush_secs!r}")
        if not isinstance(filename_suffix, str):
            raise TypeError(f"filename_suffix must be a str, got {filename_suffix!r}")
        filename_suffix = _inputs.check_string(filename_suffix, "filename_suffix")
        self._logdir = logdir
        self._file = _EventFile(logdir, max_queue, flush_secs, filename_suffix)
        self._closed = False

    @property
    def logdir(self) -> str:
        """The run's directory, as given."""
        return self._logdir

    @property
    def path(self) -> str:
        """The event file being written."""
        return self._file.path

    def add_summary(self, summary: summary_pb2.Summary, step: int, walltime: Optional[float] = None) -> None:
        """Queues a Summary proto (such as a `*_pb()` result) as an event at `step`.

        Args:
          summary: a `tensorboard.compat.proto.summary_pb2.Summary`.
          step: the global step.
          walltime: seconds since the epoch; now if None.

        Raises:
          TypeError: walltime is not a real number.
          ValueError: the Writer is closed, walltime is NaN or infinite, or
            a tag of `summary` already holds another plugin's data, or
            another Spectro kind, in this Writer.
          FileNotFoundError: the local event file no longer exists.
          Exception: the error a failed write of the file raised earlier.
        """
        if self._closed:
            raise ValueError(f"this Writer of {self.logdir!r} is closed")
        event = event_pb2.Event(
            wall_time=time.time() if walltime is None else _inputs.check_real(walltime, "walltime"),
            step=int(step),
            summary=summary,
        )
        data = event.SerializeToString()
        with _TAG_KINDS.writing(self, summary):
            self._file.add(data)

    def add_scalar(self, tag: str, value: float, step: int, walltime: Optional[float] = None) -> None:
        """Queues a scalar that TensorBoard's Scalars tab shows, e.g. a loss.

        Args:
          tag: the scalar's name, e.g. "loss/g/total".
          value: a real number; NaN and infinities are written as they are.
          step: the global step, an integer >= 0.
          walltime: seconds since the epoch; now if None.

        Raises:
          TypeError, ValueError: a bad argument, the Writer is closed, or
            `tag` already holds another plugin's data in this Writer.
          Exception: the error a failed write of the file raised earlier.
        """
        summary = summary_pb2.Summary()
        summary.value.add(
            tag=_inputs.check_tag(tag),
            simple_value=_inputs.check_real(value, "value", finite=False),
        )
        self.add_summary(summary, _inputs.check_step(step), walltime)

    def flush(self) -> None:
        """Waits until every event queued so far is written, then flushes the file.

        Raises:
          FileNotFoundError: the local event file no longer exists.
          Exception: the error a failed write of the file raised.
        """
        self._file.flush()

    def close(self) -> None:
        """Writes the queued events, stops the writing thread and closes the file.

        Calling it again does nothing. After it, `add_summary` and
        `add_scalar` raise ValueError, and `flush` fails.

        Raises:
          Exception: the error a failed write of the file raised earlier (the
            thread is stopped and the file closed first), or the error of
            closing the file.
        """
        if not self._closed:
            self._closed = True
            self._file.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _has_base(writer, module_prefix: str, class_name: str) -> bool:
    return any(
        cls.__name__ == class_name and (cls.__module__ or "").startswith(module_prefix) for cls in type(writer).__mro__
    )


def _tensorboardx_write(writer) -> WriteFn:
    from tensorboardX.proto import summary_pb2 as tbx_summary_pb2

    file_writer = writer._get_file_writer()

    def write(summary, step, walltime):
        data = summary.SerializeToString()
        converted = tbx_summary_pb2.Summary.FromString(data)
        # tensorboardX's protos are older than TensorBoard's (no data_class,
        # for one); unknown fields survive a round trip, which this checks.
        if summary_pb2.Summary.FromString(converted.SerializeToString()) != summary:
            raise RuntimeError(
                "this tensorboardX version would drop parts of the Spectro summary; "
                "pass writer=spectro_summary.Writer(logdir) instead"
            )
        file_writer.add_summary(converted, step, walltime)

    return write


def _tf_write(tf, tf_writer=None) -> WriteFn:
    def write(summary, step, walltime):
        # tf.summary.write takes the step and stamps the wall time itself.
        del walltime
        for value in summary.value:
            blobs = list(value.tensor.string_val)
            metadata = value.metadata.SerializeToString()
            if tf_writer is not None:
                with tf_writer.as_default():
                    written = tf.summary.write(
                        value.tag, tf.constant(blobs, dtype=tf.string), step=step, metadata=metadata
                    )
            else:
                written = tf.summary.write(value.tag, tf.constant(blobs, dtype=tf.string), step=step, metadata=metadata)
            if not bool(written):
                raise ValueError(
                    "writer=None found no TF2 default summary writer to write to "
                    "(set one with tf.summary.create_file_writer(logdir).as_default()), "
                    "or " + _WRITER_HELP
                )

    return write


def _tf_default_writer() -> object:
    """TF2's default summary writer of this thread, or None where TF does not say."""
    try:
        from tensorflow.python.ops import summary_ops_v2  # type: ignore[import-not-found]
    except ImportError:
        return None
    return getattr(getattr(summary_ops_v2, "_summary_state", None), "writer", None)


def other_process() -> Optional[str]:
    """Which process of a distributed run this is, when it is not the first; None on the first or alone.

    Recognised: `torch.distributed` (initialized, rank != 0) and JAX
    (`jax.process_index() != 0`), looked up only where the program already
    imported them. Hugging Face's and Lightning's processes are
    `torch.distributed` ranks.
    """
    distributed = sys.modules.get("torch.distributed")
    if distributed is not None and distributed.is_available() and distributed.is_initialized():
        rank = distributed.get_rank()
        if rank != 0:
            return f"torch.distributed rank {rank}"
    jax = sys.modules.get("jax")
    if jax is not None and hasattr(jax, "process_index"):
        index = jax.process_index()
        if index != 0:
            return f"JAX process {index}"
    return None


def _skip(summary, step, walltime) -> None:
    """The writing of every process of a distributed run but the first: nothing."""


_LIGHTNING_MODULES = ("lightning", "pytorch_lightning", "lightning_fabric")


def _from_lightning(writer, class_name: str) -> bool:
    return any(_has_base(writer, module, class_name) for module in _LIGHTNING_MODULES)


def _described(writer) -> str:
    kind = type(writer)
    return f"{kind.__module__}.{kind.__qualname__}"


def _wrong_writer(writer) -> Exception:
    """The error for a `writer` Spectro cannot write through: what it is, and what to pass instead."""
    if isinstance(writer, (str, os.PathLike)):
        return TypeError(
            f"writer must be a summary writer, got {_described(writer)} {os.fspath(writer)!r}, a path; "
            f"pass writer=spectro_summary.Writer({os.fspath(writer)!r})"
        )
    if _from_lightning(writer, "Logger"):
        return TypeError(
            f"writer is Lightning's {type(writer).__name__}, which writes no TensorBoard event files; "
            "log with Lightning's TensorBoardLogger and pass it (or its .experiment), "
            "use tb_plugin_spectro.callbacks.lightning.SpectroCallback, "
            "or pass writer=spectro_summary.Writer(logger.log_dir)"
        )
    if _has_base(writer, "keras", "TensorBoard"):
        return TypeError(
            "writer is Keras's TensorBoard callback, whose writers are TensorFlow's and private; "
            "use tb_plugin_spectro.callbacks.keras.SpectroCallback(log_dir=...), which writes into the same "
            "run folders without TensorFlow, or pass writer=spectro_summary.Writer(os.path.join(log_dir, 'train'))"
        )
    hint = ""
    if hasattr(writer, "experiment"):
        hint = " (for a Lightning logger, pass logger.experiment)"
    elif hasattr(writer, "tb_writer"):
        hint = " (it has .tb_writer: pass that)"
    return TypeError(f"writer must be a summary writer, got {_described(writer)}{hint}; {_WRITER_HELP}")


def resolve_writer(writer) -> WriteFn:
    """Returns a function that writes a Summary through `writer`.

    The function refuses a Summary that would put a Spectro kind under a tag
    that already holds another kind in the same writer (ValueError, nothing
    written): the same `Writer`, the same torch, tensorboardX or tf.summary
    writer object, or with `writer=None` TF2's default writer at the time of
    the call.

    On a process of a distributed run other than the first (see
    `other_process`), `writer=None` writes nothing and is no error, and so
    does the stand-in experiment that Lightning's loggers hand out there
    (`_DummyExperiment`). A Lightning `TensorBoardLogger` is written through
    its `.experiment`, and Hugging Face's `TensorBoardCallback` through its
    `.tb_writer`.

    Raises:
      TypeError: `writer` is of a kind Spectro cannot write through; the
        message says what it is and what to pass.
      ValueError: `writer` is None and TensorFlow is not in use (on the
        first process), or a Hugging Face TensorBoardCallback has no writer
        yet.
    """
    if isinstance(writer, Writer):
        return writer.add_summary  # which checks the kinds itself
    if writer is None:
        if other_process() is not None:
            return _skip
        tf = sys.modules.get("tensorflow")
        if tf is None or not hasattr(tf, "summary"):
            raise ValueError(
                f"writer=None writes to TF2's default writer, but TensorFlow is not in use; {_WRITER_HELP}"
            )
        return _keeping_kinds(_tf_default_writer, _tf_write(tf))
    if _has_base(writer, "torch.utils.tensorboard", "SummaryWriter"):
        file_writer = writer._get_file_writer()
        return _keeping_kinds(lambda: writer, file_writer.add_summary)
    if _has_base(writer, "tensorboardX", "SummaryWriter"):
        return _keeping_kinds(lambda: writer, _tensorboardx_write(writer))
    tf = sys.modules.get("tensorflow")
    if tf is not None and _has_base(writer, "tensorflow", "SummaryWriter"):
        return _keeping_kinds(lambda: writer, _tf_write(tf, writer))
    if _from_lightning(writer, "_DummyExperiment"):
        return _skip  # what Lightning's loggers hand out on the processes but the first
    if _from_lightning(writer, "TensorBoardLogger"):
        return resolve_writer(writer.experiment)
    if _has_base(writer, "transformers", "TensorBoardCallback"):
        if writer.tb_writer is not None:
            return resolve_writer(writer.tb_writer)
        if other_process() is not None:
            return _skip
        raise ValueError(
            "writer is Hugging Face's TensorBoardCallback, which has no writer yet: it opens one when training "
            "begins; use tb_plugin_spectro.callbacks.huggingface.SpectroCallback, or pass its .tb_writer "
            "once training has begun"
        )
    raise _wrong_writer(writer)
