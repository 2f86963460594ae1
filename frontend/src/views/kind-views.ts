// How the card of each kind is made and styled: the view half of a kind's
// record, whose facts (title, order, arrays) are in state/kinds.ts. Every
// name there needs an entry here; the compiler says which is missing.

import type { CardActions } from "../state/actions";
import type { CardState } from "../state/app-state";
import { isKnownKind, KINDS, type KnownKind } from "../state/kinds";
import type { CardView } from "./card-view";
import { ALIGNMENT_CARD_STYLES, AlignmentCard } from "./alignment-card";
import { COMPARISON_CARD_STYLES } from "./comparison-card";
import { LISTENING_STYLES } from "./listening";
import { LOWEST_CARD_STYLES } from "./lowest-card";
import { MelCard } from "./mel-card";
import { NOISE_CARD_STYLES, NoiseCard } from "./noise-card";
import { SERIES_CARD_STYLES, SeriesCard } from "./series-card";
import { SIMILARITY_CARD_STYLES, SimilarityCard } from "./similarity-card";
import { SpectrogramCard } from "./spectrogram-card";

export type CardFactory = (card: CardState, actions: CardActions) => CardView;

export interface KindView {
  /** The card of one series; null for a kind whose group holds other views (kinds.ts' `cards`). */
  createCard: CardFactory | null;
  /** The rules of the kind's cards, beyond the shared stylesheet's. */
  styles: readonly string[];
}

export const KIND_VIEWS: Readonly<Record<KnownKind, KindView>> = {
  mel_comparison: {
    createCard: (card, actions) => new MelCard(card, actions),
    styles: [COMPARISON_CARD_STYLES, LISTENING_STYLES],
  },
  spectrogram: {
    createCard: (card, actions) => new SpectrogramCard(card, actions),
    styles: [COMPARISON_CARD_STYLES],
  },
  alignment: {
    createCard: (card, actions) => new AlignmentCard(card, actions),
    styles: [COMPARISON_CARD_STYLES, ALIGNMENT_CARD_STYLES],
  },
  noise_pair: {
    createCard: (card, actions) => new NoiseCard(card, actions),
    styles: [COMPARISON_CARD_STYLES, NOISE_CARD_STYLES],
  },
  similarity_matrix: {
    createCard: (card, actions) => new SimilarityCard(card, actions),
    styles: [SIMILARITY_CARD_STYLES],
  },
  lowest_point: { createCard: null, styles: [LOWEST_CARD_STYLES] },
};

/** The view of a kind this pane does not know (state/kinds.ts' FALLBACK_KIND). */
export const FALLBACK_VIEW: KindView & { createCard: CardFactory } = {
  createCard: (card, actions) => new SeriesCard(card, actions),
  styles: [SERIES_CARD_STYLES],
};

/** The view of kind `name`; the fallback for a name this pane does not know. */
export function kindView(name: string): KindView {
  return isKnownKind(name) ? KIND_VIEWS[name] : FALLBACK_VIEW;
}

/** The card of a series: its kind's, else the fallback's. */
export function createCard(card: CardState, actions: CardActions): CardView {
  return (kindView(card.info.kind).createCard ?? FALLBACK_VIEW.createCard)(card, actions);
}

/** Every kind's rules once each, in the order of the kinds, the fallback's last. */
export function kindStyles(): string[] {
  const views = [...KINDS.map((kind) => KIND_VIEWS[kind.name]), FALLBACK_VIEW];
  return [...new Set(views.flatMap((view) => view.styles))];
}
