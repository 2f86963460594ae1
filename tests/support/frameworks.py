"""What the framework callbacks' tests share: the steps in event files, and what the real `tensorboard` serves."""

import glob
import os
from typing import Dict, List, Tuple
from urllib.parse import urlencode

from tensorboard.backend.event_processing import event_file_loader

from support.server import fetch_json, tensorboard, wait_for

Steps = Dict[Tuple[str, str], List[int]]  # (run, tag) -> the steps written, in order


def written_steps(logdir) -> Steps:
    """Every (run, tag) of the event files under `logdir` with the steps written, scalars and Spectro alike."""
    steps: Steps = {}
    for path in sorted(glob.glob(os.path.join(str(logdir), "**", "*tfevents*"), recursive=True)):
        run = os.path.relpath(os.path.dirname(path), str(logdir)).replace(os.sep, "/")
        for event in event_file_loader.EventFileLoader(path).Load():
            for value in event.summary.value:
                steps.setdefault((run, value.tag), []).append(event.step)
    return steps


def served(logdir, load_fast: str, series: Dict[Tuple[str, str], List[int]], lowest: Tuple[str, str]):
    """Starts the real `tensorboard` on `logdir`; waits until it lists each Spectro series of `series` with its steps.

    Returns the steps /steps lists for each series, and the /lowest answer
    for `lowest` (run, scalar tag) once its markers are read.
    """
    with tensorboard(logdir, load_fast) as base:
        prefix = base + "/data/plugin/spectro"

        def listed():
            tags = fetch_json(prefix + "/tags")
            return all(
                tags.get(run, {}).get(tag, {}).get("steps") == len(steps) for (run, tag), steps in series.items()
            )

        wait_for(listed, 90, f"every series listed with --load_fast={load_fast}")
        steps = {
            key: [
                entry["step"]
                for entry in fetch_json(prefix + "/steps?" + urlencode(dict(run=key[0], tag=key[1])))["steps"]
            ]
            for key in series
        }
        url = prefix + "/lowest?" + urlencode(dict(run=lowest[0], tag=lowest[1]))
        answer = wait_for(lambda: (a := fetch_json(url)) and a["markers"] and a, 90, "the lowest-point markers")
        return steps, answer
