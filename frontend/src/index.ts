// The Spectro pane: TensorBoard loads this module in the tab's iframe and
// calls render(). This file only wires the store, the fetching and the views.

import { listenToHost, writeUrlData } from "./api/host";
import { changedUrlKeys, decodeUrlState, encodeUrlState } from "./compare/url-state";
import { urlStateOf } from "./state/app-state";
import { Controller, PLAY_TICK_MS } from "./state/controller";
import { AppView } from "./views/app-view";
import { listenToSizes } from "./views/dom";

const URL_WRITE_DELAY_MS = 250; // the view goes into the URL this long after a change

export async function render(): Promise<void> {
  const controller = new Controller();
  const view = new AppView(controller.actions);
  view.mount(document, () => controller.store.markDirty());
  controller.store.subscribe((state) => view.render(state));
  new ResizeObserver(() => controller.store.markDirty()).observe(view.element);
  listenToSizes(() => controller.store.markDirty());
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    view.forgetDrawings();
    controller.store.markDirty();
  });
  const host = listenToHost({
    onReload: () => void controller.reload(),
    onRunsChanged: (runs) => controller.setHostRuns(runs),
  });
  // A link's choices are taken before anything is listed, and written back to the host's URL as they change.
  let written = await host.urlData();
  controller.applyUrl(decodeUrlState(written));
  let pending: ReturnType<typeof setTimeout> | null = null;
  // Written a little after the last change: scrubbing would otherwise replace the history entry
  // every frame, which browsers throttle. Only the entries that changed are written, each a
  // replacement of the host's history entry (a scrub changes the step's alone).
  controller.store.subscribe(() => {
    pending ??= setTimeout(() => {
      pending = null;
      const data = encodeUrlState(urlStateOf(controller.store.state));
      const changed = changedUrlKeys(data, written);
      if (changed.length > 0 && writeUrlData(data, changed)) written = data;
    }, URL_WRITE_DELAY_MS);
  });
  controller.store.markDirty();
  void host.runs().then((runs) => runs && controller.setHostRuns(runs));
  setInterval(() => controller.tick(), PLAY_TICK_MS);
  await controller.reload();
}
