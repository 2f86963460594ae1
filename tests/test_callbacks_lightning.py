"""The Lightning callback in a real Lightning run: its steps are the scalars', its markers name the checkpoints."""

import importlib
import os

import pytest

from support.frameworks import served, written_steps
from support.logdir import read_logdir
from support.server import READERS

torch = pytest.importorskip("torch")
pytest.importorskip("lightning")

BATCH = 4
TRAIN_SAMPLES = 20  # five batches an epoch
EPOCHS = 3
LOG_EVERY = 2  # log_every_n_steps
REFERENCE_INDEX = 5  # in the validation set: the second batch's second sample


class Mels(torch.utils.data.Dataset):
    def __init__(self, count, seed):
        generator = torch.Generator().manual_seed(seed)
        self.mels = torch.rand(count, 8, 6, generator=generator)

    def __len__(self):
        return len(self.mels)

    def __getitem__(self, index):
        return {"mel": self.mels[index], "id": f"utt{index}"}


def module_class(framework):
    class Postnet(framework.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(6, 6)

        def training_step(self, batch, batch_idx):
            predicted = self.layer(batch["mel"])
            loss = torch.nn.functional.mse_loss(predicted, batch["mel"])
            self.log("train_loss", loss, batch_size=len(predicted))
            return {"loss": loss, "mel": predicted.detach()}

        def validation_step(self, batch, batch_idx):
            predicted = self.layer(batch["mel"])
            self.log("val_loss", torch.nn.functional.mse_loss(predicted, batch["mel"]), batch_size=len(predicted))
            return {"mel": predicted}

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.5)

    return Postnet


def mels(batch, outputs):
    return dict(target=batch["mel"], predicted=outputs["mel"], sample_ids=batch["id"])


def fit(root, package="lightning", extra_callbacks=()):
    """Trains the postnet for three epochs; returns the run's directory and each global_step a batch ended at."""
    torch.manual_seed(0)
    framework = importlib.import_module("lightning.pytorch" if package == "lightning" else package)
    callbacks = importlib.import_module(f"tb_plugin_spectro.callbacks.{package}")
    global_steps = []

    class GlobalSteps(framework.Callback):
        def on_train_batch_end(self, trainer, *args):
            global_steps.append(trainer.global_step)

    trainer = framework.Trainer(
        max_epochs=EPOCHS,
        log_every_n_steps=LOG_EVERY,
        logger=framework.loggers.TensorBoardLogger(str(root), name="tts", version=0),
        callbacks=[
            framework.callbacks.ModelCheckpoint(dirpath=str(root / "checkpoints"), monitor="val_loss", save_top_k=1),
            callbacks.SpectroCallback("mel/train", mels, sample_rate=22050, hop_length=256),
            callbacks.SpectroCallback(
                "mel/val", mels, split="validation", policy=callbacks.LoggingPolicy(1, reference=REFERENCE_INDEX)
            ),
            GlobalSteps(),
            *extra_callbacks,
        ],
        val_check_interval=3,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
    )
    trainer.fit(
        module_class(framework)(),
        torch.utils.data.DataLoader(Mels(TRAIN_SAMPLES, 0), batch_size=BATCH, shuffle=True),
        torch.utils.data.DataLoader(Mels(6, 1), batch_size=BATCH),
    )
    return root / "tts" / "version_0", global_steps


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("lightning")
    return fit(root)


def test_mels_share_the_steps_of_lightnings_scalars(run):
    run_dir, global_steps = run
    steps = written_steps(run_dir)
    assert steps[(".", "train_loss")] == [1, 3, 5, 7, 9, 11, 13]  # every log_every_n_steps, counted from 0
    assert steps[(".", "mel/train")] == steps[(".", "train_loss")]
    # trainer.global_step, which the issue saw mels logged at, is one ahead in on_train_batch_end.
    assert global_steps[1::LOG_EVERY][: len(steps[(".", "mel/train")])] == [s + 1 for s in steps[(".", "mel/train")]]


def test_validation_and_reference_at_the_validation_scalars_steps_no_sanity_check(run):
    steps = written_steps(run[0])
    assert steps[(".", "val_loss")] == [2, 7, 12]
    assert steps[(".", "mel/val")] == steps[(".", "val_loss")]  # the sanity check, at step 0, wrote nothing
    assert steps[(".", "mel/val/reference")] == steps[(".", "val_loss")]
    written = [w for w in read_logdir(str(run[0])) if w.tag == "mel/val/reference"]
    assert {tuple(s.sample_id for s in w.header.mel.samples) for w in written} == {(f"utt{REFERENCE_INDEX}",)}


def test_one_example_a_step_with_the_options(run):
    written = [w for w in read_logdir(str(run[0])) if w.tag == "mel/train"]
    assert all(len(w.header.mel.samples) == 1 for w in written)
    assert written[0].plugin_data.mel.sample_rate == 22050


@pytest.mark.parametrize("load_fast", READERS)
def test_tensorboard_lists_the_series_and_the_lowest_view_finds_the_checkpoints(run, load_fast):
    run_dir, _ = run
    logdir = run_dir.parent.parent
    steps = written_steps(run_dir)
    series = {("tts/version_0", tag): steps[(".", tag)] for tag in ("mel/train", "mel/val", "mel/val/reference")}
    listed, lowest = served(logdir, load_fast, series, ("tts/version_0", "val_loss"))
    assert listed == series
    checkpoints = sorted(os.listdir(logdir / "checkpoints"))
    assert len(checkpoints) == 1  # save_top_k=1
    markers = lowest["markers"]
    assert [m["step"] for m in markers] == steps[(".", "val_loss/lowest_point")]
    assert all(m["checkpoint_path"].startswith(str(logdir / "checkpoints" / "epoch=")) for m in markers)
    last = markers[-1]
    assert (os.path.basename(last["checkpoint_path"]), last["checkpoint"]["exists"]) == (checkpoints[0], True)
    assert all(m["checkpoint"]["exists"] is False for m in markers[:-1])  # replaced by the better one
    assert lowest["final_low"]["step"] == last["step"]


def test_pytorch_lightning_package(tmp_path):
    pytest.importorskip("pytorch_lightning")
    run_dir, _ = fit(tmp_path, package="pytorch_lightning")
    steps = written_steps(run_dir)
    assert steps[(".", "mel/train")] == steps[(".", "train_loss")]
    assert steps[(".", "mel/val")] == steps[(".", "val_loss")]


def test_other_ranks_log_nothing(tmp_path, monkeypatch):
    import lightning.pytorch as framework
    from lightning.fabric.utilities import rank_zero

    # What a second process of a DDP run sees: not global zero, and the logger's stand-in experiment.
    monkeypatch.setattr(rank_zero.rank_zero_only, "rank", 1)
    monkeypatch.setattr(framework.Trainer, "is_global_zero", property(lambda self: False))
    fit(tmp_path)
    assert read_logdir(str(tmp_path)) == []


def test_bad_arguments():
    from tb_plugin_spectro.callbacks.lightning import SpectroCallback

    with pytest.raises(TypeError, match=r"pass one of extract= .* and log="):
        SpectroCallback("mel/train")
    with pytest.raises(ValueError, match=r"split must be one of 'train', 'validation'; got 'val'"):
        SpectroCallback("mel/val", mels, split="val")
    with pytest.raises(ValueError, match=r"op must be one of"):
        SpectroCallback("mel/val", mels, op="image")
    with pytest.raises(TypeError, match=r"lowest must be the name of a logged metric"):
        SpectroCallback("mel/val", mels, lowest=3)
