"""Importing Spectro, its policy or its callbacks package imports no training framework."""

import subprocess
import sys

FRAMEWORKS = ("lightning", "pytorch_lightning", "transformers", "keras", "jax", "flax", "torch", "tensorflow")


def test_importing_spectro_imports_no_framework():
    code = (
        "import sys\n"
        "import tb_plugin_spectro\n"
        "from tb_plugin_spectro import summary, policy, callbacks\n"
        "from tb_plugin_spectro.callbacks import _series, _lightning\n"
        f"heavy = [m for m in {FRAMEWORKS!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
