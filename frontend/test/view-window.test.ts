import assert from "node:assert/strict";
import { test } from "node:test";

import { ViewWindow, type Sighting, type Watcher } from "../src/views/view-window";

/** A stand-in for a card's element: a document whose focus the test sets, and what the element contains. */
function fakeCard(document: { activeElement: unknown }, inside: unknown[] = []): Element {
  return { ownerDocument: document, contains: (node: unknown) => node !== null && inside.includes(node) } as never;
}

/** A window over a stand-in watcher: the test reports sightings itself, and counts redraws. */
function setUp(catchUpMs = 20) {
  let report: (sightings: readonly Sighting[]) => void = () => undefined;
  const observed = new Set<Element>();
  const watcher: Watcher = { observe: (e) => observed.add(e), unobserve: (e) => observed.delete(e) };
  const redraws = { count: 0 };
  const window = new ViewWindow(
    () => redraws.count++,
    (r) => {
      report = r;
      return watcher;
    },
    catchUpMs,
  );
  const sight = (target: Element, isIntersecting: boolean) => report([{ target, isIntersecting }]);
  return { window, sight, redraws, observed };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a card draws while near the view, until it has drawn once, or while it holds the focus", () => {
  const document = { activeElement: null as unknown };
  const slider = {};
  const { window, sight } = setUp();
  const card = fakeCard(document, [slider]);
  window.placed(card);
  assert.equal(window.due(card, true), true, "not reported yet: near");
  sight(card, false);
  assert.equal(window.due(card, true), false, "far, and drawn before");
  assert.equal(window.due(card, false), true, "far, but nothing drawn yet: a tab opens with every card drawn");
  document.activeElement = slider;
  assert.equal(window.due(card, true), true, "far, but its slider has the focus");
  document.activeElement = null;
  sight(card, true);
  assert.equal(window.due(card, true), true, "near again");
  window.settle();
});

test("a card left undrawn asks for a redraw when it comes near; one with nothing left does not", () => {
  const document = { activeElement: null };
  const { window, sight, redraws } = setUp();
  const stale = fakeCard(document);
  const current = fakeCard(document);
  for (const card of [stale, current]) {
    window.placed(card);
    sight(card, false);
  }
  assert.equal(window.due(stale, true), false);
  sight(current, true);
  assert.equal(redraws.count, 0);
  sight(stale, true);
  assert.equal(redraws.count, 1);
  assert.equal(window.due(stale, true), true);
  window.settle();
});

test("the cards out of view catch up once renders have left none undrawn for the catch-up time", async () => {
  const document = { activeElement: null };
  const { window, sight, redraws } = setUp(30);
  const card = fakeCard(document);
  window.placed(card);
  sight(card, false);
  assert.equal(window.due(card, true), false);
  window.settle();
  await wait(15);
  // Another render that leaves it undrawn (a scrub goes on) puts the catch-up off.
  assert.equal(window.due(card, true), false);
  window.settle();
  await wait(20);
  assert.equal(redraws.count, 0, "put off by the second render");
  await wait(40);
  assert.equal(redraws.count, 1);
  assert.equal(window.due(card, true), true, "the catch-up render draws it");
  window.settle();
  assert.equal(window.due(card, true), false, "and the render after it leaves it again");
  window.forget(card);
  window.settle();
  await wait(60);
  assert.equal(redraws.count, 1, "a card taken off the page is not caught up");
});

test("a card placed again is near until the watcher reports it, and is watched again", () => {
  const document = { activeElement: null };
  const { window, sight, observed } = setUp();
  const card = fakeCard(document);
  window.placed(card);
  assert.ok(observed.has(card));
  sight(card, false);
  window.forget(card);
  assert.ok(!observed.has(card));
  window.placed(card);
  assert.ok(observed.has(card));
  assert.equal(window.due(card, true), true);
  window.settle();
});

test("without a watcher (no IntersectionObserver) every card draws", () => {
  const window = new ViewWindow(
    () => undefined,
    () => null,
  );
  const card = fakeCard({ activeElement: null });
  window.placed(card);
  assert.equal(window.due(card, true), true);
  window.settle();
});
