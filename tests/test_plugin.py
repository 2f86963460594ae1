"""The HTTP API, through werkzeug's test client over event files in tmp_path."""

import io
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider as multiplexer_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.compat.proto import summary_pb2
from tensorboard.plugins import base_plugin
from werkzeug import test as werkzeug_test
from werkzeug import wrappers

from support.routes import HOSTILE, PREFIX, get_json, make_client, parse_batch, parse_binary
from tb_plugin_spectro import loader, metadata, plugin
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary


def mel_pair(step, frames=40):
    rng = np.random.default_rng(step)
    target = rng.normal(-5, 2, (80, frames)).astype(np.float32)
    return target, (target + rng.normal(0, 1.0 / (1 + step), target.shape)).astype(np.float32)


def write_logdir(logdir):
    with spectro_summary.Writer(logdir / "tts") as writer:
        for step in range(0, 30, 3):
            target, predicted = mel_pair(step)
            batch_t = np.stack([target, target + 1])
            batch_p = np.stack([predicted, predicted - 1])
            spectro_summary.mel_comparison(
                "mel/val",
                batch_t,
                batch_p,
                step,
                writer=writer,
                sample_ids=["a", "b"],
                sample_rate=22050,
                hop_length=256,
            )
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        spectro_summary.lowest_point("loss", 0.1, 27, writer=writer, checkpoint_path="G_27.pth", epoch=3)
    with spectro_summary.Writer(logdir / "diffusion") as writer:
        for step in range(5):
            actual = np.random.default_rng(step).standard_normal((2, 8, 8)).astype(np.float32)
            spectro_summary.noise_pair(
                "noise", actual * 0.5, actual, step, timestep=10 * step, total_timesteps=100, writer=writer
            )
        spectro_summary.similarity_matrix("sim", np.eye(3), np.eye(3), 0, labels_a=["x", HOSTILE, "z"], writer=writer)
    with spectro_summary.Writer(logdir / HOSTILE) as writer:
        spectro_summary.mel_comparison(HOSTILE, *mel_pair(0), 0, writer=writer, sample_ids=HOSTILE)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("logdir")
    write_logdir(path)
    return path


@pytest.fixture(scope="module")
def client(logdir):
    return make_client(logdir)[0]


class TestTags:
    def test_lists_every_series(self, client):
        tags = get_json(client, "/tags")
        assert sorted(tags) == [HOSTILE, "diffusion", "tts"]
        mel = tags["tts"]["mel/val"]
        assert mel["kind"] == "mel_comparison"
        assert (mel["steps"], mel["first_step"], mel["last_step"], mel["max_samples"]) == (10, 0, 27, 2)
        assert mel["series"] == {"sample_rate": 22050, "hop_length": 256}
        assert tags["tts"]["loss/lowest_point"]["series"] == {"watched_tag": "loss"}
        assert tags["diffusion"]["noise"]["kind"] == "noise_pair"
        assert tags["diffusion"]["sim"]["kind"] == "similarity_matrix"
        assert "loss" not in tags["tts"]  # plain scalars are not Spectro data

    def test_every_step_is_kept(self, tmp_path):
        with spectro_summary.Writer(tmp_path / "run") as writer:
            for step in range(150):
                spectro_summary.noise_pair("n", np.ones((2, 2)) * step, np.ones((2, 2)), step, writer=writer)
        client, _ = make_client(tmp_path)
        assert get_json(client, "/tags")["run"]["n"]["steps"] == 150
        assert len(get_json(client, "/steps?run=run&tag=n")["steps"]) == 150

    def test_samples_per_plugin_caps(self, tmp_path):
        with spectro_summary.Writer(tmp_path / "run") as writer:
            for step in range(50):
                spectro_summary.noise_pair("n", np.ones((2, 2)), np.ones((2, 2)), step, writer=writer)
        client, _ = make_client(tmp_path, sampling_hints={"spectro": 7})
        assert get_json(client, "/tags")["run"]["n"]["steps"] == 7


class TestSteps:
    def test_mel_stats_per_step(self, client):
        result = get_json(client, "/steps?run=tts&tag=mel/val")
        assert result["kind"] == "mel_comparison"
        steps = result["steps"]
        assert [s["step"] for s in steps] == list(range(0, 30, 3))
        assert all(s["wall_time"] > 0 for s in steps)
        target, predicted = mel_pair(3)
        diff = np.concatenate([(target - predicted).ravel(), ((target + 1) - (predicted - 1)).ravel()]).astype(
            np.float64
        )
        assert steps[1]["stats"]["mae"] == pytest.approx(np.abs(diff).mean(), rel=1e-6)
        assert [s["sample_id"] for s in steps[1]["samples"]] == ["a", "b"]
        assert steps[0]["stats"]["mae"] > steps[-1]["stats"]["mae"]

    def test_mel_sample_range_and_lengths(self, client, tmp_path):
        steps = get_json(client, "/steps?run=tts&tag=mel/val")["steps"]
        target, predicted = mel_pair(3)
        first = steps[1]["samples"][0]
        both = np.concatenate([target.ravel(), predicted.ravel()])
        assert first["range"] == {"min": pytest.approx(both.min()), "max": pytest.approx(both.max())}
        assert first["length_mismatch"] == "lengths_equal"
        with spectro_summary.Writer(tmp_path / "run") as writer:
            spectro_summary.mel_comparison("mel", target, predicted[:, :30], 0, writer=writer, length_mismatch="pad")
        (step,) = get_json(make_client(tmp_path)[0], "/steps?run=run&tag=mel")["steps"]
        assert step["samples"][0]["length_mismatch"] == "padded"
        assert (step["samples"][0]["target_frames"], step["samples"][0]["predicted_frames"]) == (40, 30)

    def test_noise_timesteps(self, client):
        steps = get_json(client, "/steps?run=diffusion&tag=noise")["steps"]
        assert [s["timestep"] for s in steps] == [0, 10, 20, 30, 40]
        assert all(s["total_timesteps"] == 100 for s in steps)
        assert steps[0]["stats"]["correlation"] == pytest.approx(1.0)

    def test_lowest_point_markers(self, client):
        (marker,) = get_json(client, "/steps?run=tts&tag=loss/lowest_point")["steps"]
        assert marker["step"] == 27
        assert marker["marker"]["value"] == 0.1
        assert marker["marker"]["checkpoint_path"] == "G_27.pth"
        assert marker["marker"]["epoch"] == 3

    def test_similarity_stats(self, client):
        (step,) = get_json(client, "/steps?run=diffusion&tag=sim")["steps"]
        assert step["stats"]["recall_at_1_rows"] == 1.0
        assert step["shape"] == [3, 3]


class TestData:
    def test_mel_binary_body(self, client):
        response = client.get(PREFIX + "/data?run=tts&tag=mel/val&step=9&sample=1")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/octet-stream")
        description, arrays = parse_binary(response.get_data())
        assert (description["step"], description["sample"], description["kind"]) == (9, 1, "mel_comparison")
        target, predicted = mel_pair(9)
        entry = {e["name"]: e for e in description["arrays"]}
        assert entry["target"]["offset"] == entry["predicted"]["offset"]
        bound = entry["target"]["scale"] / 2 + 1e-5
        assert np.abs(arrays["target"] - (target + 1)).max() <= bound
        assert np.abs(arrays["predicted"] - (predicted - 1)).max() <= bound

    def test_npz(self, client):
        response = client.get(PREFIX + "/data?run=tts&tag=mel/val&step=9&format=npz")
        assert response.status_code == 200
        with np.load(io.BytesIO(response.get_data())) as npz:
            assert sorted(npz.files) == ["diff", "predicted", "target"]
            assert npz["target"].dtype == np.float32
            np.testing.assert_array_equal(npz["diff"], npz["target"] - npz["predicted"])
            target, _ = mel_pair(9)
            assert np.abs(npz["target"] - target).max() < 0.1

    def test_noise_and_similarity_data(self, client):
        description, arrays = parse_binary(client.get(PREFIX + "/data?run=diffusion&tag=noise&step=2").get_data())
        assert description["timestep"] == 20
        assert arrays["predicted"].shape == (2, 8, 8)
        description, arrays = parse_binary(client.get(PREFIX + "/data?run=diffusion&tag=sim&step=0").get_data())
        assert description["labels"] == {"rows": ["x", HOSTILE, "z"], "columns": []}
        np.testing.assert_allclose(arrays["matrix"], np.eye(3), atol=1e-6)

    def test_hostile_names_are_plain_data(self, client):
        tags = get_json(client, "/tags")
        assert HOSTILE in tags[HOSTILE]
        from urllib.parse import quote

        url = f"/data?run={quote(HOSTILE)}&tag={quote(HOSTILE)}&step=0"
        description, _ = parse_binary(client.get(PREFIX + url).get_data())
        assert description["samples"][0]["sample_id"] == HOSTILE


class TestDataBatch:
    """/data_batch: several steps' /data bodies in one answer, each with its own status."""

    def batch(self, client, keys, status=200):
        response = client.get(PREFIX + "/data_batch", query_string={"keys": json.dumps(keys)})
        assert response.status_code == status, response.get_data(as_text=True)
        return parse_batch(response.get_data()) if status == 200 else response.get_data(as_text=True)

    def test_each_answer_is_the_data_body_of_its_step(self, client):
        keys = [
            ["tts", "mel/val", 27, 1],
            ["tts", "mel/val", 0, 0],
            ["diffusion", "noise", 4, 0],
            ["diffusion", "sim", 0, 0],
            [HOSTILE, HOSTILE, 0, 0],
        ]
        answers = self.batch(client, keys)
        assert len(answers) == len(keys)
        for (run, tag, step, sample), (status, body) in zip(keys, answers):
            single = client.get(PREFIX + "/data", query_string={"run": run, "tag": tag, "step": step, "sample": sample})
            assert single.status_code == 200
            assert (status, body) == (200, single.get_data()), (run, tag, step)
        description, arrays = parse_binary(answers[0][1])
        assert (description["step"], description["sample"]) == (27, 1)
        assert set(arrays) == {"target", "predicted"}

    def test_a_failed_step_answers_what_data_answers_and_the_others_serve(self, client):
        keys = [["tts", "mel/val", 5, 0], ["tts", "mel/val", 3, 7], ["nope", "mel/val", 0, 0], ["tts", "mel/val", 3, 0]]
        answers = self.batch(client, keys)
        for (run, tag, step, sample), (status, body) in zip(keys[:3], answers):
            single = client.get(PREFIX + "/data", query_string={"run": run, "tag": tag, "step": step, "sample": sample})
            assert single.status_code in (400, 404)
            assert (status, body.decode()) == (single.status_code, single.get_data(as_text=True))
        assert [status for status, _ in answers] == [404, 400, 404, 200]
        assert parse_binary(answers[3][1])[0]["step"] == 3

    @pytest.mark.parametrize(
        "keys, names",
        [
            (None, "Missing query parameter 'keys'"),
            ("not json", "'not json'"),
            ("[]", "1 to 32"),
            ('{"run": "tts"}', "JSON list"),
            (json.dumps([["tts", "mel/val", 0, 0]] * (plugin.MAX_BATCH + 1)), "1 to 32"),
            ('[["tts", "mel/val", 0]]', "item 0 must be [run, tag, step, sample]"),
            ('[["tts", "mel/val", 0, 0], "tts"]', "item 1"),
            ('[["tts", "mel/val", "0", 0]]', '["tts", "mel/val", "0", 0]'),
            ('[["tts", "mel/val", true, 0]]', "true"),
            ('[["tts", "mel/val", 1.5, 0]]', "1.5"),
            ('[["tts", "mel/val", 0, -1]]', "non-negative"),
            ('[["tts", 3, 0, 0]]', "two strings"),
        ],
    )
    def test_a_malformed_batch_is_a_400_naming_the_parameter_and_value(self, client, keys, names):
        query = {} if keys is None else {"keys": keys}
        response = client.get(PREFIX + "/data_batch", query_string=query)
        text = response.get_data(as_text=True)
        assert response.status_code == 400, text
        assert "keys" in text and names in text, text


def diagonal_attention(tokens, frames):
    """A sharp monotonic alignment [tokens, frames]: token t over its share of the frames."""
    weights = np.full((tokens, frames), 0.02, dtype=np.float32)
    weights[np.arange(frames) * tokens // frames, np.arange(frames)] = 0.9
    return weights


TOKENS = ["<s>", "h", "<b>ə</b>", "l", "oʊ", "</s>"]


@pytest.fixture(scope="module")
def tts_client(tmp_path_factory):
    """A TTS run with alignments, single spectrograms and a mel comparison carrying its alignment."""
    logdir = tmp_path_factory.mktemp("tts_kinds")
    with spectro_summary.Writer(logdir / "tts") as writer:
        for step in (0, 10):
            weights = np.stack([diagonal_attention(6, 30), np.full((6, 30), 1 / 6, dtype=np.float32)])
            spectro_summary.alignment(
                "align/attn",
                weights,
                step,
                writer=writer,
                tokens=[TOKENS, TOKENS],
                frame_lengths=[30, 24],
                sample_ids=["a", "b"],
                sample_rate=22050,
                hop_length=256,
            )
            target, predicted = mel_pair(step, frames=30)
            spectro_summary.mel_comparison(
                "mel/ref",
                np.stack([target, target]),
                np.stack([predicted, predicted]),
                step,
                writer=writer,
                lengths=[30, 20],
                alignment=np.stack([diagonal_attention(6, 30)] * 2),
                tokens=[TOKENS, TOKENS[::-1]],
            )
            spectro_summary.spectrogram(
                "gt/y_spec", np.stack([target, target - 2]), step, writer=writer, lengths=[30, 25], hop_length=256
            )
        spectro_summary.alignment("align/durations", None, 0, writer=writer, durations=[3, 0, 2])
    return make_client(logdir)[0]


class TestAlignmentsAndSpectrograms:
    def test_tags(self, tts_client):
        tags = get_json(tts_client, "/tags")["tts"]
        assert tags["align/attn"]["kind"] == "alignment"
        assert tags["align/attn"]["series"] == {"sample_rate": 22050, "hop_length": 256}
        assert tags["gt/y_spec"]["kind"] == "spectrogram"
        assert tags["gt/y_spec"]["series"] == {"sample_rate": 0, "hop_length": 256}
        assert tags["mel/ref"]["series"] == {"sample_rate": 0, "hop_length": 0}
        # Samples a step holds, whatever blobs each sample takes.
        assert {tag: tags[tag]["max_samples"] for tag in tags} == {
            "align/attn": 2,
            "align/durations": 1,
            "gt/y_spec": 2,
            "mel/ref": 2,
        }

    def test_alignment_steps(self, tts_client):
        result = get_json(tts_client, "/steps?run=tts&tag=align/attn")
        assert result["kind"] == "alignment"
        first = result["steps"][0]
        assert set(first) == {"step", "wall_time", "stats", "samples", "batch_size"}
        assert first["batch_size"] == 2
        sharp, uniform = first["samples"]
        assert sharp == {
            "sample_id": "a",
            "text": "",
            "tokens": 6,
            "frames": 30,
            "from_durations": False,
            "stats": {
                "focus_rate": pytest.approx(0.9),
                "monotonicity": 1.0,
                "coverage": 1.0,
                "diagonal_distance": pytest.approx(sharp["stats"]["diagonal_distance"]),
                "frames": 30,
                "nonfinite": {"nan": 0, "pos_inf": 0, "neg_inf": 0},
            },
        }
        assert sharp["stats"]["diagonal_distance"] < 0.1
        assert (uniform["frames"], uniform["stats"]["focus_rate"]) == (24, pytest.approx(1 / 6))
        assert first["stats"]["focus_rate"] == pytest.approx((0.9 * 30 + 24 / 6) / 54)
        (hard,) = get_json(tts_client, "/steps?run=tts&tag=align/durations")["steps"][0]["samples"]
        assert (hard["from_durations"], hard["tokens"], hard["frames"]) == (True, 3, 5)
        assert hard["stats"]["coverage"] == pytest.approx(2 / 3)

    def test_alignment_data(self, tts_client):
        description, arrays = parse_binary(
            tts_client.get(PREFIX + "/data?run=tts&tag=align/attn&step=10&sample=1").get_data()
        )
        assert (description["kind"], description["step"], description["sample"]) == ("alignment", 10, 1)
        assert description["tokens"] == TOKENS
        assert description["samples"][1]["frames"] == 24
        assert [a["name"] for a in description["arrays"]] == ["weights"]
        assert arrays["weights"].shape == (6, 24)
        bound = description["arrays"][0]["scale"] / 2 + 1e-6
        assert np.abs(arrays["weights"] - 1 / 6).max() <= bound
        description, _ = parse_binary(tts_client.get(PREFIX + "/data?run=tts&tag=align/durations&step=0").get_data())
        assert description["tokens"] is None
        response = tts_client.get(PREFIX + "/data?run=tts&tag=align/attn&step=0&sample=0&format=npz")
        with np.load(io.BytesIO(response.get_data())) as npz:
            assert npz.files == ["weights"]
            assert np.abs(npz["weights"] - diagonal_attention(6, 30)).max() < 0.01

    def test_alignment_sample_out_of_range(self, tts_client):
        message = get_json(tts_client, "/data?run=tts&tag=align/attn&step=0&sample=2", status=400)
        assert "sample must be in [0, 2) for step 0, got 2" in message

    def test_mel_comparison_with_its_alignment(self, tts_client):
        (first, second) = get_json(tts_client, "/steps?run=tts&tag=mel/ref")["steps"][0]["samples"]
        assert first["alignment"]["tokens"] == 6 and first["alignment"]["frames"] == 30
        assert second["alignment"]["frames"] == 20
        assert first["alignment"]["from_durations"] is False
        assert first["alignment"]["stats"]["monotonicity"] == 1.0
        description, arrays = parse_binary(
            tts_client.get(PREFIX + "/data?run=tts&tag=mel/ref&step=10&sample=1").get_data()
        )
        assert [a["name"] for a in description["arrays"]] == ["target", "predicted", "alignment"]
        assert arrays["target"].shape == (80, 20) and arrays["alignment"].shape == (6, 20)
        assert description["tokens"] == TOKENS[::-1]
        response = tts_client.get(PREFIX + "/data?run=tts&tag=mel/ref&step=10&sample=0&format=npz")
        with np.load(io.BytesIO(response.get_data())) as npz:
            assert sorted(npz.files) == ["alignment", "diff", "predicted", "target"]
            np.testing.assert_array_equal(npz["diff"], npz["target"] - npz["predicted"])

    def test_mel_comparison_without_an_alignment_is_as_before(self, client):
        (step,) = get_json(client, "/steps?run=tts&tag=mel/val")["steps"][:1]
        assert all(sample["alignment"] is None for sample in step["samples"])
        description, _ = parse_binary(client.get(PREFIX + "/data?run=tts&tag=mel/val&step=9").get_data())
        assert "tokens" not in description
        assert [a["name"] for a in description["arrays"]] == ["target", "predicted"]

    def test_spectrogram_steps_and_data(self, tts_client):
        (first, _) = get_json(tts_client, "/steps?run=tts&tag=gt/y_spec")["steps"]
        assert set(first) == {"step", "wall_time", "range", "nonfinite", "samples", "batch_size"}
        target, _ = mel_pair(0, frames=30)
        kept = np.concatenate([target.ravel(), (target[:, :25] - 2).ravel()]).astype(np.float64)
        assert first["range"] == {
            "min": pytest.approx(kept.min()),
            "max": pytest.approx(kept.max()),
            "mean": pytest.approx(kept.mean(), rel=1e-5),
            "count": kept.size,
        }
        assert first["nonfinite"] == {"nan": 0, "pos_inf": 0, "neg_inf": 0}
        assert [(s["sample_id"], s["frames"]) for s in first["samples"]] == [("", 30), ("", 25)]
        assert first["samples"][1]["range"]["max"] == pytest.approx(target[:, :25].max() - 2)
        description, arrays = parse_binary(
            tts_client.get(PREFIX + "/data?run=tts&tag=gt/y_spec&step=10&sample=1").get_data()
        )
        assert (description["kind"], description["sample"]) == ("spectrogram", 1)
        target, _ = mel_pair(10, frames=30)
        assert np.abs(arrays["mel"] - (target[:, :25] - 2)).max() <= description["arrays"][0]["scale"] / 2 + 1e-5
        response = tts_client.get(PREFIX + "/data?run=tts&tag=gt/y_spec&step=10&format=npz")
        with np.load(io.BytesIO(response.get_data())) as npz:
            assert npz.files == ["mel"] and npz["mel"].shape == (80, 30)


ERRORS = [
    ("/steps?run=nope&tag=mel/val", 404, "No run 'nope'"),
    ("/steps?run=tts&tag=nope", 404, "No Spectro tag 'nope' in run 'tts'"),
    ("/steps?tag=mel/val", 400, "Missing query parameter 'run'"),
    ("/steps?run=tts", 400, "Missing query parameter 'tag'"),
    ("/data?run=tts&tag=mel/val", 400, "Missing query parameter 'step'"),
    ("/data?run=tts&tag=mel/val&step=x", 400, "'step' must be an integer in ASCII digits, got 'x'"),
    ("/data?run=tts&tag=mel/val&step=%205", 400, "'step' must be an integer in ASCII digits, got ' 5'"),
    ("/data?run=tts&tag=mel/val&step=5_0", 400, "'step' must be an integer in ASCII digits, got '5_0'"),
    ("/data?run=tts&tag=mel/val&step=%D9%A5", 400, "'step' must be an integer in ASCII digits, got '\u0665'"),
    ("/data?run=tts&tag=mel/val&step=3&sample=-1", 400, "'sample' must be >= 0, got -1"),
    ("/data?run=tts&tag=mel/val&step=-3", 404, "No step -3 in Spectro tag 'mel/val'"),
    ("/data?run=tts&tag=mel/val&step=4", 404, "No step 4 in Spectro tag 'mel/val'"),
    ("/data?run=tts&tag=mel/val&step=3&sample=2", 400, r"sample must be in [0, 2) for step 3, got 2"),
    ("/data?run=diffusion&tag=noise&step=1&sample=1", 400, "sample must be 0 for a noise_pair step"),
    ("/data?run=tts&tag=mel/val&step=3&format=png", 400, "format must be 'binary', 'npz' or 'wav', got 'png'"),
    ("/data?run=tts&tag=nope&step=3", 404, "No Spectro tag 'nope'"),
]


@pytest.mark.parametrize("url,status,message", ERRORS)
def test_errors(client, url, status, message):
    response = client.get(PREFIX + url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


STATIC_ATTEMPTS = [
    "/static/../plugin.py",
    "/static/%2e%2e/plugin.py",
    "/static/%2E%2E/%2e%2e/setup.py",
    "/static/..%2fplugin.py",
    "/static/..%5cplugin.py",
    "/static/%5c..%5cplugin.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/./series-list.js",
    "/static/sub/../series-list.js",
    "/static/series-list.js%00.png",
    "/static/",
    "/static/nope.js",
]


@pytest.mark.parametrize("path", STATIC_ATTEMPTS)
def test_static_refuses_traversal(client, path):
    response = client.get(PREFIX + path)
    assert response.status_code == 404, path
    assert b"import" not in response.get_data()


def test_static_serves_the_module(client):
    response = client.get(PREFIX + "/static/series-list.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert b"export async function render" in response.get_data()


def test_frontend_metadata():
    meta = plugin.SpectroPlugin(base_plugin.TBContext(data_provider=None)).frontend_metadata()
    assert meta.tab_name == "Spectro"
    assert meta.es_module_path.startswith("/static/") and meta.es_module_path.endswith(".js")


def test_loader_keeps_every_step_unless_told():
    class Flags:
        samples_per_plugin = {"images": 5}

    flags = Flags()
    loader.SpectroLoader().fix_flags(flags)
    assert flags.samples_per_plugin == {"images": 5, "spectro": 0}
    flags.samples_per_plugin = {"spectro": 20}
    loader.SpectroLoader().fix_flags(flags)
    assert flags.samples_per_plugin == {"spectro": 20}


def test_new_steps_appear_after_reload(tmp_path):
    writer = spectro_summary.Writer(tmp_path / "run")
    spectro_summary.noise_pair("n", np.ones((2, 2)), np.ones((2, 2)), 0, writer=writer)
    writer.flush()
    client, multiplexer = make_client(tmp_path)
    assert get_json(client, "/tags")["run"]["n"]["steps"] == 1
    for step in (1, 2):
        spectro_summary.noise_pair("n", np.ones((2, 2)), np.ones((2, 2)), step, writer=writer)
    writer.flush()
    multiplexer.Reload()
    assert get_json(client, "/tags")["run"]["n"]["last_step"] == 2
    assert [s["step"] for s in get_json(client, "/steps?run=run&tag=n")["steps"]] == [0, 1, 2]
    writer.close()


def with_plugin_content(summary, content):
    for value in summary.value:  # the series and its header series
        value.metadata.plugin_data.content = content
    return summary


def newer_content(summary):
    plugin_data = pb.SpectroPluginData.FromString(summary.value[0].metadata.plugin_data.content)
    plugin_data.version = 99
    return plugin_data.SerializeToString()


# case: (plugin data of a noise series, what /tags, /steps and /data say of it)
UNREADABLE_FACTS = {
    "newer": (newer_content, "Spectro data of format version 99 needs a newer tb-plugin-spectro"),
    "garbage": (lambda _: b"garbage!", "plugin data unreadable: not a Spectro message (Error parsing message"),
    "empty": (lambda _: b"", "plugin data unreadable: not a Spectro message (it holds no format version)"),
    "no kind": (
        lambda _: pb.SpectroPluginData(version=metadata.PROTO_VERSION).SerializeToString(),
        "plugin data unreadable: it names no kind",
    ),
    "not UTF-8": (
        lambda summary: summary.value[0].metadata.plugin_data.content.replace(b"ROWS", b"RO\xff\xfe"),
        "plugin data unreadable: a text field is not UTF-8 (",
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE_FACTS))
def test_series_whose_facts_cannot_be_read_is_listed_with_why(tmp_path, caplog, case):
    make_content, reason = UNREADABLE_FACTS[case]
    summary = spectro_summary.similarity_matrix_pb("future", np.eye(2), np.eye(2), 0, a_name="ROWS")
    with spectro_summary.Writer(tmp_path / "run") as writer:
        writer.add_summary(with_plugin_content(summary, make_content(summary)), 0)
        spectro_summary.noise_pair("today", np.ones((2, 2)), np.ones((2, 2)), 0, writer=writer)
    client, _ = make_client(tmp_path)
    with caplog.at_level("WARNING"):
        tags = get_json(client, "/tags")["run"]
        get_json(client, "/tags")
    assert sorted(tags) == ["future", "today"] and "error" not in tags["today"]
    assert tags["future"]["kind"] == "unknown" and tags["future"]["steps"] == 1
    assert reason in tags["future"]["error"], tags["future"]
    if case != "newer":
        assert "newer" not in tags["future"]["error"]
    for route in ("/steps?run=run&tag=future", "/data?run=run&tag=future&step=0"):
        text = get_json(client, route, status=404)
        assert f"Spectro tag 'future' in run 'run' cannot be read: {reason}" in text, text
    warnings = [r for r in caplog.records if "future" in r.getMessage()]
    assert len(warnings) == 1 and reason in warnings[0].getMessage()


def test_unreadable_step_is_reported_and_the_rest_serves(tmp_path):
    good = spectro_summary.noise_pair_pb("n", np.ones((2, 2)), np.ones((2, 2)), 0)
    bad = spectro_summary.noise_pair_pb("n", np.ones((2, 2)), np.ones((2, 2)), 1)
    for value in bad.value:  # the header and its copy in the header series
        value.tensor.string_val[0] = b"\xff\xff garbage"
    with spectro_summary.Writer(tmp_path / "run") as writer:
        writer.add_summary(good, 0)
        writer.add_summary(bad, 1)
    client, _ = make_client(tmp_path)
    steps = get_json(client, "/steps?run=run&tag=n")["steps"]
    assert "stats" in steps[0] and "error" not in steps[0]
    assert "unreadable" in steps[1]["error"]
    assert client.get(PREFIX + "/data?run=run&tag=n&step=0").status_code == 200
    response = client.get(PREFIX + "/data?run=run&tag=n&step=1")
    assert response.status_code == 404 and "unreadable" in response.get_data(as_text=True)


_KEYS = st.sampled_from(["run", "tag", "step", "sample", "format", "keys", "x"])
_VALUES = st.one_of(
    st.sampled_from(
        [
            "tts",
            "diffusion",
            "mel/val",
            "noise",
            "sim",
            "loss/lowest_point",
            "0",
            "3",
            "-1",
            "npz",
            "binary",
            "99999999999999999999",
            HOSTILE,
            '[["tts", "mel/val", 3, 0]]',
            '[["tts", "mel/val", 99999999999999999999, 0]]',
            '[["tts", "mel/val", 3, 99999999999999999999]]',
            '[["nope", "x", -3, 0], null]',
        ]
    ),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(["/tags", "/steps", "/data", "/data_batch", "/static/x"]),
    query=st.lists(st.tuples(_KEYS, _VALUES), max_size=5),
)
def test_no_query_string_gives_a_server_error(client, route, query):
    response = client.get(PREFIX + route, query_string=query)
    assert response.status_code < 500, (route, query, response.get_data(as_text=True))


def test_concurrent_requests(logdir):
    import concurrent.futures

    client, _ = make_client(logdir)
    urls = [f"/data?run=tts&tag=mel/val&step={s}&sample={s % 2}" for s in range(0, 30, 3)] + [
        "/steps?run=tts&tag=mel/val"
    ]
    expected = {url: client.get(PREFIX + url).get_data() for url in urls}
    fresh, _ = make_client(logdir)

    def fetch(url):
        response = fresh.get(PREFIX + url)
        return url, response.status_code, response.get_data()

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, urls * 8))
    for url, status, body in results:
        assert status == 200 and body == expected[url], url


def test_missing_array_blob_is_a_404(tmp_path):
    summary = spectro_summary.similarity_matrix_pb("s", np.eye(2), None, 0, labels_a=["a", "b"])
    del summary.value[0].tensor.string_val[2]  # the labels blob
    summary.value[0].tensor.tensor_shape.dim[0].size = 2
    with spectro_summary.Writer(tmp_path / "run") as writer:
        writer.add_summary(summary, 0)
    client, _ = make_client(tmp_path)
    response = client.get(PREFIX + "/data?run=run&tag=s&step=0")
    assert response.status_code == 404 and "holds 2 blobs, not blob 2" in response.get_data(as_text=True)


# -- the header series, and logdirs written before it -------------------------


def without_header_series(summary):
    """The summary as Spectro wrote it before the header series existed."""
    old = summary_pb2.Summary()
    old.value.extend(v for v in summary.value if not v.tag.endswith(metadata.HEADERS_SUFFIX))
    return old


def write_mels(logdir, steps, old_steps=()):
    """Mel steps at fixed wall times; those in `old_steps` without their header copies."""
    with spectro_summary.Writer(logdir / "run") as writer:
        for step in steps:
            summary = spectro_summary.mel_comparison_pb("m", *mel_pair(step, frames=12), step, sample_ids=f"s{step}")
            writer.add_summary(
                without_header_series(summary) if step in old_steps else summary, step, walltime=1_700_000_000.0 + step
            )


class CountingProvider(multiplexer_provider.MultiplexerDataProvider):
    """The Python reader's provider, counting the blob and tensor reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.blob_reads = 0
        self.tensor_reads = 0

    def read_blob(self, ctx=None, *, blob_key):
        self.blob_reads += 1
        return super().read_blob(ctx, blob_key=blob_key)

    def read_tensors(self, ctx=None, **kwargs):
        self.tensor_reads += 1
        return super().read_tensors(ctx, **kwargs)


def make_counting_client(logdir):
    """(client, provider, plugin) over the Python reader, counting blob reads."""
    multiplexer = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"spectro": 0})
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    counting = CountingProvider(multiplexer, str(logdir))
    context = base_plugin.TBContext(logdir=str(logdir), data_provider=counting, sampling_hints={"spectro": 0})
    spectro = loader.SpectroLoader().load(context)
    client = werkzeug_test.Client(application.TensorBoardWSGI([spectro]), wrappers.Response)
    return client, counting, spectro


def test_steps_come_from_the_header_series_without_reading_blobs(tmp_path):
    write_mels(tmp_path, range(20))
    client, counting, _ = make_counting_client(tmp_path)
    steps = get_json(client, "/steps?run=run&tag=m")["steps"]
    assert [s["samples"][0]["sample_id"] for s in steps] == [f"s{i}" for i in range(20)]
    assert (counting.blob_reads, counting.tensor_reads) == (0, 1)
    assert get_json(client, "/steps?run=run&tag=m")["steps"] == steps
    assert counting.tensor_reads == 1  # every header is cached now
    assert client.get(PREFIX + "/data?run=run&tag=m&step=7").status_code == 200
    assert counting.blob_reads == 2  # target and predicted; the header was copied
    assert "m/_spectro_headers" not in get_json(client, "/tags")["run"]


def test_logdir_written_before_the_header_series_serves_the_same(tmp_path):
    write_mels(tmp_path / "new", range(12))
    write_mels(tmp_path / "old", range(12), old_steps=range(12))
    new_client, _, _ = make_counting_client(tmp_path / "new")
    old_client, counting, _ = make_counting_client(tmp_path / "old")
    assert get_json(old_client, "/tags") == get_json(new_client, "/tags")
    assert get_json(old_client, "/steps?run=run&tag=m") == get_json(new_client, "/steps?run=run&tag=m")
    assert counting.blob_reads == 12  # one header per step
    for step in (0, 5, 11):
        url = PREFIX + f"/data?run=run&tag=m&step={step}"
        assert old_client.get(url).get_data() == new_client.get(url).get_data()


def test_series_partly_written_before_the_header_series(tmp_path):
    write_mels(tmp_path, range(10), old_steps=range(4))
    client, counting, _ = make_counting_client(tmp_path)
    steps = get_json(client, "/steps?run=run&tag=m")["steps"]
    assert [s["samples"][0]["sample_id"] for s in steps] == [f"s{i}" for i in range(10)]
    assert all("error" not in s for s in steps)
    assert counting.blob_reads == 4


def test_unreadable_header_copy_falls_back_to_the_blob(tmp_path):
    summary = spectro_summary.noise_pair_pb("n", np.ones((2, 2)), np.zeros((2, 2)), 0)
    summary.value[1].tensor.string_val[0] = b"\xff\xff garbage"
    with spectro_summary.Writer(tmp_path / "run") as writer:
        writer.add_summary(summary, 0)
    client, counting, _ = make_counting_client(tmp_path)
    (step,) = get_json(client, "/steps?run=run&tag=n")["steps"]
    assert "error" not in step and step["stats"]["mse"] == 1.0
    assert counting.blob_reads == 1


def test_concurrent_provider_calls_serve_the_same(tmp_path):
    write_mels(tmp_path, range(30), old_steps=range(0, 30, 2))
    sequential, _, _ = make_counting_client(tmp_path)
    concurrent_client, counting, spectro = make_counting_client(tmp_path)
    spectro._reader.calls.concurrent = True  # as for RustBoard's gRPC provider
    for url in [
        "/tags",
        "/steps?run=run&tag=m",
        "/data?run=run&tag=m&step=3",
        "/data?run=run&tag=m&step=4",
        "/data?run=run&tag=m&step=31",
        "/steps?run=run&tag=nope",
        "/steps?run=nope&tag=m",
    ]:
        expected, got = sequential.get(PREFIX + url), concurrent_client.get(PREFIX + url)
        assert (got.status_code, got.get_data()) == (expected.status_code, expected.get_data()), url
    assert counting.blob_reads == 15 + 2 * 2
    reads = counting.tensor_reads
    assert concurrent_client.get(PREFIX + "/steps?run=run&tag=m").status_code == 200
    assert (counting.blob_reads, counting.tensor_reads) == (19, reads)  # every header is cached now
