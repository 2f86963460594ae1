import assert from "node:assert/strict";
import { test } from "node:test";

import { initialState } from "../src/state/app-state";
import { loadSettings, saveSettings, SETTINGS_KEY, settingsFromStored, settingsToStore } from "../src/state/settings";

test("stored settings are read defensively", async (t) => {
  await t.test("every valid choice is kept", () => {
    const stored = JSON.stringify({
      colormap: "magma",
      diffMode: "signed",
      rangeMode: "series",
      linkSteps: true,
      smoothing: 0.9,
      ignoreOutliers: true,
    });
    assert.deepEqual(settingsFromStored(stored), {
      colormap: "magma",
      diffMode: "signed",
      rangeMode: "series",
      linkSteps: true,
      smoothing: 0.9,
      ignoreOutliers: true,
    });
  });
  await t.test("invalid values are left out, one by one", () => {
    const stored = JSON.stringify({
      colormap: "no-such-map",
      diffMode: "ABS",
      rangeMode: 3,
      linkSteps: "true",
      smoothing: 1,
      ignoreOutliers: null,
      tagFilter: "mel",
      extra: 1,
    });
    assert.deepEqual(settingsFromStored(stored), {});
    assert.deepEqual(settingsFromStored(JSON.stringify({ smoothing: -0.1, colormap: "viridis" })), {
      colormap: "viridis",
    });
    assert.deepEqual(settingsFromStored(JSON.stringify({ smoothing: 0 })), { smoothing: 0 });
  });
  await t.test("nothing stored, unreadable JSON or JSON that is no object give none", () => {
    for (const text of [null, "", "{", "null", "42", '"viridis"', "[1, 2]"]) {
      assert.deepEqual(settingsFromStored(text), {}, String(text));
    }
  });
  await t.test("the tag filter is not kept; what is kept reads back", () => {
    const settings = { ...initialState().settings, tagFilter: "mel/", colormap: "inferno" as const, linkSteps: true };
    const stored = settingsToStore(settings);
    assert.equal("tagFilter" in JSON.parse(stored), false);
    const { tagFilter: _filter, ...kept } = settings;
    assert.deepEqual(settingsFromStored(stored), kept);
  });
});

test("settings go through the storage given, and a refusing storage loses only them", () => {
  const items = new Map<string, string>();
  const storage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
  saveSettings({ ...initialState().settings, diffMode: "signed" }, storage);
  assert.deepEqual(Object.keys(JSON.parse(items.get(SETTINGS_KEY)!)).sort(), [
    "colormap",
    "diffMode",
    "ignoreOutliers",
    "linkSteps",
    "rangeMode",
    "smoothing",
  ]);
  assert.equal(loadSettings(storage).diffMode, "signed");
  const refusing = {
    getItem: (): string => {
      throw new Error("SecurityError");
    },
    setItem: (): void => {
      throw new Error("QuotaExceededError");
    },
  };
  assert.deepEqual(loadSettings(refusing), {});
  saveSettings(initialState().settings, refusing); // throws nothing
  assert.deepEqual(loadSettings(null), {});
});
