"""Runs Spectro's benchmarks, prints their tables and writes a JSON of the results.

    python -m benchmarks                  # everything, a few minutes on 2 cores
    python -m benchmarks --quick          # tiny sizes: checks that each part runs
    python -m benchmarks --only write,backend,load
    python -m benchmarks --readme README.md   # also puts the tables in the README

Each part is a module with `run(quick) -> dict` (JSON-able results) and
`report(results) -> str` (Markdown tables of figures and ratios).
"""

import argparse
import importlib
import json
import os
import platform
import sys
import time
from typing import Dict

import numpy as np

from benchmarks import common

PARTS = ("write", "backend", "pane", "load")
_README_START = "<!-- benchmarks:start -->"
_README_END = "<!-- benchmarks:end -->"


def _machine() -> dict:
    import tensorboard

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": common.cpu_count(),
        "numpy": np.__version__,
        "tensorboard": tensorboard.__version__,
    }


def _readme_section(path: str):
    """The README's text and where its benchmarks section starts and ends."""
    with open(path, encoding="utf-8") as f:
        readme = f.read()
    start, end = readme.find(_README_START), readme.find(_README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{path} has no {_README_START} … {_README_END} section to fill")
    return readme, start, end


def _block(name: str, text: str) -> str:
    return f"<!-- bench:{name} -->\n{text.rstrip()}\n<!-- /bench:{name} -->\n"


def _update_readme(path: str, header: str, sections: Dict[str, str]) -> None:
    """Puts `header` and the tables of the parts that ran in the README's section.

    Each part's tables sit between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`,
    so a run of some parts (`--only`) keeps the tables of the others.
    """
    readme, start, end = _readme_section(path)
    body = readme[start + len(_README_START) : end]
    first_block = body.find("<!-- bench:")
    blocks = body[first_block:] if first_block >= 0 else ""
    for name, text in sections.items():
        opening, closing = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
        at, stop = blocks.find(opening), blocks.find(closing)
        if at >= 0 and stop > at:
            rest = blocks[stop + len(closing) :].lstrip("\n")
            blocks = blocks[:at] + _block(name, text) + ("\n" + rest if rest else "")
        else:
            blocks = blocks.rstrip("\n") + ("\n\n" if blocks.strip() else "") + _block(name, text)
    blocks = blocks.rstrip("\n") + "\n"
    readme = readme[: start + len(_README_START)] + "\n" + header + "\n" + blocks + readme[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(readme)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats: a smoke run")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--json", default=os.path.join("build", "benchmarks.json"), help="where to write the results")
    parser.add_argument("--readme", help="a README whose benchmarks section gets the tables")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")

    if args.readme:
        _readme_section(args.readme)  # before minutes of measuring, not after
    results = {"machine": _machine(), "quick": args.quick, "parts": {}}
    sections: Dict[str, str] = {}
    for name in parts:
        module = importlib.import_module(f"benchmarks.{name}")
        start = time.monotonic()
        print(f"[{name}] running…", file=sys.stderr, flush=True)
        part = module.run(quick=args.quick)
        part["seconds"] = round(time.monotonic() - start, 1)
        results["parts"][name] = part
        section = module.report(part)
        sections[name] = section
        print(section, flush=True)
        print(f"[{name}] done in {part['seconds']} s", file=sys.stderr, flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    print(f"results written to {args.json}", file=sys.stderr)
    if args.readme:
        machine = results["machine"]
        header = (
            f"Measured with `python -m benchmarks` on {machine['cpus']} CPUs, Python {machine['python']}, "
            f"TensorBoard {machine['tensorboard']}.\n"
        )
        _update_readme(args.readme, header, sections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
