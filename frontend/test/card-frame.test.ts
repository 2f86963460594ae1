import assert from "node:assert/strict";
import { test } from "node:test";

import { cardFailureText } from "../src/views/card-frame";

test("cardFailureText says why a card could not be shown", () => {
  assert.equal(
    cardFailureText(new RangeError("Invalid array length")),
    "could not show this card: Invalid array length",
  );
  assert.equal(cardFailureText("broken"), "could not show this card: broken");
  assert.equal(cardFailureText(new Error("")), "could not show this card: unknown error");
});
