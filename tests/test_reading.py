"""Reading through the data provider: the blob cache, call outcomes, RustBoard's nudge, one kind per series."""

import threading

import numpy as np
import pytest
from tensorboard import errors
from tensorboard.data import provider

from support.routes import PREFIX, get_json, make_client
from tb_plugin_spectro import reading
from tb_plugin_spectro import summary as spectro_summary


class TestByteBoundedCache:
    def test_evicts_the_least_recently_used_beyond_its_bytes(self):
        cache = reading.ByteBoundedCache(10)
        cache.put("a", 1, 4)
        cache.put("b", 2, 4)
        assert cache.get("a") == 1  # now b is the least recently used
        cache.put("c", 3, 4)
        assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)

    def test_a_value_larger_than_the_cache_is_not_kept(self):
        cache = reading.ByteBoundedCache(10)
        cache.put("big", b"x" * 11, 11)
        assert cache.get("big") is None

    def test_replacing_a_key_counts_its_bytes_once(self):
        cache = reading.ByteBoundedCache(10)
        for value in range(5):
            cache.put("a", value, 6)
        cache.put("b", 9, 4)
        assert (cache.get("a"), cache.get("b")) == (4, 9)


class TestOutcome:
    def test_result_or_error(self):
        def fails():
            raise ValueError("unreadable")

        good, bad = reading.Outcome.of(lambda: 7), reading.Outcome.of(fails)
        assert (good.value, good.error) == (7, None)
        assert bad.value is None and isinstance(bad.error, ValueError)
        assert reading.raise_any([good, good]) == [7, 7]
        with pytest.raises(ValueError, match="unreadable"):
            reading.raise_any([good, bad])


def test_provider_calls_run_in_order_one_after_the_other_for_the_python_reader():
    calls = reading.ProviderCalls(object())
    assert not calls.concurrent
    order = []
    outcomes = calls.run(None, "", [lambda: order.append(1) or "a", lambda: order.append(2) or "b"])
    assert [outcome.value for outcome in outcomes] == ["a", "b"] and order == [1, 2]


def test_provider_calls_nudge_a_stalled_connection():
    """A call held until another request is sent, as RustBoard's responses are held by Nagle's algorithm."""
    released = threading.Event()

    class StalledProvider:
        nudges = 0

        def experiment_metadata(self, ctx=None, *, experiment_id):
            StalledProvider.nudges += 1
            released.set()

    calls = reading.ProviderCalls(StalledProvider())
    calls.concurrent = True

    def stalled():
        if not released.wait(timeout=30):
            raise TimeoutError("never released")
        return "blob"

    def fails():
        raise ValueError("unreadable")

    outcomes = calls.run(None, "", [stalled, lambda: 7, fails])
    assert [result for result, _ in outcomes] == ["blob", 7, None]
    assert isinstance(outcomes[2][1], ValueError)
    assert StalledProvider.nudges >= 1
    assert calls.run(None, "", []) == []


def test_a_step_of_another_kind_is_that_steps_error(tmp_path):
    """A series holds one kind; a step whose header holds another is reported where it is."""
    mel = np.zeros((4, 6), dtype=np.float32)
    noise_header = spectro_summary.noise_pair_pb("n", mel, mel + 1, 1).value[0].tensor.string_val[0]
    with spectro_summary.Writer(tmp_path / "run") as writer:
        writer.add_summary(spectro_summary.mel_comparison_pb("m", mel, mel + 1, 0), 0)
        stray = spectro_summary.mel_comparison_pb("m", mel, mel + 1, 1)
        stray.value[0].tensor.string_val[0] = noise_header
        stray.value[1].tensor.string_val[0] = noise_header
        writer.add_summary(stray, 1)
        writer.add_summary(spectro_summary.mel_comparison_pb("m", mel, mel + 1, 2), 2)
    client, _ = make_client(tmp_path)
    first, second, third = get_json(client, "/steps?run=run&tag=m")["steps"]
    assert first["stats"]["mae"] == third["stats"]["mae"] == 1.0
    assert second == {"step": 1, "wall_time": second["wall_time"], "error": second["error"]}
    assert "noise_pair" in second["error"] and "mel_comparison" in second["error"]
    message = get_json(client, "/data?run=run&tag=m&step=1", status=404)
    assert "Step 1 of Spectro tag 'm' in run 'run' is unreadable" in message and "noise_pair" in message
    assert client.get(PREFIX + "/data?run=run&tag=m&step=2").status_code == 200


def test_names_that_rustboard_blob_keys_cannot_carry():
    assert reading.unkeyable_names("tts/run 1", "mel/val <b>é</b>") is None
    assert reading.unkeyable_names('a "b"', "t") == "the run's name holds a double quote"
    assert reading.unkeyable_names("r", "a\tb\\c\x01\t") == (
        "the tag holds a tab and a backslash and the control character U+0001"
    )
    assert (
        reading.unkeyable_names("a\nb", "c\rd") == "the run's name holds a newline and the tag holds a carriage return"
    )


class BlobKeyRefusingProvider:
    """Refuses blob keys as RustBoard's data server does for a name it cannot parse back."""

    def __init__(self, message: str):
        self.message = message

    def read_blob(self, ctx, blob_key):
        raise errors.InvalidArgumentError(self.message)


def test_a_blob_key_the_reader_refuses_says_which_reader_can_read_it():
    datum = provider.BlobSequenceDatum(step=0, wall_time=1.0, values=(provider.BlobReference(blob_key="key"),))
    refusing = reading.SeriesReader(
        BlobKeyRefusingProvider('failed to parse blob key: BadJson(Error("invalid type: string"))'), reading.ALL_STEPS
    )
    with pytest.raises(reading.BlobKeyError, match=r"RustBoard \(--load_fast=true\) cannot read this data: its run or"):
        refusing.read(None, datum, 0)
    named = str(reading.BlobKeyError("a\tb", "n"))
    assert named == (
        "RustBoard (--load_fast=true) cannot read this data: the run's name holds a tab, which its blob keys cannot "
        "carry. TensorBoard's Python reader (--load_fast=false) reads it"
    )
    other = reading.SeriesReader(BlobKeyRefusingProvider("no such experiment"), reading.ALL_STEPS)
    with pytest.raises(errors.InvalidArgumentError, match="no such experiment"):
        other.read(None, datum, 0)
