"""The project's own tools (tools/*.py), which are scripts rather than a package."""

import importlib.util
import pathlib
from types import ModuleType

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def load_tool(name: str) -> ModuleType:
    """Imports tools/<name>.py, which is not a package."""
    path = ROOT / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spectro_tools_{name}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
