"""CRC-32C (Castagnoli) of event-file records: google-crc32c's compiled code, else numpy.

Every record of an event file carries the masked CRC-32C of its bytes.
google-crc32c computes it with the CPU's CRC instructions: about 3 µs for a
74 KB record. Where it has no compiled extension (a platform without its
wheel and no C compiler), its pure-Python fallback takes about 18 ms a record,
as slow as TensorBoard's own writer, which goes byte by byte; numpy then takes
about 1 ms. There the data is cut into 16-byte chunks whose CRCs advance side
by side, one numpy operation per byte column, and the chunk CRCs are then
folded pairwise: the CRC of A + B is that of A shifted past len(B) zero bytes,
XOR that of B, and the shift is a linear map applied through four 256-entry
tables.
"""

import functools
import struct
import warnings
from typing import Callable, Optional

import numpy as np

__all__ = ["crc32c", "numpy_crc32c", "masked_crc32c", "frame_record", "IMPLEMENTATION"]

_POLY = 0x82F63B78  # CRC-32C polynomial, bit-reversed
_CHUNK = 16  # bytes per chunk that advance side by side
_SMALL = 1024  # bytes below which the plain loop is faster
_MASK_DELTA = 0xA282EAD8  # TFRecord's CRC mask


def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLY), table >> 1).astype(np.uint32)
    return table


_TABLE = _byte_table()
_TABLE_LIST = [int(v) for v in _TABLE]
_BASIS = np.uint32(1) << np.arange(32, dtype=np.uint32)
_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(bool)


def _zero_byte(state: np.ndarray) -> np.ndarray:
    return _TABLE[state & 0xFF] ^ (state >> 8)


def _tables(images: np.ndarray) -> np.ndarray:
    """The linear map with these images of the 32 basis bits, as 4 byte tables."""
    return np.stack(
        [np.bitwise_xor.reduce(np.where(_BYTE_BITS, images[8 * k : 8 * k + 8], np.uint32(0)), axis=1) for k in range(4)]
    ).astype(np.uint32)


def _apply(tables: np.ndarray, state: np.ndarray) -> np.ndarray:
    return (
        tables[0][state & 0xFF]
        ^ tables[1][(state >> 8) & 0xFF]
        ^ tables[2][(state >> 16) & 0xFF]
        ^ tables[3][state >> 24]
    )


@functools.lru_cache(maxsize=None)
def _shift(level: int) -> np.ndarray:
    """Tables of the map that advances a CRC past _CHUNK * 2**level zero bytes."""
    if level == 0:
        images = _BASIS
        for _ in range(_CHUNK):
            images = _zero_byte(images)
        return _tables(images)
    half = _shift(level - 1)
    return _tables(_apply(half, _apply(half, _BASIS)))


def _crc_loop(crc: int, data: bytes) -> int:
    table = _TABLE_LIST
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _advance(crc: int, length: int) -> int:
    """The CRC register after `length` more zero bytes."""
    chunks, rest = divmod(length, _CHUNK)
    state = np.array([crc], dtype=np.uint32)
    for _ in range(rest):
        state = _zero_byte(state)
    level = 0
    while chunks:
        if chunks & 1:
            state = _apply(_shift(level), state)
        chunks >>= 1
        level += 1
    return int(state[0])


def numpy_crc32c(data: bytes) -> int:
    """CRC-32C of `data` in numpy, as in RFC 3720 (numpy_crc32c(b"123456789") == 0xE3069283)."""
    if len(data) < _SMALL:
        return _crc_loop(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    # Leading zero bytes leave a zero register unchanged, so padding at the
    # front makes whole chunks; the initial 0xFFFFFFFF is added back after.
    pad = (-len(data)) % _CHUNK
    columns = np.frombuffer(bytes(pad) + data, dtype=np.uint8).reshape(-1, _CHUNK)
    state = np.zeros(columns.shape[0], dtype=np.uint32)
    for i in range(_CHUNK):
        state = _TABLE[(state ^ columns[:, i]) & 0xFF] ^ (state >> 8)
    level = 0
    while state.size > 1:
        if state.size % 2:
            state = np.concatenate([np.zeros(1, dtype=np.uint32), state])
        state = _apply(_shift(level), state[0::2]) ^ state[1::2]
        level += 1
    return int(state[0]) ^ _advance(0xFFFFFFFF, len(data)) ^ 0xFFFFFFFF


def _compiled_crc32c() -> Optional[Callable[[bytes], int]]:
    """google-crc32c's `value` if its compiled extension loads, else None."""
    with warnings.catch_warnings():
        # It warns that it fell back to pure Python; numpy stands in for that here.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            import google_crc32c
        except ImportError:
            return None
    return google_crc32c.value if google_crc32c.implementation == "c" else None


_COMPILED = _compiled_crc32c()
IMPLEMENTATION = "google-crc32c" if _COMPILED is not None else "numpy"  # what `crc32c` runs
crc32c: Callable[[bytes], int] = _COMPILED if _COMPILED is not None else numpy_crc32c
"""CRC-32C of `data`, as in RFC 3720 (crc32c(b"123456789") == 0xE3069283)."""


def masked_crc32c(data: bytes) -> int:
    """The masked CRC that TFRecord framing stores."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One TFRecord: length, its masked CRC, the data, the data's masked CRC."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))
