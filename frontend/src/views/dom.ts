// Small DOM helpers. Text always goes in as text (textContent), never as HTML.

export interface ElementOptions {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: (Node | null)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  if (options.title !== undefined) element.title = options.title;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) if (child) element.appendChild(child);
  return element;
}

/** Sets text only when it changed, so an unchanged frame touches no node. */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Sets an attribute only when it changed: a frame that changes nothing writes nothing. */
export function setAttr(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

export function setHidden(element: HTMLElement, hidden: boolean): void {
  if (element.hidden !== hidden) element.hidden = hidden;
}

export function option(value: string, label: string): HTMLOptionElement {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

/** Replaces a select's options when the list changed, keeping `selected`. */
export function setOptions(select: HTMLSelectElement, options: readonly [string, string][], selected: string): void {
  const current = select.options;
  const same =
    current.length === options.length &&
    options.every(([value, label], i) => current[i]!.value === value && current[i]!.textContent === label);
  if (!same) {
    select.replaceChildren(...options.map(([value, label]) => option(value, label)));
  }
  if (select.value !== selected) select.value = selected;
}

/**
 * Gives a canvas cssWidth × cssHeight CSS pixels at the device's pixel ratio
 * and returns its context scaled to CSS pixels. With `sizeFromCss`, the
 * stylesheet sizes the element and only its pixel buffer is set.
 */
/** Sets an element's CSS size unless it has it: a style write, even of the same value, costs a style pass. */
export function setCssSize(element: HTMLElement, width: number, height: number): void {
  const w = `${width}px`;
  const h = `${height}px`;
  if (element.style.width !== w) element.style.width = w;
  if (element.style.height !== h) element.style.height = h;
}

export function fitCanvas(
  canvas: HTMLCanvasElement,
  cssWidth: number,
  cssHeight: number,
  sizeFromCss = false,
): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(cssWidth * ratio));
  const height = Math.max(1, Math.round(cssHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  if (!sizeFromCss) setCssSize(canvas, cssWidth, cssHeight);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("this browser gives no 2-D canvas context");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

const themeColors = new Map<string, string>();

/**
 * A theme colour from the pane's CSS variables (set on :root; they follow
 * prefers-color-scheme). Read once and kept: getComputedStyle in the middle
 * of a frame's DOM changes would force a style recalculation each time.
 */
export function themeColor(element: Element, name: string, fallback: string): string {
  let color = themeColors.get(name);
  if (color === undefined) {
    color = getComputedStyle(element).getPropertyValue(name).trim() || fallback;
    themeColors.set(name, color);
  }
  return color;
}

/** Reads the theme colours again on their next use (the colour scheme changed). */
export function forgetThemeColors(): void {
  themeColors.clear();
}

const sizes = new WeakMap<Element, { width: number; height: number }>();
let sizeObserver: ResizeObserver | null = null;
let onSizesChanged: () => void = () => undefined;

/** Calls `listener` after elements watched with watchSize() changed size. */
export function listenToSizes(listener: () => void): void {
  onSizesChanged = listener;
}

/**
 * Keeps the size of `element` as laid out, for sizeOf(). Drawing code reads
 * sizes from here rather than from clientWidth, which would force a layout
 * whenever the frame has already changed the DOM.
 */
export function watchSize(element: Element): void {
  sizeObserver ??= new ResizeObserver((entries) => {
    for (const entry of entries) {
      sizes.set(entry.target, {
        width: Math.round(entry.contentRect.width),
        height: Math.round(entry.contentRect.height),
      });
    }
    onSizesChanged();
  });
  sizeObserver.observe(element);
}

/** The content size in CSS pixels of a watched element at its last layout; 0 × 0 before its first. */
export function sizeOf(element: Element): { width: number; height: number } {
  return sizes.get(element) ?? { width: 0, height: 0 };
}

/** A file name made of log text: anything but letters, digits, dot, dash and underscore becomes "_". */
export function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "spectro";
}

export function download(url: string, fileName: string): void {
  const link = el("a", { attrs: { href: url, download: fileName } });
  document.body.appendChild(link);
  link.click();
  link.remove();
}
