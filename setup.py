"""Packaging of tb-plugin-spectro.

Building the package builds the pane first (tools/build_frontend.py), so
wheels, sdist-built wheels and editable installs all have
tb_plugin_spectro/static/index.js (and its decode-worker.js).
"""

import importlib.util
import pathlib

import setuptools
from setuptools.command.build_py import build_py
from setuptools.command.develop import develop
from setuptools.command.editable_wheel import editable_wheel
from setuptools.errors import ExecError

ROOT = pathlib.Path(__file__).resolve().parent
_frontend_built = False


def version() -> str:
    for line in (ROOT / "tb_plugin_spectro" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split('"')[1]
    raise RuntimeError("no __version__ in tb_plugin_spectro/__init__.py")


def build_frontend() -> None:
    """Runs tools/build_frontend.py once per process; nothing where it is absent."""
    global _frontend_built
    script = ROOT / "tools" / "build_frontend.py"
    if _frontend_built or not script.is_file():
        return
    spec = importlib.util.spec_from_file_location("spectro_build_frontend", script)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    try:
        tool.build()
    except tool.FrontendBuildError as e:
        raise ExecError(f"tools/build_frontend.py: {e}") from e
    _frontend_built = True


class BuildPy(build_py):
    def run(self) -> None:
        build_frontend()
        # The list of package data may predate the bundle.
        self.__dict__.pop("data_files", None)
        super().run()


class EditableWheel(editable_wheel):
    def run(self) -> None:
        build_frontend()
        super().run()


class Develop(develop):
    def run(self) -> None:
        build_frontend()
        super().run()


setuptools.setup(
    name="tb-plugin-spectro",
    version=version(),
    description="A TensorBoard plugin for mel spectrograms, diffusion noise, similarity matrices and lowest points",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=setuptools.find_packages(include=["tb_plugin_spectro", "tb_plugin_spectro.*"]),
    package_data={"tb_plugin_spectro": ["*.pyi", "py.typed", "static/*"]},
    cmdclass={"build_py": BuildPy, "editable_wheel": EditableWheel, "develop": Develop},
    entry_points={"tensorboard_plugins": ["spectro = tb_plugin_spectro.loader:SpectroLoader"]},
    install_requires=[
        "tensorboard>=2.12",
        "werkzeug>=1.0.1",
        # The range tensorboard accepts; the committed gencode needs >= 6.31.1.
        "protobuf>=6.31.1,<8",
        "numpy>=1.21",
        # Every event record's CRC-32C in about 3 µs for a 74 KB record, where numpy
        # takes about 1 ms; Google's C library, Apache-2.0, wheels for the common platforms.
        "google-crc32c>=1.5",
    ],
    extras_require={
        "test": [
            "pytest>=7",
            "hypothesis>=6",
            # The colormap and browser tests compare with matplotlib; the build uses it too (pyproject.toml).
            "matplotlib>=3.5",
            "torch==2.13.0",
            # numpy's bfloat16 and float8 types, as JAX and TF hand such arrays over (tests/test_summary.py).
            "ml_dtypes>=0.2",
            "tensorboardX>=2.6",
            "mypy>=1.10",
            # Lint and format; pinned, since each release formats a little differently.
            "ruff==0.17.6",
            # Node for the TypeScript checks in tests/test_build.py where there is no Node >= 18.4.
            "nodejs-bin==18.4.0a4",
            # Drives Debian's chromium in tests/test_browser.py (its own browsers are never downloaded).
            "playwright>=1.40",
            # tests/test_remote_storage.py: an S3 server on loopback, and the boto3 TensorBoard reads s3:// through.
            # moto's server with only its S3 backend: half the download of moto[server], which brings every service.
            "moto[s3]>=5",
            "flask>=2",
            "flask-cors>=3",
            "boto3>=1.26",
            # tests/test_callbacks_*.py: each framework callback in a real CPU run of its framework. About 160 MB
            # of wheels (jaxlib 83 MB, scipy 35 MB, transformers 13 MB), 0.8 GB installed, 40 s to install.
            "lightning>=2.2",  # brings pytorch_lightning too: both package names are tested
            "transformers>=4.46",
            "accelerate>=1.1",  # the Trainer needs it with torch
            "keras>=3.3",  # run on the torch backend, without TensorFlow
            "jax[cpu]>=0.4.30",
        ],
    },
    classifiers=[
        "Intended Audience :: Science/Research",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Topic :: Multimedia :: Sound/Audio :: Analysis",
    ],
)
