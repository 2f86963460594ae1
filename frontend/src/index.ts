// The Spectro pane: TensorBoard loads this module in the tab's iframe and
// calls render(). This file only wires the store, the fetching and the views.

import { listenToHost, writeUrlData } from "./api/host";
import { decodeUrlState, encodeUrlState, URL_KEYS } from "./compare/url-state";
import { urlStateOf } from "./state/app-state";
import { Controller, PLAY_TICK_MS } from "./state/controller";
import { AppView } from "./views/app-view";
import { listenToSizes } from "./views/dom";

export async function render(): Promise<void> {
  const controller = new Controller();
  const view = new AppView(controller.actions);
  view.mount(document);
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
  controller.applyUrl(decodeUrlState(await host.urlData()));
  let written = "";
  controller.store.subscribe((state) => {
    const data = encodeUrlState(urlStateOf(state));
    const text = JSON.stringify(data);
    if (text !== written && writeUrlData(data, Object.values(URL_KEYS))) written = text;
  });
  controller.store.markDirty();
  void host.runs().then((runs) => runs && controller.setHostRuns(runs));
  setInterval(() => controller.tick(), PLAY_TICK_MS);
  await controller.reload();
}
