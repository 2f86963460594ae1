"""The /logdir route's answer: where TensorBoard reads, with which reader, and why it may find nothing.

A logdir that its reader cannot read shows no runs and no error in the page
(TensorBoard logs the error on its console). The readers differ in what they
read: RustBoard (`--load_fast`) reads local paths and gs:// only, and
TensorBoard starts it only for those; the Python reader reads through
TensorBoard's file layer, which reads s3:// where boto3 is installed (at the
endpoint `S3_ENDPOINT` names, AWS's if unset), other schemes through fsspec
and its package for the scheme (gcsfs for gs://), or all of them through
TensorFlow where it is installed.
"""

import os
from typing import Any, Dict, Optional

from tensorboard.backend.event_processing import data_provider as multiplexer_provider
from tensorboard.data import grpc_provider

__all__ = ["reader_of", "logdir_status"]

READERS = ("python", "rustboard", "other")
_RUSTBOARD_SCHEMES = ("gs",)  # besides local paths


def reader_of(data_provider) -> str:
    """The reader behind TensorBoard's data provider: one of `READERS`.

    "rustboard" is any gRPC data server: RustBoard under `--load_fast`, or one
    given by `--grpc_data_provider`.
    """
    if isinstance(data_provider, multiplexer_provider.MultiplexerDataProvider):
        return "python"
    if isinstance(data_provider, grpc_provider.GrpcDataProvider):
        return "rustboard"
    return "other"


def _scheme(logdir: str) -> Optional[str]:
    head, separator, _ = logdir.partition("://")
    return head.lower() if separator else None


def _unreadable_scheme(scheme: str, error: Exception) -> str:
    reason = f"TensorBoard's Python reader cannot read {scheme}:// logdirs here ({type(error).__name__}: {error})."
    if scheme == "s3":
        return (
            reason + " It reads s3:// through boto3: install boto3 where TensorBoard runs and restart it"
            " (S3_ENDPOINT names an S3-compatible server other than AWS)."
        )
    if scheme == "gs":
        return reason + " Restart TensorBoard with --load_fast=true (RustBoard reads gs:// itself), or install gcsfs."
    return (
        reason + " TensorBoard reads other schemes through fsspec and the scheme's own package:"
        " install it where TensorBoard runs and restart TensorBoard."
    )


def _file_layer_note(logdir: str, scheme: Optional[str]) -> Optional[str]:
    """Why TensorBoard's file layer cannot list `logdir`; None if it can."""
    from tensorboard.compat import tf  # the stub unless TensorFlow is installed

    # The stub's file layer says without any I/O whether it has a file system
    # for the scheme; TensorFlow's says so at the first call.
    get_filesystem = getattr(tf.io.gfile, "get_filesystem", None)
    if scheme is not None and get_filesystem is not None:
        try:
            get_filesystem(logdir)
        except (ImportError, ValueError) as e:
            return _unreadable_scheme(scheme, e)
    # The file layer's errors depend on the scheme and its package
    # (botocore, fsspec, TensorFlow); any of them is the note, never a 500.
    try:
        # TensorBoard expands ~ in a local --logdir; the file layer does not.
        found = tf.io.gfile.isdir(os.path.expanduser(logdir) if scheme is None else logdir)
    except Exception as e:
        return f"TensorBoard's file layer could not list {logdir} ({type(e).__name__}: {e})."
    if found:
        return None
    if scheme is None:
        return f"There is no directory {logdir}."
    return f"Nothing is stored under {logdir}."


def logdir_status(logdir: str, reader: str) -> Dict[str, Any]:
    """The logdir, its reader, and a note saying why the reader finds nothing there, if it can tell.

    Args:
      logdir: TensorBoard's --logdir; empty with --logdir_spec or
        --grpc_data_provider alone.
      reader: one of `READERS`, as `reader_of` says.

    Returns:
      {"logdir", "reader", "note"}; `note` is None where nothing is known
      to be wrong. It asks the file layer whether the logdir is a directory
      (one listing) unless RustBoard reads a gs:// logdir itself.
    """
    scheme = _scheme(logdir)
    note: Optional[str] = None
    if not logdir or reader == "other":
        note = None
    elif reader == "rustboard" and scheme is not None:
        # RustBoard's own client reads gs://; the file layer here may not.
        if scheme not in _RUSTBOARD_SCHEMES:
            note = (
                f"RustBoard (--load_fast) reads local and gs:// logdirs only, not {scheme}://. "
                f"Restart TensorBoard with --load_fast=false: its Python reader reads {scheme}:// "
                "through TensorBoard's file layer."
            )
    else:
        note = _file_layer_note(logdir, scheme)
    return {"logdir": logdir, "reader": reader, "note": note}
