"""The Keras callback in a real Keras 3 run on the torch backend, without TensorFlow: Keras's run folders and steps."""

import os
import sys

import numpy as np
import pytest

from support.frameworks import served, written_steps
from support.logdir import read_logdir
from support.server import READERS

if "keras" not in sys.modules:
    os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() not in ("torch", "jax", "numpy"):
    pytest.skip(
        f"Keras runs on {keras.backend.backend()}; these tests run it without TensorFlow", allow_module_level=True
    )

from tb_plugin_spectro.callbacks.keras import LoggingPolicy, SpectroCallback  # noqa: E402

EPOCHS = 3
RNG = np.random.default_rng(0)
X_TRAIN = RNG.random((16, 8, 6), dtype=np.float32)
X_VAL = RNG.random((6, 8, 6), dtype=np.float32)
VAL_IDS = [f"val{i}" for i in range(len(X_VAL))]


def mels(batch, outputs):
    return dict(target=batch[1], predicted=outputs)


def fit(log_dir, checkpoints, **options):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 6)), keras.layers.Dense(6)])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(checkpoints / "postnet_{epoch:02d}.keras"), monitor="val_loss", save_best_only=True
    )
    spectro = SpectroCallback("mel/val", mels, log_dir=str(log_dir), checkpoint=checkpoint, **options)
    model.fit(
        X_TRAIN,
        X_TRAIN,
        validation_data=(X_VAL, X_VAL),
        epochs=EPOCHS,
        batch_size=4,
        callbacks=[spectro, checkpoint],
        verbose=0,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("keras")
    policy = LoggingPolicy(1, examples=2, reference="val3")
    fit(root / "logs", root / "checkpoints", data=(X_VAL, X_VAL), sample_ids=VAL_IDS, policy=policy, sample_rate=22050)
    return root


def test_run_folders_and_steps_of_keras_tensorboard_callback(run):
    steps = written_steps(run / "logs")
    assert steps[("train", "epoch_loss")] == [0, 1, 2]
    assert steps[("validation", "epoch_loss")] == [0, 1, 2]
    assert steps[("validation", "mel/val")] == [0, 1, 2]
    assert steps[("validation", "mel/val/reference")] == [0, 1, 2]
    assert "tensorflow" not in sys.modules
    reference = [w for w in read_logdir(str(run / "logs" / "validation")) if w.tag == "mel/val/reference"]
    assert np.allclose(reference[0].array(reference[0].header.mel.samples[0].target), X_VAL[3], atol=0.01)
    series = [w for w in read_logdir(str(run / "logs" / "validation")) if w.tag == "mel/val"]
    assert all(len(w.header.mel.samples) == 2 for w in series)


@pytest.mark.parametrize("load_fast", READERS)
def test_tensorboard_lists_the_series_and_the_lowest_view_finds_the_checkpoints(run, load_fast):
    steps = written_steps(run / "logs")
    series = {("validation", tag): steps[("validation", tag)] for tag in ("mel/val", "mel/val/reference")}
    listed, lowest = served(run / "logs", load_fast, series, ("validation", "epoch_loss"))
    assert listed == series
    markers = lowest["markers"]
    assert [m["step"] for m in markers] == steps[("validation", "epoch_loss/lowest_point")]
    saved = sorted(os.listdir(run / "checkpoints"))
    assert [os.path.basename(m["checkpoint_path"]) for m in markers] == saved
    assert all(m["checkpoint"]["exists"] for m in markers)
    assert lowest["final_low"]["step"] == markers[-1]["step"]


def test_batch_steps_with_update_freq(tmp_path):
    fit(tmp_path / "logs", tmp_path / "checkpoints", data=(X_TRAIN, X_TRAIN), split="train", update_freq=2)
    steps = written_steps(tmp_path / "logs")
    assert steps[("train", "batch_loss")] == [2, 4, 6, 8, 10, 12]  # four batches an epoch, counted from 1
    assert steps[("train", "mel/val")] == [2, 4, 6, 8, 10, 12]  # the policy follows update_freq
    assert steps[("train", "epoch_loss")] == [0, 1, 2]


def test_other_processes_log_nothing(tmp_path, monkeypatch):
    from tb_plugin_spectro.callbacks import keras as keras_callbacks

    monkeypatch.setattr(keras_callbacks, "other_process", lambda: "JAX process 1")
    fit(tmp_path / "logs", tmp_path / "checkpoints", data=(X_VAL, X_VAL))
    assert not (tmp_path / "logs").exists()


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"reference is drawn from data, which goes to the 'validation' run"):
        SpectroCallback("m", mels, log_dir="l", data=X_VAL, policy=LoggingPolicy(1, reference=_train_reference()))
    with pytest.raises(ValueError, match=r"reference index 9 is past data's 6 samples"):
        SpectroCallback("m", mels, log_dir="l", data=(X_VAL, X_VAL), policy=LoggingPolicy(1, reference=9))
    with pytest.raises(ValueError, match=r"pass sample_ids="):
        SpectroCallback("m", mels, log_dir="l", data=X_VAL, policy=LoggingPolicy(1, reference="val1"))
    with pytest.raises(TypeError, match=r"update_freq must be 'epoch' or an integer >= 1, got 'batch'"):
        SpectroCallback("m", mels, log_dir="l", data=X_VAL, update_freq="batch")


def _train_reference():
    from tb_plugin_spectro.policy import Reference

    return Reference(index=0, split="train")
