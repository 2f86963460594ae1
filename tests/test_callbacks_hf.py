"""The Hugging Face callback in a real Trainer run: the Trainer's steps, its writer or its run folder, its checkpoints."""

import glob
import os

import pytest

from support.frameworks import served, written_steps
from support.logdir import read_logdir
from support.server import READERS

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

from tb_plugin_spectro.callbacks.huggingface import LoggingPolicy, SpectroCallback  # noqa: E402

N_MELS = 6
LOGGING_STEPS = 2
EVAL_STEPS = 4  # evaluation and checkpoint every 4 steps
MAX_STEPS = 12


class PostnetConfig(transformers.PretrainedConfig):
    model_type = "spectro-test-postnet"

    def __init__(self, n_mels=N_MELS, **kwargs):
        super().__init__(**kwargs)
        self.n_mels = n_mels


class Postnet(transformers.PreTrainedModel):
    """A model defined here, so nothing is downloaded: one linear layer over mel bins."""

    config_class = PostnetConfig

    def __init__(self, config):
        super().__init__(config)
        self.layer = torch.nn.Linear(config.n_mels, config.n_mels)
        self.post_init()

    def forward(self, mel, labels=None):
        predicted = self.layer(mel)
        loss = None if labels is None else torch.nn.functional.mse_loss(predicted, labels)
        return {"loss": loss, "mel": predicted}


class Mels(torch.utils.data.Dataset):
    def __init__(self, count, seed):
        generator = torch.Generator().manual_seed(seed)
        self.mels = torch.rand(count, 8, N_MELS, generator=generator)

    def __len__(self):
        return len(self.mels)

    def __getitem__(self, index):
        return {"mel": self.mels[index], "labels": self.mels[index]}


VALIDATION_IDS = [f"val{i}" for i in range(6)]


def mels(batch, outputs):
    return dict(target=batch["labels"], predicted=outputs["mel"])


def train(output_dir, report_to="tensorboard", **callback_options):
    torch.manual_seed(0)
    args = transformers.TrainingArguments(
        output_dir=str(output_dir),
        report_to=report_to,
        logging_steps=LOGGING_STEPS,
        eval_strategy="steps",
        eval_steps=EVAL_STEPS,
        save_strategy="steps",
        save_steps=EVAL_STEPS,
        max_steps=MAX_STEPS,
        per_device_train_batch_size=4,
        per_device_eval_batch_size=4,
        learning_rate=0.05,
        use_cpu=True,
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
    trainer = transformers.Trainer(
        model=Postnet(PostnetConfig()), args=args, train_dataset=Mels(16, 0), eval_dataset=Mels(6, 1)
    )
    trainer.add_callback(SpectroCallback("mel/val", mels, trainer=trainer, sample_rate=22050, **callback_options))
    trainer.train()
    (run_dir,) = glob.glob(os.path.join(str(output_dir), "runs", "*"))
    return run_dir


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    output_dir = tmp_path_factory.mktemp("hf") / "out"
    policy = LoggingPolicy(LOGGING_STEPS, examples=2, example="cycle", reference="val4")
    return output_dir, train(output_dir, policy=policy, sample_ids=VALIDATION_IDS)


def test_mels_at_the_steps_the_trainer_logs_its_scalars(run):
    _, run_dir = run
    steps = written_steps(run_dir)
    assert steps[(".", "train/loss")] == [2, 4, 6, 8, 10, 12]
    assert steps[(".", "mel/val")] == steps[(".", "train/loss")]
    assert steps[(".", "mel/val/reference")] == steps[(".", "train/loss")]
    assert steps[(".", "eval/loss")] == [4, 8, 12]


def test_examples_cycle_through_the_evaluation_set_and_the_reference_is_fixed(run):
    _, run_dir = run
    written = read_logdir(run_dir)
    series = [w for w in written if w.tag == "mel/val"]
    assert all(len(w.header.mel.samples) == 2 for w in series)
    targets = [w.array(w.header.mel.samples[0].target) for w in series[:3]]
    assert not np_equal(targets[0], targets[1])  # the next examples at each logged step
    reference = [w for w in written if w.tag == "mel/val/reference"]
    first = reference[0].array(reference[0].header.mel.samples[0].target)
    assert all(np_equal(w.array(w.header.mel.samples[0].target), first) for w in reference)
    assert np_equal(first, Mels(6, 1)[4]["labels"].numpy(), atol=0.01)


def np_equal(a, b, atol=0.0):
    import numpy as np

    return a.shape == b.shape and np.allclose(a, b, atol=atol)


@pytest.mark.parametrize("load_fast", READERS)
def test_tensorboard_lists_the_series_and_the_lowest_view_finds_the_checkpoints(run, load_fast):
    output_dir, run_dir = run
    run_name = os.path.relpath(run_dir, str(output_dir))
    steps = written_steps(run_dir)
    series = {(run_name, tag): steps[(".", tag)] for tag in ("mel/val", "mel/val/reference")}
    listed, lowest = served(output_dir, load_fast, series, (run_name, "eval/loss"))
    assert listed == series
    assert sorted(os.listdir(output_dir)) == ["checkpoint-12", "checkpoint-4", "checkpoint-8", "runs"]
    markers = lowest["markers"]
    assert [m["step"] for m in markers] == steps[(".", "eval/loss/lowest_point")]
    for marker in markers:
        assert marker["checkpoint_path"] == str(output_dir / f"checkpoint-{marker['step']}")
        assert marker["checkpoint"]["exists"] is True
    assert lowest["final_low"]["step"] == markers[-1]["step"]


def test_without_tensorboard_it_writes_the_run_and_its_scalars(tmp_path, monkeypatch):
    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", str(tmp_path / "runs" / "postnet"))
    run_dir = train(tmp_path, report_to="none")
    assert run_dir == str(tmp_path / "runs" / "postnet")
    steps = written_steps(run_dir)
    assert steps[(".", "mel/val")] == steps[(".", "train/loss")] == [2, 4, 6, 8, 10, 12]
    assert steps[(".", "eval/loss/lowest_point")][0] == EVAL_STEPS


def test_other_processes_log_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(transformers.Trainer, "is_world_process_zero", lambda self: False)
    output_dir = tmp_path / "out"
    os.makedirs(output_dir / "runs" / "unused")
    train(output_dir)
    assert read_logdir(str(tmp_path)) == []


def test_report_to_tensorboard_without_the_trainer_is_refused(tmp_path):
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), report_to="tensorboard", max_steps=1, use_cpu=True, disable_tqdm=True
    )
    trainer = transformers.Trainer(model=Postnet(PostnetConfig()), args=args, train_dataset=Mels(4, 0))
    trainer.add_callback(SpectroCallback("mel/train", mels, split="train"))
    with pytest.raises(ValueError, match=r"cannot find the Trainer's TensorBoard writer.*pass trainer=trainer"):
        trainer.train()


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"reference is chosen by id \('val4'\); pass sample_ids="):
        SpectroCallback("mel/val", mels, policy=LoggingPolicy(1, reference="val4"))
    with pytest.raises(ValueError, match=r"reference id 'x' is not among the 6 sample_ids"):
        SpectroCallback("mel/val", mels, policy=LoggingPolicy(1, reference="x"), sample_ids=VALIDATION_IDS)
    with pytest.raises(TypeError, match=r"forward must be a function"):
        SpectroCallback("mel/val", mels, forward=3)
