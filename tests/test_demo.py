"""The demo logdir holds every kind, and what a TTS run would show."""

import os

import numpy as np

from tb_plugin_spectro import demo
from tb_plugin_spectro import plugin_data_pb2 as pb

from conftest import by_tag, read_logdir


def test_demo_writes_every_kind(tmp_path):
    demo.write_demo(str(tmp_path), steps=40, every=4)
    tags = by_tag(read_logdir(str(tmp_path)))
    assert sorted(tags) == ["align/text_audio", "diffusion/noise", "loss/g/total/lowest_point", "mel/reference", "mel/train"]
    kinds = {tag: items[0].plugin_data.kind for tag, items in tags.items()}
    assert kinds["mel/train"] == pb.MEL_COMPARISON and kinds["diffusion/noise"] == pb.NOISE_PAIR
    assert [w.step for w in tags["mel/reference"]] == list(range(0, 41, 4))
    # The prediction converges: the reference's MAE falls over training.
    mae = [w.header.mel.stats.mae for w in tags["mel/reference"]]
    assert mae[-1] < 0.5 * mae[0]
    train = tags["mel/train"][0].header.mel
    assert [s.target_frames for s in train.samples] == [200, 170, 150]
    assert train.samples[0].sample_id == "LJ001-0002"
    # Lowest points name checkpoints; the ones on a multiple of 50 exist.
    markers = tags["loss/g/total/lowest_point"]
    assert markers and all(m.header.lowest_point.checkpoint_path.endswith(f"G_{m.step}.pth") for m in markers)
    assert os.path.exists(os.path.join(tmp_path, "tts", "G_0.pth"))
    # The similarity diagonal emerges.
    gaps = [w.header.similarity.stats.gap for w in tags["align/text_audio"]]
    assert gaps[-1] > gaps[0] + 0.3
    assert np.isfinite(gaps).all()
