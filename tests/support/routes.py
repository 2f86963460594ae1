"""The plugin's routes through werkzeug's test client, and the binary body of /data."""

import json
import struct
import zlib

from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider as multiplexer_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from werkzeug import test as werkzeug_test
from werkzeug import wrappers

from tb_plugin_spectro import codec, loader, plugin, wire
from tb_plugin_spectro import plugin_data_pb2 as pb

PREFIX = "/data/plugin/spectro"
HOSTILE = "<img src=x onerror=alert(1)>"


def make_client(logdir, sampling_hints=None):
    multiplexer = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"spectro": 0})
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    provider = multiplexer_provider.MultiplexerDataProvider(multiplexer, str(logdir))
    context = base_plugin.TBContext(
        logdir=str(logdir),
        data_provider=provider,
        sampling_hints={"spectro": 0} if sampling_hints is None else sampling_hints,
    )
    spectro = loader.SpectroLoader().load(context)
    app = application.TensorBoardWSGI([spectro])
    return werkzeug_test.Client(app, wrappers.Response), multiplexer


def get_json(client, url, status=200):
    response = client.get(PREFIX + url)
    assert response.status_code == status, response.get_data(as_text=True)
    return json.loads(response.get_data()) if status == 200 else response.get_data(as_text=True)


def parse_binary(body):
    assert body[:4] == plugin.DATA_MAGIC
    (length,) = struct.unpack("<I", body[4:8])
    description = json.loads(body[8 : 8 + length])
    start = 8 + length
    arrays = {}
    for entry in description["arrays"]:
        blob = body[start + entry["byte_offset"] : start + entry["byte_offset"] + entry["byte_length"]]
        encoded = pb.EncodedArray(
            shape=entry["shape"],
            precision=codec.PRECISIONS[entry["precision"]],
            compression=pb.ZLIB,
            offset=entry["offset"],
            scale=entry["scale"],
            filter=pb.Filter.Value(entry["filter"].upper()) if entry["filter"] != "none" else pb.FILTER_NONE,
        )
        encoded.nonfinite.nan = entry["nonfinite"]["nan"]
        encoded.nonfinite.pos_inf = entry["nonfinite"]["pos_inf"]
        encoded.nonfinite.neg_inf = entry["nonfinite"]["neg_inf"]
        arrays[entry["name"]] = codec.decode_array(encoded, blob)
        assert zlib.decompress(blob)  # stored deflated, as documented
    return description, arrays


def parse_batch(body):
    """A /data_batch body: [(status, bytes)] in the order asked."""
    assert body[:4] == wire.BATCH_MAGIC
    (count,) = struct.unpack("<I", body[4:8])
    answers = []
    offset = 8
    for _ in range(count):
        status, length = struct.unpack("<II", body[offset : offset + 8])
        offset += 8
        answers.append((status, body[offset : offset + length]))
        offset += (length + 7) // 8 * 8
    assert offset == len(body)
    return answers
