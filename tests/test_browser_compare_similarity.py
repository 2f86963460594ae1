"""Comparing runs on a similarity-matrix card in a real browser: each run's matrix
beside the card's on one cursor and colour range, their values at the cursor's
cell, their gap and R@1 beside each other, their trends overlaid, each at its
nearest step at or before the card's."""

import json
import urllib.parse

import numpy as np
import pytest

from support.browser import XSS, card, open_tab, reopen, wait_shown, wait_until
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

N = 6  # rows and columns of every matrix
TAG = "align/text_audio"
STEPS = [0, 10, 20, 30]
SPARSE_STEPS = [0, 20]  # a run logged less often: at 30 it shows 20
CELL = (4, 1)  # row, column: the cell whose value differs between runs by known amounts
CELL_OFFSET = {"run_a": 0.0, "run_b": 0.2, "run_c": -0.3}
CELL_PER_STEP = 0.005  # the cell's value moves by this much per logged step number
WEAK_ROWS = (0, 1, 2)  # run_c makes these rows' pairs their least similar entries: its R@1 falls
ORDER_ROW = 4  # the row the card is ordered by
TOLERANCE = 1e-3  # uint16 over a range below 2 quantizes to within 2e-5
ROW_LABELS = [f"caption {i}" for i in range(N)]
COLUMN_LABELS = [f"clip_{j:02d}.wav" for j in range(N)]


def matrix(run: str, step: int) -> np.ndarray:
    """Off-diagonal values distinct and below every pair, the pairs rising with the step."""
    rng = np.random.default_rng(5)
    m = rng.permutation(np.linspace(-0.4, 0.3, N * N)).reshape(N, N)
    np.fill_diagonal(m, 0.6 + 0.01 * step)
    m[CELL] += CELL_OFFSET[run] + CELL_PER_STEP * step
    if run == "run_c":
        for i in WEAK_ROWS:
            m[i, i] = -0.6
    return m.astype(np.float32)


def numpy_stats(m: np.ndarray):
    diagonal = np.diagonal(m).astype(np.float64)
    off = m[~np.eye(N, dtype=bool)].astype(np.float64)

    def recall_at_1(a):
        ahead = (a >= np.diagonal(a)[:, None]).sum(axis=1) - 1
        return float((ahead < 1).mean())

    return {
        "gap": diagonal.mean() - off.mean(),
        "recall_at_1_rows": recall_at_1(m),
        "recall_at_1_columns": recall_at_1(m.T),
    }


def write(root, run: str, steps, source: str, row_labels=ROW_LABELS):
    with spectro_summary.Writer(str(root / run)) as writer:
        for step in steps:
            spectro_summary.similarity_matrix(
                TAG,
                matrix(source, step),
                None,
                step,
                labels_a=row_labels,
                labels_b=COLUMN_LABELS,
                a_name="text",
                b_name="audio",
                precision="uint16",
                writer=writer,
            )


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_similarity")
    for run in CELL_OFFSET:
        write(root, run, STEPS, run)
    write(root, "run_sparse", SPARSE_STEPS, "run_a")
    write(root, "run_shuffled", STEPS, "run_b", row_labels=ROW_LABELS[::-1])
    write(root, XSS, STEPS, "run_a")
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def panel_of(sim, run=None):
    """The card's own matrix panel, or a compared run's."""
    selector = '.spectro-panel[data-panel="matrix"]' if run is None else f'.spectro-panel[data-run="{run}"]'
    return sim.locator(selector)


def hover(page, panel, row: int, col: int) -> None:
    """Moves the pointer to the centre of the cell shown at (row, col), row 0 at the top."""
    panel.scroll_into_view_if_needed()
    x, y, w, h = map(float, panel.get_attribute("data-plot").split(","))
    box = panel.locator("canvas.spectro-plot").bounding_box()  # the plot's origin, inside the run-colour border
    page.mouse.move(box["x"] + x + (col + 0.5) / N * w, box["y"] + y + (row + 0.5) / N * h)


def compare_with(sim, *runs):
    for run in runs:
        sim.locator(f'.spectro-compare-runs input[data-run="{run}"]').check()
    wait_until(lambda: sim.get_attribute("data-compared") == "\n".join(runs), "the compared runs")
    for run in runs:
        wait_until(lambda: panel_of(sim, run).count() == 1, f"{run}'s panel")


def run_row(sim, run):
    return sim.locator(f'.spectro-compare-row[data-run="{run}"]')


def test_compared_runs_share_the_cursor_and_list_each_runs_value_and_stats(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "run_a", TAG)
        wait_shown(sim, 30)
        assert sim.locator(".spectro-swipe").count() == 0  # nothing to swipe over on a matrix
        compare_with(sim, "run_b", "run_c")
        # A cell hovered on one run's panel is the cursor of every run's.
        hover(page, panel_of(sim, "run_c"), *CELL)
        readout = sim.locator(".spectro-sim-readout")
        wait_until(lambda: readout.get_attribute("data-row") == str(CELL[0]), "the cursor's row")
        assert readout.get_attribute("data-col") == str(CELL[1])
        for run in CELL_OFFSET:
            row = run_row(sim, run)
            wait_until(lambda: row.get_attribute("data-value") is not None, f"{run}'s value")
            assert float(row.get_attribute("data-value")) == pytest.approx(matrix(run, 30)[CELL], abs=TOLERANCE), run
            assert row.locator(".spectro-run-step").inner_text() == ""
            for name, value in numpy_stats(matrix(run, 30)).items():
                shown = row.locator(f'.spectro-run-stat[data-stat="{name}"]')
                assert float(shown.get_attribute("data-value")) == pytest.approx(value, abs=1e-6), (run, name)
        # The values the test set apart are apart: run_c's pairs are not its best matches in three rows.
        assert float(run_row(sim, "run_c").locator('[data-stat="recall_at_1_rows"]').get_attribute("data-value")) == 0.5
        # One colour range over every compared matrix: run_c's weak pairs are its lowest.
        low, high = map(float, sim.get_attribute("data-range").split(","))
        assert low == pytest.approx(min(matrix(run, 30).min() for run in CELL_OFFSET), abs=TOLERANCE)
        assert high == pytest.approx(max(matrix(run, 30).max() for run in CELL_OFFSET), abs=TOLERANCE)
        # Each run's panel is edged in its run's colour, as its checkbox's swatch.
        for run in ("run_b", "run_c"):
            swatch = sim.locator(f'.spectro-compare-runs label:has(input[data-run="{run}"]) .spectro-run-swatch')
            colour = swatch.evaluate("(s) => getComputedStyle(s).backgroundColor")
            assert panel_of(sim, run).evaluate("(p) => getComputedStyle(p).borderLeftColor") == colour
        # The trends of all three runs, overlaid.
        trend = sim.locator('.spectro-trend[data-stat="gap"]')
        wait_until(lambda: trend.get_attribute("data-lines") == "3", "three trend lines")
        # One step for all: moving the card moves every compared run, drawn in the frame that shows the step.
        sim.locator(".spectro-step-slider").fill("1")
        wait_shown(sim, 10)
        for run in ("run_b", "run_c"):
            assert panel_of(sim, run).get_attribute("data-step") == "10", run
            value = float(run_row(sim, run).get_attribute("data-value"))
            assert value == pytest.approx(matrix(run, 10)[CELL], abs=TOLERANCE), run


def test_a_sparser_run_shows_its_nearest_step_at_or_before_and_names_it(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "run_a", TAG)
        wait_shown(sim, 30)
        compare_with(sim, "run_sparse")
        row = run_row(sim, "run_sparse")
        wait_until(lambda: row.locator(".spectro-run-step").inner_text() == "step 20", "run_sparse at step 20")
        assert panel_of(sim, "run_sparse").get_attribute("data-step") == "20"
        hover(page, panel_of(sim), *CELL)
        wait_until(lambda: row.get_attribute("data-value") is not None, "run_sparse's value")
        # Its own step's value and stats, not the card's.
        assert float(row.get_attribute("data-value")) == pytest.approx(matrix("run_a", 20)[CELL], abs=TOLERANCE)
        gap = float(row.locator('[data-stat="gap"]').get_attribute("data-value"))
        assert gap == pytest.approx(numpy_stats(matrix("run_a", 20))["gap"], abs=1e-6)
        assert gap != pytest.approx(numpy_stats(matrix("run_a", 30))["gap"], abs=1e-3)
        sim.locator(".spectro-step-slider").fill("1")
        wait_shown(sim, 10)
        wait_until(lambda: row.locator(".spectro-run-step").inner_text() == "step 0", "run_sparse at step 0")


def test_the_cards_ordering_applies_to_runs_whose_labels_agree(browser, server):
    ordered = matrix("run_a", 30)
    cols = np.argsort(-ordered[ORDER_ROW], kind="stable")
    rows = np.argsort(-ordered[:, ORDER_ROW], kind="stable")
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "run_a", TAG)
        wait_shown(sim, 30)
        compare_with(sim, "run_b", "run_shuffled")
        page.mouse.click(*_cell_point(panel_of(sim), ORDER_ROW, 0))
        wait_until(lambda: sim.get_attribute("data-order-row") == str(ORDER_ROW), "the ordering")
        # run_b's labels agree: its panel is in the card's order, so a shown cell there is the card's.
        wait_until(lambda: panel_of(sim, "run_b").get_attribute("data-ordered") == "true", "run_b ordered")
        readout = sim.locator(".spectro-sim-readout")
        hover(page, panel_of(sim, "run_b"), 0, 1)
        wait_until(
            lambda: (
                (readout.get_attribute("data-row"), readout.get_attribute("data-col")) == (str(rows[0]), str(cols[1]))
            ),
            "the card's ordered cell",
        )
        row = run_row(sim, "run_b")
        wait_until(lambda: row.get_attribute("data-value") is not None, "run_b's value")
        assert float(row.get_attribute("data-value")) == pytest.approx(
            matrix("run_b", 30)[rows[0], cols[1]], abs=TOLERANCE
        )
        # run_shuffled's text labels are in another order: it keeps its own and says so on its panel.
        shuffled = panel_of(sim, "run_shuffled")
        assert shuffled.get_attribute("data-ordered") == "false"
        note = sim.locator('.spectro-sim-compare-run[data-labels="differ"] .spectro-sim-compare-note')
        assert "its text labels differ" in note.inner_text() and "own order" in note.inner_text()
        assert "its text labels differ" in run_row(sim, "run_shuffled").locator(".spectro-run-note").inner_text()
        hover(page, shuffled, 2, 3)
        wait_until(
            lambda: (readout.get_attribute("data-row"), readout.get_attribute("data-col")) == ("2", "3"),
            "the cell by index",
        )


def _cell_point(panel, row: int, col: int):
    panel.scroll_into_view_if_needed()
    x, y, w, h = map(float, panel.get_attribute("data-plot").split(","))
    box = panel.locator("canvas.spectro-plot").bounding_box()
    return box["x"] + x + (col + 0.5) / N * w, box["y"] + y + (row + 0.5) / N * h


def test_run_names_with_markup_are_text_when_compared(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "run_a", TAG)
        wait_shown(sim, 30)
        label = sim.locator(".spectro-compare-runs label", has_text=XSS)
        assert label.inner_text().strip() == XSS
        label.locator("input").check()
        row = sim.locator(".spectro-compare-row").nth(1)
        wait_until(lambda: row.get_attribute("data-run") == XSS, "the row of the run")
        assert row.locator(".spectro-run-name").inner_text() == XSS
        wait_until(lambda: sim.locator(".spectro-sim-compare-run .spectro-panel").count() == 1, "the run's panel")
        assert sim.locator(".spectro-sim-compare-run .spectro-panel").get_attribute("data-run") == XSS
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        page.wait_for_timeout(300)  # an onerror handler would have fired by now; open_tab fails on any dialog


def test_the_compared_runs_and_the_ordering_are_kept_through_a_reload(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "run_a", TAG)
        wait_shown(sim, 30)
        compare_with(sim, "run_c", "run_b")
        page.mouse.click(*_cell_point(panel_of(sim), ORDER_ROW, 0))
        wait_until(lambda: sim.get_attribute("data-order-row") == str(ORDER_ROW), "the ordering")

        # Playwright's page.url follows navigations only; the pane replaces the history entry.
        def url_with_both():
            href = page.evaluate("location.href")
            fragment = urllib.parse.parse_qs(urllib.parse.urlsplit(href).fragment)
            cards = json.loads(fragment.get("p.spectro.cards", ["[]"])[0])
            kept = any(
                c.get("compare") == ["run_c", "run_b"] and c.get("view", {}).get("orderRow") == ORDER_ROW for c in cards
            )
            return kept and href

        url = wait_until(url_with_both, "the compared runs and the ordering in the URL")
        frame = reopen(page, url)
        sim = card(frame, "run_a", TAG)
        wait_shown(sim, 30)
        wait_until(lambda: sim.get_attribute("data-compared") == "run_c\nrun_b", "the compared runs again")
        assert sim.get_attribute("data-order-row") == str(ORDER_ROW)
        wait_until(lambda: panel_of(sim, "run_b").get_attribute("data-ordered") == "true", "run_b in the card's order")
