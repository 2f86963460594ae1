// Which cards draw a change now: the ones in or near the view. A card far out
// of view keeps its last drawing (and loads nothing) until it comes near, or
// until the page has been quiet for a moment, as TensorBoard's own dashboards
// leave the cards out of view unrendered. Linked steps then cost what the
// cards in view cost, not what every card on the page does: each changed
// canvas is copied to the compositor in the frame that shows it, seen or not.

/** How far out of the view a card still draws each change, in CSS pixels above and below. */
export const NEAR_MARGIN_PX = 200;
/** How long the page stays without a change left undrawn before the cards out of view catch up. */
export const CATCH_UP_MS = 300;

/** The part of IntersectionObserver that the window uses (a stand-in in the unit tests). */
export interface Watcher {
  observe(element: Element): void;
  unobserve(element: Element): void;
}

export interface Sighting {
  readonly target: Element;
  readonly isIntersecting: boolean;
}

export type WatcherFactory = (report: (sightings: readonly Sighting[]) => void) => Watcher | null;

/** Watches the cards against the document's own viewport (the iframe's), widened by NEAR_MARGIN_PX. */
export function viewportWatcher(document: Document): WatcherFactory {
  return (report) =>
    typeof IntersectionObserver === "function"
      ? new IntersectionObserver((entries) => report(entries), {
          // The document as root, so that the margin widens the iframe's own viewport: with the
          // implicit root the iframe's edges would clip the cards with no margin.
          root: document,
          rootMargin: `${NEAR_MARGIN_PX}px 0px`,
        })
      : null;
}

export class ViewWindow {
  private readonly watcher: Watcher | null;
  /** Cards reported out of the widened view; a card not reported yet counts as near. */
  private readonly far = new WeakSet<Element>();
  /** Cards far from the view that were left with a change undrawn. */
  private readonly stale = new Set<Element>();
  private catchUpTimer: ReturnType<typeof setTimeout> | null = null;
  private catchingUp = false;

  /** `redraw` asks for a render: a stale card came near, or the page went quiet. */
  constructor(
    private readonly redraw: () => void,
    watch: WatcherFactory,
    private readonly catchUpMs = CATCH_UP_MS,
  ) {
    this.watcher = watch((sightings) => this.sighted(sightings));
  }

  /** The card was put in (another) place on the page: near until the watcher reports it there. */
  placed(element: Element): void {
    this.far.delete(element);
    this.watcher?.unobserve(element);
    this.watcher?.observe(element);
  }

  /** The card left the page (filtered out or gone): nothing to catch up on until it is placed again. */
  forget(element: Element): void {
    this.watcher?.unobserve(element);
    this.stale.delete(element);
  }

  /**
   * Whether the card `element` draws this render. It does when it is near
   * the view, holds the focus, has not drawn yet (`drawnBefore` false: a tab
   * opens with every card drawn, its steps' list and stats too), or the
   * cards out of view are catching up; otherwise it is left stale.
   */
  due(element: Element, drawnBefore: boolean): boolean {
    const active = element.ownerDocument?.activeElement;
    if (this.catchingUp || !this.far.has(element) || !drawnBefore || (active && element.contains(active))) {
      this.stale.delete(element);
      return true;
    }
    this.stale.add(element);
    return false;
  }

  /** Ends a render: while a card is stale, the catch-up waits for CATCH_UP_MS without another such render. */
  settle(): void {
    this.catchingUp = false;
    if (this.catchUpTimer !== null) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = null;
    if (this.stale.size === 0) return;
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = null;
      this.catchingUp = true;
      this.redraw();
    }, this.catchUpMs);
  }

  private sighted(sightings: readonly Sighting[]): void {
    let cameNear = false;
    for (const { target, isIntersecting } of sightings) {
      if (!isIntersecting) {
        this.far.add(target);
        continue;
      }
      this.far.delete(target);
      cameNear ||= this.stale.has(target);
    }
    if (cameNear) this.redraw();
  }
}
