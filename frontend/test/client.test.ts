import assert from "node:assert/strict";
import { test } from "node:test";

import { httpErrorMessage } from "../src/api/client";

test("a failed request says what the server said, else the request and its status", () => {
  const detail =
    "Not found: Step 0 of Spectro tag 'n' in run 'a\tb': RustBoard (--load_fast=true) cannot read this data: ...";
  assert.equal(httpErrorMessage("data?run=a%09b&tag=n&step=0&sample=0", 404, `${detail}\n`), detail);
  assert.equal(httpErrorMessage("tags", 502, "  "), "GET tags answered 502");
});
