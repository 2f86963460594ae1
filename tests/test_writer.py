"""The package's own event-file writer and its CRC-32C."""

import os
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.compat.tensorflow_stub import pywrap_tensorflow

from tb_plugin_spectro import _crc32c
from tb_plugin_spectro import summary as spectro_summary

# The CRC the writer uses (google-crc32c's), and the numpy one used where that has no compiled code.
IMPLEMENTATIONS = pytest.mark.parametrize("crc32c", [_crc32c.crc32c, _crc32c.numpy_crc32c], ids=["selected", "numpy"])


def test_the_compiled_crc32c_is_used_where_it_loads():
    google_crc32c = pytest.importorskip("google_crc32c")
    expected = "google-crc32c" if google_crc32c.implementation == "c" else "numpy"
    assert _crc32c.IMPLEMENTATION == expected
    assert (_crc32c.crc32c is google_crc32c.value) == (expected == "google-crc32c")


@IMPLEMENTATIONS
def test_crc32c_known_values(crc32c):
    # RFC 3720's check value, and its all-zero and all-one 32-byte vectors.
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(b"") == 0


@IMPLEMENTATIONS
@pytest.mark.parametrize("size", [1023, 1024, 1025, 1040, 4095, 4097, 57_119, 300_001])
def test_crc32c_equals_tensorboards_on_sizes_around_the_chunking(crc32c, size):
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes()
    assert crc32c(data) == pywrap_tensorflow.crc32c(data)
    assert _crc32c.masked_crc32c(data) == pywrap_tensorflow.masked_crc32c(data)


@IMPLEMENTATIONS
@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=6000))
def test_crc32c_equals_tensorboards(crc32c, data):
    assert crc32c(data) == pywrap_tensorflow.crc32c(data)


def _events(path):
    # TensorBoard's Python reader checks both CRCs of every record.
    return list(event_file_loader.EventFileLoader(str(path)).Load())


def test_written_records_pass_tensorboards_crc_checks(tmp_path):
    rng = np.random.default_rng(0)
    target = rng.normal(-5, 2, (80, 300)).astype(np.float32)
    with spectro_summary.Writer(tmp_path) as writer:
        for step in range(3):
            spectro_summary.mel_comparison("mel/val", target, target + step, step, writer=writer)
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        path = writer.path
    assert os.path.dirname(path) == str(tmp_path)
    assert os.path.basename(path).startswith("events.out.tfevents.")
    events = _events(path)
    assert events[0].file_version == "brain.Event:2"
    assert [(e.step, e.summary.value[0].tag) for e in events[1:]] == [
        (s, tag) for s in range(3) for tag in ("mel/val", "loss")
    ]
    assert len(events[1].summary.value[0].tensor.string_val) == 3  # header and two arrays


def test_flush_makes_events_readable_while_open(tmp_path):
    writer = spectro_summary.Writer(tmp_path, flush_secs=3600)
    writer.add_scalar("loss", 0.5, 7)
    writer.flush()
    assert [e.step for e in _events(writer.path)[1:]] == [7]
    writer.close()


def test_events_reach_the_file_without_a_flush(tmp_path):
    writer = spectro_summary.Writer(tmp_path, flush_secs=0.2)
    writer.add_scalar("loss", 0.5, 3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(_events(writer.path)) < 2:
        time.sleep(0.05)
    assert [e.step for e in _events(writer.path)[1:]] == [3]
    writer.close()


def test_a_full_queue_blocks_instead_of_dropping(tmp_path):
    with spectro_summary.Writer(tmp_path, max_queue=1) as writer:
        for step in range(50):
            writer.add_scalar("loss", float(step), step)
        path = writer.path
    assert [e.step for e in _events(path)[1:]] == list(range(50))


def test_two_writers_on_one_logdir_write_two_files(tmp_path):
    with spectro_summary.Writer(tmp_path) as a, spectro_summary.Writer(tmp_path) as b:
        assert a.path != b.path
    assert len(os.listdir(tmp_path)) == 2


def test_write_errors_reach_the_caller(tmp_path):
    writer = spectro_summary.Writer(tmp_path)
    writer._file._file.close()  # the file goes away under the writing thread
    writer.add_scalar("loss", 1.0, 0)
    with pytest.raises(Exception, match="closed"):
        writer.flush()


@pytest.mark.parametrize(
    "kwargs,error,pattern",
    [
        ({"max_queue": 0}, ValueError, r"max_queue must be >= 1, got 0"),
        ({"max_queue": 2.5}, TypeError, r"max_queue must be an integer, got float 2.5"),
        ({"flush_secs": 0}, ValueError, r"flush_secs must be > 0 seconds, got 0.0"),
        ({"flush_secs": "soon"}, TypeError, r"flush_secs must be a real number, got str 'soon'"),
        ({"filename_suffix": 3}, TypeError, r"filename_suffix must be a str, got 3"),
        ({"filename_suffix": ".\udcff"}, ValueError, r"filename_suffix cannot be encoded as UTF-8"),
    ],
)
def test_bad_writer_arguments_create_nothing(tmp_path, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        spectro_summary.Writer(tmp_path / "run", **kwargs)
    assert not (tmp_path / "run").exists()


def test_a_logdir_that_cannot_be_encoded_as_utf8_creates_nothing(tmp_path):
    # A directory name of bytes that are not UTF-8, as os.fsdecode gives it.
    with pytest.raises(ValueError, match=r"logdir cannot be encoded as UTF-8: it holds the lone surrogate '\\udcff'"):
        spectro_summary.Writer(str(tmp_path / "run\udcff"))
    assert os.listdir(tmp_path) == []


def test_a_failed_write_names_the_file_as_a_str(tmp_path):
    writer = spectro_summary.Writer(tmp_path)

    def gone(record):
        # TensorBoard's file layer names the file in bytes.
        raise FileNotFoundError(2, "No such file or directory", writer.path.encode())

    writer._file._file.write = gone
    writer.add_scalar("loss", 1.0, 0)
    with pytest.raises(FileNotFoundError) as raised:
        writer.flush()
    assert raised.value.filename == writer.path
    with pytest.raises(FileNotFoundError):
        writer.close()


def test_scalars_may_have_tags_that_spectro_series_may_not(tmp_path):
    # RustBoard serves scalars of any tag; only blob sequences have blob keys.
    with spectro_summary.Writer(tmp_path) as writer:
        writer.add_scalar('loss "g"\ttotal', 1.0, 0)
        path = writer.path
    assert [e.summary.value[0].tag for e in _events(path)[1:]] == ['loss "g"\ttotal']


@pytest.mark.parametrize("walltime", [float("nan"), float("inf"), -float("inf")])
def test_add_summary_refuses_a_non_finite_walltime(tmp_path, walltime):
    summary = spectro_summary.noise_pair_pb("n", np.ones((2, 2)), np.ones((2, 2)), 0)
    with spectro_summary.Writer(tmp_path) as writer:
        path = writer.path
        with pytest.raises(ValueError, match=r"walltime must be finite, got (nan|inf|-inf)"):
            writer.add_summary(summary, 0, walltime=walltime)
        with pytest.raises(ValueError, match="walltime must be finite"):
            writer.add_scalar("loss", 1.0, 0, walltime=walltime)
        with pytest.raises(TypeError, match="walltime must be a real number"):
            writer.add_summary(summary, 0, walltime="now")
    assert [event.file_version for event in _events(path)] == ["brain.Event:2"]  # nothing else written
