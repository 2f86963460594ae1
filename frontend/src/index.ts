// The Spectro pane: TensorBoard loads this module in the tab's iframe and
// calls render(). This file only wires the store, the fetching and the views.

import { listenToHost } from "./api/host";
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
  controller.store.markDirty();
  listenToHost(() => void controller.reload());
  setInterval(() => controller.tick(), PLAY_TICK_MS);
  await controller.reload();
}
