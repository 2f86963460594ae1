"""Spectro: a TensorBoard plugin for spectrograms and other arrays.

Training code writes with ``from tb_plugin_spectro import summary as
spectro_summary``. This module imports nothing heavy, so that TensorBoard's
plugin loader stays fast and safe.
"""

__version__ = "0.1.0"
