"""Callbacks that log Spectro summaries from a training framework's loop.

One module per framework, each importing its framework only inside itself
(importing this package imports none):

- `tb_plugin_spectro.callbacks.lightning`: PyTorch Lightning (`lightning` or
  `pytorch_lightning`), through the trainer's TensorBoard logger.
- `tb_plugin_spectro.callbacks.huggingface`: the Hugging Face `Trainer`,
  sharing the writer of `report_to="tensorboard"`.
- `tb_plugin_spectro.callbacks.keras`: Keras 3 on any backend, without
  TensorFlow, into the run folders of Keras's TensorBoard callback.
- `tb_plugin_spectro.callbacks.loop`: any hand-written loop (JAX/Flax and
  others), with `on_step_end` and `on_eval` hooks.

Each is a `SpectroCallback(tag, extract, policy=...)`: `extract(batch,
outputs)` returns the keyword arguments of a summary op (by default
`mel_comparison`: `target`, `predicted`, and per-sample options such as
`lengths` or `sample_ids`), and the `LoggingPolicy` says at which steps, which
examples of the batch and which reference sample. On every process of a
distributed run but the first, they log nothing.
"""

from tb_plugin_spectro.policy import LoggingPolicy, Reference

__all__ = ["LoggingPolicy", "Reference"]
