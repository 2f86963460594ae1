"""The package's PEP 517 build backend: setuptools', asking for nodejs-bin only where it is needed.

Building a wheel, or installing from a checkout, builds the pane (setup.py
runs tools/build_frontend.py), which needs Node >= 18.4 with its npm. Where
the `node` on PATH is one, the build uses it; elsewhere the wheel and
editable hooks add the `nodejs-bin` package (a 47 MB download that brings a
Node) to the build's requirements. SPECTRO_NODE (auto, system, nodejs-bin)
chooses as it does for tools/build_frontend.py. Everything else, sdists
included, is setuptools.build_meta's.
"""

import importlib.util
import pathlib
import sys
from typing import Any, Dict, List, Optional

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 (the hooks not defined here)
from setuptools.build_meta import __all__ as _setuptools_hooks

__all__ = list(_setuptools_hooks)

ROOT = pathlib.Path(__file__).resolve().parent.parent
_FRONTEND_TOOL = ROOT / "tools" / "build_frontend.py"


def node_requirements() -> List[str]:
    """`[nodejs-bin==<pin>]` when building the pane needs that package's Node, else `[]`."""
    if not _FRONTEND_TOOL.is_file():
        return []  # setup.py builds no pane without the tool either
    spec = importlib.util.spec_from_file_location("spectro_build_frontend", _FRONTEND_TOOL)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    needed, why = tool.needs_nodejs_bin()
    verdict = f"needs {tool.NODEJS_BIN_REQUIREMENT}" if needed else "needs no nodejs-bin"
    print(f"Spectro pane: the build {verdict} ({why})", file=sys.stderr)
    return [tool.NODEJS_BIN_REQUIREMENT] if needed else []


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return _setuptools.get_requires_for_build_wheel(config_settings) + node_requirements()


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return _setuptools.get_requires_for_build_editable(config_settings) + node_requirements()
