"""Cards out of view, in a real browser: linked steps draw the cards in view at
once, and the others when the page is quiet or when they come near the view."""

import pytest

from support.browser import card, known_mel, open_tab, wait_shown
from support.server import tensorboard
from tb_plugin_spectro import summary as spectro_summary

pytest.importorskip("playwright", reason="playwright is in the test extras: pip install -e '.[test]'")

CARDS = 8  # two to a row: the last rows are well below a 1000-pixel viewport
STEPS = 12
CATCH_UP_MS = 300  # CATCH_UP_MS in frontend/src/views/view-window.ts

# When a card's data-shown-step changes, by performance.now(): a log in the page.
LOG_SHOWN_STEPS_JS = """(cards) => {
  window.shownLog = [];
  for (const el of cards) new MutationObserver(() => window.shownLog.push([el.dataset.tag, Number(el.dataset.shownStep), performance.now()]))
    .observe(el, {attributes: true, attributeFilter: ["data-shown-step"]});
}"""


def tag(index: int) -> str:
    return f"mel/{index}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("out_of_view")
    with spectro_summary.Writer(str(root / "tts")) as writer:
        for step in range(STEPS):
            target, predicted = known_mel(step)
            for index in range(CARDS):
                spectro_summary.mel_comparison(tag(index), target, predicted, step, writer=writer)
    with tensorboard(root, "false") as base:
        yield base


def below_view(locator) -> float:
    """How far the card's top is below the bottom of the iframe's viewport, in CSS pixels."""
    return locator.evaluate("el => el.getBoundingClientRect().top - innerHeight")


def test_linked_steps_draw_the_cards_in_view_first_and_the_rest_when_quiet_or_near(browser, server):
    with open_tab(browser, server) as (page, frame):
        cards = [card(frame, "tts", tag(i)) for i in range(CARDS)]
        for c in cards:  # the tab opens with every card drawn, out of view too
            wait_shown(c, STEPS - 1)
        first, last = cards[0], cards[-1]
        assert below_view(last) > 400, "the last card should be far below the view"
        frame.evaluate(LOG_SHOWN_STEPS_JS, [c.element_handle() for c in (first, last)])
        frame.check(".spectro-link-steps")
        first.locator(".spectro-step-slider").fill("3")
        wait_shown(first, 3)
        wait_shown(last, 3)  # without scrolling: the page went quiet
        log = frame.evaluate("window.shownLog")
        shown_at = {t: ms for t, step, ms in log if step == 3}
        # The card in view drew in its frame; the one out of view after the catch-up time, not with it.
        assert shown_at[tag(CARDS - 1)] - shown_at[tag(0)] >= CATCH_UP_MS / 2, log
        assert below_view(last) > 400, "the last card was drawn without coming into view"

        # Scrolled into view, a card shows the linked step; so does every card.
        first.locator(".spectro-step-slider").fill("7")
        last.scroll_into_view_if_needed()
        for c in cards:
            wait_shown(c, 7)
