"""The similarity-matrix card in a real browser: Debian's Chromium, driven by
Playwright, against the real `tensorboard` serving event files written by
`spectro_summary.similarity_matrix`."""

import json
import urllib.parse

import numpy as np
import pytest

from support.browser import XSS, card, lut_rgb, open_tab, wait_until
from support.server import fetch, tensorboard
from tb_plugin_spectro import summary as spectro_summary

N = 8  # rows and columns of the known matrix
STEPS = 5  # steps of the known series; the last one holds KNOWN
ORDER_ROW = 2  # the row whose pair ranks third: its columns 5 and 6 come first
KNOWN_ROW, KNOWN_COL = 4, 1  # the cell the readout test hovers
XSS_ROW, XSS_COL = 3, 7  # cells whose label is markup
BIG = 1024  # rows and columns of the large matrix
LABEL_CHARS = 300
BIG_STEPS = 3  # the card opens at the last and prefetches its neighbour, so step 0 is loaded only when asked for


def known_matrix() -> np.ndarray:
    """8 × 8, distinct values spaced wider than a quantization step; every row's
    pair is its largest entry, except ORDER_ROW, which ranks columns 5, 6 and then itself."""
    rng = np.random.default_rng(7)
    matrix = rng.permutation(np.linspace(-0.9, 0.9, N * N)).reshape(N, N).astype(np.float32)
    for i in range(N):
        row = matrix[i]
        if i == ORDER_ROW:
            ranked = np.sort(row)[::-1]
            others = [j for j in range(N) if j not in (5, 6, i)]
            row[[5, 6, i]] = ranked[:3]
            row[others] = ranked[3:]
        else:
            top = int(np.argmax(row))
            row[i], row[top] = row[top], row[i]
    return matrix


def early_matrix(step: int) -> np.ndarray:
    rng = np.random.default_rng(100 + step)
    return rng.uniform(-0.5, 0.5, (N, N)).astype(np.float32)


def no_diagonal_matrix() -> np.ndarray:
    """Every pair is the least similar entry of its row."""
    rng = np.random.default_rng(3)
    matrix = rng.uniform(0.0, 0.8, (N, N)).astype(np.float32)
    np.fill_diagonal(matrix, -0.2)
    return matrix


ROW_LABELS = [f"caption {i}: a person says number {i}" for i in range(N)]
ROW_LABELS[XSS_ROW] = XSS
COLUMN_LABELS = [f"audio_{j:03d}.wav" for j in range(N)]
COLUMN_LABELS[XSS_COL] = XSS


def big_label(kind: str, i: int) -> str:
    head = f"{kind} {i:04d} "
    return (head + "the quick brown fox jumps over the lazy dog " * 10)[: LABEL_CHARS - 4] + " end"


def big_embeddings():
    rng = np.random.default_rng(11)
    text = rng.normal(size=(BIG, 32)).astype(np.float32)
    audio = (text + rng.normal(0, 1.0, text.shape)).astype(np.float32)
    return text, audio


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("similarity")
    with spectro_summary.Writer(str(root / "align")) as writer:
        for step in range(STEPS):
            matrix = known_matrix() if step == STEPS - 1 else early_matrix(step)
            spectro_summary.similarity_matrix(
                "sim/known",
                matrix,
                None,
                step * 10,
                labels_a=ROW_LABELS,
                labels_b=COLUMN_LABELS,
                a_name="text",
                b_name="audio",
                writer=writer,
            )
        spectro_summary.similarity_matrix(
            "sim/none", no_diagonal_matrix(), None, 0, a_name="text", b_name="audio", writer=writer
        )
        text, audio = big_embeddings()
        for step in range(BIG_STEPS):
            spectro_summary.similarity_matrix(
                "sim/big",
                text,
                audio if step else text[::-1],
                step,
                labels_a=[big_label("text", i) for i in range(BIG)],
                labels_b=[big_label("audio", j) for j in range(BIG)],
                a_name="text",
                b_name="audio",
                writer=writer,
            )
    return root


@pytest.fixture(scope="module")
def server(logdir):
    with tensorboard(logdir, "false") as base:
        yield base


def wait_shown(locator, step: int) -> None:
    wait_until(lambda: locator.get_attribute("data-shown-step") == str(step), f"step {step} to be shown")


def shown_cell_point(locator, position_row: float, position_col: float):
    """Page coordinates of a shown cell's centre (row 0 at the top), from the panel's plot rectangle."""
    box_locator = locator.locator(".spectro-panel")
    box_locator.scroll_into_view_if_needed()
    rows = int(locator.get_attribute("data-rows"))
    cols = int(locator.get_attribute("data-cols"))
    x, y, w, h = map(float, box_locator.get_attribute("data-plot").split(","))
    box = box_locator.bounding_box()
    return box["x"] + x + (position_col + 0.5) / cols * w, box["y"] + y + (position_row + 0.5) / rows * h


def hover_shown(page, locator, position_row: int, position_col: int):
    page.mouse.move(*shown_cell_point(locator, position_row, position_col))
    readout = locator.locator(".spectro-sim-readout")
    wait_until(lambda: readout.get_attribute("data-row") is not None, "the readout")
    return readout


def plot_pixel(locator, x_css: float, y_css: float):
    """The RGB of the plot canvas at panel coordinates (CSS pixels)."""
    return locator.evaluate(
        """(card, [x, y]) => {
          const canvas = card.querySelector(".spectro-panel canvas.spectro-plot");
          const ratio = canvas.width / canvas.getBoundingClientRect().width;
          return Array.from(canvas.getContext("2d").getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data.slice(0, 3));
        }""",
        [x_css, y_css],
    )


def cell_pixels(locator, position_row: int, position_col: int):
    """The colour at a shown cell's centre, and just inside its left edge (where an outline runs)."""
    rows = int(locator.get_attribute("data-rows"))
    cols = int(locator.get_attribute("data-cols"))
    x, y, w, h = map(float, locator.locator(".spectro-panel").get_attribute("data-plot").split(","))
    left = x + position_col / cols * w
    middle = y + (position_row + 0.5) / rows * h
    return plot_pixel(locator, left + w / cols / 2, middle), plot_pixel(locator, left + 1.2, middle)


def quantization_step(base: str, tag: str, step: int) -> float:
    url = base + "/data/plugin/spectro/data?" + urllib.parse.urlencode({"run": "align", "tag": tag, "step": step})
    body = fetch(url)[1]
    return json.loads(body[8 : 8 + int.from_bytes(body[4:8], "little")])["arrays"][0]["scale"]


def numpy_stats(matrix: np.ndarray):
    n = matrix.shape[0]
    diagonal = np.diagonal(matrix).astype(np.float64)
    off = matrix[~np.eye(n, dtype=bool)].astype(np.float64)

    def recall(m, k):
        own = np.diagonal(m)
        ahead = (m >= own[:, None]).sum(axis=1) - 1
        return float((ahead < k).mean())

    return {
        "diagonal_mean": diagonal.mean(),
        "off_diagonal_mean": off.mean(),
        "gap": diagonal.mean() - off.mean(),
        "recall_at_1_rows": recall(matrix, 1),
        "recall_at_5_rows": recall(matrix, 5),
        "recall_at_1_columns": recall(matrix.T, 1),
        "recall_at_5_columns": recall(matrix.T, 5),
    }


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_the_card_paints_the_matrix_as_a_heatmap(browser, logdir, load_fast):
    with tensorboard(logdir, load_fast) as base, open_tab(browser, base) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        assert sim.get_attribute("data-rows") == str(N) and sim.get_attribute("data-cols") == str(N)
        centres = {tuple(cell_pixels(sim, i, j)[0]) for i in range(0, N, 3) for j in range(0, N, 3)}
        assert len(centres) > 4, f"the heatmap is flat: {centres}"
        # Sequential viridis over the step's range: the largest entry is the map's top colour.
        top = np.unravel_index(np.argmax(known_matrix()), (N, N))
        assert cell_pixels(sim, *top)[0] == lut_rgb("viridis", 255)


def test_hovering_a_cell_shows_its_labels_and_value(browser, server):
    tolerance = quantization_step(server, "sim/known", (STEPS - 1) * 10) / 2 + 1e-6
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        readout = hover_shown(page, sim, KNOWN_ROW, KNOWN_COL)
        wait_until(lambda: readout.get_attribute("data-row") == str(KNOWN_ROW), "the known row")
        assert readout.get_attribute("data-col") == str(KNOWN_COL)
        assert abs(float(readout.get_attribute("data-value")) - known_matrix()[KNOWN_ROW, KNOWN_COL]) <= tolerance
        assert sim.locator(".spectro-sim-row-label .spectro-sim-text").inner_text() == ROW_LABELS[KNOWN_ROW]
        assert sim.locator(".spectro-sim-col-label .spectro-sim-text").inner_text() == COLUMN_LABELS[KNOWN_COL]
        cell = sim.locator(".spectro-sim-cell").inner_text()
        assert f"text {KNOWN_ROW} × audio {KNOWN_COL}" in cell and "similarity " in cell


def test_the_stats_match_numpy_and_the_verdict_compares_with_chance(browser, server):
    expected = numpy_stats(known_matrix())
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        for name, value in expected.items():
            shown = sim.locator(f'.spectro-sim-stat-value[data-stat="{name}"]')
            assert float(shown.get_attribute("data-value")) == pytest.approx(value, abs=1e-6), name
            assert abs(float(shown.inner_text()) - value) <= 5e-4 + 1e-9, name
        verdict = sim.locator(".spectro-sim-verdict")
        assert verdict.get_attribute("data-level") == "clear"
        assert "chance 0.125" in verdict.inner_text()
        # A matrix whose pairs are the least similar entries says so.
        none = card(frame, "align", "sim/none")
        wait_shown(none, 0)
        assert none.locator(".spectro-sim-verdict").get_attribute("data-level") == "none"
        assert none.locator(".spectro-sim-verdict").inner_text().startswith("no diagonal")
        assert float(none.locator('.spectro-sim-stat-value[data-stat="gap"]').get_attribute("data-value")) < 0


def test_the_diagonal_is_outlined(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        for i in range(N):
            centre, edge = cell_pixels(sim, i, i)
            assert edge != centre, f"cell ({i}, {i}) is not outlined"
            centre, edge = cell_pixels(sim, i, (i + 1) % N)
            assert edge == centre, f"cell ({i}, {(i + 1) % N}) is outlined"
        sim.locator(".spectro-sim-outline").uncheck()
        wait_until(lambda: len(set(map(tuple, cell_pixels(sim, 0, 0)))) == 1, "the outline to go")


def test_ordering_by_a_row_puts_its_most_similar_column_first(browser, server):
    matrix = known_matrix()
    column_order = np.argsort(-matrix[ORDER_ROW], kind="stable")
    row_order = np.argsort(-matrix[:, ORDER_ROW], kind="stable")
    assert column_order[0] == 5 and list(column_order).index(ORDER_ROW) == 2
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        page.mouse.click(*shown_cell_point(sim, ORDER_ROW, 0))  # a click orders by the row clicked
        wait_until(lambda: sim.get_attribute("data-order-row") == str(ORDER_ROW), "the ordering")
        shown_row = list(row_order).index(ORDER_ROW)
        readout = hover_shown(page, sim, shown_row, 0)
        wait_until(lambda: readout.get_attribute("data-row") == str(ORDER_ROW), "the ordered row")
        assert readout.get_attribute("data-col") == str(column_order[0])
        assert float(readout.get_attribute("data-value")) == pytest.approx(matrix[ORDER_ROW].max(), abs=0.01)
        # The outline follows the pairs: (i, i) of the matrix is outlined where it is shown now.
        for i in range(N):
            centre, edge = cell_pixels(sim, list(row_order).index(i), list(column_order).index(i))
            assert edge != centre, f"pair {i} is not outlined where it is shown"
        centre, edge = cell_pixels(sim, shown_row, 0)
        assert edge == centre, "the ordering row's best column (not its pair) is outlined"
        sim.locator(".spectro-sim-order-reset").click()
        wait_until(lambda: sim.get_attribute("data-order-row") == "", "the original order")
        readout = hover_shown(page, sim, 1, 0)
        wait_until(
            lambda: readout.get_attribute("data-row") == "1" and readout.get_attribute("data-col") == "0",
            "the original cell",
        )


def test_a_fixed_range_and_the_diverging_map(browser, server):
    matrix = known_matrix()
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        sim.locator(".spectro-sim-map").select_option("diverging")
        sim.locator(".spectro-sim-range").select_option("fixed")
        sim.locator(".spectro-sim-range-min").fill("-0.1")
        sim.locator(".spectro-sim-range-min").press("Enter")
        sim.locator(".spectro-sim-range-max").fill("0.1")
        sim.locator(".spectro-sim-range-max").press("Enter")
        wait_until(lambda: sim.get_attribute("data-range") == "-0.1,0.1", "the fixed range")
        assert sim.get_attribute("data-colormap") == "RdBu_r"
        high = np.unravel_index(np.argmax(matrix), (N, N))
        low = np.unravel_index(np.argmin(matrix), (N, N))
        assert cell_pixels(sim, *high)[0] == lut_rgb("RdBu_r", 255)
        assert cell_pixels(sim, *low)[0] == lut_rgb("RdBu_r", 0)


def test_the_trend_jumps_to_a_step_when_clicked(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        trend = sim.locator('.spectro-trend[data-stat="gap"]')
        trend.scroll_into_view_if_needed()
        box = trend.bounding_box()
        page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
        wait_shown(sim, 0)
        assert sim.locator(".spectro-step-label").inner_text().startswith("step 0 ")
        sim.focus()
        page.keyboard.press("ArrowRight")
        wait_shown(sim, 10)


def test_labels_from_logs_are_shown_as_text(browser, server):
    with open_tab(browser, server) as (page, frame):
        sim = card(frame, "align", "sim/known")
        wait_shown(sim, (STEPS - 1) * 10)
        readout = hover_shown(page, sim, XSS_ROW, XSS_COL)
        wait_until(
            lambda: (
                readout.get_attribute("data-row") == str(XSS_ROW) and readout.get_attribute("data-col") == str(XSS_COL)
            ),
            "the markup cell",
        )
        assert sim.locator(".spectro-sim-row-label .spectro-sim-text").inner_text() == XSS
        assert sim.locator(".spectro-sim-col-label .spectro-sim-text").inner_text() == XSS
        sim.locator(".spectro-sim-order-row").fill(str(XSS_ROW))
        sim.locator(".spectro-sim-order-row").press("Enter")
        wait_until(lambda: sim.get_attribute("data-order-row") == str(XSS_ROW), "the ordering")
        assert sim.locator(".spectro-sim-order-label").inner_text() == XSS
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        page.wait_for_timeout(500)  # an onerror handler would have fired by now; open_tab fails on any dialog


def test_a_1024_matrix_with_long_labels(browser, server):
    text, audio = big_embeddings()
    with open_tab(browser, server) as (page, frame):
        big = card(frame, "align", "sim/big")
        wait_shown(big, BIG_STEPS - 1)
        assert big.get_attribute("data-rows") == str(BIG)
        centres = {tuple(cell_pixels(big, i, j)[0]) for i in (10, 500, 900) for j in (20, 600, 1000)}
        assert len(centres) > 3, f"the heatmap is flat: {centres}"

        # Hover a cell: whole 300-character labels in the wrapping readout.
        readout = hover_shown(page, big, 700, 300)
        row = int(readout.get_attribute("data-row"))
        col = int(readout.get_attribute("data-col"))
        assert abs(row - 700) <= 1 and abs(col - 300) <= 1
        row_text = big.locator(".spectro-sim-row-label .spectro-sim-text").inner_text()
        assert row_text == big_label("text", row) and len(row_text) == LABEL_CHARS
        assert big.locator(".spectro-sim-col-label .spectro-sim-text").inner_text() == big_label("audio", col)
        # Elsewhere a label is elided: the ordering row's label beside its number.
        big.locator(".spectro-sim-order-row").fill(str(row))
        big.locator(".spectro-sim-order-row").press("Enter")
        wait_until(lambda: big.get_attribute("data-order-row") == str(row), "the ordering")
        elided = big.locator(".spectro-sim-order-label").inner_text()
        assert len(elided) < LABEL_CHARS and elided.endswith("…") and big_label("text", row).startswith(elided[:-1])

        # Hovering redraws the overlay only: no image painted, no element added, no list rebuilt.
        calls = big.evaluate(
            """async (card) => {
              const overlay = card.querySelector(".spectro-overlay");
              const bounds = overlay.getBoundingClientRect();
              const [x, y, w, h] = card.querySelector(".spectro-panel").dataset.plot.split(",").map(Number);
              const proto = CanvasRenderingContext2D.prototype;
              const counts = { putImageData: 0, drawImage: 0, added: 0, frames: [] };
              const put = proto.putImageData, draw = proto.drawImage;
              proto.putImageData = function (...args) { counts.putImageData++; return put.apply(this, args); };
              proto.drawImage = function (...args) { counts.drawImage++; return draw.apply(this, args); };
              const observer = new MutationObserver((records) => {
                for (const r of records) for (const node of r.addedNodes) if (node.nodeType === 1) counts.added++;
              });
              observer.observe(card, { childList: true, subtree: true });
              // Work of the frame that shows a move: a callback queued before the move runs first in that
              // frame, the pane's render next, a callback queued after the move last.
              const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
              for (let k = 0; k < 40; k++) {
                await frame();
                const before = frame();
                overlay.dispatchEvent(new PointerEvent("pointermove", {
                  bubbles: true, clientX: bounds.left + x + ((k * 37) % 100) / 100 * w, clientY: bounds.top + y + ((k * 53) % 100) / 100 * h,
                }));
                const after = frame();
                counts.frames.push((await after) - (await before));
              }
              observer.disconnect();
              proto.putImageData = put;
              proto.drawImage = draw;
              return counts;
            }"""
        )
        assert calls["putImageData"] == 0 and calls["drawImage"] == 0, calls
        assert calls["added"] == 0, calls
        print(
            f"\n1024² hover: {len(calls['frames'])} moves, render work per frame mean {np.mean(calls['frames']):.2f} ms, "
            f"max {np.max(calls['frames']):.2f} ms"
        )

        # The painting of a new image alone (map change) and a step change (fetch, decode, paint), measured once.
        paint_ms = big.evaluate(
            """async (card) => {
              const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
              await frame();
              const before = frame();
              const select = card.querySelector(".spectro-sim-map");
              select.value = "diverging";
              select.dispatchEvent(new Event("change"));
              const after = frame();
              const ms = (await after) - (await before);
              return card.dataset.colormap === "RdBu_r" ? ms : null;
            }"""
        )
        assert paint_ms is not None
        step_ms = big.evaluate(
            """async (card) => {
              const start = performance.now();
              const slider = card.querySelector(".spectro-step-slider");
              slider.value = "0";
              slider.dispatchEvent(new Event("input"));
              while (card.dataset.shownStep !== "0") await new Promise((r) => requestAnimationFrame(r));
              return performance.now() - start;
            }"""
        )
        print(f"1024² repaint on a map change: {paint_ms:.1f} ms; step change with fetch and decode: {step_ms:.1f} ms")
