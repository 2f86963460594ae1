// The pane's stylesheet: the shared rules (theme, toolbar, groups, the card
// frame, panels, step control, trends). Colours are variables that follow
// prefers-color-scheme. Each kind's cards bring their own rules through their
// record in kind-views.ts, appended at the end.

import { kindStyles } from "./kind-views";

const BASE_STYLES = `
:root {
  color-scheme: light dark;
  --spectro-bg: #f5f5f5;
  --spectro-card-bg: #ffffff;
  --spectro-fg: #212121;
  --spectro-muted: #616161;
  --spectro-border: #e0e0e0;
  --spectro-accent: #f57c00;
  --spectro-cursor: rgba(255, 255, 255, 0.9);
  --spectro-cursor-shadow: rgba(0, 0, 0, 0.7);
  --spectro-warning: #c62828;
  --spectro-selection: rgba(245, 124, 0, 0.25);
}
@media (prefers-color-scheme: dark) {
  :root {
    --spectro-bg: #202124;
    --spectro-card-bg: #2b2c2f;
    --spectro-fg: #e8eaed;
    --spectro-muted: #9aa0a6;
    --spectro-border: #3c4043;
    --spectro-accent: #ffb74d;
    --spectro-warning: #ef9a9a;
  }
}
body { margin: 0; background: var(--spectro-bg); color: var(--spectro-fg);
  font: 13px/1.4 Roboto, system-ui, -apple-system, "Segoe UI", sans-serif; }
.spectro-root { padding: 12px 16px 32px; }
.spectro-toolbar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-bottom: 12px; }
.spectro-toolbar label { display: inline-flex; gap: 6px; align-items: center; color: var(--spectro-muted); }
.spectro-toolbar input[type=text] { width: 240px; }
.spectro-toolbar input, .spectro-toolbar select, .spectro-card select, .spectro-card button {
  font: inherit; color: var(--spectro-fg); background: var(--spectro-card-bg);
  border: 1px solid var(--spectro-border); border-radius: 4px; padding: 3px 6px; }
.spectro-card button { cursor: pointer; }
.spectro-filter-error, .spectro-error, .spectro-empty-note { color: var(--spectro-warning); }
.spectro-status { color: var(--spectro-muted); margin: 8px 0; }
.spectro-group h2 { font-size: 15px; font-weight: 500; margin: 16px 0 8px; }
.spectro-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 12px; }
.spectro-card { background: var(--spectro-card-bg); border: 1px solid var(--spectro-border); border-radius: 6px;
  padding: 10px 12px; min-width: 0; outline: none; }
.spectro-card:focus-within { border-color: var(--spectro-accent); }
.spectro-card-header { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.spectro-card-title { font-size: 14px; font-weight: 500; margin: 0; overflow-wrap: anywhere; }
.spectro-card-run { color: var(--spectro-muted); overflow-wrap: anywhere; }
.spectro-flag { color: #fff; background: var(--spectro-warning); border-radius: 3px; padding: 0 6px; font-size: 12px; }
.spectro-panels { position: relative; user-select: none; }
.spectro-panel { position: relative; }
.spectro-panel canvas { display: block; }
.spectro-panel .spectro-overlay { position: absolute; left: 0; top: 0; cursor: crosshair; touch-action: none; }
.spectro-step-control { display: flex; gap: 6px; align-items: center; margin-top: 4px; }
.spectro-step-slider { flex: 1; min-width: 80px; accent-color: var(--spectro-accent); }
.spectro-step-label { font-variant-numeric: tabular-nums; color: var(--spectro-muted); white-space: nowrap; }
.spectro-trend { flex: 1; min-width: 80px; height: 36px; cursor: pointer; }
.spectro-actions { display: flex; gap: 8px; margin-top: 6px; align-items: center; }
.spectro-actions a { color: var(--spectro-accent); }
.spectro-loading { color: var(--spectro-muted); font-size: 12px; }
.spectro-empty { max-width: 720px; }
.spectro-empty pre { background: var(--spectro-card-bg); border: 1px solid var(--spectro-border); padding: 12px; overflow-x: auto; }
`;

export const STYLES = [BASE_STYLES, ...kindStyles()].join("\n");
