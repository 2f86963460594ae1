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
  /** Bytes of the loaded answers, by key, as sizeOf counts them. */
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  /**
   * Keeps up to `capacity` answers and, when `sizeOf` counts their bytes,
   * up to `maxBytes` of them; the least recently used go first.
   */
  constructor(
    private readonly keyString: (key: K) => string,
    private readonly load: (key: K) => Promise<V>,
    private readonly onSettled: (key: K) => void,
    private readonly capacity = 96,
    private readonly sizeOf: ((value: V) => number) | null = null,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
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
    for (const [id, entry] of this.entries) if (entry.status === "failed") this.delete(id);
  }

  /** Forgets every settled answer (the data changed); requests in flight still settle. */
  forgetSettled(): void {
    for (const [id, entry] of this.entries) if (entry.status !== "loading") this.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the loaded answers kept, as sizeOf counts them (0 without it). */
  get byteSize(): number {
    return this.bytes;
  }

  private settle(id: string, key: K, entry: Entry<V>): void {
    if (this.entries.get(id)?.status === "loading") {
      this.entries.set(id, entry);
      if (entry.status === "loaded" && this.sizeOf) {
        const size = this.sizeOf(entry.data);
        this.sizes.set(id, size);
        this.bytes += size;
        this.evict();
      }
    }
    this.onSettled(key);
  }

  private delete(id: string): void {
    this.entries.delete(id);
    this.bytes -= this.sizes.get(id) ?? 0;
    this.sizes.delete(id);
  }

  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.capacity && this.bytes <= this.maxBytes) return;
      if (entry.status !== "loading") this.delete(id);
    }
  }
}

/** The bytes of a step's decoded arrays. */
export function stepBytes(data: StepData): number {
  let bytes = 0;
  for (const array of data.arrays.values()) bytes += array.values.byteLength;
  return bytes;
}

// Decoded steps kept: enough to scrub back over 80 steps of 4 compared runs of
// 80×800 mel comparisons (512 KB a step) without loading them again.
export const STEPS_KEPT = 1024;
export const STEP_BYTES_KEPT = 160 * 1024 * 1024;

/** Decoded steps by (run, tag, step, sample). */
export class StepCache extends RequestCache<StepKey, StepData> {
  constructor(
    load: (key: StepKey) => Promise<StepData>,
    onSettled: (key: StepKey) => void,
    capacity = STEPS_KEPT,
    maxBytes = STEP_BYTES_KEPT,
  ) {
    super(stepKeyString, load, onSettled, capacity, stepBytes, maxBytes);
  }
}
