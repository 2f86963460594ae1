"""The lowest-point routes, /scalars and /lowest, over event and checkpoint files in tmp_path."""

import concurrent.futures
import json
import math
from urllib.parse import urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider as multiplexer_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from werkzeug import test as werkzeug_test
from werkzeug import wrappers

from support.routes import HOSTILE, PREFIX, get_json, make_client
from support.server import READERS, fetch, fetch_json, tensorboard, wait_for
from tb_plugin_spectro import loader, lowest, lowest_report, metadata
from tb_plugin_spectro import summary as spectro_summary

TAG = "loss/g/total"
MARKER_TAG = spectro_summary.lowest_point_tag(TAG)
EVERY = 10  # steps between logged points
POINTS = 200  # logged points per run
LOW_STEP = 1200  # the final low of every series below
LOW_VALUE = 0.5
SAVE_EVERY = 250  # steps between saved checkpoints
DELETED_STEPS = (1000, 1250)  # the saves whose G and D files were deleted
STEPS = np.arange(POINTS) * EVERY


def falling():
    """Steps 0 to LOW_STEP, falling straight to LOW_VALUE."""
    return np.linspace(3.0, LOW_VALUE, LOW_STEP // EVERY + 1)


def overtraining_values():
    """Falls to the low, then keeps rising to the end."""
    return np.concatenate([falling(), np.linspace(0.55, 1.5, POINTS - falling().size)])


def plateau_values():
    """Falls to the low, then stays just above it, one NaN among them."""
    values = np.concatenate([falling(), np.full(POINTS - falling().size, 0.502)])
    values[150] = math.nan
    return values


def write_scalars(run_dir, values, tag=TAG, steps=None, first_walltime=1000.0):
    steps = STEPS[: len(values)] if steps is None else steps
    with spectro_summary.Writer(run_dir) as writer:
        for index, (step, value) in enumerate(zip(steps, values)):
            writer.add_scalar(tag, float(value), int(step), walltime=first_walltime + index)


def save_checkpoints(directory, steps, deleted=()):
    directory.mkdir(parents=True, exist_ok=True)
    for step in steps:
        for kind in ("G", "D"):
            if step not in deleted:
                (directory / f"{kind}_{step}.pth").write_bytes(b"weights")


def write_logdir(logdir):
    """Runs: tts (overtraining, markers, checkpoints), steady, resumed, the empty ones, hostile."""
    tts = logdir / "tts"
    write_scalars(tts, overtraining_values())
    write_scalars(tts, np.linspace(5.0, 2.0, POINTS), tag="loss/d/total")
    with spectro_summary.Writer(tts) as writer:
        spectro_summary.lowest_point(TAG, 1.0, 500, writer=writer, checkpoint_path=str(tts / "G_500.pth"))
        spectro_summary.lowest_point(
            TAG,
            LOW_VALUE,
            LOW_STEP,
            writer=writer,
            smoothed_value=0.53,
            smoothing=0.9,
            epoch=12,
            checkpoint_path=str(tts / f"G_{LOW_STEP}.pth"),
        )
    save_checkpoints(tts, range(SAVE_EVERY, STEPS[-1], SAVE_EVERY), deleted=DELETED_STEPS)
    write_scalars(logdir / "steady", plateau_values())
    # Resumed from step 60 after logging up to 100: a second event file, later wall times.
    write_scalars(logdir / "resumed", 10.0 - 0.01 * np.arange(101), steps=np.arange(101))
    write_scalars(logdir / "resumed", 5.0 - 0.01 * np.arange(60, 121), steps=np.arange(60, 121), first_walltime=5000.0)
    write_scalars(logdir / "one", [0.7])
    write_scalars(logdir / "nan", [math.nan] * 5)
    write_scalars(logdir / "constant", [0.7] * 20)
    write_scalars(logdir / "single_finite", [math.nan, 0.7, math.inf])
    write_scalars(logdir / HOSTILE, [2.0, 1.0, 1.5], tag=HOSTILE)
    with spectro_summary.Writer(logdir / "spectro_only") as writer:
        spectro_summary.noise_pair("noise", np.ones((2, 2)), np.zeros((2, 2)), 0, writer=writer)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("lowest")
    write_logdir(path)
    return path


@pytest.fixture(scope="module")
def client(logdir):
    return make_client(logdir)[0]


def _refuse(constant):
    raise AssertionError(f"{constant} is not JSON")


def lowest_url(run, tag=TAG, **params):
    return "/lowest?" + urlencode(dict(run=run, tag=tag, **params))


def as_floats(values):
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def by_step(candidates):
    return {candidate["step"]: candidate for candidate in candidates}


def client_with_context_logdir(logdir, context_logdir):
    """A client reading `logdir` whose plugin is told the logdir is `context_logdir`."""
    multiplexer = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"spectro": 0})
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    data_provider = multiplexer_provider.MultiplexerDataProvider(multiplexer, str(logdir))
    context = base_plugin.TBContext(logdir=context_logdir, data_provider=data_provider, sampling_hints={"spectro": 0})
    app = application.TensorBoardWSGI([loader.SpectroLoader().load(context)])
    return werkzeug_test.Client(app, wrappers.Response)


class TestScalars:
    def test_lists_every_scalar_tag_and_the_markers(self, client):
        result = get_json(client, "/scalars")
        assert list(result["runs"]) == sorted(result["runs"])
        assert result["runs"]["tts"] == ["loss/d/total", TAG]
        assert result["runs"]["steady"] == [TAG]
        assert result["runs"][HOSTILE] == [HOSTILE]
        assert "spectro_only" not in result["runs"]  # Spectro data only, no scalars
        assert result["markers"] == {"tts": {TAG: [MARKER_TAG]}}

    @pytest.mark.parametrize("module", ["torch.utils.tensorboard", "tensorboardX"])
    def test_other_writers(self, tmp_path, module):
        summary_writer = pytest.importorskip(module).SummaryWriter
        writer = summary_writer(str(tmp_path / "other"))
        for step, value in enumerate([3.0, 1.0, 2.0, 2.5]):
            writer.add_scalar("loss/mel", value, step)
        spectro_summary.lowest_point("loss/mel", 1.0, 1, writer=writer, checkpoint_path="G_1.pth")
        writer.close()
        client, _ = make_client(tmp_path)
        result = get_json(client, "/scalars")
        assert result["runs"] == {"other": ["loss/mel"]}
        assert result["markers"] == {"other": {"loss/mel": ["loss/mel/lowest_point"]}}
        answer = get_json(client, lowest_url("other", "loss/mel", smoothing=0))
        assert answer["final_low"] == {"step": 1, "value": 1.0, "smoothed": 1.0}
        assert [m["checkpoint_path"] for m in answer["markers"]] == ["G_1.pth"]


class TestCandidates:
    @pytest.mark.parametrize("smoothing", [0.0, 0.9])
    def test_known_low_comes_first(self, client, smoothing):
        answer = get_json(client, lowest_url("tts", smoothing=smoothing))
        first = answer["candidates"][0]
        assert (first["rank"], first["step"], first["value"], first["is_final_low"]) == (1, LOW_STEP, LOW_VALUE, True)
        assert [c["rank"] for c in answer["candidates"]] == list(range(1, len(answer["candidates"]) + 1))
        assert [c["is_final_low"] for c in answer["candidates"]].count(True) == 1
        assert first["later_min_gap"] == pytest.approx(0.05, abs=1e-6)  # the rise starts at 0.55
        assert answer["final_low"] == {"step": LOW_STEP, "value": LOW_VALUE, "smoothed": first["smoothed"]}
        smoothed = lowest.smooth(np.float32(overtraining_values()), smoothing)
        assert first["smoothed"] == pytest.approx(smoothed[LOW_STEP // EVERY])

    def test_nearest_existing_generator_checkpoint(self, client, logdir):
        candidates = by_step(get_json(client, lowest_url("tts", smoothing=0))["candidates"])
        # The saves at 1000 and 1250 were deleted: of G_750 and G_1500 the later is nearer.
        assert candidates[LOW_STEP]["checkpoint"] == {
            "path": str(logdir / "tts" / "G_1500.pth"),
            "name": "G_1500.pth",
            "step": 1500,
            "epoch": None,
            "kind": "G",
            "distance": 1500 - LOW_STEP,
        }
        assert candidates[260]["checkpoint"]["name"] == "G_250.pth" and candidates[260]["checkpoint"]["distance"] == -10
        # Nothing saved before step 0: the first save after it.
        assert candidates[0]["checkpoint"]["name"] == "G_250.pth" and candidates[0]["checkpoint"]["distance"] == 250

    def test_recorded_checkpoint_and_whether_it_exists(self, client, logdir):
        candidates = by_step(get_json(client, lowest_url("tts"))["candidates"])
        assert candidates[LOW_STEP]["recorded"] == {
            "path": str(logdir / "tts" / f"G_{LOW_STEP}.pth"),
            "exists": False,
            "error": None,
        }
        assert candidates[500]["recorded"] == {"path": str(logdir / "tts" / "G_500.pth"), "exists": True, "error": None}
        assert candidates[510]["recorded"] is None

    def test_markers_in_step_order(self, client, logdir):
        markers = get_json(client, lowest_url("tts"))["markers"]
        assert markers == [
            {
                "tag": MARKER_TAG,
                "step": 500,
                "value": 1.0,
                "smoothed_value": None,
                "smoothing": 0.0,
                "epoch": None,
                "checkpoint_path": str(logdir / "tts" / "G_500.pth"),
                "checkpoint": {"exists": True, "error": None},
            },
            {
                "tag": MARKER_TAG,
                "step": LOW_STEP,
                "value": LOW_VALUE,
                "smoothed_value": 0.53,
                "smoothing": 0.9,
                "epoch": 12,
                "checkpoint_path": str(logdir / "tts" / f"G_{LOW_STEP}.pth"),
                "checkpoint": {"exists": False, "error": None},
            },
        ]
        assert get_json(client, lowest_url("tts", "loss/d/total"))["markers"] == []

    def test_checkpoint_search(self, client, logdir):
        assert get_json(client, lowest_url("tts"))["checkpoints"] == {
            "searched": [str(logdir / "tts"), str(logdir)],
            "count": 10,
            "note": None,  # 7 saves, two pairs deleted
        }


class TestCurve:
    @pytest.mark.parametrize("query, weight", [({}, 0.6), ({"smoothing": 0}, 0.0), ({"smoothing": "0.95"}, 0.95)])
    def test_points_and_tensorboard_smoothing(self, client, query, weight):
        answer = get_json(client, lowest_url("steady", **query))
        assert (answer["run"], answer["tag"], answer["smoothing"], answer["ignore_outliers"]) == (
            "steady",
            TAG,
            weight,
            False,
        )
        points = answer["points"]
        assert points["step"] == STEPS.tolist()
        assert points["wall_time"] == [1000.0 + i for i in range(POINTS)]
        written = np.float32(plateau_values()).astype(np.float64)
        assert points["value"][150] is None and points["smoothed"][150] is None  # the NaN
        np.testing.assert_array_equal(as_floats(points["value"]), written)
        np.testing.assert_allclose(as_floats(points["smoothed"]), lowest.smooth(written, weight), rtol=1e-12)
        assert answer["dropped_resumed"] == 0 and answer["empty_reason"] is None

    def test_json_has_no_nan(self, client):
        response = client.get(PREFIX + lowest_url("steady"))
        assert response.status_code == 200 and b"NaN" not in response.get_data()

    def test_y_range_honours_ignore_outliers(self, client):
        answer = get_json(client, lowest_url("tts", smoothing=0.9))
        shown = np.concatenate([as_floats(answer["points"]["value"]), as_floats(answer["points"]["smoothed"])])
        assert answer["y_range"] == {"min": LOW_VALUE, "max": 3.0}
        ignoring = get_json(client, lowest_url("tts", smoothing=0.9, ignore_outliers="true"))
        assert ignoring["ignore_outliers"] is True
        low, high = lowest.outlier_range(shown, ignore_outliers=True)
        assert ignoring["y_range"] == {"min": low, "max": high}
        assert LOW_VALUE < low and high < 3.0

    def test_rising_after_the_low(self, client):
        hint = get_json(client, lowest_url("tts"))["hint"]
        assert hint["rising"] is True
        assert (hint["low_step"], hint["end_step"]) == (LOW_STEP, STEPS[-1])
        assert LOW_STEP < hint["start_step"] < STEPS[-1] and hint["rise"] > 0.5
        assert "possible overtraining" in hint["explanation"]
        assert hint["rule"] == lowest.overtraining_rule()

    def test_not_rising_without_an_overtraining_tail(self, client):
        hint = get_json(client, lowest_url("steady"))["hint"]
        assert hint["rising"] is False and hint["low_step"] == LOW_STEP
        assert "within 2%" in hint["explanation"]

    def test_resumed_run_folds_into_one_curve(self, client):
        answer = get_json(client, lowest_url("resumed", smoothing=0))
        points = answer["points"]
        assert points["step"] == list(range(121))  # no fold-back
        assert answer["dropped_resumed"] == 41  # steps 60 to 100 of the first attempt
        expected = np.concatenate([10.0 - 0.01 * np.arange(60), 5.0 - 0.01 * np.arange(60, 121)])
        np.testing.assert_array_equal(as_floats(points["value"]), np.float32(expected).astype(np.float64))
        assert points["wall_time"][59] == 1059.0 and points["wall_time"][60] == 5000.0
        assert answer["final_low"]["step"] == 120

    @pytest.mark.parametrize(
        "run, reason",
        [
            ("one", "one point"),
            ("nan", "None of the 5 values is finite"),
            ("constant", "All 20 finite values equal 0.7"),
            ("single_finite", "Only one of the 3 values is finite"),
        ],
    )
    def test_series_without_a_low(self, client, run, reason):
        answer = get_json(client, lowest_url(run))
        assert reason in answer["empty_reason"]
        assert answer["candidates"] == [] and answer["final_low"] is None
        assert answer["hint"]["rising"] is False and answer["hint"]["explanation"]

    def test_hostile_names_are_plain_data(self, client):
        assert HOSTILE in get_json(client, "/scalars")["runs"]
        answer = get_json(client, lowest_url(HOSTILE, HOSTILE, smoothing=0))
        assert (answer["run"], answer["tag"]) == (HOSTILE, HOSTILE)
        assert answer["final_low"]["step"] == EVERY

    def test_experiment_url(self, client):
        response = client.get("/experiment/some-id" + PREFIX + lowest_url("tts"))
        assert response.status_code == 200
        assert json.loads(response.get_data())["final_low"]["step"] == LOW_STEP

    def test_non_finite_marker_fields_are_null(self, tmp_path):
        marker = spectro_summary.lowest_point_pb(TAG, LOW_VALUE, LOW_STEP, smoothed_value=0.4, smoothing=0.5)
        header = metadata.parse_step_header(marker.value[0].tensor.string_val[0])
        header.lowest_point.smoothing = math.nan
        header.lowest_point.smoothed_value = math.inf
        for value in marker.value:  # the header and its copy in the header series
            value.tensor.string_val[0] = header.SerializeToString()
        write_scalars(tmp_path / "run", overtraining_values())
        with spectro_summary.Writer(tmp_path / "run") as writer:
            writer.add_summary(marker, LOW_STEP)
        client, _ = make_client(tmp_path)
        response = client.get(PREFIX + lowest_url("run"))
        assert response.status_code == 200, response.get_data(as_text=True)
        (found,) = json.loads(response.get_data(), parse_constant=_refuse)["markers"]
        assert (found["smoothing"], found["smoothed_value"], found["value"]) == (None, None, LOW_VALUE)

    def test_unreadable_marker_is_skipped(self, tmp_path, caplog):
        bad = spectro_summary.lowest_point_pb(TAG, 0.9, 30)
        for value in bad.value:  # the header and its copy in the header series
            value.tensor.string_val[0] = b"\xff\xff garbage"
        write_scalars(tmp_path / "run", overtraining_values())
        with spectro_summary.Writer(tmp_path / "run") as writer:
            writer.add_summary(bad, 30)
            spectro_summary.lowest_point(TAG, LOW_VALUE, LOW_STEP, writer=writer)
        client, _ = make_client(tmp_path)
        with caplog.at_level("WARNING"):
            for _ in range(2):
                assert [m["step"] for m in get_json(client, lowest_url("run"))["markers"]] == [LOW_STEP]
        warnings = [r for r in caplog.records if "step 30" in r.getMessage()]
        assert len(warnings) == 1 and "unreadable" in warnings[0].getMessage()


class TestCheckpointSearch:
    def test_parent_directory(self, tmp_path):
        write_scalars(tmp_path / "exp" / "run1", overtraining_values())
        save_checkpoints(tmp_path / "exp", [1100])
        client, _ = make_client(tmp_path)
        answer = get_json(client, lowest_url("exp/run1"))
        assert answer["checkpoints"]["searched"] == [str(tmp_path / "exp" / "run1"), str(tmp_path / "exp")]
        checkpoint = by_step(answer["candidates"])[LOW_STEP]["checkpoint"]
        assert (checkpoint["path"], checkpoint["distance"]) == (str(tmp_path / "exp" / "G_1100.pth"), -100)

    def test_run_in_the_logdir_itself(self, tmp_path):
        write_scalars(tmp_path, overtraining_values())
        save_checkpoints(tmp_path, [1150])
        client, _ = make_client(tmp_path)
        assert get_json(client, "/scalars")["runs"] == {".": [TAG]}
        answer = get_json(client, lowest_url("."))
        assert answer["checkpoints"]["searched"] == [str(tmp_path), str(tmp_path.parent)]
        assert answer["candidates"][0]["checkpoint"]["path"] == str(tmp_path / "G_1150.pth")

    def test_no_checkpoints_is_an_empty_result(self, client, logdir):
        answer = get_json(client, lowest_url("steady"))
        assert answer["checkpoints"] == {"searched": [str(logdir / "steady"), str(logdir)], "count": 0, "note": None}
        assert answer["candidates"] and all(
            c["checkpoint"] is None and c["recorded"] is None for c in answer["candidates"]
        )

    def test_directory_of_a_recorded_path(self, tmp_path):
        weights = tmp_path / "weights"
        save_checkpoints(weights, [1000, 1190])
        run = tmp_path / "logs" / "run"
        write_scalars(run, overtraining_values())
        with spectro_summary.Writer(run) as writer:
            spectro_summary.lowest_point(
                TAG, LOW_VALUE, LOW_STEP, writer=writer, checkpoint_path=str(weights / f"G_{LOW_STEP}.pth")
            )
        client, _ = make_client(tmp_path / "logs")
        answer = get_json(client, lowest_url("run"))
        assert answer["checkpoints"]["searched"] == [str(run), str(tmp_path / "logs"), str(weights)]
        first = answer["candidates"][0]
        assert first["checkpoint"]["path"] == str(weights / "G_1190.pth")
        assert first["recorded"]["exists"] is False

    def test_without_a_logdir_nothing_is_searched(self, logdir):
        client = client_with_context_logdir(logdir, "")
        answer = get_json(client, lowest_url("tts"))
        assert answer["checkpoints"]["searched"] == [] and answer["checkpoints"]["count"] == 0
        assert "--logdir" in answer["checkpoints"]["note"]
        assert answer["candidates"][0]["checkpoint"] is None
        assert answer["candidates"][0]["step"] == LOW_STEP

    def test_unknown_scheme_is_a_note(self, logdir):
        client = client_with_context_logdir(logdir, "nosuch://bucket/logs")
        answer = get_json(client, lowest_url("tts"))
        note = answer["checkpoints"]["note"]
        assert "nosuch://bucket/logs/tts (" in note and "nosuch://bucket/logs (" in note
        # The directory of the markers' recorded paths is still searched.
        assert answer["checkpoints"]["searched"] == [str(logdir / "tts")] and answer["checkpoints"]["count"] == 10
        assert answer["candidates"][0]["checkpoint"]["name"] == "G_1500.pth"

    def test_listing_is_reused_within_its_ttl(self, tmp_path, monkeypatch):
        write_scalars(tmp_path / "run", overtraining_values())
        save_checkpoints(tmp_path / "run", [500, 750])
        client, _ = make_client(tmp_path)

        def nearest():
            return get_json(client, lowest_url("run"))["candidates"][0]["checkpoint"]

        monkeypatch.setattr(lowest_report, "_CHECKPOINT_LISTING_TTL", 3600.0)
        assert nearest()["name"] == "G_750.pth"
        (tmp_path / "run" / "G_750.pth").unlink()
        assert nearest()["name"] == "G_750.pth"
        monkeypatch.setattr(lowest_report, "_CHECKPOINT_LISTING_TTL", 0.0)
        assert nearest()["name"] == "G_500.pth"

    def test_concurrent_requests(self, logdir):
        urls = [lowest_url(run, smoothing=s) for run in ("tts", "steady", "resumed") for s in (0, 0.6, 0.9)]
        expected = {url: get_json(make_client(logdir)[0], url) for url in urls}
        fresh, _ = make_client(logdir)
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda url: (url, fresh.get(PREFIX + url)), urls * 4))
        for url, response in results:
            assert response.status_code == 200 and json.loads(response.get_data()) == expected[url], url


ERRORS = [
    ("/lowest?tag=loss/g/total", 400, "Missing query parameter 'run'"),
    ("/lowest?run=tts", 400, "Missing query parameter 'tag'"),
    ("/lowest?run=nope&tag=loss/g/total", 404, "No run 'nope' with scalars"),
    ("/lowest?run=spectro_only&tag=noise", 404, "No run 'spectro_only' with scalars"),
    ("/lowest?run=tts&tag=nope", 404, "No scalar tag 'nope' in run 'tts'"),
    ("/lowest?run=tts&tag=loss/g/total/lowest_point", 404, "No scalar tag 'loss/g/total/lowest_point' in run 'tts'"),
    ("/lowest?run=tts&tag=loss/g/total&smoothing=abc", 400, "'smoothing' must be a number in [0, 1), got 'abc'"),
    ("/lowest?run=tts&tag=loss/g/total&smoothing=1.0", 400, "'smoothing' must be a number in [0, 1), got '1.0'"),
    ("/lowest?run=tts&tag=loss/g/total&smoothing=-0.1", 400, "'smoothing' must be a number in [0, 1), got '-0.1'"),
    ("/lowest?run=tts&tag=loss/g/total&smoothing=nan", 400, "'smoothing' must be a number in [0, 1), got 'nan'"),
    ("/lowest?run=tts&tag=loss/g/total&smoothing=", 400, "'smoothing' must be a number in [0, 1), got ''"),
    (
        "/lowest?run=tts&tag=loss/g/total&ignore_outliers=maybe",
        400,
        "'ignore_outliers' must be 'true' or 'false', got 'maybe'",
    ),
    (
        "/lowest?run=tts&tag=loss/g/total&ignore_outliers=True",
        400,
        "'ignore_outliers' must be 'true' or 'false', got 'True'",
    ),
]


@pytest.mark.parametrize("url, status, message", ERRORS)
def test_errors(client, url, status, message):
    assert message in get_json(client, url, status=status)


_KEYS = st.sampled_from(["run", "tag", "smoothing", "ignore_outliers", "x"])
_VALUES = st.one_of(
    st.sampled_from(
        [
            "tts",
            "steady",
            "one",
            "nan",
            TAG,
            MARKER_TAG,
            "0",
            "0.99",
            "1",
            "-0",
            "inf",
            "1e-300",
            "true",
            "false",
            ".",
            HOSTILE,
        ]
    ),
    st.text(max_size=20),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["/lowest", "/scalars"]), query=st.lists(st.tuples(_KEYS, _VALUES), max_size=5))
def test_no_query_string_gives_a_server_error(client, route, query):
    response = client.get(PREFIX + route, query_string=query)
    assert response.status_code < 500, (route, query, response.get_data(as_text=True))


@pytest.mark.parametrize("load_fast", READERS)
def test_real_server(tmp_path, load_fast):
    run = tmp_path / "tts"
    write_scalars(run, overtraining_values())
    save_checkpoints(run, range(SAVE_EVERY, STEPS[-1], SAVE_EVERY), deleted=DELETED_STEPS)
    with spectro_summary.Writer(run) as writer:
        spectro_summary.lowest_point(TAG, LOW_VALUE, LOW_STEP, writer=writer, checkpoint_path=str(run / "G_1200.pth"))
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        url = prefix + lowest_url("tts", smoothing=0.9)
        answer = wait_for(
            lambda: (a := fetch_json(url)) and len(a["points"]["step"]) == POINTS and a["markers"] and a,
            90,
            f"every point and the marker with --load_fast={load_fast}",
        )
        assert answer["final_low"]["step"] == LOW_STEP
        first = answer["candidates"][0]
        assert (first["step"], first["checkpoint"]["name"]) == (LOW_STEP, "G_1500.pth")
        assert first["recorded"] == {"path": str(run / "G_1200.pth"), "exists": False, "error": None}
        assert answer["hint"]["rising"] is True
        assert fetch_json(prefix + "/scalars")["markers"] == {"tts": {TAG: [MARKER_TAG]}}
        status, _ = fetch(prefix + lowest_url("tts", smoothing=0.95))
        assert status == 200
