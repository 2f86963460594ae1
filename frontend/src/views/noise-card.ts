// A noise pair card (diffusion training): for now the stored stats per step, as text.

import { SeriesCard } from "./series-card";

export const NOISE_CARD_STYLES = "";

export class NoiseCard extends SeriesCard {}
