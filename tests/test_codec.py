"""Array encoding and the write-time statistics, against numpy."""

import zlib

import numpy as np
import pytest

from tb_plugin_spectro import codec, stats
from tb_plugin_spectro import plugin_data_pb2 as pb


@pytest.mark.parametrize("precision", sorted(codec.PRECISIONS))
@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (2, 5, 4)])
def test_round_trip_within_quantization_error(precision, shape):
    values = np.random.default_rng(0).normal(3.0, 2.0, shape).astype(np.float32)
    encoded, blob = codec.encode_array(values, codec.PRECISIONS[precision], 1, name="x")
    decoded = codec.decode_array(encoded, blob)
    assert decoded.shape == shape and decoded.dtype == np.float32
    error = np.abs(decoded - values).max()
    assert error <= codec.quantization_error(encoded) + 1e-6
    if precision == "float32":
        assert error == 0


def test_uint8_error_is_at_most_half_a_step():
    values = np.linspace(-11.5, 2.0, 10_000, dtype=np.float32).reshape(100, 100)
    encoded, blob = codec.encode_array(values, pb.UINT8, 1, name="x")
    step = (2.0 + 11.5) / 255
    assert encoded.scale == pytest.approx(step)
    assert np.abs(codec.decode_array(encoded, blob) - values).max() <= step / 2 + 1e-6


def test_ends_of_the_range_are_exact():
    values = np.array([[-3.0, 0.1, 7.0]], dtype=np.float32)
    encoded, blob = codec.encode_array(values, pb.UINT8, 1, name="x")
    decoded = codec.decode_array(encoded, blob)
    assert decoded[0, 0] == pytest.approx(-3.0, abs=1e-6)
    assert decoded[0, 2] == pytest.approx(7.0, abs=1e-6)
    assert (encoded.range.min, encoded.range.max, encoded.range.count) == (-3.0, 7.0, 3)


def test_constant_array():
    values = np.full((4, 4), 2.5, dtype=np.float32)
    encoded, blob = codec.encode_array(values, pb.UINT8, 1, name="x")
    assert encoded.scale == 0
    np.testing.assert_array_equal(codec.decode_array(encoded, blob), values)


@pytest.mark.parametrize("precision", sorted(codec.PRECISIONS))
def test_nonfinite_kept_as_mask(precision):
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    values[0, 1] = np.nan
    values[1, 2] = np.inf
    values[2, 3] = -np.inf
    encoded, blob = codec.encode_array(values, codec.PRECISIONS[precision], 1, name="x")
    assert (encoded.nonfinite.nan, encoded.nonfinite.pos_inf, encoded.nonfinite.neg_inf) == (1, 1, 1)
    # The range is of the finite values only.
    assert (encoded.range.min, encoded.range.max, encoded.range.count) == (0.0, 10.0, 9)
    decoded = codec.decode_array(encoded, blob)
    assert np.isnan(decoded[0, 1]) and decoded[1, 2] == np.inf and decoded[2, 3] == -np.inf
    finite = np.isfinite(values)
    assert np.abs(decoded[finite] - values[finite]).max() <= codec.quantization_error(encoded) + 1e-6
    # Layout: values, then one mask byte per value.
    payload = zlib.decompress(blob)
    itemsize = {"uint8": 1, "uint16": 2, "float16": 2, "float32": 4}[precision]
    mask = np.frombuffer(payload[12 * itemsize :], dtype=np.uint8).reshape(3, 4)
    assert (mask[0, 1], mask[1, 2], mask[2, 3], mask.sum()) == (1, 2, 3, 6)


def test_all_nonfinite():
    values = np.full((2, 2), np.nan, dtype=np.float32)
    encoded, blob = codec.encode_array(values, pb.UINT8, 1, name="x")
    assert encoded.range.count == 0 and encoded.nonfinite.nan == 4
    assert np.isnan(codec.decode_array(encoded, blob)).all()


def test_shared_range_gives_equal_codes():
    a = np.array([[0.0, 0.5, 1.0]], dtype=np.float32)
    b = np.array([[0.5, 2.0, 1.0]], dtype=np.float32)
    shared = codec.finite_range(a, b)
    assert shared == (0.0, 2.0)
    ea, blob_a = codec.encode_array(a, pb.UINT8, 1, name="a", quant_range=shared)
    eb, blob_b = codec.encode_array(b, pb.UINT8, 2, name="b", quant_range=shared)
    da, db = codec.decode_array(ea, blob_a), codec.decode_array(eb, blob_b)
    assert da[0, 1] == db[0, 0] and da[0, 2] == db[0, 2]


def test_decode_rejects_a_blob_that_does_not_match_its_header():
    encoded, blob = codec.encode_array(np.ones((3, 3), np.float32), pb.UINT8, 1, name="x")
    encoded.shape[:] = [4, 4]
    with pytest.raises(ValueError, match=r"holds 9 bytes, expected 16 for shape \(4, 4\)"):
        codec.decode_array(encoded, blob)
    with pytest.raises(ValueError, match="corrupt array blob"):
        codec.decode_array(encoded, b"not zlib")


def test_8bit_speech_mel_is_small():
    bins, frames = np.meshgrid(np.arange(80), np.arange(800), indexing="ij")
    mel = (-11 + 9 * np.cos(bins / 5.0) ** 2 * np.exp(-((bins - 20) ** 2) / 300) + 0.0 * frames).astype(np.float32)
    _, blob = codec.encode_array(mel, pb.UINT8, 1, name="x")
    assert len(blob) < mel.size // 4  # a smooth 80x800 mel deflates far below a byte per value


def _smooth(shape, seed=0):
    """A smooth field with fine noise, as a log-mel is."""
    rng = np.random.default_rng(seed)
    field = np.cumsum(np.cumsum(rng.normal(size=shape), axis=-1), axis=-2) / 30
    return (field + 0.05 * rng.normal(size=shape)).astype(np.float32)


@pytest.mark.parametrize("precision", ["uint8", "uint16"])
@pytest.mark.parametrize("shape", [(80, 800), (3, 40, 50), (1, 600)])
def test_smooth_codes_are_gradient_filtered_and_decode_exactly(precision, shape):
    values = _smooth(shape)
    encoded, blob = codec.encode_array(values, codec.PRECISIONS[precision], 1, name="x")
    assert encoded.filter == pb.GRADIENT
    # The codes come back exactly: the same as unfiltered codes would decode to.
    plain = pb.EncodedArray()
    plain.CopyFrom(encoded)
    plain.filter = pb.FILTER_NONE
    levels = 255 if precision == "uint8" else 65535
    codes = np.clip(np.rint((values - np.float32(encoded.offset)) * np.float32(1 / encoded.scale)), 0, levels)
    stored = codes.astype(np.uint8 if precision == "uint8" else np.dtype("<u2"))
    expected = codec.decode_array(plain, zlib.compress(stored.tobytes()))
    np.testing.assert_array_equal(codec.decode_array(encoded, blob), expected)
    assert np.abs(expected - values).max() <= codec.quantization_error(encoded) + 1e-5


def test_gradient_filter_wraps_and_inverts():
    codes = np.array([[250, 3, 0], [0, 255, 7]], dtype=np.uint8)
    filtered = codec.gradient_filter(codes)
    # Row 0 minus nothing above, then minus its left neighbour, modulo 256.
    assert filtered[0].tolist() == [250, (3 - 250) % 256, (0 - 3) % 256]
    assert filtered[1, 0] == (0 - 250) % 256
    np.testing.assert_array_equal(codec.undo_gradient_filter(filtered), codes)
    wide = np.array([[65535, 1]], dtype="<u2")
    np.testing.assert_array_equal(codec.undo_gradient_filter(codec.gradient_filter(wide)), wide)


def test_noise_is_stored_unfiltered_when_filtering_would_not_pay():
    noise = np.random.default_rng(0).normal(size=(80, 128)).astype(np.float32)
    encoded, blob = codec.encode_array(noise, pb.UINT8, 1, name="x")
    assert encoded.filter == pb.FILTER_NONE
    assert np.abs(codec.decode_array(encoded, blob) - noise).max() <= encoded.scale / 2 + 1e-6


def test_floats_and_vectors_are_never_filtered():
    for precision in (pb.FLOAT16, pb.FLOAT32):
        encoded, _ = codec.encode_array(_smooth((20, 30)), precision, 1, name="x")
        assert encoded.filter == pb.FILTER_NONE
    encoded, _ = codec.encode_array(np.linspace(0, 1, 500, dtype=np.float32), pb.UINT8, 1, name="x")
    assert encoded.filter == pb.FILTER_NONE


def test_filtered_array_keeps_its_nonfinite_mask():
    values = _smooth((40, 60))
    values[3, 4], values[10, 20], values[39, 59] = np.nan, np.inf, -np.inf
    encoded, blob = codec.encode_array(values, pb.UINT8, 1, name="x")
    assert encoded.filter == pb.GRADIENT
    decoded = codec.decode_array(encoded, blob)
    assert np.isnan(decoded[3, 4]) and decoded[10, 20] == np.inf and decoded[39, 59] == -np.inf
    finite = np.isfinite(values)
    assert np.abs(decoded[finite] - values[finite]).max() <= encoded.scale / 2 + 1e-6


def test_decode_rejects_unknown_or_misplaced_filters():
    encoded, blob = codec.encode_array(_smooth((8, 8)), pb.UINT8, 1, name="x")
    encoded.filter = 7
    with pytest.raises(ValueError, match="unknown filter 7"):
        codec.decode_array(encoded, blob)
    encoded, blob = codec.encode_array(_smooth((8, 8)), pb.FLOAT32, 1, name="x")
    encoded.filter = pb.GRADIENT
    with pytest.raises(ValueError, match="GRADIENT filter needs integer codes of rank >= 2"):
        codec.decode_array(encoded, blob)


def test_filtered_speech_mel_is_far_smaller_than_its_deflated_codes():
    from tb_plugin_spectro import demo

    mel = demo.utterance(*demo.REFERENCE, np.random.default_rng(0)).target
    encoded, blob = codec.encode_array(mel, pb.UINT8, 1, name="x")
    assert encoded.filter == pb.GRADIENT
    codes = codec.undo_gradient_filter(np.frombuffer(zlib.decompress(blob), np.uint8).reshape(mel.shape))
    assert len(blob) < 0.6 * len(zlib.compress(codes.tobytes(), 6))  # 0.55 when measured


class TestPcm16:
    def test_int16_round_trips_exactly_with_its_extremes(self):
        pcm = (np.random.default_rng(3).normal(size=20000) * 4000).astype(np.int16)
        pcm[:2] = (-32768, 32767)
        encoded, blob = codec.encode_pcm16(pcm, 4)
        assert (encoded.precision, encoded.filter, encoded.blob_index) == (pb.UINT16, pb.DELTA_PLANES, 4)
        decoded = codec.decode_array(encoded, blob)
        assert decoded.dtype == np.float32 and decoded.shape == pcm.shape
        assert np.array_equal(decoded * 32768, pcm.astype(np.float32))
        assert encoded.range.min == -1.0 and encoded.range.max == 32767 / 32768 and encoded.range.count == pcm.size

    def test_the_planes_hold_low_bytes_then_high_bytes_of_the_deltas(self):
        codes = np.array([0, 32768, 65535, 32767], dtype="<u2")  # PCM -32768, 0, 32767, -1
        planes = codec.delta_planes_filter(codes)
        assert planes.tobytes() == bytes([0, 0, 0xFF, 0, 0, 0x80, 0x7F, 0x80])
        assert np.array_equal(codec.undo_delta_planes_filter(planes.tobytes(), 4), codes)

    def test_speech_deflates_well_below_raw_and_plainly_deflated_pcm(self):
        from tb_plugin_spectro import demo
        from tb_plugin_spectro.demo import speech

        waveform = speech.utterance(*demo.REFERENCE, np.random.default_rng(7), audio=True).audio
        pcm = np.rint(waveform * 32768).astype(np.int16)
        _, blob = codec.encode_pcm16(pcm, 1)
        assert len(blob) < 0.7 * pcm.nbytes  # 0.64 when measured
        assert len(blob) < 0.85 * len(zlib.compress(pcm.tobytes(), 6))  # 0.79 when measured

    def test_the_filter_is_refused_where_it_does_not_apply(self):
        encoded, blob = codec.encode_pcm16(np.zeros(8, np.int16), 1)
        encoded.precision = pb.FLOAT16  # as many bytes as uint16
        with pytest.raises(ValueError, match="DELTA_PLANES filter needs 16-bit codes of rank 1"):
            codec.decode_array(encoded, blob)
        encoded, blob = codec.encode_pcm16(np.zeros(8, np.int16), 1)
        del encoded.shape[:]
        encoded.shape.extend([2, 4])
        with pytest.raises(ValueError, match="DELTA_PLANES filter needs 16-bit codes of rank 1"):
            codec.decode_array(encoded, blob)


class TestStats:
    def test_diff_accumulator_pools(self):
        rng = np.random.default_rng(1)
        pairs = [(rng.normal(size=(4, n)), rng.normal(size=(4, n))) for n in (3, 5)]
        pooled = stats.DiffAccumulator()
        for t, p in pairs:
            pooled.merge(stats.DiffAccumulator().add(t, p))
        diff = np.concatenate([(t - p).ravel() for t, p in pairs])
        result = pooled.to_proto()
        assert result.mae == pytest.approx(np.abs(diff).mean())
        assert result.rmse == pytest.approx(np.sqrt((diff**2).mean()))
        assert result.bias == pytest.approx(diff.mean())
        assert result.max_abs_diff == pytest.approx(np.abs(diff).max())
        assert result.compared == diff.size

    def test_nothing_to_compare_gives_nan(self):
        result = stats.DiffAccumulator().add(np.full((2, 2), np.nan), np.zeros((2, 2))).to_proto()
        assert result.compared == 0 and np.isnan(result.mae) and result.nonfinite.nan == 4

    def test_noise_stats_edge_cases(self):
        actual = np.array([[1.0, -1.0], [2.0, 0.0]])
        perfect = stats.noise_stats(actual, actual)
        assert (perfect.mse, perfect.correlation, perfect.snr_db) == (0.0, pytest.approx(1.0), np.inf)
        constant = stats.noise_stats(np.ones((2, 2)), actual)
        assert constant.correlation == 0.0

    def test_recall_counts_ties_against_the_match(self):
        assert stats.recall_at_k(np.ones((4, 4)), 1) == 0.0
        assert stats.recall_at_k(np.ones((4, 4)), 5) == 1.0
        assert stats.recall_at_k(np.eye(4), 1) == 1.0
        swapped = np.eye(3)[[1, 0, 2]]  # rows 0 and 1 match the wrong column
        assert stats.recall_at_k(swapped, 1) == pytest.approx(1 / 3)
        # Row 0 is [0, 1, 0]: both other columns tie or beat its 0, so it ranks 3rd.
        assert stats.recall_at_k(swapped, 2) == pytest.approx(1 / 3)
        assert stats.recall_at_k(swapped, 3) == 1.0

    def test_recall_at_k_ranks(self):
        matrix = np.array([[0.9, 0.1, 0.2], [0.8, 0.5, 0.6], [0.1, 0.2, 0.3]])
        # row 0: rank 1; row 1: 0.8 and 0.6 ahead, rank 3; row 2: rank 1.
        assert stats.recall_at_k(matrix, 1) == pytest.approx(2 / 3)
        assert stats.recall_at_k(matrix, 2) == pytest.approx(2 / 3)
        assert stats.recall_at_k(matrix, 3) == pytest.approx(1.0)
        matrix[2, 2] = np.nan
        assert stats.recall_at_k(matrix, 3) == pytest.approx(2 / 3)

    def test_similarity_stats_rectangular(self):
        matrix = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
        result = stats.similarity_stats(matrix)
        assert not result.square
        assert result.diagonal_mean == 1.0
        assert result.off_diagonal_mean == pytest.approx(0.25)
        assert result.recall_at_1_rows == 0.0  # unset when not square


_DECOMPRESSOBJ = zlib.decompressobj


class _CountingInflater:
    """zlib.decompressobj, counting the bytes it inflates."""

    inflated = 0

    def __init__(self, *args):
        self._inflater = _DECOMPRESSOBJ(*args)

    def decompress(self, data, max_length=0):
        out = self._inflater.decompress(data, max_length)
        _CountingInflater.inflated += len(out)
        return out

    def __getattr__(self, name):
        return getattr(self._inflater, name)


@pytest.mark.parametrize("shape", [(4, 6), (0,)])
def test_decode_inflates_no_further_than_the_header_promises(monkeypatch, shape):
    encoded, _ = codec.encode_array(np.ones(shape, np.float32), pb.UINT8, 1, name="x")
    bomb = zlib.compress(bytes(16 << 20), 9)
    monkeypatch.setattr(codec.zlib, "decompressobj", _CountingInflater)
    _CountingInflater.inflated = 0
    with pytest.raises(ValueError, match=f"inflates to more than the {int(np.prod(shape))} bytes its header promises"):
        codec.decode_array(encoded, bomb)
    assert _CountingInflater.inflated == np.prod(shape) + 1


def test_decode_refuses_a_truncated_stream():
    encoded, blob = codec.encode_array(np.arange(400, dtype=np.float32), pb.FLOAT32, 1, name="x")
    with pytest.raises(ValueError, match=r"ends before its deflate stream, after \d+ of 1600 bytes"):
        codec.decode_array(encoded, blob[: len(blob) // 2])


@pytest.mark.parametrize(
    "shape, count",
    [((8192, 8192), 67108864), ((65536,) * 4, 2**64), ((100000, 100000), 10**10)],
)
def test_decode_refuses_a_shape_beyond_the_cap_before_inflating(monkeypatch, shape, count):
    encoded = pb.EncodedArray(shape=shape, precision=pb.UINT8, compression=pb.ZLIB)
    monkeypatch.setattr(codec.zlib, "decompressobj", _CountingInflater)
    _CountingInflater.inflated = 0
    message = f"holds {count} values, more than the {codec.MAX_READ_ELEMENTS}"
    with pytest.raises(ValueError, match=message):
        codec.payload_size(encoded)
    with pytest.raises(ValueError, match=message):
        codec.decode_array(encoded, zlib.compress(bytes(1 << 20)))
    assert _CountingInflater.inflated == 0


def test_the_read_cap_is_the_ops_default_and_reads_back_an_array_at_it():
    assert codec.MAX_READ_ELEMENTS == 1 << 24
    values = np.zeros((16, 1 << 20), np.float32)
    encoded, blob = codec.encode_array(values, pb.UINT8, 1, name="x")
    assert codec.decode_array(encoded, blob).shape == values.shape
