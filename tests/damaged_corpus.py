"""The damaged-logdir corpus: one run per way an event file can be damaged or unusual, and healthy runs beside them.

    python tests/damaged_corpus.py LOGDIR

writes it to LOGDIR (tests import it too). Damaged records are written
directly (TensorBoard's `EventFileWriter`, or raw bytes), since the summary
ops refuse bad input. Each damaged run holds the tag `n` unless its case
says otherwise; every case is described in `CASES`.

The healthy runs (`HEALTHY_RUNS`, under `healthy/`) hold one series of each
kind with arrays and a lowest-point series; a server must serve them the
same beside the damaged runs as alone.
"""

import argparse
import math
import pathlib
import sys
import zlib
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import numpy as np
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer import event_file_writer

from tb_plugin_spectro import kinds, metadata
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary

MARKUP = "<img src=x onerror=alert(1)>"
NOT_UTF8 = b"\xff\xfe"  # bytes that start no UTF-8 sequence

# ---------------------------------------------------------------------------
# Damaging one step of a noise series


def noise_step(step: int, tag: str = "n") -> summary_pb2.Summary:
    """A healthy noise-pair step: the blob sequence under `tag`, its header's copy under the companion."""
    rng = np.random.default_rng(step)
    return spectro_summary.noise_pair_pb(tag, rng.normal(size=(4, 6)), rng.normal(size=(4, 6)), step)


def damaged(blob: Optional[bytes] = None, header: Optional[Callable[[pb.StepHeader], None]] = None):
    """Step 1 of the noise series with its first array's blob replaced, or its header (and the header's copy) changed."""
    summary = noise_step(1)
    if blob is not None:
        summary.value[0].tensor.string_val[1] = blob
    if header is not None:
        step_header = metadata.parse_step_header(summary.value[0].tensor.string_val[0])
        header(step_header)
        for value in summary.value:
            value.tensor.string_val[0] = step_header.SerializeToString()
    return summary


def first_array(step_header: pb.StepHeader) -> pb.EncodedArray:
    return kinds.by_header(step_header).arrays(step_header, 0)[0].encoded


def with_shape(shape: List[int]) -> Callable[[pb.StepHeader], None]:
    def change(step_header):
        encoded = first_array(step_header)
        del encoded.shape[:]
        encoded.shape.extend(shape)

    return change


def with_precision(step_header: pb.StepHeader) -> None:
    first_array(step_header).precision = 9  # type: ignore[assignment]


def of_another_kind(step_header: pb.StepHeader) -> None:
    step_header.mel.SetInParent()


def non_finite_offset(step_header: pb.StepHeader) -> None:
    encoded = first_array(step_header)
    encoded.offset = math.nan
    encoded.scale = math.inf


def of_a_newer_version(step_header: pb.StepHeader) -> None:
    step_header.version = metadata.PROTO_VERSION + 1


BOMB = zlib.compress(bytes(64 << 20), 9)  # 64 MB of zeros in about 64 kB
HUGE = 8192 * 8192  # values of a consistent but huge array, beyond the read cap


def huge_step() -> summary_pb2.Summary:
    summary = damaged(blob=zlib.compress(bytes(HUGE), 1), header=with_shape([8192, 8192]))
    step_header = metadata.parse_step_header(summary.value[0].tensor.string_val[0])
    assert first_array(step_header).precision == pb.UINT8
    return summary


class DamagedStep(NamedTuple):
    """Step 1 of a noise series, damaged; what its 404 says, and whether the binary /data refuses it too."""

    make: Callable[[], summary_pb2.Summary]
    message: str
    binary_refuses: bool  # else the binary body sends the blob as stored, for the pane to find it unreadable


DAMAGED_STEPS: Dict[str, DamagedStep] = {
    "not deflate": DamagedStep(lambda: damaged(blob=b"not deflate data"), "corrupt array blob", False),
    "huge shape, tiny payload": DamagedStep(
        lambda: damaged(header=with_shape([100000, 100000])), "holds 10000000000 values, more than the 16777216", True
    ),
    "overflowing shape": DamagedStep(
        lambda: damaged(header=with_shape([65536] * 4)), "holds 18446744073709551616 values", True
    ),
    "unknown precision": DamagedStep(lambda: damaged(header=with_precision), "unknown precision 9", True),
    "kind mismatch": DamagedStep(lambda: damaged(header=of_another_kind), "not the noise_pair of its series", True),
    "deflate bomb": DamagedStep(lambda: damaged(blob=BOMB), "inflates to more than the", False),
    "huge consistent step": DamagedStep(huge_step, "holds 67108864 values, more than the 16777216", True),
}


# ---------------------------------------------------------------------------
# Writing records


def write_events(logdir, events: List[Tuple[summary_pb2.Summary, int, float]]) -> pathlib.Path:
    """Writes (summary, step, wall time) events, in order, to one new event file through TensorBoard's own
    writer, which lets any wall time through; returns the file."""
    before = set(pathlib.Path(logdir).glob("*tfevents*"))
    writer = event_file_writer.EventFileWriter(str(logdir))
    for summary, step, wall_time in events:
        writer.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary))
    writer.close()
    (path,) = set(pathlib.Path(logdir).glob("*tfevents*")) - before
    return path


def write_event(logdir, summary: summary_pb2.Summary, step: int, wall_time: float) -> pathlib.Path:
    return write_events(logdir, [(summary, step, wall_time)])


def write_damaged(logdir, summary: summary_pb2.Summary) -> None:
    """A noise series `n`: a healthy step 0 and `summary` at step 1."""
    with spectro_summary.Writer(str(logdir)) as writer:
        writer.add_summary(noise_step(0), 0)
        writer.add_summary(summary, 1)


def retagged(summary: summary_pb2.Summary, tag: str, companion: bool = True) -> summary_pb2.Summary:
    """The summary's series under `tag`; without its companion header series unless `companion`."""
    out = summary_pb2.Summary()
    out.CopyFrom(summary)
    out.value[0].tag = tag
    out.value[1].tag = metadata.headers_tag(tag)
    if not companion:
        del out.value[1]
    return out


def with_plugin_content(summary: summary_pb2.Summary, content: bytes) -> summary_pb2.Summary:
    """The summary with `content` as the plugin data of the series and of its companion."""
    out = summary_pb2.Summary()
    out.CopyFrom(summary)
    for value in out.value:
        value.metadata.plugin_data.content = content
    return out


def replace_in_blobs(summary: summary_pb2.Summary, old: bytes, new: bytes) -> summary_pb2.Summary:
    """The summary with `old` replaced by `new` (of the same length) in every blob, header copies too."""
    assert len(old) == len(new)
    out = summary_pb2.Summary()
    out.CopyFrom(summary)
    found = 0
    for value in out.value:
        for index, blob in enumerate(value.tensor.string_val):
            if old in blob:
                found += 1
                value.tensor.string_val[index] = blob.replace(old, new)
    assert found, old
    return out


# ---------------------------------------------------------------------------
# Healthy runs


def _mel(step: int, frames: int = 48, n_mels: int = 40):
    rng = np.random.default_rng(step)
    target = rng.uniform(-11.0, 1.0, (n_mels, frames)).astype(np.float32)
    return target, (target + rng.normal(0, 0.3, target.shape)).astype(np.float32)


def _attention(tokens: int, frames: int, seed: int):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0, 0.1, (tokens, frames))
    for frame in range(frames):
        weights[frame * tokens // frames, frame] += 1.0
    return weights / weights.sum(axis=0, keepdims=True)


HEALTHY_STEPS = [0, 10, 20]


def write_healthy(root: pathlib.Path) -> None:
    """The healthy runs, one kind of series (or two) each."""
    with spectro_summary.Writer(str(root / "healthy" / "mel")) as writer:
        for step in HEALTHY_STEPS:
            target, predicted = _mel(step)
            spectro_summary.mel_comparison(
                "mel/val", target, predicted, step, writer=writer, sample_ids="LJ001-0001", sample_rate=22050
            )
    with spectro_summary.Writer(str(root / "healthy" / "noise")) as writer:
        for step in HEALTHY_STEPS:
            rng = np.random.default_rng(step)
            actual = rng.normal(size=(3, 16, 16))
            spectro_summary.noise_pair(
                "noise/eps", actual + rng.normal(0, 0.2, actual.shape), actual, step, writer=writer, timestep=step
            )
    with spectro_summary.Writer(str(root / "healthy" / "similarity")) as writer:
        for step in HEALTHY_STEPS:
            rng = np.random.default_rng(step)
            a = rng.normal(size=(6, 8))
            spectro_summary.similarity_matrix(
                "sim/text_audio",
                a,
                a + rng.normal(0, 0.5, a.shape),
                step,
                writer=writer,
                labels_a=[f"text {i}" for i in range(6)],
                labels_b=[f"audio {i}" for i in range(6)],
            )
    with spectro_summary.Writer(str(root / "healthy" / "spectra")) as writer:
        for step in HEALTHY_STEPS:
            spectro_summary.alignment(
                "align/attn", _attention(12, 40, step), step, writer=writer, tokens=[f"t{i}" for i in range(12)]
            )
            spectro_summary.spectrogram("mel/full", _mel(step)[0], step, writer=writer)
    with spectro_summary.Writer(str(root / "healthy" / "lowest")) as writer:
        values = [2.0, 1.5, 1.1, 0.9, 0.8, 0.85, 0.95, 1.0, 1.1, 1.2]
        for step, value in enumerate(values):
            writer.add_scalar("loss/total", value, step * 10)
        spectro_summary.lowest_point(spectro_summary.lowest_point_tag("loss/total"), 0.8, 40, writer=writer)


HEALTHY_RUNS = ["healthy/mel", "healthy/noise", "healthy/similarity", "healthy/spectra", "healthy/lowest"]
# The cards of the healthy runs that show arrays, by (run, tag): each paints its last step.
HEALTHY_CARDS = [
    ("healthy/mel", "mel/val"),
    ("healthy/noise", "noise/eps"),
    ("healthy/similarity", "sim/text_audio"),
    ("healthy/spectra", "align/attn"),
    ("healthy/spectra", "mel/full"),
]

# ---------------------------------------------------------------------------
# Damaged runs


def _kind_change(run: pathlib.Path) -> None:
    # A tag first written as a mel comparison, then as a noise pair by another process: raw records.
    events = [(retagged(mel_step(step), "mixed"), step, 1000.0 + step) for step in (0, 1)]
    events += [(retagged(noise_step(step), "mixed"), step, 1000.0 + step) for step in (2, 3)]
    write_events(run, events)


def mel_step(step: int, **options) -> summary_pb2.Summary:
    return spectro_summary.mel_comparison_pb("m", *_mel(step), step, **options)


def _bad_crc(run: pathlib.Path) -> None:
    summary = noise_step(1)
    blob = summary.value[0].tensor.string_val[1]
    write_damaged(run, summary)
    (path,) = run.iterdir()
    content = path.read_bytes()
    assert content.count(blob) == 1
    path.write_bytes(content.replace(blob, b"\x00\x00" + blob[2:]))  # no longer deflate data, nor its record's CRC


def _truncated(run: pathlib.Path) -> None:
    path = write_events(run, [(noise_step(step), step, 1000.0 + step) for step in (0, 1, 2)])
    content = path.read_bytes()
    last = len(noise_step(2).SerializeToString())
    path.write_bytes(content[: len(content) - last // 2])  # the last record cut in the middle


def _nonfinite_header(run: pathlib.Path) -> None:
    write_events(run, [(noise_step(0), 0, 1000.0), (damaged(header=non_finite_offset), 1, 1001.0)])


def _nonfinite_wall_time(run: pathlib.Path) -> None:
    # RustBoard stops reading a file at a NaN wall time; each goes in a file of its own.
    write_event(run, noise_step(0), 0, 1000.0)
    write_event(run, noise_step(1), 1, math.inf)
    write_event(run, noise_step(2), 2, math.nan)


def _plugin_content(content: bytes) -> Callable[[pathlib.Path], None]:
    def write(run: pathlib.Path) -> None:
        write_events(run, [(with_plugin_content(noise_step(step), content), step, 1000.0 + step) for step in (0, 1)])

    return write


def _not_utf8_plugin_data(run: pathlib.Path) -> None:
    def step_summary(step: int) -> summary_pb2.Summary:
        a = np.random.default_rng(step).normal(size=(3, 4))
        summary = spectro_summary.similarity_matrix_pb("n", a, a, step, a_name="ROWS", b_name="COLS")
        content = summary.value[0].metadata.plugin_data.content.replace(b"ROWS", b"RO" + NOT_UTF8)
        return with_plugin_content(summary, content)

    write_events(run, [(step_summary(step), step, 1000.0 + step) for step in (0, 1)])


def _newer_plugin_data(run: pathlib.Path) -> None:
    content = pb.SpectroPluginData(version=metadata.PROTO_VERSION + 1, kind=pb.NOISE_PAIR).SerializeToString()
    _plugin_content(content)(run)


def _unknown_kind(run: pathlib.Path) -> None:
    # A kind this version does not define, as a newer Spectro would write it; the steps' headers hold a body
    # this version does not know either (field 42).
    content = pb.SpectroPluginData(version=metadata.PROTO_VERSION, kind=99).SerializeToString()  # type: ignore[arg-type]
    header = pb.StepHeader(version=metadata.PROTO_VERSION).SerializeToString() + b"\xd2\x02\x04body"
    events = []
    for step in (0, 1):
        summary = with_plugin_content(noise_step(step), content)
        for value in summary.value:
            value.tensor.string_val[0] = header
        events.append((summary, step, 1000.0 + step))
    write_events(run, events)


def _newer_step(run: pathlib.Path) -> None:
    write_damaged(run, damaged(header=of_a_newer_version))


def _garbage_header(run: pathlib.Path) -> None:
    summary = noise_step(1)
    for value in summary.value:
        value.tensor.string_val[0] = b"garbage header \xff"
    write_damaged(run, summary)


def _not_utf8_labels(run: pathlib.Path) -> None:
    # Sample ids, similarity labels and token labels whose bytes are not UTF-8, each in a series of its own.
    target, predicted = _mel(1)
    mel = spectro_summary.mel_comparison_pb("mel", target, predicted, 1, sample_ids="SAMPLEID")
    mel = replace_in_blobs(mel, b"SAMPLEID", b"SAMPLE" + NOT_UTF8)
    a = np.random.default_rng(1).normal(size=(3, 4))
    labels = [f"LABEL{i:03d}" for i in range(3)]
    similarity = spectro_summary.similarity_matrix_pb("similarity", a, a, 1, labels_a=labels, labels_b=labels)
    similarity = replace_in_blobs(similarity, b"LABEL001", b"LABEL0" + NOT_UTF8)
    tokens = [f"TOKEN{i:03d}" for i in range(6)]
    alignment = spectro_summary.alignment_pb("alignment", _attention(6, 20, 1), 1, tokens=tokens)
    alignment = replace_in_blobs(alignment, b"TOKEN002", b"TOKEN0" + NOT_UTF8)
    healthy = [
        spectro_summary.mel_comparison_pb("mel", *_mel(0), 0),
        spectro_summary.similarity_matrix_pb("similarity", a, a, 0),
        spectro_summary.alignment_pb("alignment", _attention(6, 20, 0), 0, tokens=tokens),
    ]
    damaged_steps = [(summary, 1, 1001.0) for summary in (mel, similarity, alignment)]
    write_events(run, [(summary, 0, 1000.0) for summary in healthy] + damaged_steps)


def _markup(run: pathlib.Path) -> None:
    # Markup in every piece of text the ops take: it is valid text, shown as text.
    with spectro_summary.Writer(str(run)) as writer:
        target, predicted = _mel(0)
        spectro_summary.mel_comparison(
            f"mel/{MARKUP}",
            target,
            predicted,
            0,
            writer=writer,
            sample_ids=MARKUP,
            texts=MARKUP,
            display_name=MARKUP,
            description=MARKUP,
        )
        a = np.random.default_rng(0).normal(size=(3, 4))
        spectro_summary.similarity_matrix(
            f"sim/{MARKUP}", a, a, 0, writer=writer, labels_a=[MARKUP] * 3, a_name=MARKUP, b_name=MARKUP
        )
        spectro_summary.alignment(f"align/{MARKUP}", _attention(6, 20, 0), 0, writer=writer, tokens=[MARKUP] * 6)


# Characters RustBoard's blob keys cannot carry (its key parser takes no escaped string). NUL cannot be in a
# directory name.
NAME_CHARACTERS = {"quote": '"', "backslash": "\\", "tab": "\t", "newline": "\n"}


def _names(run: pathlib.Path) -> None:
    # Tags holding each character; the summary ops refuse them, other writers and older logs may not. The
    # tag with a quote has no header series, so that /steps reads its headers from the blobs.
    events = []
    for name, character in NAME_CHARACTERS.items():
        for step in (0, 1):
            summary = retagged(noise_step(step), f"tag {character} {name}", companion=name != "quote")
            events.append((summary, step, 1000.0 + step))
    write_events(run, events)


def _healthy_noise(run: pathlib.Path) -> None:
    write_events(run, [(noise_step(step), step, 1000.0 + step) for step in (0, 1)])


def damaged_step_run(name: str) -> str:
    """The run of a case of DAMAGED_STEPS."""
    return "damaged/step_" + name.replace(" ", "_").replace(",", "")


class Case(NamedTuple):
    run: str
    what: str
    write: Callable[[pathlib.Path], None]


CASES: List[Case] = [
    Case("damaged/kind_change", "tag `mixed`: mel comparisons at steps 0, 1, then noise pairs at 2, 3", _kind_change),
    *[
        Case(
            damaged_step_run(name),
            f"step 1: {name}",
            lambda run, case=case: write_damaged(run, case.make()),
        )
        for name, case in DAMAGED_STEPS.items()
    ],
    Case("damaged/bad_crc", "step 1's record: a blob changed under its CRC", _bad_crc),
    Case("damaged/truncated", "steps 0 to 2, the file cut in the middle of step 2's record", _truncated),
    Case("damaged/nonfinite_header", "step 1: a NaN offset and an infinite scale", _nonfinite_header),
    Case("damaged/nonfinite_wall_time", "step 1 at an infinite wall time, step 2 at NaN", _nonfinite_wall_time),
    Case("damaged/garbage_plugin_data", "plugin data that is no protobuf message", _plugin_content(b"garbage!")),
    Case("damaged/empty_plugin_data", "empty plugin data: no version, no kind", _plugin_content(b"")),
    Case("damaged/not_utf8_plugin_data", "a similarity series whose rows name is not UTF-8", _not_utf8_plugin_data),
    Case("damaged/newer_plugin_data", "plugin data of the next format version", _newer_plugin_data),
    Case("damaged/unknown_kind", "a kind this version does not define (99)", _unknown_kind),
    Case("damaged/newer_step", "step 1's header of the next format version", _newer_step),
    Case("damaged/garbage_header", "step 1's header is no protobuf message", _garbage_header),
    Case(
        "damaged/not_utf8_labels", "tags `mel`, `similarity`, `alignment`: step 1's labels not UTF-8", _not_utf8_labels
    ),
    Case(f"damaged/markup {MARKUP}", "markup in the run, tags, ids, texts, labels, tokens and names", _markup),
    Case("damaged/tag_names", "tags holding a quote, a backslash, a tab and a newline", _names),
    *[
        Case(f"damaged/run {character} {name}", f"a healthy noise series in a run named with a {name}", _healthy_noise)
        for name, character in NAME_CHARACTERS.items()
    ],
]


def write_corpus(root) -> pathlib.Path:
    """Writes every case and the healthy runs under `root`; returns it."""
    root = pathlib.Path(root)
    write_healthy(root)
    for case in CASES:
        run = root / case.run
        run.mkdir(parents=True)
        case.write(run)
    return root


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logdir", type=pathlib.Path, help="a directory that does not exist yet, or is empty")
    args = parser.parse_args(argv)
    if args.logdir.exists() and any(args.logdir.iterdir()):
        parser.error(f"{args.logdir} is not empty")
    write_corpus(args.logdir)
    for case in CASES:
        print(f"{case.run!r}: {case.what}")
    print(f"healthy: {', '.join(HEALTHY_RUNS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
