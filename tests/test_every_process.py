"""Every process of a distributed run: the ones but the first log nothing, and a writer that is a mistake says so."""

import sys
import types

import numpy as np
import pytest

from support.logdir import read_logdir
from tb_plugin_spectro import summary as spectro_summary
from tb_plugin_spectro import writer as writer_module

MEL = np.linspace(0.0, 1.0, 8 * 6, dtype=np.float32).reshape(8, 6)


def write_mel(writer):
    spectro_summary.mel_comparison("mel", MEL, MEL * 0.5, 3, writer=writer)


@pytest.fixture
def torch_rank(monkeypatch):
    """Sets this process' torch.distributed rank, as an initialized process group would."""
    distributed = pytest.importorskip("torch.distributed")

    def set_rank(rank):
        monkeypatch.setattr(distributed, "is_available", lambda: True)
        monkeypatch.setattr(distributed, "is_initialized", lambda: True)
        monkeypatch.setattr(distributed, "get_rank", lambda group=None: rank)

    return set_rank


def test_alone_is_the_first_process():
    assert writer_module.other_process() is None


def test_writer_none_on_another_torch_rank_writes_nothing(torch_rank):
    torch_rank(2)
    assert writer_module.other_process() == "torch.distributed rank 2"
    write_mel(None)
    spectro_summary.lowest_point("loss", 0.5, 3, writer=None)
    spectro_summary.LowestPointTracker("loss", writer=None).update(1, 0.5)


def test_writer_none_on_rank_zero_is_still_an_error(torch_rank):
    torch_rank(0)
    with pytest.raises(ValueError, match=r"writer=None writes to TF2's default writer"):
        write_mel(None)


def test_writer_none_on_another_jax_process_writes_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", types.SimpleNamespace(process_index=lambda: 1))
    assert writer_module.other_process() == "JAX process 1"
    write_mel(None)
    monkeypatch.setitem(sys.modules, "jax", types.SimpleNamespace(process_index=lambda: 0))
    with pytest.raises(ValueError, match=r"TensorFlow is not in use"):
        write_mel(None)


def test_bad_arguments_are_refused_on_every_process(torch_rank):
    torch_rank(1)
    with pytest.raises(ValueError, match=r"target must be 2-D"):
        spectro_summary.mel_comparison("mel", np.zeros(4), np.zeros(4), 0, writer=None)


@pytest.mark.parametrize(
    "module,name",
    [
        ("lightning.fabric.loggers.logger", "_DummyExperiment"),
        ("lightning_fabric.loggers.logger", "_DummyExperiment"),
        ("pytorch_lightning.loggers.logger", "DummyExperiment"),
    ],
)
def test_lightning_dummy_experiment_writes_nothing(module, name):
    logger_module = pytest.importorskip(module)
    write_mel(getattr(logger_module, name)())


@pytest.mark.parametrize("module", ["lightning.pytorch.loggers", "pytorch_lightning.loggers"])
def test_lightning_tensorboard_logger_writes_through_its_experiment(module, tmp_path):
    loggers = pytest.importorskip(module)
    logger = loggers.TensorBoardLogger(str(tmp_path), name="tts", version=0)
    write_mel(logger)
    logger.experiment.flush()
    assert [(written.step, written.tag) for written in read_logdir(logger.log_dir)] == [(3, "mel")]


def test_lightning_tensorboard_logger_on_another_rank_writes_nothing(tmp_path, monkeypatch):
    loggers = pytest.importorskip("lightning.pytorch.loggers")
    from lightning.fabric.utilities import rank_zero

    logger = loggers.TensorBoardLogger(str(tmp_path), name="tts", version=0)
    monkeypatch.setattr(rank_zero.rank_zero_only, "rank", 1)
    write_mel(logger)
    write_mel(logger.experiment)
    assert not (tmp_path / "tts").exists()


def test_lightning_logger_without_tensorboard_is_named():
    loggers = pytest.importorskip("lightning.pytorch.loggers")
    with pytest.raises(TypeError, match=r"writer is Lightning's CSVLogger, which writes no TensorBoard event files"):
        write_mel(loggers.CSVLogger("unused"))


def test_hugging_face_tensorboard_callback(tmp_path, torch_rank):
    integrations = pytest.importorskip("transformers.integrations")
    from torch.utils.tensorboard import SummaryWriter

    callback = integrations.TensorBoardCallback()
    with pytest.raises(ValueError, match=r"Hugging Face's TensorBoardCallback, which has no writer yet"):
        write_mel(callback)
    callback.tb_writer = SummaryWriter(str(tmp_path))
    write_mel(callback)
    callback.tb_writer.close()
    assert [(written.step, written.tag) for written in read_logdir(str(tmp_path))] == [(3, "mel")]
    torch_rank(1)
    write_mel(integrations.TensorBoardCallback())  # on another process it never opens a writer


def test_keras_tensorboard_callback_is_named(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    with pytest.raises(TypeError, match=r"writer is Keras's TensorBoard callback.*callbacks.keras.SpectroCallback"):
        write_mel(keras.callbacks.TensorBoard("logs"))


def test_a_path_says_to_open_a_writer(tmp_path):
    with pytest.raises(TypeError, match=r"got builtins.str 'runs/x', a path; pass writer=spectro_summary.Writer"):
        write_mel("runs/x")
    with pytest.raises(TypeError, match=r"a path; pass writer=spectro_summary.Writer\('"):
        write_mel(tmp_path)
