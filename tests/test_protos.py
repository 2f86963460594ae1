"""The committed gencode is what the pinned protoc makes, and loads on every
protobuf that tensorboard accepts (6.31.1, the oldest, in the protoc
environment; this environment's newer one in this process)."""

import filecmp
import pathlib
import subprocess
import sys

import google.protobuf

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import gen_protos  # noqa: E402

GENERATED = ["tb_plugin_spectro/plugin_data_pb2.py", "tb_plugin_spectro/plugin_data_pb2.pyi"]


def test_committed_gencode_matches_the_pinned_protoc(tmp_path):
    gen_protos.generate(tmp_path)
    for name in GENERATED:
        assert filecmp.cmp(ROOT / name, tmp_path / name, shallow=False), (
            f"{name} differs from what `make protos` generates; run it and commit the result"
        )


def test_gencode_loads_on_oldest_supported_protobuf():
    code = (
        "import google.protobuf\n"
        "assert google.protobuf.__version__ == '6.31.1', google.protobuf.__version__\n"
        "from tb_plugin_spectro import plugin_data_pb2 as pb\n"
        "h = pb.StepHeader(version=1)\n"
        "h.mel.samples.add(sample_id='LJ001-0001')\n"
        "assert pb.StepHeader.FromString(h.SerializeToString()) == h\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [str(gen_protos.tool_python()), "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_gencode_loads_on_this_protobuf():
    from tb_plugin_spectro import plugin_data_pb2 as pb

    major = int(google.protobuf.__version__.split(".")[0])
    assert major in (6, 7)
    assert pb.DESCRIPTOR.name == "tb_plugin_spectro/plugin_data.proto"
