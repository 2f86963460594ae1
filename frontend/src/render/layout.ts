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
