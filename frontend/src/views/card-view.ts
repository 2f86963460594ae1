// What every card view offers the render owner (AppView).

import type { CardState, Settings } from "../state/app-state";

export interface CardView {
  readonly element: HTMLElement;
  /** Shows the card's state; called on every committed frame, so it skips unchanged work. */
  update(card: CardState, settings: Settings): void;
  /** Draws everything again on the next update (the theme's colours changed). */
  forgetDrawings(): void;
}
