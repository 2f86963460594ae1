"""Packaging of tb-plugin-spectro."""

import pathlib

import setuptools

ROOT = pathlib.Path(__file__).resolve().parent


def version() -> str:
    for line in (ROOT / "tb_plugin_spectro" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split('"')[1]
    raise RuntimeError("no __version__ in tb_plugin_spectro/__init__.py")


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
    entry_points={"tensorboard_plugins": ["spectro = tb_plugin_spectro.loader:SpectroLoader"]},
    install_requires=[
        "tensorboard>=2.12",
        "werkzeug>=1.0.1",
        # The range tensorboard accepts; the committed gencode needs >= 6.31.1.
        "protobuf>=6.31.1,<8",
        "numpy>=1.21",
        "matplotlib>=3.5",
    ],
    extras_require={
        "test": [
            "pytest>=7",
            "hypothesis>=6",
            "torch==2.13.0",
            "tensorboardX>=2.6",
            "mypy>=1.10",
        ],
    },
    classifiers=[
        "Intended Audience :: Science/Research",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Topic :: Multimedia :: Sound/Audio :: Analysis",
    ],
)
