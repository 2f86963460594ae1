// Where the parts of a heatmap panel go, in CSS pixels; pure.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PanelLayout {
  /** The heatmap itself. */
  plot: Rect;
  colorbar: Rect;
}

export const PANEL_MARGIN = {
  left: 46, // y tick labels
  right: 74, // colour bar and its labels
  top: 18, // title
  bottom: 4,
  colsAxis: 22, // x tick labels, only on a panel that shows the shared axis
  colorbarWidth: 12,
  colorbarGap: 8,
} as const;

export function panelLayout(width: number, height: number, showColsAxis: boolean): PanelLayout {
  const m = PANEL_MARGIN;
  const bottom = m.bottom + (showColsAxis ? m.colsAxis : 0);
  const plot = {
    x: m.left,
    y: m.top,
    width: Math.max(1, width - m.left - m.right),
    height: Math.max(1, height - m.top - bottom),
  };
  return {
    plot,
    colorbar: { x: plot.x + plot.width + m.colorbarGap, y: plot.y, width: m.colorbarWidth, height: plot.height },
  };
}

export function contains(rect: Rect, x: number, y: number): boolean {
  return x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
}

/** Cells at least this many CSS pixels wide and high are outlined by a box inside them. */
export const MIN_OUTLINE_SIZE = 4;
/** CSS pixels between a small cell and the ticks that mark it. */
export const OUTLINE_TICK_GAP = 3;

/**
 * How to outline a cell at (x, y) of width × height: a box inset to stay
 * inside a large cell; for a small one, a tick on either side, so that the
 * marks of a dense diagonal frame it instead of covering its values.
 */
export type CellOutline =
  | { kind: "box"; x: number; y: number; width: number; height: number }
  | { kind: "ticks"; left: number; right: number; top: number; bottom: number };

export function cellOutline(x: number, y: number, width: number, height: number): CellOutline {
  if (width >= MIN_OUTLINE_SIZE && height >= MIN_OUTLINE_SIZE) {
    const inset = width >= MIN_OUTLINE_SIZE + 2 && height >= MIN_OUTLINE_SIZE + 2 ? 1 : 0;
    return { kind: "box", x: x + inset, y: y + inset, width: width - 2 * inset, height: height - 2 * inset };
  }
  const middle = y + height / 2;
  const half = Math.max(height, OUTLINE_TICK_GAP) / 2;
  return {
    kind: "ticks",
    left: x - OUTLINE_TICK_GAP,
    right: x + width + OUTLINE_TICK_GAP,
    top: middle - half,
    bottom: middle + half,
  };
}
