// The Spectro pane: TensorBoard loads this module in the tab's iframe and
// calls render(). This file only wires the store, the fetching and the views.

import { fetchLowest, fetchScalars, fetchStepData, fetchSteps, fetchTags, type LowestQuery } from "./api/client";
import type { LowestResponse } from "./api/types";
import { listenToHost } from "./api/host";
import { isColormapName } from "./colormaps";
import {
  applyScalars,
  applySteps,
  applyTags,
  initialState,
  moveAllToStep,
  openingStepKey,
  selectStep,
  type AppState,
  type Settings,
} from "./state/app-state";
import { RequestCache, StepCache } from "./state/step-cache";
import { indexNearest, PlayClock } from "./state/steps";
import { Store } from "./state/store";
import { AppView, type AppActions } from "./views/app-view";
import { listenToSizes } from "./views/dom";

const SETTINGS_KEY = "spectro.settings"; // localStorage key of the toolbar's choices
const PLAY_INTERVAL_MS = 150; // time each step is shown while playing
const PLAY_TICK_MS = 30; // how often playing cards are checked

function loadSettings(): Partial<Settings> {
  try {
    const stored = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? "{}") as Partial<Settings>;
    const settings: Partial<Settings> = {};
    if (typeof stored.colormap === "string" && isColormapName(stored.colormap)) settings.colormap = stored.colormap;
    if (stored.diffMode === "abs" || stored.diffMode === "signed") settings.diffMode = stored.diffMode;
    if (stored.rangeMode === "step" || stored.rangeMode === "series") settings.rangeMode = stored.rangeMode;
    if (typeof stored.linkSteps === "boolean") settings.linkSteps = stored.linkSteps;
    if (typeof stored.smoothing === "number" && stored.smoothing >= 0 && stored.smoothing < 1)
      settings.smoothing = stored.smoothing;
    if (typeof stored.ignoreOutliers === "boolean") settings.ignoreOutliers = stored.ignoreOutliers;
    return settings;
  } catch {
    return {};
  }
}

function saveSettings(settings: Settings): void {
  try {
    const { tagFilter: _filter, ...kept } = settings;
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(kept));
  } catch {
    // Storage may be disabled (private windows, sandboxed iframes); choices then last for the page.
  }
}

class Controller {
  readonly store = new Store<AppState>(initialState(loadSettings()));
  private readonly cache = new StepCache(fetchStepData, () => this.store.markDirty());
  private readonly playClock = new PlayClock(PLAY_INTERVAL_MS);
  private readonly lowestCache = new RequestCache<LowestQuery, LowestResponse>(
    (query) => JSON.stringify([query.run, query.tag, query.smoothing, query.ignoreOutliers]),
    fetchLowest,
    () => this.store.markDirty(),
    32,
  );
  private reloadGeneration = 0;
  private lastCardKey: string | null = null;

  readonly actions: AppActions = {
    selectStep: (key, index) => this.change(key, (state) => selectStep(state, key, index)),
    pickStep: (key, step) =>
      this.change(key, (state) => {
        const card = state.cards.get(key);
        if (card) selectStep(state, key, indexNearest(card.steps, step));
      }),
    setSample: (key, sample) =>
      this.change(key, (state) => {
        const card = state.cards.get(key);
        if (card) card.sample = sample;
      }),
    setWindow: (key, window) =>
      this.change(key, (state) => {
        const card = state.cards.get(key);
        if (card) card.window = window;
      }),
    setCursor: (key, cursor) =>
      this.store.update((state) => {
        const card = state.cards.get(key);
        if (card) card.cursor = cursor;
      }),
    togglePlay: (key) =>
      this.change(key, (state) => {
        const card = state.cards.get(key);
        if (!card) return;
        card.playing = !card.playing;
        if (card.playing && card.stepIndex >= card.steps.length - 1) selectStep(state, key, 0);
      }),
    setView: (key, change) =>
      this.store.update((state) => {
        const card = state.cards.get(key);
        if (card) Object.assign(card.view, change);
      }),
    requestStep: (key) => this.cache.request(key),
    peekStep: (key) => this.cache.peek(key),
    setLowest: (key, change) =>
      this.store.update((state) => {
        const card = state.lowest.get(key);
        if (!card) return;
        if (change.run !== undefined && change.run !== card.run) {
          card.run = change.run;
          // The same tag in the other run if it has one, else its first.
          const tags = [...(state.scalars?.runs[card.run] ?? [])].sort();
          if (!tags.includes(card.tag)) card.tag = tags[0] ?? card.tag;
        }
        if (change.tag !== undefined) card.tag = change.tag;
      }),
    requestLowest: (query) => this.lowestCache.request(query),
    goToStep: (step) => this.store.update((state) => moveAllToStep(state, step)),
    setSettings: (change) =>
      this.store.update((state) => {
        const linking = change.linkSteps === true && !state.settings.linkSteps;
        Object.assign(state.settings, change);
        saveSettings(state.settings);
        if (linking) this.followLastCard(state);
      }),
  };

  /** With linked steps, every card to the step of the card used last. */
  private followLastCard(state: AppState): void {
    const leader = this.lastCardKey ? state.cards.get(this.lastCardKey) : undefined;
    const step = leader?.steps[leader.stepIndex]?.step;
    if (leader && step !== undefined) moveAllToStep(state, step, leader.key);
  }

  private change(key: string, change: (state: AppState) => void): void {
    this.lastCardKey = key;
    this.store.update(change);
  }

  /** Lists the series again and every card's steps, keeping what is selected. */
  async reload(): Promise<void> {
    const generation = ++this.reloadGeneration;
    this.cache.forgetFailed();
    let tags;
    const scalars = fetchScalars().catch((e: Error) => e);
    try {
      tags = await fetchTags();
    } catch (e) {
      this.store.update((state) => (state.loadError = `Could not list the Spectro series: ${(e as Error).message}`));
      return;
    }
    if (generation !== this.reloadGeneration) return;
    const scalarIndex = await scalars;
    if (generation !== this.reloadGeneration) return;
    this.lowestCache.forgetSettled();
    this.store.update((state) => {
      applyTags(state, tags);
      if (scalarIndex instanceof Error) state.loadError = `Could not list the scalar series: ${scalarIndex.message}`;
      else applyScalars(state, scalarIndex);
    });
    for (const card of this.store.state.cards.values()) {
      const opening = openingStepKey(card);
      if (opening) this.cache.request(opening);
    }
    await Promise.all(
      [...this.store.state.cards.values()].map(async (card) => {
        try {
          const steps = await fetchSteps(card.run, card.tag);
          if (generation !== this.reloadGeneration) return;
          this.store.update((state) => {
            const current = state.cards.get(card.key);
            if (!current) return;
            applySteps(current, steps);
            if (state.settings.linkSteps) this.followLastCard(state);
          });
        } catch (e) {
          this.store.update((state) => {
            const current = state.cards.get(card.key);
            if (current) current.stepsError = (e as Error).message;
          });
        }
      }),
    );
  }

  /** Advances every playing card whose step has been shown long enough; stops at the last step. */
  tick(now = performance.now()): void {
    const state = this.store.state;
    const due = [...state.cards.values()].filter((card) => {
      const step = card.playing ? card.steps[card.stepIndex] : undefined;
      if (!step) return false;
      const entry = this.cache.peek({ run: card.run, tag: card.tag, step: step.step, sample: card.sample });
      // Markers have no arrays to show; every other kind waits until its step has loaded.
      const ready = card.info.kind === "lowest_point" || entry?.status === "loaded";
      return this.playClock.due(card.key, card.stepIndex, ready, now);
    });
    if (due.length === 0) return;
    this.store.update(() => {
      for (const card of due) {
        if (card.stepIndex >= card.steps.length - 1) card.playing = false;
        else selectStep(state, card.key, card.stepIndex + 1);
      }
    });
  }
}

export async function render(): Promise<void> {
  const controller = new Controller();
  const view = new AppView(controller.actions);
  view.mount(document);
  controller.store.subscribe((state) => view.render(state));
  new ResizeObserver(() => controller.store.markDirty()).observe(view.element);
  listenToSizes(() => controller.store.markDirty());
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    view.forgetDrawings();
    controller.store.markDirty();
  });
  controller.store.markDirty();
  listenToHost(() => void controller.reload());
  setInterval(() => controller.tick(), PLAY_TICK_MS);
  await controller.reload();
}
