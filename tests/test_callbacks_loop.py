"""The plain-loop callback in a JAX training loop: the loop's steps, its checkpoints, every process."""

import os

import numpy as np
import pytest

from support.frameworks import served, written_steps
from support.logdir import read_logdir
from support.server import READERS
from tb_plugin_spectro import summary as spectro_summary
from tb_plugin_spectro.callbacks.loop import LoggingPolicy, SpectroCallback

STEPS = 12
EVAL_EVERY = 4
RNG = np.random.default_rng(0)
TRAIN = RNG.random((16, 8, 6), dtype=np.float32)
VAL = RNG.random((6, 8, 6), dtype=np.float32)


def mels(batch, outputs):
    return dict(target=batch["mel"], predicted=outputs["mel"], sample_ids=batch["id"])


def batches(mels_, size, offset=0):
    for start in range(0, len(mels_), size):
        yield {"mel": mels_[start : start + size], "id": [f"utt{offset + i}" for i in range(start, start + size)]}


def train_jax(run_dir, checkpoints):
    """A linear postnet trained by plain JAX, the callback called from the loop."""
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    def predict(weights, mel):
        return mel @ weights

    def loss_fn(weights, mel):
        return jnp.mean((predict(weights, mel) - mel) ** 2)

    grad_step = jax.jit(jax.value_and_grad(loss_fn))
    weights = jnp.zeros((6, 6))
    train_mels = SpectroCallback(
        "mel/train", mels, writer=str(run_dir), policy=LoggingPolicy(2, example="cycle"), lowest="loss/val"
    )
    val_mels = SpectroCallback(
        "mel/val", mels, writer=train_mels.writer, split="validation", policy=LoggingPolicy(1, reference="val4")
    )
    batch_iter = iter(())
    for step in range(STEPS):
        batch = next(batch_iter, None)
        if batch is None:
            batch_iter = batches(TRAIN, 4)
            batch = next(batch_iter)
        loss, grads = grad_step(weights, batch["mel"])
        weights = weights - 0.5 * grads
        train_mels.on_step_end(step, batch, {"mel": predict(weights, batch["mel"])})
        train_mels.on_metrics(step, {"loss/train": float(loss)})
        if (step + 1) % EVAL_EVERY == 0:
            losses = []
            for val_batch in batches(VAL, 4, offset=0):
                val_batch["id"] = [name.replace("utt", "val") for name in val_batch["id"]]
                predicted = predict(weights, val_batch["mel"])
                val_mels.on_eval(step, val_batch, {"mel": predicted})
                losses.append(float(jnp.mean((predicted - val_batch["mel"]) ** 2)))
            train_mels.on_metrics(step, {"loss/val": float(np.mean(losses))})
            path = checkpoints / f"postnet_{step}.npy"
            np.save(path, np.asarray(weights))
            train_mels.on_save(path)
    train_mels.close()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("loop")
    (root / "checkpoints").mkdir()
    train_jax(root / "logs" / "postnet", root / "checkpoints")
    return root


def test_series_at_the_loops_steps(run):
    steps = written_steps(run / "logs" / "postnet")
    assert steps[(".", "mel/train")] == [0, 2, 4, 6, 8, 10]
    assert steps[(".", "loss/train")] == list(range(STEPS))
    assert steps[(".", "mel/val")] == steps[(".", "loss/val")] == [3, 7, 11]
    assert steps[(".", "mel/val/reference")] == [3, 7, 11]
    written = read_logdir(str(run / "logs" / "postnet"))
    # Cycling: at the n-th logged step, example n of the batch (the batches of four go 0-3, 4-7, 8-11, 12-15).
    picked = [w.header.mel.samples[0].sample_id for w in written if w.tag == "mel/train"]
    assert picked == ["utt0", "utt9", "utt2", "utt11", "utt0", "utt9"]
    assert {w.header.mel.samples[0].sample_id for w in written if w.tag == "mel/val/reference"} == {"val4"}


@pytest.mark.parametrize("load_fast", READERS)
def test_tensorboard_lists_the_series_and_the_lowest_view_finds_the_checkpoints(run, load_fast):
    steps = written_steps(run / "logs" / "postnet")
    series = {("postnet", tag): steps[(".", tag)] for tag in ("mel/train", "mel/val", "mel/val/reference")}
    listed, lowest = served(run / "logs", load_fast, series, ("postnet", "loss/val"))
    assert listed == series
    markers = lowest["markers"]
    assert [m["step"] for m in markers] == steps[(".", "loss/val/lowest_point")]
    for marker in markers:
        assert marker["checkpoint_path"] == str(run / "checkpoints" / f"postnet_{marker['step']}.npy")
        assert marker["checkpoint"]["exists"] is True


def test_other_jax_processes_log_nothing(tmp_path, monkeypatch):
    jax = pytest.importorskip("jax")
    monkeypatch.setattr(jax, "process_index", lambda: 1)
    train_jax(tmp_path / "logs", tmp_path)
    assert not (tmp_path / "logs").exists()


def test_a_writer_of_the_ops(tmp_path):
    writer = spectro_summary.Writer(tmp_path)
    callback = SpectroCallback("mel/train", mels, writer=writer, policy=LoggingPolicy(1, examples=3))
    callback.on_step_end(0, next(batches(TRAIN, 4)), {"mel": TRAIN[:4]})
    callback.close()
    writer.close()
    (written,) = read_logdir(str(tmp_path))
    assert [s.sample_id for s in written.header.mel.samples] == ["utt0", "utt1", "utt2"]


def test_log_calls_the_ops_itself(tmp_path):
    def log(batch, outputs, step, writer):
        spectro_summary.spectrogram("mel/predicted", outputs["mel"][0], step, writer=writer)

    callback = SpectroCallback("unused", log=log, writer=str(tmp_path), policy=LoggingPolicy(5))
    for step in range(11):
        callback.on_step_end(step, None, {"mel": TRAIN[:1]})
    callback.close()
    assert written_steps(tmp_path)[(".", "mel/predicted")] == [0, 5, 10]


def test_extract_returning_none_skips_the_batch(tmp_path):
    callback = SpectroCallback("mel/train", lambda batch, outputs: None, writer=str(tmp_path), policy=LoggingPolicy(1))
    callback.on_step_end(0, None, None)
    callback.close()
    assert not os.path.exists(tmp_path / "events") and read_logdir(str(tmp_path)) == []


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"writer is None on the first process of the run; pass a path"):
        SpectroCallback("mel", mels, writer=None, policy=LoggingPolicy(1)).on_step_end(0, None, None)
    with pytest.raises(TypeError, match=r"extract must return a dict of mel_comparison's arguments"):
        SpectroCallback("mel", lambda b, o: [1], writer=str(tmp_path), policy=LoggingPolicy(1)).on_step_end(0, 1, 1)
    with pytest.raises(TypeError, match=r"step= is set by the callback; got step=3"):
        SpectroCallback("mel", mels, writer=str(tmp_path), step=3)
    with pytest.raises(ValueError, match=r"with op='similarity_matrix' there is no batch"):
        SpectroCallback("m", mels, writer=str(tmp_path), op="similarity_matrix", policy=LoggingPolicy(1, reference=0))
