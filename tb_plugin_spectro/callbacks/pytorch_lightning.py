"""PyTorch Lightning under its older package name: `SpectroCallback` for `import pytorch_lightning`.

The same callback as `tb_plugin_spectro.callbacks.lightning`, on
`pytorch_lightning.Callback`, which a `pytorch_lightning.Trainer` requires.
"""

import pytorch_lightning as _framework

from tb_plugin_spectro.callbacks._lightning import make_callback_class
from tb_plugin_spectro.policy import LoggingPolicy, Reference

__all__ = ["SpectroCallback", "LoggingPolicy", "Reference"]

SpectroCallback = make_callback_class(_framework.Callback, "PyTorch Lightning (pytorch_lightning)")
