import assert from "node:assert/strict";
import { test } from "node:test";

import type { SeriesInfo } from "../src/api/types";
import { cardFailureText, seriesErrorText } from "../src/views/card-frame";

test("cardFailureText says why a card could not be shown", () => {
  assert.equal(
    cardFailureText(new RangeError("Invalid array length")),
    "could not show this card: Invalid array length",
  );
  assert.equal(cardFailureText("broken"), "could not show this card: broken");
  assert.equal(cardFailureText(new Error("")), "could not show this card: unknown error");
});

test("seriesErrorText says why the server could not read a series, and nothing for the others", () => {
  const info: SeriesInfo = {
    kind: "unknown",
    steps: 2,
    first_step: 0,
    last_step: 1,
    max_samples: 1,
    display_name: "",
    description: "",
    series: {},
  };
  assert.equal(seriesErrorText(info), null);
  assert.equal(
    seriesErrorText({ ...info, error: "plugin data unreadable: not a Spectro message (it holds no format version)" }),
    "This series cannot be read: plugin data unreadable: not a Spectro message (it holds no format version)",
  );
  assert.equal(seriesErrorText({ ...info, error: "" }), "This series cannot be read: no reason given");
});
