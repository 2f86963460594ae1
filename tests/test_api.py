"""The public API's shape: the ops agree on their leading arguments."""

import inspect

from tb_plugin_spectro import summary as spectro_summary

OPS = {
    "mel_comparison": ("target", "predicted"),
    "noise_pair": ("predicted", "actual"),
    "similarity_matrix": ("a", "b"),
    "lowest_point": ("value",),
    "spectrogram": ("mel",),
    "alignment": ("weights",),
}


def _positional(fn):
    return [p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.POSITIONAL_OR_KEYWORD]


def test_ops_share_tag_arrays_step_writer():
    for name, arrays in OPS.items():
        op = getattr(spectro_summary, name)
        assert _positional(op) == ["tag", *arrays, "step"], name
        parameters = inspect.signature(op).parameters
        assert parameters["writer"].kind == inspect.Parameter.KEYWORD_ONLY, name
        assert parameters["writer"].default is None, name
        assert parameters["walltime"].kind == inspect.Parameter.KEYWORD_ONLY, name


def test_pb_twins_take_the_same_arguments_but_the_writer():
    for name in OPS:
        op = inspect.signature(getattr(spectro_summary, name)).parameters
        twin = inspect.signature(getattr(spectro_summary, name + "_pb")).parameters
        assert [p for p in op if p not in ("writer", "walltime")] == [p for p in twin], name
        for parameter in twin:
            assert twin[parameter].default == op[parameter].default, (name, parameter)


def test_shared_options_have_the_same_defaults():
    for option in ("precision", "max_elements", "display_name", "description"):
        defaults = {
            name: inspect.signature(getattr(spectro_summary, name)).parameters[option].default
            for name in OPS
            if option in inspect.signature(getattr(spectro_summary, name)).parameters
        }
        assert len(set(defaults.values())) == 1, (option, defaults)


def test_public_names():
    for name in spectro_summary.__all__:
        assert getattr(spectro_summary, name).__doc__, name
    assert "mel_comparison" in spectro_summary.__all__ and "Writer" in spectro_summary.__all__


def test_importing_the_package_imports_no_framework():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import tb_plugin_spectro\n"
        "from tb_plugin_spectro import summary\n"
        "heavy = [m for m in ('torch', 'tensorflow', 'jax', 'tensorboardX') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_entry_point_module_imports_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import tb_plugin_spectro.loader\n"
        "heavy = [m for m in ('numpy', 'google.protobuf', 'tb_plugin_spectro.plugin', 'tb_plugin_spectro.summary')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_entry_point_is_registered():
    from importlib import metadata as importlib_metadata

    from tb_plugin_spectro import loader

    points = importlib_metadata.entry_points(group="tensorboard_plugins")
    (spectro,) = [p for p in points if p.name == "spectro"]
    assert spectro.load() is loader.SpectroLoader


def test_mel_options_are_the_same_in_every_op_of_spectrograms():
    mel_options = ("layout", "lengths", "max_outputs", "sample_ids", "texts", "sample_rate", "hop_length")
    for option in mel_options:
        comparison = inspect.signature(spectro_summary.mel_comparison).parameters[option]
        single = inspect.signature(spectro_summary.spectrogram).parameters[option]
        assert (single.kind, single.default) == (comparison.kind, comparison.default), option
