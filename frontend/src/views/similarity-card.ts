// A similarity matrix card (contrastive training): for now the stored stats per step, as text.

import { SeriesCard } from "./series-card";

export const SIMILARITY_CARD_STYLES = "";

export class SimilarityCard extends SeriesCard {}
