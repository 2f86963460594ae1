"""Logdirs on object storage: moto's S3-compatible server on loopback, a logdir that a training
process writes to it through TensorBoard's file layer, and the real `tensorboard` serving it.

The Python reader serves an s3:// logdir (TensorBoard reads it through boto3,
at `S3_ENDPOINT`): tags, steps, data, and the lowest-point view with the
checkpoints listed in the bucket. RustBoard reads local and gs:// logdirs
only: with `--load_fast=auto` TensorBoard reads s3:// with the Python reader,
and with `--load_fast=true` it exits. `/logdir` names the logdir, its reader
and, when the reader cannot read it, why; the tab's empty state says so.

Run as a script, `python tests/test_remote_storage.py s3://BUCKET/DIR`, this
file is the training process that writes the logdir.
"""

import importlib.util
import io
import subprocess
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing import data_provider as multiplexer_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.data import grpc_provider
from tensorboard.plugins import base_plugin

from support.browser import card, open_tab, wait_shown, wait_until
from support.routes import PREFIX, parse_binary
from support.s3 import CLEARED, moto_server
from support.server import fetch, fetch_json, free_port, tensorboard, wait_for
from tb_plugin_spectro import plugin
from tb_plugin_spectro import summary as spectro_summary

RUN = "tts"
MEL_TAG = "mel/val"
NOISE_TAG = "diffusion/noise"
LOSS_TAG = "loss/g/total"
MARKER_TAG = spectro_summary.lowest_point_tag(LOSS_TAG)
STEPS = (0, 600, 1200)  # steps of the mel comparisons and noise pairs
N_MELS, FRAMES = 80, 96
NOISE_SHAPE = (32, 48)
LOSS_STEPS = range(0, 2001, 100)
LOW_STEP = 1200  # the final low of the loss
MARKED = {LOW_STEP: "G_1200.pth", 600: "G_600.pth"}  # lowest-point markers and the checkpoint each recorded
# Checkpoints saved in the bucket, in the run's directory and its parent; G_600.pth was deleted.
RUN_CHECKPOINTS = ("G_1000.pth", "D_1000.pth", "G_1200.pth", "D_1200.pth", "G_1400.pth")
PARENT_CHECKPOINTS = ("G_1800.pth",)
LOGDIR = "logs"  # under the bucket
START_TIMEOUT = 60.0  # seconds for TensorBoard to list what was written


def mel_pair(step):
    rng = np.random.default_rng(step)
    target = rng.uniform(-11.0, 2.0, (N_MELS, FRAMES)).astype(np.float32)
    predicted = (target + rng.normal(0.0, 0.5, target.shape)).astype(np.float32)
    return target, predicted


def noise_arrays(step):
    rng = np.random.default_rng(10_000 + step)
    actual = rng.standard_normal(NOISE_SHAPE).astype(np.float32)
    predicted = (0.8 * actual + 0.2 * rng.standard_normal(NOISE_SHAPE)).astype(np.float32)
    return predicted, actual


def written_arrays(tag, step):
    if tag == MEL_TAG:
        return dict(zip(("target", "predicted"), mel_pair(step)))
    return dict(zip(("predicted", "actual"), noise_arrays(step)))


def timestep(step):
    return step // 10 + 7


def loss(step):
    """Falls to 0.5 at LOW_STEP, then rises."""
    return 3.0 - 2.5 * step / LOW_STEP if step <= LOW_STEP else 0.5 + (step - LOW_STEP) / 1000


def write_logdir(logdir: str) -> None:
    """What a training job writes: summaries through Spectro's Writer, checkpoints through the file layer."""
    from tensorboard.compat import tf

    run = f"{logdir}/{RUN}"
    with spectro_summary.Writer(run) as writer:
        for step in STEPS:
            spectro_summary.mel_comparison(MEL_TAG, *mel_pair(step), step, writer=writer)
            spectro_summary.noise_pair(NOISE_TAG, *noise_arrays(step), step, timestep=timestep(step), writer=writer)
        for step in LOSS_STEPS:
            writer.add_scalar(LOSS_TAG, loss(step), step)
        for step, name in sorted(MARKED.items()):
            spectro_summary.lowest_point(LOSS_TAG, loss(step), step, writer=writer, checkpoint_path=f"{run}/{name}")
    for directory, names in ((run, RUN_CHECKPOINTS), (logdir, PARENT_CHECKPOINTS)):
        for name in names:
            with tf.io.gfile.GFile(f"{directory}/{name}", "wb") as f:
                f.write(b"weights")


@pytest.fixture(scope="module")
def s3():
    """The server, the logdir written to it by another process, and this process's environment pointed at it."""
    for package in ("boto3", "moto"):
        pytest.importorskip(package, reason="moto and boto3 are in the test extras: pip install -e '.[test]'")
    with moto_server() as server, pytest.MonkeyPatch.context() as env:
        for key in CLEARED:
            env.delenv(key, raising=False)
        for key, value in server.env.items():
            env.setenv(key, value)
        written = subprocess.run(
            [sys.executable, __file__, server.url(LOGDIR)], capture_output=True, text=True, timeout=120
        )
        assert written.returncode == 0, written.stderr[-3000:]
        yield server


def wait_listed(base):
    def listed():
        tags = fetch_json(base + PREFIX + "/tags").get(RUN, {})
        scalars = fetch_json(base + PREFIX + "/scalars")["runs"].get(RUN, [])
        return {MEL_TAG, NOISE_TAG, MARKER_TAG} <= set(tags) and LOSS_TAG in scalars

    wait_for(listed, START_TIMEOUT, "the bucket's series")


@pytest.fixture(scope="module")
def python_reader(s3):
    with tensorboard(s3.url(LOGDIR), "false") as base:
        wait_listed(base)
        yield base


def test_tags_list_each_series_written_to_the_bucket(python_reader):
    tags = fetch_json(python_reader + PREFIX + "/tags")
    assert sorted(tags) == [RUN]
    for tag, kind, steps in (
        (MEL_TAG, "mel_comparison", STEPS),
        (NOISE_TAG, "noise_pair", STEPS),
        (MARKER_TAG, "lowest_point", sorted(MARKED)),
    ):
        series = tags[RUN][tag]
        assert (series["kind"], series["steps"], series["first_step"], series["last_step"]) == (
            kind,
            len(steps),
            steps[0],
            steps[-1],
        )


def test_steps_carry_the_stats_computed_when_written(python_reader):
    mel = fetch_json(python_reader + PREFIX + f"/steps?run={RUN}&tag={MEL_TAG}")
    assert [entry["step"] for entry in mel["steps"]] == list(STEPS)
    for entry in mel["steps"]:
        target, predicted = mel_pair(entry["step"])
        assert entry["stats"]["mae"] == pytest.approx(np.abs(target - predicted).mean(), rel=1e-5)
        assert entry["stats"]["compared"] == N_MELS * FRAMES
    noise = fetch_json(python_reader + PREFIX + f"/steps?run={RUN}&tag={NOISE_TAG}")
    assert [entry["step"] for entry in noise["steps"]] == list(STEPS)
    for entry in noise["steps"]:
        predicted, actual = noise_arrays(entry["step"])
        assert entry["timestep"] == timestep(entry["step"])
        assert entry["stats"]["mse"] == pytest.approx(np.square(actual - predicted).mean(), rel=1e-5)


@pytest.mark.parametrize("tag", [MEL_TAG, NOISE_TAG])
def test_data_decodes_to_the_written_arrays_within_quantization(python_reader, tag):
    for step in STEPS:
        status, body = fetch(python_reader + PREFIX + f"/data?run={RUN}&tag={tag}&step={step}")
        assert status == 200
        description, arrays = parse_binary(body)
        written = written_arrays(tag, step)
        assert sorted(arrays) == sorted(written)
        for entry in description["arrays"]:
            # 8-bit codes: each value within half a code of what was written.
            error = np.abs(arrays[entry["name"]] - written[entry["name"]]).max()
            assert error <= entry["scale"] / 2 * 1.001, (entry["name"], step, error, entry["scale"])
    # The .npz holds the arrays the binary body decodes to.
    status, body = fetch(python_reader + PREFIX + f"/data?run={RUN}&tag={tag}&step={step}&format=npz")
    npz = np.load(io.BytesIO(body))
    assert all(np.array_equal(npz[name], array) for name, array in arrays.items())


def test_lowest_point_view_finds_the_checkpoints_in_the_bucket(s3, python_reader):
    scalars = fetch_json(python_reader + PREFIX + "/scalars")
    assert scalars["markers"][RUN] == {LOSS_TAG: [MARKER_TAG]}
    lowest = fetch_json(python_reader + PREFIX + f"/lowest?run={RUN}&tag={LOSS_TAG}&smoothing=0")
    run_directory = s3.url(LOGDIR, RUN)
    assert lowest["final_low"]["step"] == LOW_STEP
    assert lowest["checkpoints"] == {
        "searched": [run_directory, s3.url(LOGDIR)],
        "count": len(RUN_CHECKPOINTS) + len(PARENT_CHECKPOINTS),
        "note": None,
    }
    (low,) = [candidate for candidate in lowest["candidates"] if candidate["is_final_low"]]
    assert low["checkpoint"] == {
        "path": f"{run_directory}/G_1200.pth",
        "name": "G_1200.pth",
        "step": LOW_STEP,
        "epoch": None,
        "kind": "G",
        "distance": 0,
    }
    assert low["recorded"] == {"path": f"{run_directory}/G_1200.pth", "exists": True, "error": None}
    # The marker whose checkpoint is gone says so; the one still in the bucket is there.
    assert {marker["step"]: marker["checkpoint"]["exists"] for marker in lowest["markers"]} == {
        600: False,
        LOW_STEP: True,
    }


def test_logdir_route_names_the_bucket_and_the_python_reader(s3, python_reader):
    assert fetch_json(python_reader + PREFIX + "/logdir") == {
        "logdir": s3.url(LOGDIR),
        "reader": "python",
        "note": None,
    }


def test_load_fast_auto_reads_s3_with_the_python_reader(s3, python_reader):
    with tensorboard(s3.url(LOGDIR), "auto") as base:
        wait_listed(base)
        assert fetch_json(base + PREFIX + "/logdir")["reader"] == "python"
        assert fetch_json(base + PREFIX + "/tags") == fetch_json(python_reader + PREFIX + "/tags")


def test_load_fast_true_exits_since_rustboard_reads_no_s3(s3):
    from tensorboard.data import server_ingester

    try:
        server_ingester.get_server_binary()
    except server_ingester.NoDataServerError as e:
        pytest.skip(f"no RustBoard here: {e}")
    port = free_port()
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", s3.url(LOGDIR), "--port", str(port)]
    command += ["--host", "127.0.0.1", "--load_fast=true"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    # RustBoard's logdir parser knows gs:// and local paths; it exits with 8 on any other scheme.
    assert f'Could not start data server: unknown protocol "s3" in logdir {s3.url(LOGDIR)}.' in result.stderr


def _status(logdir, reader):
    if reader == "python":
        multiplexer = plugin_event_multiplexer.EventMultiplexer()
        provider = multiplexer_provider.MultiplexerDataProvider(multiplexer, logdir)
    else:
        provider = grpc_provider.GrpcDataProvider("localhost:0", stub=None)  # never called
    context = base_plugin.TBContext(logdir=logdir, data_provider=provider, sampling_hints={})
    return plugin.SpectroPlugin(context).logdir_impl()


def _reads_gs_here() -> bool:
    """Whether the file layer here would reach Google's servers for gs:// (with gcsfs or TensorFlow)."""
    return any(importlib.util.find_spec(name) is not None for name in ("gcsfs", "tensorflow"))


def test_logdir_note_of_a_scheme_no_file_system_reads():
    status = _status("foo://bucket/logs", "python")
    assert status["reader"] == "python"
    assert status["note"].startswith(
        "TensorBoard's Python reader cannot read foo:// logdirs here (ValueError: Protocol not known: foo)."
    )


@pytest.mark.skipif(_reads_gs_here(), reason="gs:// would be read from Google's servers here")
def test_logdir_note_of_gs_under_the_python_reader_points_to_rustboard():
    note = _status("gs://bucket/logs", "python")["note"]
    assert "cannot read gs:// logdirs here (ImportError: Please install gcsfs" in note
    assert "--load_fast=true (RustBoard reads gs:// itself), or install gcsfs" in note


def test_logdir_note_of_s3_under_rustboard_points_to_the_python_reader():
    status = _status("s3://bucket/logs", "rustboard")
    assert status == {
        "logdir": "s3://bucket/logs",
        "reader": "rustboard",
        "note": "RustBoard (--load_fast) reads local and gs:// logdirs only, not s3://. Restart TensorBoard "
        "with --load_fast=false: its Python reader reads s3:// through TensorBoard's file layer.",
    }
    # RustBoard reads gs:// itself: nothing to say, and nothing asked of the file layer here.
    assert _status("gs://bucket/logs", "rustboard")["note"] is None


def test_logdir_note_of_local_directories(tmp_path):
    missing = str(tmp_path / "missing")
    assert _status(missing, "python")["note"] == f"There is no directory {missing}."
    assert _status(missing, "rustboard")["note"] == f"There is no directory {missing}."
    assert _status(str(tmp_path), "python")["note"] is None
    assert _status("", "python")["note"] is None  # --logdir_spec: no one logdir


def test_tab_paints_a_mel_comparison_from_the_bucket(browser, python_reader):
    with open_tab(browser, python_reader) as (page, frame):
        wait_shown(card(frame, RUN, MEL_TAG), STEPS[-1])
        wait_shown(card(frame, RUN, NOISE_TAG), STEPS[-1])


@pytest.mark.skipif(_reads_gs_here(), reason="gs:// would be read from Google's servers here")
def test_empty_tab_says_why_the_python_reader_reads_nothing(browser):
    logdir = "gs://spectro-unreadable/logs"
    port = free_port()
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--port", str(port)]
    command += ["--host", "127.0.0.1", "--load_fast=false"]
    # TensorBoard logs the file layer's ImportError with its traceback on every reload: expected here.
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/data/plugins_listing")[0] == 200, START_TIMEOUT, "tensorboard to start")
        with open_tab(browser, base) as (page, frame):
            empty = frame.locator(".spectro-empty")
            empty.wait_for()
            note = wait_until(lambda: empty.locator(".spectro-empty-note").inner_text(), "the logdir's note")
            text = empty.inner_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert "No Spectro data found" in text
    assert f"Logdir: {logdir}, read by TensorBoard's Python reader (--load_fast=false)." in text
    assert "Please install gcsfs" in note and "--load_fast=true" in note


if __name__ == "__main__":
    write_logdir(sys.argv[1])
