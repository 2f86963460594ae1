// The render owner: the toolbar, the cards grouped by kind, and the empty
// state. It reads the state on each committed frame and passes user intent to
// the controller; it never fetches.

import { isColormapName, SEQUENTIAL_MAPS } from "../colormaps";
import type { AppActions } from "../state/actions";
import type { ReaderName } from "../api/types";
import { compileTagFilter, visibleCards, visibleLowest, type AppState, type CardState } from "../state/app-state";
import { FALLBACK_KIND, KINDS, type KindFacts } from "../state/kinds";
import { hasShownStep, showCardFailure } from "./card-frame";
import type { CardView } from "./card-view";
import { el, forgetThemeColors, setHidden, setOptions, setText } from "./dom";
import { createCard } from "./kind-views";
import { LowestCard } from "./lowest-card";
import { STYLES } from "./styles";
import { ViewWindow, viewportWatcher } from "./view-window";

export const FIRST_COMPARISON_SNIPPET = `from tb_plugin_spectro import summary as spectro_summary

writer = spectro_summary.Writer("logs/my_run")   # or a torch SummaryWriter
# target, predicted: [n_mels, frames] arrays (numpy, torch, jax or tf)
spectro_summary.mel_comparison("mel/val", target, predicted, step, writer=writer)
writer.flush()`;

/** How the empty state names the reader of /logdir. */
export const READER_NAMES: Record<ReaderName, string> = {
  python: "TensorBoard's Python reader (--load_fast=false)",
  rustboard: "RustBoard (--load_fast)",
  other: "TensorBoard's data provider",
};

interface Group {
  kind: KindFacts;
  section: HTMLElement;
  heading: HTMLElement;
  list: HTMLElement;
}

function createGroup(kind: KindFacts): Group {
  const heading = el("h2", { text: kind.title });
  const list = el("div", { className: "spectro-cards" });
  const section = el("section", { className: "spectro-group", attrs: { "data-kind": kind.name } }, [heading, list]);
  return { kind, section, heading, list };
}

/** A card's view; a card that cannot be made is shown as its title and the error. */
function createCardOrFailure(card: CardState, actions: AppActions): CardView {
  try {
    return createCard(card, actions);
  } catch (e) {
    const element = el("section", { className: "spectro-card", attrs: { "data-kind": card.info.kind } }, [
      el("h3", { className: "spectro-card-title", text: card.info.display_name || card.tag }),
      el("span", { className: "spectro-card-run", text: card.run }),
    ]);
    element.dataset.run = card.run;
    element.dataset.tag = card.tag;
    showCardFailure(element, e);
    return { element, update: () => undefined, forgetDrawings: () => undefined };
  }
}

export class AppView {
  readonly element: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly filterError = el("span", { className: "spectro-filter-error" });
  private readonly colormap: HTMLSelectElement;
  private readonly diffMode: HTMLSelectElement;
  private readonly rangeMode: HTMLSelectElement;
  private readonly linkSteps: HTMLInputElement;
  private readonly status = el("div", { className: "spectro-status" });
  private readonly empty: HTMLElement;
  private readonly emptyWhere = el("p", { className: "spectro-empty-where" });
  private readonly emptyNote = el("p", { className: "spectro-empty-note" });
  /** By kind name, in the order of KINDS, then the fallback kind's. */
  private readonly groups = new Map<string, Group>();
  private readonly views = new Map<string, CardView>();
  private readonly lowestViews = new Map<string, LowestCard>();
  private viewWindow: ViewWindow | null = null;
  /** The cards that have drawn a step with their steps' list loaded: out of view, they may wait (ViewWindow). */
  private readonly settled = new Set<string>();

  constructor(private readonly actions: AppActions) {
    this.filter = el("input", {
      className: "spectro-tag-filter",
      attrs: { type: "text", placeholder: "Filter tags (regular expression)", "aria-label": "tag filter" },
    });
    this.filter.addEventListener("input", () => actions.setSettings({ tagFilter: this.filter.value }));
    this.colormap = el("select", { className: "spectro-colormap", attrs: { "aria-label": "colour map" } });
    this.colormap.addEventListener("change", () => {
      if (isColormapName(this.colormap.value)) actions.setSettings({ colormap: this.colormap.value });
    });
    this.diffMode = el("select", { className: "spectro-diff-mode", attrs: { "aria-label": "difference" } });
    this.diffMode.addEventListener("change", () =>
      actions.setSettings({ diffMode: this.diffMode.value === "signed" ? "signed" : "abs" }),
    );
    this.rangeMode = el("select", { className: "spectro-range-mode", attrs: { "aria-label": "colour range" } });
    this.rangeMode.addEventListener("change", () =>
      actions.setSettings({ rangeMode: this.rangeMode.value === "series" ? "series" : "step" }),
    );
    this.linkSteps = el("input", { className: "spectro-link-steps", attrs: { type: "checkbox" } });
    this.linkSteps.addEventListener("change", () => actions.setSettings({ linkSteps: this.linkSteps.checked }));
    const toolbar = el("div", { className: "spectro-toolbar" }, [
      this.filter,
      this.filterError,
      el("label", { text: "colour map" }, [this.colormap]),
      el("label", { text: "difference" }, [this.diffMode]),
      el("label", { text: "colour range" }, [this.rangeMode]),
      el("label", { title: "Move every card to the same step (the nearest logged step at or before it)" }, [
        this.linkSteps,
        document.createTextNode("link steps"),
      ]),
    ]);
    this.empty = el("div", { className: "spectro-empty" }, [
      el("h2", { text: "No Spectro data found" }),
      this.emptyWhere,
      this.emptyNote,
      el("p", { text: "Log a mel comparison from your training loop, then reload:" }),
      el("pre", {}, [el("code", { text: FIRST_COMPARISON_SNIPPET })]),
      el("p", {
        text: "Noise pairs, similarity matrices and lowest-point markers are logged the same way: noise_pair(), similarity_matrix(), lowest_point().",
      }),
    ]);
    for (const kind of [...KINDS, FALLBACK_KIND]) this.groups.set(kind.name, createGroup(kind));
    const sections = [...this.groups.values()].map((group) => group.section);
    this.element = el("div", { className: "spectro-root" }, [toolbar, this.status, this.empty, ...sections]);
  }

  /**
   * Puts the stylesheet and the pane into the iframe's document; `redraw`
   * asks for a render when cards left undrawn out of view are to catch up.
   */
  mount(document: Document, redraw: () => void): void {
    const style = document.createElement("style");
    style.textContent = STYLES;
    document.head.appendChild(style);
    document.body.appendChild(this.element);
    this.viewWindow = new ViewWindow(redraw, viewportWatcher(document));
  }

  /** Repaints every card on the next render, e.g. after prefers-color-scheme changed. */
  forgetDrawings(): void {
    forgetThemeColors();
    for (const view of this.views.values()) view.forgetDrawings();
    for (const view of this.lowestViews.values()) view.forgetDrawings();
  }

  render(state: AppState): void {
    const settings = state.settings;
    setOptions(
      this.colormap,
      SEQUENTIAL_MAPS.map((n) => [n, n]),
      settings.colormap,
    );
    setOptions(
      this.diffMode,
      [
        ["abs", "|diff| (hot)"],
        ["signed", "signed (RdBu)"],
      ],
      settings.diffMode,
    );
    setOptions(
      this.rangeMode,
      [
        ["step", "per step"],
        ["series", "fixed over steps"],
      ],
      settings.rangeMode,
    );
    if (this.linkSteps.checked !== settings.linkSteps) this.linkSteps.checked = settings.linkSteps;
    if (this.filter.value !== settings.tagFilter) this.filter.value = settings.tagFilter;
    const filterError = compileTagFilter(settings.tagFilter).error ?? "";
    setText(this.filterError, filterError);

    const loaded = state.tags !== null;
    setText(this.status, state.loadError ?? (loaded ? "" : "Loading…"));
    setHidden(this.status, this.status.textContent === "");
    setHidden(this.empty, !loaded || state.cards.size > 0);
    const logdir = state.logdir;
    setText(this.emptyWhere, logdir?.logdir ? `Logdir: ${logdir.logdir}, read by ${READER_NAMES[logdir.reader]}.` : "");
    setHidden(this.emptyWhere, !logdir?.logdir);
    setText(this.emptyNote, logdir?.note ?? "");
    setHidden(this.emptyNote, !logdir?.note);

    const visible = visibleCards(state);
    const live = new Set<string>();
    for (const group of this.groups.values()) {
      if (group.kind.cards !== "series") continue;
      const cards = visible.get(group.kind.name) ?? [];
      setHidden(group.section, cards.length === 0);
      setText(group.heading, `${group.kind.title} (${cards.length})`);
      cards.forEach((card, position) => {
        live.add(card.key);
        let view = this.views.get(card.key);
        if (!view) {
          view = createCardOrFailure(card, this.actions);
          this.views.set(card.key, view);
        }
        if (group.list.children[position] !== view.element) {
          group.list.insertBefore(view.element, group.list.children[position] ?? null);
          this.viewWindow?.placed(view.element);
        }
        if (this.viewWindow && !this.viewWindow.due(view.element, this.settled.has(card.key))) return;
        try {
          view.update(card, settings);
          // Drawn at a step of its steps' list: a step drawn before the list came (the opening step) is not.
          if (card.steps.length > 0 && hasShownStep(view.element)) this.settled.add(card.key);
        } catch (e) {
          showCardFailure(view.element, e);
          // The next update draws again, so the error stays while the drawing fails and goes once it does not.
          view.forgetDrawings();
        }
      });
    }
    for (const [key, view] of this.views) {
      if (!live.has(key)) {
        view.element.remove();
        this.viewWindow?.forget(view.element);
        if (!state.cards.has(key)) {
          this.views.delete(key);
          this.settled.delete(key);
        }
      }
    }
    this.viewWindow?.settle();
    for (const group of this.groups.values()) if (group.kind.cards === "scalars") this.renderLowest(state, group);
  }

  /** The lowest-point views, in the group of the kind whose series they show. */
  private renderLowest(state: AppState, group: Group): void {
    const cards = visibleLowest(state);
    setHidden(group.section, cards.length === 0);
    setText(group.heading, `${group.kind.title} (${cards.length})`);
    const live = new Set<string>();
    cards.forEach((card, position) => {
      live.add(card.key);
      let view = this.lowestViews.get(card.key);
      if (!view) {
        view = new LowestCard(card, this.actions);
        this.lowestViews.set(card.key, view);
      }
      if (group.list.children[position] !== view.element)
        group.list.insertBefore(view.element, group.list.children[position] ?? null);
      try {
        view.update(card, state.scalars, state.settings);
      } catch (e) {
        showCardFailure(view.element, e);
        view.forgetDrawings();
      }
    });
    for (const [key, view] of this.lowestViews) {
      if (!live.has(key)) {
        view.element.remove();
        if (!state.lowest.has(key)) this.lowestViews.delete(key);
      }
    }
  }
}
