// One store for the pane's state. Setters mark it dirty; listeners run once
// per animation frame however many changes came in, as uPlot batches redraws.

export type Scheduler = (callback: () => void) => void;

export const animationFrame: Scheduler = (callback) => {
  requestAnimationFrame(() => callback());
};

export class Store<S> {
  private readonly listeners = new Set<(state: S) => void>();
  private scheduled = false;

  constructor(
    readonly state: S,
    private readonly schedule: Scheduler = animationFrame,
  ) {}

  subscribe(listener: (state: S) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies `change` now; listeners see it in the next frame, with any others. */
  update(change: (state: S) => void): void {
    change(this.state);
    this.markDirty();
  }

  markDirty(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener(this.state);
    });
  }
}
