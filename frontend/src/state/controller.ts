// The controller: the only code that changes the store. It turns the views'
// actions into state changes, asks the server (through api/, or what a test
// passes instead) and keeps the step and lowest-point caches.

import {
  fetchLogdir,
  fetchLowest,
  fetchScalars,
  fetchStepAudio,
  fetchSteps,
  fetchTags,
  StepLoader,
  type LowestQuery,
  type StepAudio,
  type StepData,
  type StepKey,
} from "../api/client";
import type { LogdirInfo, LowestResponse, ScalarIndex, StepInfo, StepsResponse, TagIndex } from "../api/types";
import { WorkerLoader } from "../api/worker-loader";
import type { AppActions } from "./actions";
import {
  applyScalars,
  applySteps,
  applyTags,
  applyUrlState,
  initialState,
  moveAllToStep,
  openingStepKey,
  selectStep,
  type AppState,
  type Settings,
} from "./app-state";
import { runColor } from "../compare/colors";
import { MAX_COMPARED_RUNS, type UrlState } from "../compare/url-state";
import { kindFacts } from "./kinds";
import { loadSettings, saveSettings } from "./settings";
import { RequestCache, StepCache, stepKeyString } from "./step-cache";
import { indexNearest, PlayClock } from "./steps";
import { animationFrame, Store, type Scheduler } from "./store";

export const PLAY_INTERVAL_MS = 150; // time each step is shown while playing
export const PLAY_TICK_MS = 30; // how often playing cards are checked
// Samples whose waveforms are kept: a few steps either side of each card that plays.
const AUDIO_KEPT = 16;

/** The server's answers the controller asks for. */
export interface Server {
  tags(): Promise<TagIndex>;
  steps(run: string, tag: string): Promise<StepsResponse>;
  stepData(key: StepKey): Promise<StepData>;
  scalars(): Promise<ScalarIndex>;
  lowest(query: LowestQuery): Promise<LowestResponse>;
  /** Where TensorBoard reads; asked only when nothing is listed. */
  logdir?(): Promise<LogdirInfo>;
  /** A mel comparison sample's waveforms; asked only when someone listens. */
  stepAudio?(key: StepKey): Promise<StepAudio>;
}

const STEP_LOADER = new StepLoader(new WorkerLoader().load);

export const HTTP_SERVER: Server = {
  tags: fetchTags,
  steps: fetchSteps,
  stepData: (key) => STEP_LOADER.load(key),
  scalars: fetchScalars,
  lowest: fetchLowest,
  logdir: fetchLogdir,
  stepAudio: fetchStepAudio,
};

/** Where the toolbar's choices are kept. */
export interface SettingsStorage {
  load(): Partial<Settings>;
  save(settings: Settings): void;
}

export const BROWSER_SETTINGS: SettingsStorage = { load: () => loadSettings(), save: (s) => saveSettings(s) };

export class Controller {
  readonly store: Store<AppState>;
  private readonly cache: StepCache;
  private readonly playClock = new PlayClock(PLAY_INTERVAL_MS);
  private readonly audioCache: RequestCache<StepKey, StepAudio>;
  private readonly lowestCache: RequestCache<LowestQuery, LowestResponse>;
  /** Step lists (replaced whole by each /steps answer) by whether they hold audio. */
  private readonly audioLists = new WeakMap<StepInfo[], boolean>();
  private reloadGeneration = 0;
  private lastCardKey: string | null = null;

  constructor(
    private readonly server: Server = HTTP_SERVER,
    private readonly settings: SettingsStorage = BROWSER_SETTINGS,
    schedule: Scheduler = animationFrame,
  ) {
    this.store = new Store<AppState>(initialState(settings.load()), schedule);
    this.cache = new StepCache(
      (key) => server.stepData(key),
      () => this.store.markDirty(),
    );
    this.lowestCache = new RequestCache<LowestQuery, LowestResponse>(
      (query) => JSON.stringify([query.run, query.tag, query.smoothing, query.ignoreOutliers]),
      (query) => server.lowest(query),
      () => this.store.markDirty(),
      32,
    );
    this.audioCache = new RequestCache<StepKey, StepAudio>(
      stepKeyString,
      (key) => (server.stepAudio ? server.stepAudio(key) : Promise.reject(new Error("this server sends no audio"))),
      () => this.store.markDirty(),
      AUDIO_KEPT,
    );
  }

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
    setPinned: (key, step) =>
      this.change(key, (state) => {
        const card = state.cards.get(key);
        if (card) card.pinned = step;
      }),
    setCompare: (key, runs) =>
      this.change(key, (state) => {
        const card = state.cards.get(key);
        if (card) card.compare = runs.filter((run) => run !== card.run).slice(0, MAX_COMPARED_RUNS - 1);
      }),
    comparable: (key) => {
      const state = this.store.state;
      const card = state.cards.get(key);
      if (!card) return [];
      return [...state.cards.values()]
        .filter((other) => other.tag === card.tag && other.run !== card.run && other.info.kind === card.info.kind)
        .sort((a, b) => a.run.localeCompare(b.run));
    },
    runColor: (run) => runColor(run, this.store.state.hostRuns ?? this.listedRuns()),
    requestStep: (key) => this.cache.request(key),
    peekStep: (key) => this.cache.peek(key),
    requestAudio: (key) => this.audioCache.request(key),
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
        if (change.compare !== undefined) card.compare = change.compare;
        card.compare = card.compare.filter((run) => run !== card.run).slice(0, MAX_COMPARED_RUNS - 1);
      }),
    requestLowest: (query) => this.lowestCache.request(query),
    audioSeries: (run) =>
      [...this.store.state.cards.values()]
        .filter((card) => card.run === run && this.hasAudio(card.steps))
        .sort((a, b) => a.tag.localeCompare(b.tag))
        .map((card) => ({ run: card.run, tag: card.tag, steps: card.steps })),
    goToStep: (step) => this.store.update((state) => moveAllToStep(state, step)),
    setSettings: (change) =>
      this.store.update((state) => {
        const linking = change.linkSteps === true && !state.settings.linkSteps;
        Object.assign(state.settings, change);
        this.settings.save(state.settings);
        if (linking) this.followLastCard(state);
      }),
  };

  /** Takes a link's choices (the host's URL data, decoded). */
  applyUrl(url: UrlState): void {
    this.store.update((state) => applyUrlState(state, url));
  }

  /** The host's runs, in its order, for their colours. */
  setHostRuns(runs: string[] | null): void {
    this.store.update((state) => (state.hostRuns = runs));
  }

  /** Until the host lists its runs: every run of the Spectro series and the scalars, sorted as TensorBoard sorts them. */
  private listedRuns(): string[] {
    const state = this.store.state;
    return [...new Set([...Object.keys(state.tags ?? {}), ...Object.keys(state.scalars?.runs ?? {})])].sort();
  }

  /** Whether a sample of a step of a list has audio; a list is looked through once. */
  private hasAudio(steps: StepInfo[]): boolean {
    let known = this.audioLists.get(steps);
    if (known === undefined) {
      known = steps.some((step) => step.samples?.some((sample) => sample.audio));
      this.audioLists.set(steps, known);
    }
    return known;
  }

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

  /** With nothing listed, asks where TensorBoard reads and why it may find nothing; without an answer the empty state stands as it is. */
  private async explainEmpty(generation: number): Promise<void> {
    if (!this.server.logdir) return;
    let logdir: LogdirInfo;
    try {
      logdir = await this.server.logdir();
    } catch {
      return;
    }
    if (generation === this.reloadGeneration) this.store.update((state) => (state.logdir = logdir));
  }

  /** Lists the series again and every card's steps, keeping what is selected. */
  async reload(): Promise<void> {
    const generation = ++this.reloadGeneration;
    this.cache.forgetFailed();
    this.audioCache.forgetFailed();
    let tags;
    const scalars = this.server.scalars().catch((e: Error) => e);
    try {
      tags = await this.server.tags();
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
    if (this.store.state.cards.size === 0) void this.explainEmpty(generation);
    for (const card of this.store.state.cards.values()) {
      const opening = openingStepKey(card);
      if (opening) this.cache.request(opening);
    }
    // The opening steps' request (batched at the end of this task) leaves before the /steps
    // requests, which hold the browser's few connections to the server for a while.
    await Promise.resolve();
    if (generation !== this.reloadGeneration) return;
    // A series whose facts the server could not read has no steps to list; its card says why.
    const listed = [...this.store.state.cards.values()].filter((card) => card.info.error === undefined);
    await Promise.all(
      listed.map(async (card) => {
        try {
          const steps = await this.server.steps(card.run, card.tag);
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
      // A card of a kind with arrays waits until its step has loaded; the others have nothing to wait for.
      const ready =
        !kindFacts(card.info.kind).hasArrays ||
        this.cache.peek({ run: card.run, tag: card.tag, step: step.step, sample: card.sample })?.status === "loaded";
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
