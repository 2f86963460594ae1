"""TensorBoard's entry point for Spectro.

This module is imported by every `tensorboard` process at start-up, and an
import error here stops it, so it imports nothing but TensorBoard's base
plugin module; the plugin itself is imported when TensorBoard loads it.
"""

from tensorboard.plugins import base_plugin

PLUGIN_NAME = "spectro"  # as metadata.PLUGIN_NAME, without importing it


class SpectroLoader(base_plugin.TBLoader):
    """Loads SpectroPlugin, keeping every logged step unless told otherwise."""

    def fix_flags(self, flags):
        # TensorBoard keeps 10 points per tag of a third-party plugin; Spectro
        # keeps all (0) unless `--samples_per_plugin spectro=N` says otherwise.
        samples = getattr(flags, "samples_per_plugin", None)
        if isinstance(samples, dict) and PLUGIN_NAME not in samples:
            samples[PLUGIN_NAME] = 0

    def load(self, context):
        from tb_plugin_spectro.plugin import SpectroPlugin

        return SpectroPlugin(context)
