"""Damaged and hostile logdirs: every route answers 200 or 4xx, never a 500."""

import json
import math
import struct
import urllib.error
import zlib

import numpy as np
import pytest
from tensorboard.compat.proto import event_pb2
from tensorboard.summary.writer import event_file_writer

from support.routes import PREFIX, get_json, make_client, parse_binary
from support.server import READERS, fetch, fetch_json, tensorboard, wait_for
from tb_plugin_spectro import kinds, metadata, wire
from tb_plugin_spectro import plugin_data_pb2 as pb
from tb_plugin_spectro import summary as spectro_summary

UNREADABLE = "Step 1 of Spectro tag 'n' in run 'run' is unreadable: "


def noise_step(step):
    rng = np.random.default_rng(step)
    return spectro_summary.noise_pair_pb("n", rng.normal(size=(4, 6)), rng.normal(size=(4, 6)), step)


def damaged(blob=None, header=None):
    """Step 1 of the noise series with its first array's blob replaced, or its header (and the header's copy) changed."""
    summary = noise_step(1)
    if blob is not None:
        summary.value[0].tensor.string_val[1] = blob
    if header is not None:
        step_header = metadata.parse_step_header(summary.value[0].tensor.string_val[0])
        header(step_header)
        for value in summary.value:
            value.tensor.string_val[0] = step_header.SerializeToString()
    return summary


def first_array(step_header: pb.StepHeader) -> pb.EncodedArray:
    return kinds.by_header(step_header).arrays(step_header, 0)[0].encoded


def with_shape(shape):
    def change(step_header):
        encoded = first_array(step_header)
        del encoded.shape[:]
        encoded.shape.extend(shape)

    return change


def with_precision(step_header):
    first_array(step_header).precision = 9  # type: ignore[assignment]


def of_another_kind(step_header):
    step_header.mel.SetInParent()


def bomb_header(step_header):
    first_array(step_header).compression = pb.ZLIB


BOMB = zlib.compress(bytes(64 << 20), 9)  # 64 MB of zeros in about 64 kB
HUGE = 8192 * 8192  # values of a consistent but huge array, beyond the read cap


def huge_step():
    summary = damaged(blob=zlib.compress(bytes(HUGE), 1), header=with_shape([8192, 8192]))
    step_header = metadata.parse_step_header(summary.value[0].tensor.string_val[0])
    assert first_array(step_header).precision == pb.UINT8
    return summary


# case: (the damaged step, what its 404 says, whether the binary format refuses it too)
DAMAGED = {
    "not deflate": (lambda: damaged(blob=b"not deflate data"), "corrupt array blob", False),
    "huge shape, tiny payload": (
        lambda: damaged(header=with_shape([100000, 100000])),
        "holds 10000000000 values, more than the 16777216",
        True,
    ),
    "overflowing shape": (lambda: damaged(header=with_shape([65536] * 4)), "holds 18446744073709551616 values", True),
    "unknown precision": (lambda: damaged(header=with_precision), "unknown precision 9", True),
    "kind mismatch": (lambda: damaged(header=of_another_kind), "not the noise_pair of its series", True),
    "deflate bomb": (lambda: damaged(blob=BOMB), "inflates to more than the", False),
    "huge consistent step": (huge_step, "holds 67108864 values, more than the 16777216", True),
}


def write_damaged(logdir, summary):
    with spectro_summary.Writer(logdir / "run") as writer:
        writer.add_summary(noise_step(0), 0)
        writer.add_summary(summary, 1)


@pytest.mark.parametrize("case", list(DAMAGED))
@pytest.mark.parametrize("response_format", ["binary", "npz"])
def test_damaged_step_is_unreadable_not_a_server_error(tmp_path, case, response_format):
    make_summary, message, binary_refuses = DAMAGED[case]
    write_damaged(tmp_path, make_summary())
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
    write_damaged(tmp_path, summary)
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


def write_event(logdir, summary, step, wall_time):
    """Writes through TensorBoard's own writer, which lets any wall time through."""
    writer = event_file_writer.EventFileWriter(str(logdir))
    writer.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary))
    writer.close()


def non_finite_offset(step_header):
    encoded = first_array(step_header)
    encoded.offset = math.nan
    encoded.scale = math.inf


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
    write_damaged(tmp_path, damaged(blob=BOMB))
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
