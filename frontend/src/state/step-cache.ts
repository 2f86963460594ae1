// Answers by request, least recently used first out. A request for a key
// already loading shares its answer; the views show the entry of the key they
// want now, so a late answer for an old step is kept for later and never
// painted over a newer one.

import type { StepData, StepKey } from "../api/client";

export type Entry<V> =
  { status: "loading"; promise: Promise<V> } | { status: "loaded"; data: V } | { status: "failed"; error: string };

export type StepEntry = Entry<StepData>;

export function stepKeyString(key: StepKey): string {
  return JSON.stringify([key.run, key.tag, key.step, key.sample]);
}

export class RequestCache<K, V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly keyString: (key: K) => string,
    private readonly load: (key: K) => Promise<V>,
    private readonly onSettled: (key: K) => void,
    private readonly capacity = 96,
  ) {}

  get(key: K): Entry<V> | undefined {
    const id = this.keyString(key);
    const entry = this.entries.get(id);
    if (entry !== undefined) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** The entry of `key` if any, without loading it or counting as a use. */
  peek(key: K): Entry<V> | undefined {
    return this.entries.get(this.keyString(key));
  }

  /** Starts loading `key` unless it is known; a failed key is tried again only after forgetFailed(). */
  request(key: K): Entry<V> {
    const known = this.get(key);
    if (known !== undefined) return known;
    const id = this.keyString(key);
    const promise = this.load(key);
    const entry: Entry<V> = { status: "loading", promise };
    this.entries.set(id, entry);
    promise.then(
      (data) => this.settle(id, key, { status: "loaded", data }),
      (error: unknown) =>
        this.settle(id, key, { status: "failed", error: String(error instanceof Error ? error.message : error) }),
    );
    this.evict();
    return entry;
  }

  /** Forgets the failures, so that the next request (after a reload) tries again. */
  forgetFailed(): void {
    for (const [id, entry] of this.entries) if (entry.status === "failed") this.entries.delete(id);
  }

  /** Forgets every settled answer (the data changed); requests in flight still settle. */
  forgetSettled(): void {
    for (const [id, entry] of this.entries) if (entry.status !== "loading") this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private settle(id: string, key: K, entry: Entry<V>): void {
    if (this.entries.get(id)?.status === "loading") this.entries.set(id, entry);
    this.onSettled(key);
  }

  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.capacity) return;
      if (entry.status !== "loading") this.entries.delete(id);
    }
  }
}

/** Decoded steps by (run, tag, step, sample). */
export class StepCache extends RequestCache<StepKey, StepData> {
  constructor(load: (key: StepKey) => Promise<StepData>, onSettled: (key: StepKey) => void, capacity = 96) {
    super(stepKeyString, load, onSettled, capacity);
  }
}
