"""Damaged and hostile logdirs: every route answers 200 or 4xx, never a 500."""

import json
import math
import struct
import urllib.error

import numpy as np
import pytest

from damaged_corpus import (
    BOMB,
    DAMAGED_STEPS,
    damaged,
    noise_step,
    non_finite_offset,
    write_damaged,
    write_event,
)
from support.routes import PREFIX, get_json, make_client, parse_binary
from support.server import READERS, fetch, fetch_json, tensorboard, wait_for
from tb_plugin_spectro import wire

UNREADABLE = "Step 1 of Spectro tag 'n' in run 'run' is unreadable: "


@pytest.mark.parametrize("case", list(DAMAGED_STEPS))
@pytest.mark.parametrize("response_format", ["binary", "npz"])
def test_damaged_step_is_unreadable_not_a_server_error(tmp_path, case, response_format):
    make_summary, message, binary_refuses = DAMAGED_STEPS[case]
    write_damaged(tmp_path / "run", make_summary())
    client, _ = make_client(tmp_path)
    assert client.get(PREFIX + "/steps?run=run&tag=n").status_code == 200
    assert client.get(PREFIX + f"/data?run=run&tag=n&step=0&format={response_format}").status_code == 200
    response = client.get(PREFIX + f"/data?run=run&tag=n&step=1&format={response_format}")
    if response_format == "binary" and not binary_refuses:
        assert response.status_code == 200  # the binary body leaves inflating the blobs to the pane
        return
    text = response.get_data(as_text=True)
    assert response.status_code == 404, text
    assert UNREADABLE in text and message in text


def status(url):
    try:
        return fetch(url)[0]
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.parametrize("load_fast", READERS)
def test_record_with_a_bad_crc(tmp_path, load_fast):
    summary = noise_step(1)
    blob = summary.value[0].tensor.string_val[1]
    write_damaged(tmp_path / "run", summary)
    (path,) = (tmp_path / "run").iterdir()
    content = path.read_bytes()
    assert content.count(blob) == 1
    path.write_bytes(content.replace(blob, b"\x00\x00" + blob[2:]))  # no longer deflate data, nor its record's CRC
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        wait_for(lambda: status(prefix + "/data?run=run&tag=n&step=0") == 200, 30, "step 0")
        for route in ("/tags", "/steps?run=run&tag=n", "/scalars"):
            assert status(prefix + route) == 200, route
        for response_format in ("binary", "npz"):
            assert status(prefix + f"/data?run=run&tag=n&step=1&format={response_format}") in (200, 404)


def test_non_finite_header_fields_and_wall_times_are_null(tmp_path):
    write_event(tmp_path / "run", noise_step(0), 0, math.nan)
    write_event(tmp_path / "run", damaged(header=non_finite_offset), 1, math.inf)
    client, _ = make_client(tmp_path)
    steps = get_json(client, "/steps?run=run&tag=n")["steps"]
    assert [(s["step"], s["wall_time"]) for s in steps] == [(0, None), (1, None)]
    description, _ = parse_binary(client.get(PREFIX + "/data?run=run&tag=n&step=0").get_data())
    assert description["wall_time"] is None
    response = client.get(PREFIX + "/data?run=run&tag=n&step=1")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    (length,) = struct.unpack("<I", body[4:8])
    description = json.loads(body[8 : 8 + length], parse_constant=refuse)
    assert description["wall_time"] is None
    assert (description["arrays"][0]["offset"], description["arrays"][0]["scale"]) == (None, None)


def refuse(constant):
    raise AssertionError(f"{constant} is not JSON")


def test_json_body_spells_non_finite_numbers_as_null():
    data = {"a": [1.5, math.nan, {"b": (math.inf, -math.inf)}], "c": np.float64("nan"), "d": "NaN"}
    assert json.loads(wire.json_body(data), parse_constant=refuse) == {
        "a": [1.5, None, {"b": [None, None]}],
        "c": None,
        "d": "NaN",
    }
    assert wire.json_body({"e": [math.nan], "f": b"bytes"}) == {"e": [None], "f": b"bytes"}  # Respond cleans bytes


@pytest.mark.parametrize("load_fast", READERS)
def test_non_finite_wall_time_on_the_real_server(tmp_path, load_fast):
    write_event(tmp_path / "run", noise_step(0), 0, 1000.0)
    write_event(tmp_path / "run", noise_step(1), 1, math.nan)
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        wait_for(lambda: status(prefix + "/data?run=run&tag=n&step=0") == 200, 30, "step 0")
        steps = fetch_json(prefix + "/steps?run=run&tag=n")["steps"]
        assert steps[0]["wall_time"] == 1000.0
        assert all(s["wall_time"] is None for s in steps[1:])  # RustBoard stops reading the file at the NaN
        for route in ("/tags", "/scalars"):
            assert status(prefix + route) == 200, route
        for response_format in ("binary", "npz"):
            assert status(prefix + f"/data?run=run&tag=n&step=1&format={response_format}") in (200, 404)


@pytest.mark.parametrize("load_fast", READERS)
def test_deflate_bomb_on_the_real_server(tmp_path, load_fast):
    write_damaged(tmp_path / "run", damaged(blob=BOMB))
    with tensorboard(tmp_path, load_fast) as base:
        prefix = base + "/data/plugin/spectro"
        wait_for(lambda: status(prefix + "/data?run=run&tag=n&step=0") == 200, 30, "step 0")
        assert status(prefix + "/steps?run=run&tag=n") == 200
        assert status(prefix + "/data?run=run&tag=n&step=1") == 200  # sent deflated, as stored
        with pytest.raises(urllib.error.HTTPError) as raised:
            fetch(prefix + "/data?run=run&tag=n&step=1&format=npz")
        assert raised.value.code == 404
        assert "inflates to more than the" in raised.value.read().decode()


def test_a_negative_step_is_listed_and_served_alike(tmp_path):
    # The ops refuse negative steps; other writers may log them.
    write_event(tmp_path / "run", noise_step(0), -5, 1.0)
    client, _ = make_client(tmp_path)
    steps = get_json(client, "/steps?run=run&tag=n")["steps"]
    assert [s["step"] for s in steps] == [-5]
    description, arrays = parse_binary(client.get(PREFIX + "/data?run=run&tag=n&step=-5").get_data())
    assert description["step"] == -5 and len(arrays) == 2
