"""The benchmarks run: `python -m benchmarks --quick` on tiny sizes.

Only that they run and report what they measured; no timing is asserted.
"""

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _run(tmp_path, *args):
    out = tmp_path / "results.json"
    process = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(out.read_text()), process.stdout


def test_write_part(tmp_path):
    results, stdout = _run(tmp_path, "--only", "write")
    assert results["quick"] is True
    part = results["parts"]["write"]
    (entry,) = part["sizes"].values()
    for variant in ("floor", "proto", "spectro", "spectro_tb_writer", "baseline"):
        assert entry["timings"][variant]["n"] == part["repeats"]
    precisions = entry["precisions"]
    # The error columns are measured by decoding what was written.
    assert precisions["float32"]["max_error"] == 0
    assert 0 < precisions["uint8"]["max_error_in_steps"] <= 0.5 + 1e-3
    assert precisions["uint16"]["max_error"] < precisions["uint8"]["max_error"]
    assert precisions["uint8"]["bytes"] < precisions["float32"]["bytes"] < 2 * 4 * 16 * 40 + 4096
    assert entry["baseline_bytes"] > 0 and entry["baseline_pixels"] == [400, 1800]
    assert "### Write cost per mel comparison" in stdout and "| 16x40 | uint8 " in stdout
    crc = entry["crc"]
    assert crc["writer"]["n"] == crc["numpy"]["n"] == part["repeats"] and crc["record_bytes"] > 0
    assert crc["writer_implementation"] in ("google-crc32c", "numpy")
    assert "### CRC-32C of one Spectro event record" in stdout
    singles = part["singles"]
    assert set(singles) == {"alignment", "spectrogram"}
    for kind, shape, pixels in (("alignment", [12, 40], [400, 600]), ("spectrogram", [16, 40], [200, 1000])):
        single = singles[kind]
        assert single["shape"] == shape and single["baseline_pixels"] == pixels
        assert single["timings"]["spectro"]["n"] == single["timings"]["baseline"]["n"] == part["repeats"]
        assert 0 < single["bytes"] < single["float32_raw_bytes"] + 4096 and single["baseline_bytes"] > 0
    assert "### Write cost and bytes per alignment or single spectrogram" in stdout
    audio = part["audio"]
    assert audio["timings"]["spectro"]["n"] == audio["timings"]["baseline"]["n"] == part["repeats"]
    assert 0 < audio["spectro_added_bytes"] < audio["wav_bytes"]
    encodings = audio["encodings"]
    raw = encodings["WAV (16-bit PCM)"]["bytes"]
    assert raw == 2 * int(audio["seconds"] * audio["sample_rate"]) // 256 * 256
    assert encodings["Spectro: DELTA_PLANES, deflated"]["bytes"] < encodings["16-bit codes, deflated"]["bytes"] < raw
    assert "### Audio: 0.5 s at 22.05 kHz per waveform" in stdout and "### Audio encodings weighed" in stdout
    assert "| alignment   | 12×40 " in stdout and "| spectrogram | 16×40 " in stdout


def test_readme_section_is_replaced(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# X\n\n<!-- benchmarks:start -->\nold\n<!-- benchmarks:end -->\nafter\n")
    _run(tmp_path, "--only", "write", "--readme", str(readme))
    text = readme.read_text()
    assert "old" not in text and text.endswith("<!-- benchmarks:end -->\nafter\n")
    assert "### Write cost per mel comparison" in text and "Measured with `python -m benchmarks`" in text


def test_readme_keeps_the_tables_of_parts_that_did_not_run(tmp_path):
    from benchmarks.__main__ import _update_readme

    readme = tmp_path / "README.md"
    readme.write_text(
        "# X\n<!-- benchmarks:start -->\nold header\n\n<!-- bench:write -->\nold write\n<!-- /bench:write -->\n\n"
        "<!-- bench:pane -->\nold pane\n<!-- /bench:pane -->\n<!-- benchmarks:end -->\nafter\n"
    )
    _update_readme(str(readme), "new header\n", {"write": "new write\n", "load": "new load"})
    assert readme.read_text() == (
        "# X\n<!-- benchmarks:start -->\nnew header\n\n<!-- bench:write -->\nnew write\n<!-- /bench:write -->\n\n"
        "<!-- bench:pane -->\nold pane\n<!-- /bench:pane -->\n\n<!-- bench:load -->\nnew load\n<!-- /bench:load -->\n"
        "<!-- benchmarks:end -->\nafter\n"
    )


def test_unknown_part_is_a_usage_error():
    process = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "disk"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 2
    assert "--only: unknown part(s) disk; choose from write, backend, pane, load" in process.stderr


@pytest.mark.parametrize("missing", ["<!-- benchmarks:start -->\n", "<!-- benchmarks:end -->\n"])
def test_readme_without_the_section_is_refused(tmp_path, missing):
    readme = tmp_path / "README.md"
    text = "# X\n<!-- benchmarks:start -->\n<!-- benchmarks:end -->\n".replace(missing, "")
    readme.write_text(text)
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--only",
            "write",
            "--json",
            str(tmp_path / "r.json"),
            "--readme",
            str(readme),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode != 0 and "has no <!-- benchmarks:start -->" in process.stderr
    assert readme.read_text() == text


def test_backend_part(tmp_path):
    results, stdout = _run(tmp_path, "--only", "backend")
    part = results["parts"]["backend"]
    for measured in [part["headline"], part["without_header_series"], *part["growth"]]:
        assert set(measured["readers"]) == {"false", "true"}  # the Python reader and RustBoard
        for reader in measured["readers"].values():
            for route in ("tags", "steps_cold", "steps_warm", "data_first", "data_repeat"):
                assert reader[route]["n"] >= 1 and reader[route]["median_ms"] > 0
            assert reader["steps_body_bytes"] > 0 and reader["data_body_bytes"] > 0
            if pathlib.Path("/proc/self/status").exists():
                assert reader["peak_rss_bytes"] > 10 << 20  # a real server process was measured
    steps = [g["plan"]["steps"] for g in part["growth"]]
    assert steps == sorted(steps) and len(steps) >= 2
    assert "### Backend targets" in stdout


def test_pane_part(tmp_path):
    from support.browser import ensure_chromium

    ensure_chromium()
    results, stdout = _run(tmp_path, "--only", "pane")
    part = results["parts"]["pane"]
    assert part["first_paint"]["from_navigation"]["n"] == part["sizes"]["first_paints"]
    for kind in ("step_change", "step_change_linked"):
        for step in ("prefetched", "cold"):
            assert part[kind][step]["latency"]["n"] >= 1
    assert part["scrub"] and all(run["inputs"] > 0 and run["painted_fps"] for run in part["scrub"])
    assert part["heap_peak"]["used"] >= part["heap_at_iframe_start"]["used"] > 0
    compare = part["compare"]
    assert compare["runs"] == part["sizes"]["compare_runs"]
    assert compare["first_paint"]["latency"]["n"] == part["sizes"]["compare_choices"]
    assert [run["over"] for run in compare["scrub"]] == ["from rest (4 loaded), then never loaded", "back over them"]
    assert all(run["inputs"] > 0 and run["painted_share"] for run in compare["scrub"])
    assert "### Pane: step change" in stdout and "### Pane: a compare card of" in stdout


def test_load_part(tmp_path):
    results, stdout = _run(tmp_path, "--only", "load")
    part = results["parts"]["load"]
    assert set(part["readers"]) == {"false", "true"}  # the Python reader and RustBoard
    for reader in part["readers"].values():
        assert reader["alive"] and reader["loaded"]["clients"] > reader["alone"]["clients"] == 1
        for run in (reader["alone"], reader["loaded"]):
            assert run["requests"] > 0 and run["errors"] == {}
            assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"]
        if pathlib.Path("/proc/self/status").exists():
            assert reader["loaded"]["peak_rss_bytes"] >= reader["rss_before"] > 10 << 20
    assert "### Load: 4 clients scrubbing /data" in stdout
