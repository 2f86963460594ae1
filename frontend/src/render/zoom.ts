// Zoom and pan of the shared frame axis, and pixel ↔ cell mapping; pure.

/** A window on the frame axis: [start, end) in frames, fractional while zooming. */
export interface FrameWindow {
  start: number;
  end: number;
}

/** Fewest frames a zoom window shows. */
export const MIN_WINDOW_FRAMES = 4;

export function fullWindow(frames: number): FrameWindow {
  return { start: 0, end: frames };
}

export function isFullWindow(window: FrameWindow, frames: number): boolean {
  return window.start <= 0 && window.end >= frames;
}

/** The window moved and resized to lie inside [0, frames] and be at least MIN_WINDOW_FRAMES wide. */
export function clampWindow(window: FrameWindow, frames: number): FrameWindow {
  const minWidth = Math.min(MIN_WINDOW_FRAMES, frames);
  const width = Math.min(frames, Math.max(minWidth, window.end - window.start));
  const start = Math.min(Math.max(0, window.start), frames - width);
  return { start, end: start + width };
}

/** Zooms by `factor` (below 1 zooms in) keeping frame `anchor` under the same pixel. */
export function zoomAt(window: FrameWindow, anchor: number, factor: number, frames: number): FrameWindow {
  const width = window.end - window.start;
  const share = width > 0 ? (anchor - window.start) / width : 0.5;
  const newWidth = Math.min(frames, Math.max(Math.min(MIN_WINDOW_FRAMES, frames), width * factor));
  const start = anchor - share * newWidth;
  return clampWindow({ start, end: start + newWidth }, frames);
}

export function panBy(window: FrameWindow, deltaFrames: number, frames: number): FrameWindow {
  return clampWindow({ start: window.start + deltaFrames, end: window.end + deltaFrames }, frames);
}

/** The window a drag from frame `a` to frame `b` selects. */
export function windowFromSelection(a: number, b: number, frames: number): FrameWindow {
  const start = Math.min(a, b);
  const end = Math.max(a, b);
  const centre = (start + end) / 2;
  const width = Math.max(end - start, Math.min(MIN_WINDOW_FRAMES, frames));
  return clampWindow({ start: centre - width / 2, end: centre + width / 2 }, frames);
}

/** The frame coordinate (fractional) at pixel `x` of a plot `width` pixels wide. */
export function frameAtX(window: FrameWindow, x: number, width: number): number {
  return window.start + (x / width) * (window.end - window.start);
}

export function xOfFrame(window: FrameWindow, frame: number, width: number): number {
  return ((frame - window.start) / (window.end - window.start)) * width;
}

/** The frame cell under pixel `x`, within [0, frames). */
export function frameIndexAtX(window: FrameWindow, x: number, width: number, frames: number): number {
  return clampIndex(Math.floor(frameAtX(window, x, width)), frames);
}

/** The bin under pixel `y` of a plot `height` pixels high whose origin (bin 0) is at the bottom. */
export function binIndexAtY(y: number, height: number, bins: number): number {
  return clampIndex(Math.floor(((height - y) / height) * bins), bins);
}

/** The pixel y of the bottom edge of `bin` (origin at the bottom). */
export function yOfBin(bin: number, height: number, bins: number): number {
  return height - (bin / bins) * height;
}

/** The row under pixel `y` of a plot `height` pixels high whose row 0 is at the top, as a matrix is read. */
export function rowIndexAtYFromTop(y: number, height: number, rows: number): number {
  return clampIndex(Math.floor((y / height) * rows), rows);
}

/** The pixel y of the top edge of `row` (row 0 at the top). */
export function yOfRowFromTop(row: number, height: number, rows: number): number {
  return (row / rows) * height;
}

function clampIndex(index: number, size: number): number {
  return Math.min(Math.max(index, 0), Math.max(size - 1, 0));
}
