"""Builds the Spectro pane: frontend/src/*.ts -> tb_plugin_spectro/static/index.js (and decode-worker.js).

Steps: generate frontend/src/colormaps/data.ts from matplotlib, `npm ci` when
node_modules is missing or older than package-lock.json, `npm run build`.
setup.py runs this whenever the package is built, so users never need Node.

Node is the `node` on PATH if it is >= 18.4 and has its npm, else the one of
the `nodejs-bin` package, which the package's build backend
(build_backend/spectro_backend.py) asks for only then. SPECTRO_NODE=system or
SPECTRO_NODE=nodejs-bin picks one of the two; the default is auto.

    python tools/build_frontend.py               # build the bundle
    python tools/build_frontend.py --check-only  # only say which Node would build it
"""

import argparse
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
from types import ModuleType
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENTRY = ROOT / "frontend" / "src" / "index.ts"
PACKAGE_JSON = ROOT / "package.json"
PACKAGE_LOCK = ROOT / "package-lock.json"
NODE_MODULES = ROOT / "node_modules"
BUNDLE = ROOT / "tb_plugin_spectro" / "static" / "index.js"
# The pane's step decoder, which index.js starts as a worker from beside itself.
WORKER = ROOT / "tb_plugin_spectro" / "static" / "decode-worker.js"
MIN_NODE = (18, 4, 0)
NODE_CHOICES = ("auto", "system", "nodejs-bin")
# An exact pin, so that pip takes this pre-release.
NODEJS_BIN_REQUIREMENT = "nodejs-bin==18.4.0a4"
INSTALL_HINT = f"install nodejs-bin (pip install {NODEJS_BIN_REQUIREMENT}) or Node >= 18.4"

__all__ = [
    "FrontendBuildError",
    "Node",
    "NODEJS_BIN_REQUIREMENT",
    "find_node",
    "needs_nodejs_bin",
    "has_sources",
    "ensure_node_modules",
    "build",
    "main",
]


class FrontendBuildError(RuntimeError):
    """The pane could not be built; the message says why."""


class Node:
    """A Node.js executable and the npm that goes with it."""

    def __init__(self, executable: str, npm_prefix: Sequence[str], version: Tuple[int, int, int], source: str):
        self.executable = executable
        self.npm_prefix = list(npm_prefix)  # argv that starts npm
        self.version = version
        self.source = source  # "PATH" or "nodejs-bin"

    def __repr__(self) -> str:
        return f"Node({self.executable!r}, v{self.version_text}, from {self.source})"

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    def env(self) -> Dict[str, str]:
        """The environment for npm: this Node first on PATH, since npm scripts
        (`tsc`, `node --test`) start `node` by name."""
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([os.path.dirname(self.executable), env.get("PATH", "")])
        env.setdefault("npm_config_update_notifier", "false")
        env.setdefault("npm_config_fund", "false")
        env.setdefault("npm_config_audit", "false")
        return env

    def npm(self, args: Sequence[str], capture: bool = False) -> "subprocess.CompletedProcess[str]":
        """Runs npm in the project root; never raises on a non-zero exit."""
        return subprocess.run(
            [*self.npm_prefix, *args],
            cwd=ROOT,
            env=self.env(),
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
        )


def _node_version(executable: str) -> Optional[Tuple[int, int, int]]:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.(\d+)\.(\d+)", out.strip())
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _system_node() -> Tuple[Optional[Node], str]:
    """The Node on PATH if usable, else None and the reason."""
    executable = shutil.which("node")
    if executable is None:
        return None, "no node on PATH"
    version = _node_version(executable)
    if version is None:
        return None, f"{executable} --version failed"
    if version < MIN_NODE:
        return None, f"{executable} is v{'.'.join(map(str, version))}, older than 18.4"
    npm = shutil.which("npm")
    if npm is None:
        return None, f"{executable} is v{'.'.join(map(str, version))} but there is no npm on PATH"
    return Node(executable, [npm], version, "PATH"), ""


def _nodejs_bin() -> Tuple[Optional[Node], str]:
    """The Node of the nodejs-bin package if installed, else None and the reason."""
    try:
        import nodejs
        import nodejs.npm
    except ImportError:
        return None, "nodejs-bin is not installed"
    executable = nodejs.node.path
    version = _node_version(executable)
    if version is None:
        return None, f"nodejs-bin's {executable} --version failed"
    if version < MIN_NODE:
        return None, f"nodejs-bin's node is v{'.'.join(map(str, version))}, older than 18.4"
    # nodejs.npm.run() is `node .../npm-cli.js ARGS`; the same argv here, so that
    # both kinds of Node are run the same way.
    npm_cli = os.path.join(os.path.dirname(nodejs.npm.__file__), "lib", "node_modules", "npm", "bin", "npm-cli.js")
    if not os.path.isfile(npm_cli):
        return None, f"nodejs-bin has no npm at {npm_cli}"
    return Node(executable, [executable, npm_cli], version, "nodejs-bin"), ""


def _node_choice(choice: Optional[str]) -> str:
    choice = choice or os.environ.get("SPECTRO_NODE") or "auto"
    if choice not in NODE_CHOICES:
        raise FrontendBuildError(f"SPECTRO_NODE must be one of {NODE_CHOICES!r}, got {choice!r}")
    return choice


def needs_nodejs_bin(choice: Optional[str] = None) -> Tuple[bool, str]:
    """Whether building the bundle needs the nodejs-bin package, and why; `choice` as for `find_node`.

    It does unless there are no sources to build, the Node on PATH will build
    them (auto), or SPECTRO_NODE=system says to use that Node alone (where
    there is none, the build then fails saying so).

    Raises:
      FrontendBuildError: SPECTRO_NODE is not one of NODE_CHOICES.
    """
    choice = _node_choice(choice)
    if not has_sources():
        return False, f"no {ENTRY.relative_to(ROOT)} to build"
    if choice == "nodejs-bin":
        return True, "SPECTRO_NODE=nodejs-bin"
    if choice == "system":
        return False, "SPECTRO_NODE=system"
    node, reason = _system_node()
    if node is None:
        return True, reason
    return False, f"{node.executable} is v{node.version_text}"


def find_node(choice: Optional[str] = None) -> Node:
    """Returns the Node to build with; `choice` defaults to $SPECTRO_NODE or auto.

    Raises:
      FrontendBuildError: no usable Node, with the reason for each one tried.
    """
    choice = _node_choice(choice)
    finders = {"auto": (_system_node, _nodejs_bin), "system": (_system_node,), "nodejs-bin": (_nodejs_bin,)}[choice]
    reasons: List[str] = []
    for finder in finders:
        node, reason = finder()
        if node is not None:
            return node
        reasons.append(reason)
    raise FrontendBuildError(f"no Node.js to build the Spectro pane with ({'; '.join(reasons)}): {INSTALL_HINT}")


def has_sources() -> bool:
    """False where only the built package is, e.g. an unpacked wheel."""
    return ENTRY.is_file() and PACKAGE_JSON.is_file() and PACKAGE_LOCK.is_file()


def _load_tool(name: str) -> ModuleType:
    path = ROOT / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spectro_tools_{name}", path)
    if spec is None or spec.loader is None:
        raise FrontendBuildError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ensure_node_modules(node: Node) -> bool:
    """Runs `npm ci` if node_modules is missing or older than package-lock.json; True if it ran."""
    # npm writes node_modules/.package-lock.json last when it installs.
    stamp = NODE_MODULES / ".package-lock.json"
    if stamp.is_file() and stamp.stat().st_mtime >= PACKAGE_LOCK.stat().st_mtime:
        return False
    result = node.npm(["ci", "--no-audit", "--no-fund"])
    if result.returncode != 0:
        raise FrontendBuildError(
            f"npm ci failed with exit code {result.returncode} (Node v{node.version_text} from {node.source})"
        )
    return True


def build(node: Optional[Node] = None) -> Optional[pathlib.Path]:
    """Builds the bundle and prints its size; returns its path, or None when
    there are no frontend sources."""
    if not has_sources():
        print(f"Spectro pane: no {ENTRY.relative_to(ROOT)}, nothing to build")
        return None
    node = node or find_node()
    _load_tool("gen_colormaps").generate()
    ensure_node_modules(node)
    result = node.npm(["run", "--silent", "build"])
    if result.returncode != 0:
        raise FrontendBuildError(
            f"npm run build failed with exit code {result.returncode} (Node v{node.version_text} from {node.source})"
        )
    for output in (BUNDLE, WORKER):
        if not output.is_file():
            raise FrontendBuildError(f"npm run build wrote no {output}")
    print(
        f"Spectro pane: {BUNDLE.relative_to(ROOT)}, {BUNDLE.stat().st_size / 1024:.1f} KiB"
        f" (Node v{node.version_text} from {node.source})"
    )
    return BUNDLE


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", action="store_true", help="find Node and the sources, build nothing")
    parser.add_argument("--npm-script", metavar="NAME", help="run package.json's script NAME instead of building")
    args = parser.parse_args(argv)
    try:
        if args.npm_script:
            node = find_node()
            ensure_node_modules(node)
            return node.npm(["run", "--silent", args.npm_script]).returncode
        if not args.check_only:
            build()
        elif not has_sources():
            print(f"Spectro pane: no {ENTRY.relative_to(ROOT)}, nothing to build")
        else:
            node = find_node()
            print(f"Spectro pane: would build with Node v{node.version_text} from {node.source} ({node.executable})")
    except FrontendBuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
