"""Tests of tb_plugin_spectro.checkpoints: names, listing, nearest, status."""

import os

import pytest

from tb_plugin_spectro import checkpoints
from tb_plugin_spectro.checkpoints import Checkpoint

# name -> (step, epoch, kind)
PARSED = [
    ("G_0.pth", (0, None, "G")),
    ("G_12000.pth", (12000, None, "G")),
    ("D_12000.pth", (12000, None, "D")),
    ("G_500.pt", (500, None, "G")),
    ("myvoice_e100_s2400.pth", (2400, 100, "model")),
    ("my_voice_v2_e5_s120.pth", (120, 5, "model")),
    ("singer_35e_7000s.pth", (7000, 35, "model")),
    ("checkpoint-1500", (1500, None, "trainer")),
    ("epoch=3-step=1000.ckpt", (1000, 3, "lightning")),
    ("model-epoch=3-step=1000.ckpt", (1000, 3, "lightning")),
    ("epoch=3-step=1000-v1.ckpt", (1000, 3, "lightning")),
    ("epoch=12-step=5000-val_loss=0.12.ckpt", (5000, 12, "lightning")),
    ("g_00100000", (100000, None, "G")),
    ("do_00100000", (100000, None, "D")),
    ("generator_3000.pt", (3000, None, "G")),
    ("discriminator_3000.pt", (3000, None, "D")),
    ("model_3000.ckpt", (3000, None, "model")),
    ("ema_model_42.pth", (42, None, "model")),
]

NOT_CHECKPOINTS = [
    "G_latest.pth",
    "G_2333333.pth",  # RVC's "latest only" placeholder
    "D_2333333.pth",
    "model_best.pth",
    "f0G40k.pth",
    "hubert_base.pt",
    "rmvpe.pt",
    "last.ckpt",
    "2000.pth",
    "_2000.pth",
    "G_100.pth.tmp",
    "G_100.pth~",
    "G_100.pthx",
    "G_-5.pth",
    "G_100.onnx",
    "g_100",  # HiFi-GAN names carry eight digits
    "checkpoint-best",
    "checkpoint-100.json",
    "voice_e10.pth",
    "config.json",
    "events.out.tfevents.1700000000.host.1.0",
    "train_100.log",
]


@pytest.mark.parametrize("name, expected", PARSED)
def test_parses(name, expected):
    checkpoint = checkpoints.parse_checkpoint_name(name)
    assert checkpoint is not None, name
    assert (checkpoint.step, checkpoint.epoch, checkpoint.kind) == expected
    assert checkpoint.path == name


@pytest.mark.parametrize("name", NOT_CHECKPOINTS)
def test_does_not_parse(name):
    assert checkpoints.parse_checkpoint_name(name) is None


def test_every_kind_is_known():
    for name, (_, _, kind) in PARSED:
        assert kind in checkpoints.KINDS, name


def _touch(directory, *names):
    for name in names:
        with open(os.path.join(directory, name), "wb") as f:
            f.write(b"\0")


@pytest.fixture
def run_dirs(tmp_path):
    logs = tmp_path / "logs"
    weights = tmp_path / "weights"
    logs.mkdir()
    weights.mkdir()
    _touch(
        str(logs),
        "G_1000.pth",
        "D_1000.pth",
        "G_2000.pth",
        "D_2000.pth",
        "D_3000.pth",
        "G_2333333.pth",
        "config.json",
        "train.log",
    )
    _touch(str(weights), "voice_e10_s1000.pth", "voice_e20_s2000.pth", "checkpoint-2500")  # a file, not a Trainer dir
    (tmp_path / "trainer").mkdir()
    (tmp_path / "trainer" / "checkpoint-2500").mkdir()
    return tmp_path


class TestFindCheckpoints:
    def test_lists_and_sorts(self, run_dirs):
        found = checkpoints.find_checkpoints(
            [str(run_dirs / "logs"), str(run_dirs / "weights"), str(run_dirs / "trainer"), str(run_dirs / "missing")]
        )
        assert [(os.path.basename(c.path), c.step, c.kind) for c in found] == [
            ("G_1000.pth", 1000, "G"),
            ("voice_e10_s1000.pth", 1000, "model"),
            ("D_1000.pth", 1000, "D"),
            ("G_2000.pth", 2000, "G"),
            ("voice_e20_s2000.pth", 2000, "model"),
            ("D_2000.pth", 2000, "D"),
            ("checkpoint-2500", 2500, "trainer"),
            ("D_3000.pth", 3000, "D"),
        ]
        assert found[0].path == str(run_dirs / "logs" / "G_1000.pth")
        assert found[1].epoch == 10

    def test_one_directory_as_str(self, run_dirs):
        found = checkpoints.find_checkpoints(str(run_dirs / "trainer"))
        assert [c.path for c in found] == [str(run_dirs / "trainer" / "checkpoint-2500")]

    def test_missing_directory_or_file_is_empty(self, run_dirs):
        assert checkpoints.find_checkpoints(str(run_dirs / "nope")) == []
        assert checkpoints.find_checkpoints(str(run_dirs / "logs" / "G_1000.pth")) == []

    def test_goes_through_tensorboard_file_layer(self, monkeypatch):
        # A remote logdir the file layer lists (as s3:// or gs:// with their packages).
        from tensorboard.compat import tf

        tree = {"gs://bucket/run": ["G_100.pth", "checkpoint-200/", "notes.txt"], "gs://bucket/run/checkpoint-200": []}
        monkeypatch.setattr(tf.io.gfile, "isdir", lambda path: path.rstrip("/") in tree)
        monkeypatch.setattr(tf.io.gfile, "listdir", lambda path: tree[path.rstrip("/")])
        found = checkpoints.find_checkpoints("gs://bucket/run/")
        assert [(c.path, c.kind) for c in found] == [
            ("gs://bucket/run/G_100.pth", "G"),
            ("gs://bucket/run/checkpoint-200", "trainer"),
        ]

    def test_bad_directory(self):
        with pytest.raises(TypeError, match="directories"):
            checkpoints.find_checkpoints([None])


def _ckpt(step, kind, epoch=None):
    return Checkpoint(path=f"/ckpt/{kind}_{step}", step=step, epoch=epoch, kind=kind)


class TestNearestCheckpoint:
    FOUND = [_ckpt(1000, "G"), _ckpt(1000, "D"), _ckpt(2000, "D"), _ckpt(2000, "model"), _ckpt(3000, "G")]

    def test_nearest_step(self):
        assert checkpoints.nearest_checkpoint(self.FOUND, 2999) == _ckpt(3000, "G")
        assert checkpoints.nearest_checkpoint(self.FOUND, 1900) == _ckpt(1000, "G")
        assert checkpoints.nearest_checkpoint(self.FOUND, 3000) == _ckpt(3000, "G")
        assert checkpoints.nearest_checkpoint(self.FOUND, 10**9) == _ckpt(3000, "G")
        assert checkpoints.nearest_checkpoint(self.FOUND, 0) == _ckpt(1000, "G")

    def test_equal_distance_goes_to_the_earlier(self):
        assert checkpoints.nearest_checkpoint(self.FOUND, 2000) == _ckpt(1000, "G")
        assert checkpoints.nearest_checkpoint([_ckpt(10, "G"), _ckpt(20, "G")], 15) == _ckpt(10, "G")

    def test_prefer_none_uses_kind_order_at_shared_step(self):
        assert checkpoints.nearest_checkpoint(self.FOUND, 2500, prefer=None) == _ckpt(2000, "model")
        for shared in ([_ckpt(5, "D"), _ckpt(5, "G")], [_ckpt(5, "G"), _ckpt(5, "D")]):
            assert checkpoints.nearest_checkpoint(shared, 5, prefer=None) == _ckpt(5, "G")

    def test_prefer_other_kind(self):
        assert checkpoints.nearest_checkpoint(self.FOUND, 2500, prefer="D") == _ckpt(2000, "D")

    def test_falls_back_when_preferred_kind_absent(self):
        assert checkpoints.nearest_checkpoint([_ckpt(10, "D"), _ckpt(20, "trainer")], 25) == _ckpt(20, "trainer")

    def test_none_found(self):
        assert checkpoints.nearest_checkpoint([], 100) is None

    def test_with_files(self, run_dirs):
        found = checkpoints.find_checkpoints([str(run_dirs / "logs"), str(run_dirs / "weights")])
        nearest = checkpoints.nearest_checkpoint(found, 2100)
        assert nearest is not None and nearest.path == str(run_dirs / "logs" / "G_2000.pth")
        os.remove(nearest.path)
        found = checkpoints.find_checkpoints([str(run_dirs / "logs"), str(run_dirs / "weights")])
        assert checkpoints.nearest_checkpoint(found, 2100).path == str(run_dirs / "logs" / "G_1000.pth")

    @pytest.mark.parametrize(
        "kwargs, error, match",
        [
            ({"step": -1}, ValueError, "step must be >= 0"),
            ({"step": 1.5}, TypeError, "step must be an integer"),
            ({"step": 1, "prefer": "generator"}, ValueError, "prefer must be one of"),
        ],
    )
    def test_bad_parameters(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            checkpoints.nearest_checkpoint(self.FOUND, **kwargs)


class TestCheckpointStatus:
    def test_existing_and_deleted(self, run_dirs):
        path = str(run_dirs / "logs" / "G_2000.pth")
        status = checkpoints.checkpoint_status(path)
        assert status.exists is True and status.error is None
        assert status.checkpoint == Checkpoint(path=path, step=2000, epoch=None, kind="G")
        os.remove(path)
        status = checkpoints.checkpoint_status(path)
        assert status.exists is False and status.error is None

    def test_trainer_directory(self, run_dirs):
        status = checkpoints.checkpoint_status(str(run_dirs / "trainer" / "checkpoint-2500") + "/")
        assert status.exists is True and status.checkpoint.step == 2500

    def test_unparsed_name_still_checked(self, run_dirs):
        status = checkpoints.checkpoint_status(str(run_dirs / "logs" / "config.json"))
        assert status.exists is True and status.checkpoint is None

    def test_unknown_scheme_is_unknown_not_missing(self):
        status = checkpoints.checkpoint_status("nosuchscheme://bucket/G_100.pth")
        assert status.exists is None and "nosuchscheme" in status.error
        assert status.checkpoint.step == 100

    def test_bad_path(self):
        with pytest.raises(ValueError, match="path must not be empty"):
            checkpoints.checkpoint_status("")
        with pytest.raises(TypeError, match="path must be a str"):
            checkpoints.checkpoint_status(None)
