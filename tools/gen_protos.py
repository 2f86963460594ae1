"""Generates tb_plugin_spectro/*_pb2.py and *_pb2.pyi from protos/.

The protoc used is pinned: grpcio-tools 1.74.0 (libprotoc 31.1), whose
gencode asks for protobuf >= 6.31.1 at run time and so loads on every
protobuf that tensorboard accepts (6.31.1 up to 7.x). It runs in a virtual
environment of its own under build/, with protobuf 6.31.1, the oldest runtime
we support, so the same environment checks that the gencode loads there.

    python tools/gen_protos.py              # regenerate in place
    python tools/gen_protos.py --out DIR    # write to DIR instead
"""

import argparse
import pathlib
import subprocess
import sys
import venv

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "protos"
VENV_DIR = ROOT / "build" / "protoc-venv"
PINS = ("grpcio-tools==1.74.0", "grpcio==1.74.0", "protobuf==6.31.1")


def tool_python() -> pathlib.Path:
    """Returns the Python of the pinned protoc environment, creating it once."""
    python = VENV_DIR / "bin" / "python"
    stamp = VENV_DIR / "pins.txt"
    if not (python.exists() and stamp.exists() and stamp.read_text() == "\n".join(PINS)):
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINS], check=True)
        stamp.write_text("\n".join(PINS))
    return python


def proto_files() -> list:
    return sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))


def generate(out_dir: pathlib.Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(tool_python()),
            "-m",
            "grpc_tools.protoc",
            f"--proto_path={PROTO_DIR}",
            f"--python_out={out_dir}",
            f"--pyi_out={out_dir}",
            *proto_files(),
        ],
        check=True,
        cwd=PROTO_DIR,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT)
    args = parser.parse_args()
    generate(args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
