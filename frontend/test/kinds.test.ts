import assert from "node:assert/strict";
import { test } from "node:test";

import type { SeriesInfo } from "../src/api/types";
import { applyTags, cardKey, initialState, openingStepKey, visibleCards } from "../src/state/app-state";
import { FALLBACK_KIND, isKnownKind, kindFacts, KINDS } from "../src/state/kinds";
import { FALLBACK_VIEW, KIND_VIEWS, kindStyles, kindView } from "../src/views/kind-views";

function series(kind: string, lastStep: number | null = 4): SeriesInfo {
  return {
    kind,
    steps: 5,
    first_step: 0,
    last_step: lastStep,
    max_samples: 1,
    display_name: "",
    description: "",
    series: {},
  };
}

test("each kind is one record, in the order of its group", async (t) => {
  await t.test("the kinds, their titles and which show arrays", () => {
    assert.deepEqual(
      KINDS.map((kind) => [kind.name, kind.title, kind.hasArrays, kind.cards]),
      [
        ["mel_comparison", "Mel comparisons", true, "series"],
        ["spectrogram", "Spectrograms", true, "series"],
        ["alignment", "Alignments", true, "series"],
        ["noise_pair", "Noise pairs", true, "series"],
        ["similarity_matrix", "Similarity matrices", true, "series"],
        ["lowest_point", "Lowest points", false, "scalars"],
      ],
    );
  });
  await t.test("every known kind has its view; a kind with a card per series makes one", () => {
    for (const kind of KINDS) {
      assert.equal(kindFacts(kind.name), kind);
      assert.equal(kindView(kind.name), KIND_VIEWS[kind.name]);
      assert.equal(KIND_VIEWS[kind.name].createCard !== null, kind.cards === "series", kind.name);
    }
  });
  await t.test("styles come once each, the fallback's last", () => {
    const styles = kindStyles();
    assert.equal(new Set(styles).size, styles.length);
    assert.equal(styles[styles.length - 1], FALLBACK_VIEW.styles[0]);
    for (const kind of KINDS) for (const rules of KIND_VIEWS[kind.name].styles) assert.ok(styles.includes(rules));
  });
});

test("a kind this pane does not know gets the fallback record", async (t) => {
  await t.test("the server's 'unknown' and a newer server's name alike", () => {
    for (const name of ["unknown", "pitch_contour", "", "__proto__", "toString"]) {
      assert.equal(isKnownKind(name), false, name);
      assert.equal(kindFacts(name), FALLBACK_KIND, name);
      assert.equal(kindView(name), FALLBACK_VIEW, name);
    }
    assert.equal(FALLBACK_KIND.hasArrays, false, "no /data request for arrays the pane cannot read");
    assert.equal(FALLBACK_KIND.cards, "series");
    assert.notEqual(FALLBACK_VIEW.createCard, null);
  });
  await t.test("its cards follow the known kinds' groups, and ask for no arrays", () => {
    const state = initialState();
    applyTags(state, {
      run: {
        "mel/a": series("mel_comparison"),
        "new/b": series("pitch_contour"),
        "new/a": series("unknown"),
        low: series("lowest_point"),
      },
    });
    const groups = visibleCards(state);
    assert.deepEqual(
      [...groups.keys()],
      [
        "mel_comparison",
        "spectrogram",
        "alignment",
        "noise_pair",
        "similarity_matrix",
        "lowest_point",
        FALLBACK_KIND.name,
      ],
    );
    assert.deepEqual(
      groups.get(FALLBACK_KIND.name)!.map((card) => card.tag),
      ["new/a", "new/b"],
    );
    assert.equal(openingStepKey(state.cards.get(cardKey("run", "new/a"))!), null);
    assert.notEqual(openingStepKey(state.cards.get(cardKey("run", "mel/a"))!), null);
  });
  await t.test("the tag filter applies to them too; without any there is no fallback group", () => {
    const state = initialState();
    applyTags(state, { run: { "mel/a": series("mel_comparison"), "new/a": series("unknown") } });
    state.settings.tagFilter = "^mel";
    assert.equal(visibleCards(state).get(FALLBACK_KIND.name), undefined);
  });
});
