"""Finding the saved checkpoint nearest to a step.

Checkpoint names are parsed from a table of the patterns that training code
for voice models and common trainers write. Directories are listed through
TensorBoard's file layer (`tensorboard.compat.tf.io.gfile`), never `os`, so
local paths and s3:// or gs:// work alike wherever the logdir does.
"""

import dataclasses
import re
from typing import Iterable, List, Optional, Pattern, Tuple, Union

__all__ = [
    "KINDS",
    "Checkpoint",
    "CheckpointStatus",
    "parse_checkpoint_name",
    "find_checkpoints",
    "nearest_checkpoint",
    "checkpoint_status",
]

# Kinds of checkpoint, in the order preferred when several share a step: the
# generator (what inference loads), exported model weights, whole-trainer
# checkpoints, the discriminator last (useless alone).
KINDS = ("G", "model", "lightning", "trainer", "D")

# RVC's "save only the latest" writes G_2333333.pth / D_2333333.pth: a
# placeholder, not a step.
_RVC_LATEST_STEP = 2333333

_GENERATOR_NAMES = frozenset({"g", "gen", "generator", "netg"})
_DISCRIMINATOR_NAMES = frozenset({"d", "disc", "discriminator", "netd"})

# (pattern over the base name, kind or None to derive it from the name).
# The first match wins, so specific patterns come before the general one.
_PATTERNS: Tuple[Tuple[Pattern[str], Optional[str]], ...] = (
    # HuggingFace Trainer: a directory.
    (re.compile(r"checkpoint-(?P<step>\d+)"), "trainer"),
    # PyTorch Lightning: [name-]epoch=E-step=S[-metrics or -vN].ckpt
    (re.compile(r"(?:(?P<name>.+?)[-_])?epoch=(?P<epoch>\d+)[-_]step=(?P<step>\d+)(?:[-_].*)?\.ckpt"), "lightning"),
    # RVC exported weights: name_e{epoch}_s{step}.pth
    (re.compile(r"(?P<name>.+)_e(?P<epoch>\d+)_s(?P<step>\d+)\.pth"), "model"),
    # name_{epoch}e_{step}s.pth
    (re.compile(r"(?P<name>.+)_(?P<epoch>\d+)e_(?P<step>\d+)s\.pth"), "model"),
    # HiFi-GAN: g_00100000 (generator), do_00100000 (discriminators and optimizers).
    (re.compile(r"(?P<name>g|do)_(?P<step>\d{8})"), None),
    # VITS, So-VITS-SVC, RVC training: G_{step}.pth, D_{step}.pth
    (re.compile(r"(?P<name>[GD])_(?P<step>\d+)\.pth?"), None),
    # General: name_{step}.pt / .pth / .ckpt, the name starting with a letter.
    (re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9.-]*(?:_[A-Za-z][A-Za-z0-9.-]*)*)_(?P<step>\d+)\.(?:pt|pth|ckpt)"), None),
)


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """A checkpoint file (or, for "trainer", directory) and what its name says."""

    path: str  # full path as the file layer takes it; the bare name when only a name was parsed
    step: int
    epoch: Optional[int]
    kind: str  # one of KINDS


@dataclasses.dataclass(frozen=True)
class CheckpointStatus:
    """Whether a recorded checkpoint path is still there."""

    path: str
    exists: Optional[bool]  # None when the file layer could not tell
    checkpoint: Optional[Checkpoint]  # what the name says, if it parses
    error: Optional[str]  # why `exists` is None


def _kind_from_name(name: str) -> str:
    lowered = name.lower()
    if lowered in _GENERATOR_NAMES:
        return "G"
    if lowered in _DISCRIMINATOR_NAMES or lowered == "do":
        return "D"
    return "model"


def parse_checkpoint_name(name: str, path: Optional[str] = None) -> Optional[Checkpoint]:
    """Parses a checkpoint's base name.

    Recognised, first match wins: `checkpoint-{step}` (HuggingFace Trainer,
    a directory), `[name-]epoch={e}-step={s}[-...].ckpt` (PyTorch
    Lightning), `{name}_e{epoch}_s{step}.pth` (RVC weights),
    `{name}_{epoch}e_{step}s.pth`, `g_{8 digits}` / `do_{8 digits}`
    (HiFi-GAN), `G_{step}.pth` / `D_{step}.pth` (VITS, So-VITS-SVC, RVC),
    and `{name}_{step}.pt|.pth|.ckpt` with a name starting with a letter
    (G for names like "generator", D for "discriminator", else "model").
    RVC's `G_2333333.pth` (its "latest" placeholder) is not a step and does
    not match.

    Args:
      name: the base name, without directories.
      path: the full path to record; `name` if None.

    Returns:
      a `Checkpoint`, or None if the name is not a checkpoint's.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {name!r}")
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        groups = match.groupdict()
        step = int(groups["step"])
        if kind is None:
            if step == _RVC_LATEST_STEP:
                return None
            kind = _kind_from_name(groups["name"])
        epoch = int(groups["epoch"]) if groups.get("epoch") is not None else None
        return Checkpoint(path=name if path is None else path, step=step, epoch=epoch, kind=kind)
    return None


def _gfile():
    from tensorboard.compat import tf  # the stub unless TensorFlow is installed

    return tf


def _join(directory: str, name: str) -> str:
    if "://" in directory:
        return directory.rstrip("/") + "/" + name
    import os.path  # path syntax only; the file system is reached through gfile

    return os.path.join(directory, name)


def _sort_key(checkpoint: Checkpoint) -> Tuple[int, int, str]:
    return checkpoint.step, KINDS.index(checkpoint.kind), checkpoint.path


def find_checkpoints(directories: Union[str, Iterable[str]]) -> List[Checkpoint]:
    """Lists the checkpoints directly inside each directory (not recursively).

    A directory that does not exist is skipped: training code often creates
    its weights directory only at the first save.

    Args:
      directories: one directory or several, local or a URL the file layer
        reads (s3:// and gs:// need their packages installed).

    Returns:
      `Checkpoint`s with full paths, sorted by step, then kind as in
      `KINDS`, then path.

    Raises:
      TypeError: `directories` is not a str or an iterable of str.
      ValueError, ImportError: from the file layer, for an unknown URL
        scheme or a missing package.
    """
    if isinstance(directories, str):
        directories = [directories]
    directory_list = list(directories)
    for directory in directory_list:
        if not isinstance(directory, str) or not directory:
            raise TypeError(f"directories must be non-empty strings, got {directory!r}")
    tf = _gfile()
    found: List[Checkpoint] = []
    for directory in directory_list:
        try:
            names = tf.io.gfile.listdir(directory)
        except tf.errors.NotFoundError:  # not a directory, or not there
            continue
        for name in names:
            name = name.rstrip("/")
            path = _join(directory, name)
            checkpoint = parse_checkpoint_name(name, path)
            if checkpoint is None:
                continue
            # Only the Trainer's checkpoints are directories; a file of that name is not one.
            if checkpoint.kind == "trainer" and not tf.io.gfile.isdir(path):
                continue
            found.append(checkpoint)
    found.sort(key=_sort_key)
    return found


def nearest_checkpoint(
    checkpoints: Iterable[Checkpoint], step: int, prefer: Optional[str] = "G"
) -> Optional[Checkpoint]:
    """Returns the checkpoint to load for a lowest point at `step`.

    If any checkpoint is of the kind `prefer`, only those are considered
    (a generator at step 900 beats a discriminator at step 1000). Among the
    considered, the one whose step is nearest to `step`; at equal distance
    the earlier one, whose weights have not yet trained past the low. When
    several share that step, kinds are preferred in the order of `KINDS`,
    then the first path.

    Args:
      checkpoints: as `find_checkpoints` returns.
      step: the step of the lowest point, >= 0.
      prefer: a kind from `KINDS`, or None to consider every kind.

    Returns:
      a `Checkpoint`, or None if there are none.

    Raises:
      TypeError, ValueError: `step` is not an integer >= 0 or `prefer` is not a kind.
    """
    if isinstance(step, bool) or not isinstance(step, int):
        raise TypeError(f"step must be an integer, got {step!r}")
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step!r}")
    if prefer is not None and prefer not in KINDS:
        raise ValueError(f"prefer must be one of {KINDS!r} or None, got {prefer!r}")
    candidates = list(checkpoints)
    if prefer is not None and any(checkpoint.kind == prefer for checkpoint in candidates):
        candidates = [checkpoint for checkpoint in candidates if checkpoint.kind == prefer]
    if not candidates:
        return None
    best_step = min((abs(checkpoint.step - step), checkpoint.step) for checkpoint in candidates)[1]
    at_step = [checkpoint for checkpoint in candidates if checkpoint.step == best_step]
    return min(at_step, key=_sort_key)


def checkpoint_status(path: str) -> CheckpointStatus:
    """Checks whether a recorded checkpoint path (from a lowest-point marker) still exists.

    Args:
      path: the path as recorded, local or a URL the file layer reads.

    Returns:
      a `CheckpointStatus`. `exists` is None, with `error` saying why, when
      the file layer cannot tell (an unknown URL scheme, a missing s3fs, an
      I/O error).

    Raises:
      TypeError, ValueError: `path` is not a non-empty str.
    """
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, got {path!r}")
    if not path:
        raise ValueError("path must not be empty")
    name = path.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1]
    checkpoint = parse_checkpoint_name(name, path)
    tf = _gfile()
    try:
        exists: Optional[bool] = bool(tf.io.gfile.exists(path))
        error = None
    except (tf.errors.OpError, OSError, ValueError, ImportError) as e:
        exists, error = None, f"{type(e).__name__}: {e}"
    return CheckpointStatus(path=path, exists=exists, checkpoint=checkpoint, error=error)
