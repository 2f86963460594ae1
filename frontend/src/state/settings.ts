// The toolbar's choices, kept in the browser's localStorage between visits.
// Stored JSON is read defensively: another version of the pane, or a hand,
// may have written anything there.

import { isColormapName } from "../colormaps";
import type { Settings } from "./app-state";

export const SETTINGS_KEY = "spectro.settings"; // localStorage key of the toolbar's choices

/** The valid choices in stored JSON; anything else is left out, and unreadable JSON gives none. */
export function settingsFromStored(text: string | null): Partial<Settings> {
  let stored: Partial<Record<keyof Settings, unknown>>;
  try {
    const parsed: unknown = JSON.parse(text ?? "{}");
    if (typeof parsed !== "object" || parsed === null) return {};
    stored = parsed;
  } catch {
    return {};
  }
  const settings: Partial<Settings> = {};
  if (typeof stored.colormap === "string" && isColormapName(stored.colormap)) settings.colormap = stored.colormap;
  if (stored.diffMode === "abs" || stored.diffMode === "signed") settings.diffMode = stored.diffMode;
  if (stored.rangeMode === "step" || stored.rangeMode === "series") settings.rangeMode = stored.rangeMode;
  if (typeof stored.linkSteps === "boolean") settings.linkSteps = stored.linkSteps;
  if (typeof stored.smoothing === "number" && stored.smoothing >= 0 && stored.smoothing < 1)
    settings.smoothing = stored.smoothing;
  if (typeof stored.ignoreOutliers === "boolean") settings.ignoreOutliers = stored.ignoreOutliers;
  return settings;
}

/** The JSON kept of `settings`: every choice but the tag filter, which lasts for the page. */
export function settingsToStore(settings: Settings): string {
  const { tagFilter: _filter, ...kept } = settings;
  return JSON.stringify(kept);
}

/** The page's localStorage; null where storage is disabled (private windows, sandboxed iframes). */
function browserStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadSettings(storage: Pick<Storage, "getItem"> | null = browserStorage()): Partial<Settings> {
  try {
    return settingsFromStored(storage?.getItem(SETTINGS_KEY) ?? null);
  } catch {
    return {};
  }
}

export function saveSettings(settings: Settings, storage: Pick<Storage, "setItem"> | null = browserStorage()): void {
  try {
    storage?.setItem(SETTINGS_KEY, settingsToStore(settings));
  } catch {
    // Storage may be full or refuse writes; choices then last for the page.
  }
}
