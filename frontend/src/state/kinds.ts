// The kinds of Spectro data this pane knows, in the order of their groups:
// the one list to extend when a kind is added. Each record holds the plain
// facts the store and the controller need; how a kind's card is made and
// styled is its record in views/kind-views.ts, which the compiler asks for
// once a name is added here.

export interface KindFacts {
  /** The kind's name in the HTTP API (`kind` of /tags, /steps and /data). */
  readonly name: string;
  /** Heading of the kind's group of cards. */
  readonly title: string;
  /**
   * Its cards show a step's arrays from /data: a card asks for its step
   * before /steps answers and loads steps ahead, and playing waits for each
   * step's arrays.
   */
  readonly hasArrays: boolean;
  /**
   * What the kind's group holds: a card per series ("series"), or the
   * lowest-point views of scalar series ("scalars"), which show the kind's
   * marker series on the scalars they watch.
   */
  readonly cards: "series" | "scalars";
}

export const KINDS = [
  { name: "mel_comparison", title: "Mel comparisons", hasArrays: true, cards: "series" },
  { name: "spectrogram", title: "Spectrograms", hasArrays: true, cards: "series" },
  { name: "alignment", title: "Alignments", hasArrays: true, cards: "series" },
  { name: "noise_pair", title: "Noise pairs", hasArrays: true, cards: "series" },
  { name: "similarity_matrix", title: "Similarity matrices", hasArrays: true, cards: "series" },
  { name: "lowest_point", title: "Lowest points", hasArrays: false, cards: "scalars" },
] as const satisfies readonly KindFacts[];

export type KnownKind = (typeof KINDS)[number]["name"];

/**
 * The record of a kind this pane does not know: a newer Spectro wrote it (the
 * server then names it "unknown", or a newer server by a name missing here),
 * or the server could not read the series' facts (it then says why). Its
 * cards show the steps and the stats stored with them, as text, or why the
 * series cannot be read.
 */
export const FALLBACK_KIND: KindFacts = {
  name: "unknown",
  title: "Newer or unreadable series",
  hasArrays: false,
  cards: "series",
};

const BY_NAME: ReadonlyMap<string, KindFacts> = new Map(KINDS.map((kind) => [kind.name, kind]));

export function isKnownKind(name: string): name is KnownKind {
  return BY_NAME.has(name);
}

/** The record of kind `name`; the fallback for a name this pane does not know. */
export function kindFacts(name: string): KindFacts {
  return BY_NAME.get(name) ?? FALLBACK_KIND;
}
