"""The real `tensorboard` server, with both of its readers, on a loopback port."""

import json
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

from support.routes import parse_batch, parse_binary
from support.server import READERS, fetch, fetch_json, tensorboard, wait_for
from tb_plugin_spectro import summary as spectro_summary

STEPS = 1000


def mel(step: int):
    rng = np.random.default_rng(step)
    target = rng.normal(-5, 2, (80, 24)).astype(np.float32)
    return target, target * 0.9


@pytest.fixture(scope="module")
def big_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("server")
    with spectro_summary.Writer(logdir / "run") as writer:
        for step in range(STEPS):
            spectro_summary.mel_comparison("mel/val", *mel(step), step, writer=writer, sample_ids=f"s{step}")
    return logdir


@pytest.fixture(scope="module")
def served(big_logdir):
    """What each reader serves for the same logdir."""
    results = {}
    for load_fast in READERS:
        with tensorboard(big_logdir, load_fast) as base:
            listing = fetch_json(base + "/data/plugins_listing")
            prefix = base + "/data/plugin/spectro"
            tags = wait_for(
                lambda: (t := fetch_json(prefix + "/tags")) and t["run"]["mel/val"]["steps"] == STEPS and t,
                90,
                f"all {STEPS} steps with --load_fast={load_fast}",
            )
            steps = fetch_json(prefix + "/steps?run=run&tag=mel/val")["steps"]
            sample_steps = [0, 1, 499, 998, STEPS - 1]
            bodies = {s: fetch(f"{prefix}/data?run=run&tag=mel/val&step={s}")[1] for s in sample_steps}
            arrays = {s: parse_binary(body) for s, body in bodies.items()}
            keys = [["run", "mel/val", s, 0] for s in sample_steps] + [["run", "mel/val", STEPS, 0]]
            batch = parse_batch(fetch(prefix + "/data_batch?" + urllib.parse.urlencode({"keys": json.dumps(keys)}))[1])
            with pytest.raises(urllib.error.HTTPError) as missing:
                fetch(f"{prefix}/data?run=run&tag=mel/val&step={STEPS}")
            static = fetch(base + listing["spectro"]["loading_mechanism"]["module_path"])
            results[load_fast] = dict(
                listing=listing,
                tags=tags,
                steps=steps,
                arrays=arrays,
                bodies=bodies,
                batch=batch,
                missing=(missing.value.code, missing.value.read()),
                static=static,
            )
    return results


@pytest.mark.parametrize("load_fast", READERS)
def test_plugins_listing_names_the_tab(served, load_fast):
    entry = served[load_fast]["listing"]["spectro"]
    assert entry["tab_name"] == "Spectro"
    assert entry["enabled"] is True
    assert entry["loading_mechanism"]["type"] == "IFRAME"
    assert entry["loading_mechanism"]["module_path"].startswith("/data/plugin/spectro/static/")
    status, body = served[load_fast]["static"]
    assert status == 200 and b"export" in body


@pytest.mark.parametrize("load_fast", READERS)
def test_every_step_is_listed(served, load_fast):
    series = served[load_fast]["tags"]["run"]["mel/val"]
    assert (series["steps"], series["first_step"], series["last_step"]) == (STEPS, 0, STEPS - 1)
    steps = served[load_fast]["steps"]
    assert [s["step"] for s in steps] == list(range(STEPS))
    assert all("error" not in s for s in steps)
    assert steps[500]["samples"][0]["sample_id"] == "s500"


@pytest.mark.parametrize("load_fast", READERS)
def test_a_batch_answers_each_step_as_data_does(served, load_fast):
    result = served[load_fast]
    *found, missing = result["batch"]
    assert found == [(200, body) for body in result["bodies"].values()]
    assert missing == result["missing"] and missing[0] == 404


def test_both_readers_serve_identical_data(served):
    python, rust = served["false"], served["true"]
    assert python["tags"] == rust["tags"]
    assert python["steps"] == rust["steps"]
    for step, (description, arrays) in python["arrays"].items():
        rust_description, rust_arrays = rust["arrays"][step]
        assert description == rust_description
        for name in ("target", "predicted"):
            np.testing.assert_array_equal(arrays[name], rust_arrays[name])
        target, predicted = mel(step)
        bound = description["arrays"][0]["scale"] / 2 + 1e-5
        assert np.abs(arrays["target"] - target).max() <= bound
        assert np.abs(arrays["predicted"] - predicted).max() <= bound


@pytest.mark.parametrize("load_fast", READERS)
def test_new_steps_appear_while_running(tmp_path, load_fast):
    writer = spectro_summary.Writer(tmp_path / "live", flush_secs=1)
    spectro_summary.noise_pair("noise", np.ones((4, 4)), np.zeros((4, 4)), 0, writer=writer)
    writer.flush()
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        wait_for(lambda: fetch_json(prefix + "/tags")["live"]["noise"]["steps"] == 1, 60, "the first step")
        for step in range(1, 4):
            spectro_summary.noise_pair("noise", np.ones((4, 4)), np.zeros((4, 4)), step, writer=writer)
        writer.flush()
        wait_for(lambda: fetch_json(prefix + "/tags")["live"]["noise"]["last_step"] == 3, 60, "the new steps")
        steps = fetch_json(prefix + "/steps?run=live&tag=noise")["steps"]
        assert [s["step"] for s in steps] == [0, 1, 2, 3]
    writer.close()


@pytest.mark.parametrize("load_fast", READERS)
def test_errors_through_the_real_server(big_logdir, load_fast):
    with tensorboard(big_logdir, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        wait_for(lambda: fetch_json(prefix + "/tags")["run"], 60, "the run")
        for url, status in (
            ("/steps?run=nope&tag=mel/val", 404),
            ("/data?run=run&tag=mel/val&step=abc", 400),
            ("/static/%2e%2e/plugin.py", 404),
        ):
            with pytest.raises(urllib.error.HTTPError) as error:
                fetch(prefix + url)
            assert error.value.code == status, url


@pytest.mark.parametrize("load_fast", READERS)
def test_series_partly_written_before_the_header_series(tmp_path, load_fast):
    """Steps without header copies (as Spectro wrote them before) serve as the others do."""
    with spectro_summary.Writer(tmp_path / "run") as writer:
        for step in range(40):
            summary = spectro_summary.mel_comparison_pb("mel", *mel(step), step, sample_ids=f"s{step}")
            if step < 20:
                del summary.value[1]  # the header copy
            writer.add_summary(summary, step)
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        tags = wait_for(
            lambda: (t := fetch_json(prefix + "/tags")) and t["run"]["mel"]["steps"] == 40 and t, 60, "all 40 steps"
        )
        assert sorted(tags["run"]) == ["mel"]
        steps = fetch_json(prefix + "/steps?run=run&tag=mel")["steps"]
        assert [s["samples"][0]["sample_id"] for s in steps] == [f"s{i}" for i in range(40)]
        assert all("error" not in s for s in steps)
        for step in (5, 30):
            description, arrays = parse_binary(fetch(f"{prefix}/data?run=run&tag=mel&step={step}")[1])
            target, predicted = mel(step)
            bound = description["arrays"][0]["scale"] / 2 + 1e-5
            assert np.abs(arrays["target"] - target).max() <= bound
            assert np.abs(arrays["predicted"] - predicted).max() <= bound


def tts_kinds_logdir(logdir):
    """An alignment with token labels, a single spectrogram and a mel comparison carrying its alignment."""
    weights = np.full((5, 24), 0.05, dtype=np.float32)
    weights[np.arange(24) * 5 // 24, np.arange(24)] = 0.8
    tokens = ["<s>", "a", "<img src=x>", "b", "</s>"]
    with spectro_summary.Writer(logdir / "tts") as writer:
        for step in range(3):
            target, predicted = mel(step)
            spectro_summary.alignment("align", weights, step, writer=writer, tokens=tokens, sample_ids="u")
            spectro_summary.spectrogram("spec", np.stack([target, target + 1]), step, writer=writer)
            spectro_summary.mel_comparison(
                "mel", target, predicted, step, writer=writer, alignment=weights, tokens=tokens
            )
    return weights, tokens


@pytest.mark.parametrize("load_fast", READERS)
def test_alignments_and_spectrograms_on_both_readers(tmp_path, load_fast):
    weights, tokens = tts_kinds_logdir(tmp_path)
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        tags = wait_for(
            lambda: (t := fetch_json(prefix + "/tags")) and all(t["tts"][g]["steps"] == 3 for g in t["tts"]) and t,
            60,
            "the three series",
        )["tts"]
        assert {g: (tags[g]["kind"], tags[g]["max_samples"]) for g in tags} == {
            "align": ("alignment", 1),
            "spec": ("spectrogram", 2),
            "mel": ("mel_comparison", 1),
        }
        (step,) = fetch_json(prefix + "/steps?run=tts&tag=align")["steps"][2:]
        assert step["samples"][0]["stats"]["focus_rate"] == pytest.approx(0.8)
        description, arrays = parse_binary(fetch(prefix + "/data?run=tts&tag=align&step=2")[1])
        assert description["tokens"] == tokens
        assert np.abs(arrays["weights"] - weights).max() <= description["arrays"][0]["scale"] / 2 + 1e-6
        description, arrays = parse_binary(fetch(prefix + "/data?run=tts&tag=spec&step=1&sample=1")[1])
        target, predicted = mel(1)
        assert np.abs(arrays["mel"] - (target + 1)).max() <= description["arrays"][0]["scale"] / 2 + 1e-5
        description, arrays = parse_binary(fetch(prefix + "/data?run=tts&tag=mel&step=0")[1])
        assert [a["name"] for a in description["arrays"]] == ["target", "predicted", "alignment"]
        assert description["tokens"] == tokens
        assert description["samples"][0]["alignment"]["frames"] == 24
        assert np.abs(arrays["alignment"] - weights).max() <= description["arrays"][2]["scale"] / 2 + 1e-6
