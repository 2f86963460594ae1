"""Video noise pairs through the routes: /tags, /steps and /data of videos, batches and the pairs of before."""

import io

import numpy as np
import pytest

from support.routes import PREFIX, get_json, make_client, parse_binary
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary
from tb_plugin_spectro.kinds import noise

C, T, H, W = 2, 5, 6, 8
TIMESTEPS = [900, 40, 500]


def videos(step: int, batch: int = 3):
    """A batch [B, T, C, H, W] (frames first) of actual noise and a prediction whose error grows with the frame."""
    rng = np.random.default_rng(step)
    actual = rng.standard_normal((batch, T, C, H, W)).astype(np.float32)
    growth = np.arange(1, T + 1, dtype=np.float32)[None, :, None, None, None]
    predicted = (actual + 0.1 * growth * rng.standard_normal(actual.shape)).astype(np.float32)
    return predicted, actual


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("video_noise")
    with spectro_summary.Writer(logdir / "t2s") as writer:
        for step in (0, 10):
            spectro_summary.noise_pair(
                "noise/batch",
                *videos(step),
                step,
                timestep=TIMESTEPS,
                total_timesteps=1000,
                layout="frames_channels",
                max_outputs=2,
                writer=writer,
            )
        predicted, actual = videos(20, batch=1)
        spectro_summary.noise_pair(
            "noise/video", predicted[0].swapaxes(0, 1), actual[0].swapaxes(0, 1), 20, timestep=7, writer=writer
        )
        spectro_summary.noise_pair("noise/flat", np.ones((4, 6)), np.zeros((4, 6)), 0, timestep=3, writer=writer)
        stack = np.arange(3 * 4 * 6, dtype=np.float32).reshape(3, 4, 6)
        spectro_summary.noise_pair("noise/stack", stack, stack + 1, 0, writer=writer)
    return make_client(logdir)[0]


def test_tags_count_a_batch_s_samples(client):
    tags = get_json(client, "/tags")["t2s"]
    assert tags["noise/batch"]["max_samples"] == 2
    assert tags["noise/batch"]["series"] == {"total_timesteps": 1000}
    assert [tags[t]["max_samples"] for t in ("noise/video", "noise/flat", "noise/stack")] == [1, 1, 1]
    assert tags["noise/flat"]["series"] == {"total_timesteps": 0}


def test_steps_of_a_batch_carry_each_sample_s_timestep_and_stats(client):
    steps = get_json(client, "/steps?run=t2s&tag=noise/batch")["steps"]
    assert [s["step"] for s in steps] == [0, 10]
    step = steps[1]
    assert (step["batch_size"], step["timestep"], step["total_timesteps"]) == (3, None, 1000)
    assert step["shape"] == [C, T, H, W] and step["frame_mse"] == []
    predicted, actual = videos(10)
    error = (predicted.astype(np.float64) - actual).swapaxes(1, 2)  # [B, C, T, H, W]
    assert [s["batch_index"] for s in step["samples"]] == [0, 1]
    assert [s["timestep"] for s in step["samples"]] == TIMESTEPS[:2]
    for index, sample in enumerate(step["samples"]):
        assert sample["stats"]["mse"] == pytest.approx((error[index] ** 2).mean())
        assert sample["frame_mse"] == pytest.approx((error[index] ** 2).mean(axis=(1, 2, 3)).tolist())
    assert step["stats"]["mse"] == pytest.approx((error[:2] ** 2).mean())
    assert "video_mse" not in step  # its size grows with C x T: /data only


def test_data_sends_one_sample_s_video_and_its_mse_by_frame(client):
    response = client.get(PREFIX + "/data?run=t2s&tag=noise/batch&step=10&sample=1")
    assert response.status_code == 200
    description, arrays = parse_binary(response.get_data())
    assert (description["sample"], description["samples"][1]["timestep"]) == (1, TIMESTEPS[1])
    predicted, actual = videos(10)
    expected_p, expected_a = predicted[1].swapaxes(0, 1), actual[1].swapaxes(0, 1)  # [C, T, H, W]
    entry = {e["name"]: e for e in description["arrays"]}
    assert entry["predicted"]["shape"] == [C, T, H, W]
    bound = entry["predicted"]["scale"] / 2 + 1e-5
    assert np.abs(arrays["predicted"] - expected_p).max() <= bound
    assert np.abs(arrays["actual"] - expected_a).max() <= bound
    squared = (expected_p.astype(np.float64) - expected_a) ** 2
    video = description["video_mse"]
    assert video["frame_mse"] == pytest.approx(squared.mean(axis=(0, 2, 3)).tolist())
    assert np.array(video["channel_frame_mse"]) == pytest.approx(squared.mean(axis=(2, 3)))
    assert video["frame_mse"][-1] > 4 * video["frame_mse"][0]


def test_npz_of_a_video_holds_the_diff(client):
    response = client.get(PREFIX + "/data?run=t2s&tag=noise/batch&step=0&sample=1&format=npz")
    assert response.status_code == 200
    with np.load(io.BytesIO(response.get_data())) as npz:
        assert sorted(npz.files) == ["actual", "diff", "predicted"]
        assert npz["predicted"].shape == (C, T, H, W)
        np.testing.assert_array_equal(npz["diff"], npz["actual"] - npz["predicted"])


def test_one_video_is_sample_0_only(client):
    description, arrays = parse_binary(client.get(PREFIX + "/data?run=t2s&tag=noise/video&step=20").get_data())
    assert arrays["predicted"].shape == (C, T, H, W)
    assert (description["timestep"], description["batch_size"], description["shape"]) == (7, 1, [C, T, H, W])
    assert [s["timestep"] for s in description["samples"]] == [7]
    assert len(description["video_mse"]["frame_mse"]) == T
    assert len(description["frame_mse"]) == C  # each channel over its frames
    message = get_json(client, "/data?run=t2s&tag=noise/video&step=20&sample=1", status=400)
    assert "sample must be 0 for a noise_pair step, got 1" in message


def test_pairs_as_before_serve_as_before_with_one_sample(client):
    (flat,) = get_json(client, "/steps?run=t2s&tag=noise/flat")["steps"]
    assert (flat["timestep"], flat["frame_mse"], flat["shape"], flat["batch_size"]) == (3, [], [4, 6], 1)
    assert flat["samples"] == [{"batch_index": 0, "timestep": 3, "stats": flat["stats"], "frame_mse": []}]
    description, arrays = parse_binary(client.get(PREFIX + "/data?run=t2s&tag=noise/stack&step=0").get_data())
    assert description["video_mse"] is None
    assert description["frame_mse"] == [1.0, 1.0, 1.0]
    assert description["samples"][0]["timestep"] is None
    assert arrays["actual"].shape == (3, 4, 6)


@pytest.mark.parametrize(
    "url, message",
    [
        ("/data?run=t2s&tag=noise/batch&step=0&sample=2", "sample must be in [0, 2) for step 0, got 2"),
        ("/data?run=t2s&tag=noise/flat&step=0&sample=1", "sample must be 0 for a noise_pair step, got 1"),
    ],
)
def test_a_sample_beyond_the_step_s_is_a_400(client, url, message):
    assert message in get_json(client, url, status=400)


def test_unreadable_video_stats_name_what_is_wrong():
    with pytest.raises(ValueError, match="unreadable video stats"):
        noise.parse_video_stats(b"\xff\xff garbage")
    uneven = pb.VideoNoiseStats(frame_mse=[1.0, 2.0], channel_frame_mse=[1.0, 2.0, 3.0]).SerializeToString()
    with pytest.raises(ValueError, match="3 channel-frame values do not split into 2 frames"):
        noise.parse_video_stats(uneven)
    nan = pb.VideoNoiseStats(frame_mse=[float("nan")], channel_frame_mse=[float("nan")]).SerializeToString()
    assert noise.parse_video_stats(nan) == {"frame_mse": [None], "channel_frame_mse": [[None]]}
