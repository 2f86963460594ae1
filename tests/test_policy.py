"""The logging policy: its schedule and picks as tables, its reference sample, and its refusals."""

import pytest

from tb_plugin_spectro.policy import LoggingPolicy, Reference

# every_n_steps, steps → which of them are due
SCHEDULE = [
    (1, [0, 1, 2, 3], [True, True, True, True]),
    (3, [0, 1, 2, 3, 4, 5, 6], [True, False, False, True, False, False, True]),
    (500, [0, 499, 500, 501, 1000, 1500, 10**12], [True, False, True, False, True, True, True]),
    (0, [0, 1, 500, 10**12], [False, False, False, False]),  # 0 disables
]


@pytest.mark.parametrize("every,steps,due", SCHEDULE)
def test_schedule(every, steps, due):
    policy = LoggingPolicy(every)
    assert [policy.due(step) for step in steps] == due
    assert policy.enabled == (every > 0)


# policy arguments, step, batch size → the indices picked
PICKS = [
    (dict(every_n_steps=10), 0, 8, [0]),
    (dict(every_n_steps=10, examples=3), 20, 8, [0, 1, 2]),
    (dict(every_n_steps=10, examples=3, example=2), 20, 8, [2, 3, 4]),
    (dict(every_n_steps=10, examples=3, example=6), 20, 8, [6, 7, 0]),  # wraps around the batch
    (dict(every_n_steps=10, examples=3, example=9), 20, 4, [1, 2, 3]),  # an index past a short batch wraps too
    (dict(every_n_steps=10, examples=5), 0, 2, [0, 1]),  # never more than the batch holds
    (dict(every_n_steps=10, example="cycle"), 0, 4, [0]),
    (dict(every_n_steps=10, example="cycle"), 10, 4, [1]),
    (dict(every_n_steps=10, example="cycle"), 30, 4, [3]),
    (dict(every_n_steps=10, example="cycle"), 40, 4, [0]),
    (dict(every_n_steps=10, example="cycle", examples=3), 10, 8, [3, 4, 5]),
    (dict(every_n_steps=10, example="cycle", examples=3), 20, 8, [6, 7, 0]),
    (dict(every_n_steps=10, example="cycle", examples=3), 25, 8, [6, 7, 0]),  # between logged steps: the last one's
    (dict(every_n_steps=0, example="cycle", examples=2), 30, 8, [0, 1]),
    (dict(every_n_steps=10, examples=2), 0, 0, []),
]


@pytest.mark.parametrize("arguments,step,batch_size,picked", PICKS)
def test_picks(arguments, step, batch_size, picked):
    assert LoggingPolicy(**arguments).pick(step, batch_size) == picked


def test_policy_is_stateless():
    policy = LoggingPolicy(10, examples=2, example="cycle")
    first = [policy.pick(step, 5) for step in range(0, 100, 10)]
    assert [policy.pick(step, 5) for step in range(0, 100, 10)] == first
    assert sorted({index for picked in first for index in picked}) == [0, 1, 2, 3, 4]


def test_with_interval():
    policy = LoggingPolicy(10, examples=2, reference="LJ001-0001")
    changed = policy.with_interval(50)
    assert (changed.every_n_steps, changed.examples, changed.reference) == (50, 2, policy.reference)
    assert policy.every_n_steps == 10


# reference, batch's first index, its sample ids, its size → where the reference is
FINDS = [
    (Reference(index=5), 0, None, 4, None),
    (Reference(index=5), 4, None, 4, 1),
    (Reference(index=5), 8, None, 4, None),
    (Reference(id="b"), 0, ["a", "b", "c"], 3, 1),
    (Reference(id="z"), 0, ["a", "b", "c"], 3, None),
    (Reference(id="a"), 7, "a", 1, 0),
]


@pytest.mark.parametrize("reference,first_index,sample_ids,size,where", FINDS)
def test_reference_find(reference, first_index, sample_ids, size, where):
    assert reference.find(first_index, sample_ids, size) == where


def test_reference_shorthands_and_tags():
    assert LoggingPolicy(1, reference="LJ001-0001").reference == Reference(id="LJ001-0001")
    assert LoggingPolicy(1, reference=3).reference == Reference(index=3)
    assert Reference(index=0).tag_for("mel/val") == "mel/val/reference"
    assert Reference(index=0, tag="mel/LJ001").tag_for("mel/val") == "mel/LJ001"
    assert Reference(id="a", split="train").split == "train"


def test_reference_by_id_needs_sample_ids():
    with pytest.raises(ValueError, match=r"reference id 'LJ001-0001' cannot be found: the batch carries no sample_ids"):
        Reference(id="LJ001-0001").find(0, None, 4)


@pytest.mark.parametrize(
    "arguments,error,pattern",
    [
        (dict(every_n_steps=-1), ValueError, r"every_n_steps must be >= 0, got -1"),
        (dict(every_n_steps=2.5), TypeError, r"every_n_steps must be an integer, got float 2.5"),
        (dict(every_n_steps=True), TypeError, r"every_n_steps must be an integer, got bool True"),
        (dict(every_n_steps=10, examples=0), ValueError, r"examples must be >= 1, got 0"),
        (dict(every_n_steps=10, example="random"), ValueError, r"example must be one of 'cycle'; got 'random'"),
        (dict(every_n_steps=10, example=-1), ValueError, r"example must be >= 0, got -1"),
        (dict(every_n_steps=10, example=1.0), TypeError, r"example must be an index .* or 'cycle', got float 1.0"),
        (dict(every_n_steps=10, reference=1.5), TypeError, r"reference must be a Reference, a sample id .* got float"),
        (dict(every_n_steps=10, reference=-2), ValueError, r"Reference index must be >= 0, got -2"),
    ],
)
def test_bad_policy(arguments, error, pattern):
    with pytest.raises(error, match=pattern):
        LoggingPolicy(**arguments)


@pytest.mark.parametrize(
    "arguments,error,pattern",
    [
        (dict(), ValueError, r"Reference takes one of id= and index=, got id=None and index=None"),
        (dict(id="a", index=1), ValueError, r"Reference takes one of id= and index=, got id='a' and index=1"),
        (dict(index=0, split="test"), ValueError, r"Reference split must be one of 'train', 'validation'; got 'test'"),
        (dict(id=7), TypeError, r"Reference id must be a string, got int 7"),
        (dict(index=0, tag='a"b'), ValueError, r"Reference tag must not contain a double quote"),
    ],
)
def test_bad_reference(arguments, error, pattern):
    with pytest.raises(error, match=pattern):
        Reference(**arguments)


@pytest.mark.parametrize("step,batch_size,error", [(-1, 4, ValueError), (0, -1, ValueError), (0, 2.0, TypeError)])
def test_bad_pick(step, batch_size, error):
    with pytest.raises(error):
        LoggingPolicy(1).pick(step, batch_size)


def test_due_refuses_a_bad_step():
    with pytest.raises(ValueError, match=r"step must be >= 0, got -3"):
        LoggingPolicy(1).due(-3)
