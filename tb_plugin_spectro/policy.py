"""The logging policy: when to log, which examples of a batch, and a reference sample.

One small object that every callback of `tb_plugin_spectro.callbacks` takes,
and that a hand-written loop can use as it is:

    from tb_plugin_spectro.policy import LoggingPolicy

    policy = LoggingPolicy(every_n_steps=500, examples=2, example="cycle", reference="LJ001-0001")
    if policy.due(step):
        picked = policy.pick(step, batch_size)  # indices into the batch
        spectro_summary.mel_comparison("mel/train", target[picked], predicted[picked], step, writer=writer)

It imports no framework and holds no state: what it answers depends on its
arguments alone, so a resumed run logs the same steps and examples.
"""

import dataclasses
from typing import List, Optional, Sequence, Union

from tb_plugin_spectro import _inputs

__all__ = ["LoggingPolicy", "Reference"]

_SPLITS = ("train", "validation")
_CYCLE = "cycle"


@dataclasses.dataclass(frozen=True)
class Reference:
    """A fixed sample of the training or validation set, logged under a tag of its own.

    A reference gets its own slider: the same utterance at every logged step,
    to hear and see one sample learn. It is chosen by `id` (one of the
    `sample_ids` the batches carry) or by `index` (its position among the
    samples of its split, in the order an epoch passes them: the dataset's
    index for a loader that does not shuffle, as validation loaders do).

    Args:
      id: the sample's id, e.g. "LJ001-0001".
      index: the sample's position in its split, an integer >= 0.
      split: "validation" (default) or "train": the set it is taken from.
      tag: the tag it is logged under; None for the series' tag with
        "/reference" appended.

    Raises:
      TypeError, ValueError: neither or both of `id` and `index`, or a bad
        value, naming the parameter.
    """

    id: Optional[str] = None
    index: Optional[int] = None
    split: str = "validation"
    tag: Optional[str] = None

    def __post_init__(self) -> None:
        if (self.id is None) == (self.index is None):
            raise ValueError(f"Reference takes one of id= and index=, got id={self.id!r} and index={self.index!r}")
        if self.id is not None:
            object.__setattr__(self, "id", _inputs.check_string(self.id, "Reference id"))
        if self.index is not None:
            object.__setattr__(self, "index", _inputs.check_count(self.index, "Reference index"))
        _inputs.check_choice(self.split, "Reference split", _SPLITS)
        if self.tag is not None:
            object.__setattr__(self, "tag", _inputs.check_series_tag(self.tag, "Reference tag"))

    def tag_for(self, series_tag: str) -> str:
        """The tag this reference is logged under, beside the series `series_tag`."""
        return self.tag if self.tag is not None else series_tag + "/reference"

    def find(self, first_index: int, sample_ids: Optional[Sequence[str]], batch_size: int) -> Optional[int]:
        """Where this reference is in a batch of its split, or None.

        Args:
          first_index: the position in the split of the batch's first sample
            (the samples of the epoch's batches before it).
          sample_ids: the id of each sample of the batch, or None where the
            batch carries none.
          batch_size: the samples in the batch.

        Raises:
          ValueError: the reference is chosen by id and the batch carries no
            sample ids.
        """
        if self.index is not None:
            offset = self.index - first_index
            return offset if 0 <= offset < batch_size else None
        if sample_ids is None:
            raise ValueError(
                f"the reference id {self.id!r} cannot be found: the batch carries no sample_ids; "
                "return sample_ids from the callback's extract function, or choose the reference by index"
            )
        ids = [sample_ids] if isinstance(sample_ids, str) else list(sample_ids)
        return ids.index(self.id) if self.id in ids else None


def _as_reference(reference) -> Optional[Reference]:
    if reference is None or isinstance(reference, Reference):
        return reference
    if isinstance(reference, str):
        return Reference(id=reference)
    if hasattr(reference, "__index__") and not isinstance(reference, bool):
        return Reference(index=reference)
    raise TypeError(
        f"reference must be a Reference, a sample id (str) or an index (int), "
        f"got {type(reference).__name__} {reference!r}"
    )


@dataclasses.dataclass(frozen=True)
class LoggingPolicy:
    """When a callback logs, which examples of a batch, and which reference sample.

    Args:
      every_n_steps: log at the steps that are multiples of it (step 0
        included); 0 disables logging, the reference too.
      examples: how many examples of a batch to log at a step, >= 1.
      example: the index of the first example logged ("examples" of them
        from there), or "cycle" to move on through the batch at each logged
        step, so that over the run every position of the batch is shown.
      reference: a fixed sample logged under its own tag: a `Reference`, or
        its id (a str) or index (an int) in the validation set.

    Raises:
      TypeError, ValueError: a bad argument, naming it and its value.

    Example:
      policy = LoggingPolicy(every_n_steps=1000, examples=3, example="cycle")
      policy.due(2000), policy.pick(2000, batch_size=16)  # True, [6, 7, 8]
    """

    every_n_steps: int
    examples: int = 1
    example: Union[int, str] = 0
    reference: Union[Reference, str, int, None] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "every_n_steps", _inputs.check_count(self.every_n_steps, "every_n_steps"))
        object.__setattr__(self, "examples", _inputs.check_count(self.examples, "examples", minimum=1))
        if isinstance(self.example, str):
            _inputs.check_choice(self.example, "example", (_CYCLE,))
        else:
            try:
                example = _inputs.check_count(self.example, "example")
            except TypeError:
                raise TypeError(
                    f"example must be an index (an integer >= 0) or 'cycle', "
                    f"got {type(self.example).__name__} {self.example!r}"
                ) from None
            object.__setattr__(self, "example", example)
        object.__setattr__(self, "reference", _as_reference(self.reference))

    @property
    def enabled(self) -> bool:
        """False when `every_n_steps` is 0."""
        return self.every_n_steps > 0

    def due(self, step: int) -> bool:
        """True when `step` is one to log at: a multiple of `every_n_steps`."""
        step = _inputs.check_step(step)
        return self.enabled and step % self.every_n_steps == 0

    def pick(self, step: int, batch_size: int) -> List[int]:
        """The indices of the examples to log from a batch at `step`.

        `examples` indices in a row from `example`, or with "cycle" from
        where the last logged step stopped (the number of logged steps
        before `step` times `examples`), wrapping around the batch; never
        more than the batch holds.

        Raises:
          TypeError, ValueError: `step` or `batch_size` is not an integer
            >= 0.
        """
        step = _inputs.check_step(step)
        batch_size = _inputs.check_count(batch_size, "batch_size")
        if batch_size == 0:
            return []
        if self.example == _CYCLE:
            logged_before = step // self.every_n_steps if self.enabled else 0
            first = logged_before * self.examples
        else:
            first = int(self.example)
        return [(first + k) % batch_size for k in range(min(self.examples, batch_size))]

    def with_interval(self, every_n_steps: int) -> "LoggingPolicy":
        """This policy logging every `every_n_steps` steps instead."""
        return dataclasses.replace(self, every_n_steps=every_n_steps)
