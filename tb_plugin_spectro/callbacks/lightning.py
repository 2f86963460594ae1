"""PyTorch Lightning: `SpectroCallback` for `lightning` 2.x (`import lightning.pytorch`).

For the older package name, `pytorch_lightning`, whose Callback class is
another, use `tb_plugin_spectro.callbacks.pytorch_lightning`. How it works
is in the class' docstring and in `_lightning`.
"""

import lightning.pytorch as _framework

from tb_plugin_spectro.callbacks._lightning import make_callback_class
from tb_plugin_spectro.policy import LoggingPolicy, Reference

__all__ = ["SpectroCallback", "LoggingPolicy", "Reference"]

SpectroCallback = make_callback_class(_framework.Callback, "Lightning (lightning.pytorch)")
