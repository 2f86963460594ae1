// TensorBoard's plugin host protocol (tensorboard/components/experimental/
// plugin_util): the iframe posts "experimental.bootstrap" with a MessagePort;
// both sides then send JSON messages over it, and every message gets a reply.
// The host offers, in TensorBoard 2.x:
//   - "experimental.DataReloaded" (host → pane) when its reload timer or button fires;
//   - "experimental.GetURLPluginData" (pane → host): the host URL hash's
//     "p.<plugin>.<key>" entries as {key: value}; there is no message to set them;
//   - "experimental.GetRuns" (pane → host): the names of every run of the
//     experiment, and "experimental.RunsChanged" (host → pane) with them when
//     the list changes. Neither says which runs are selected in the runs
//     table, nor their colours.
// The plugin's iframe is served from TensorBoard's own origin, so the pane
// writes its URL data with the host page's own hash storage
// (window.tensorboard.tf_storage), the code that GetURLPluginData reads.

export const RELOAD_MESSAGE = "experimental.DataReloaded";
export const GET_URL_DATA_MESSAGE = "experimental.GetURLPluginData";
export const GET_RUNS_MESSAGE = "experimental.GetRuns";
export const RUNS_CHANGED_MESSAGE = "experimental.RunsChanged";
export const PLUGIN_NAME = "spectro";
const REPLY_TIMEOUT_MS = 3000; // an older host may never answer a request it does not know

interface HostMessage {
  type: string;
  id: number;
  payload: unknown;
  error: unknown;
  isReply: boolean;
}

export interface HostHandlers {
  onReload(): void;
  /** Every run's name, when the host's list of runs changes. */
  onRunsChanged?(runs: string[]): void;
}

export interface HostConnection {
  /** The plugin's URL data; {} outside TensorBoard or when the host does not answer. */
  urlData(): Promise<Record<string, string>>;
  /** Every run's name as the host lists them; null when it does not answer. */
  runs(): Promise<string[] | null>;
  close(): void;
}

/** Strings of an answer that should be string values by key; the rest left out. */
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") out[key] = entry;
  return out;
}

export function listenToHost(handlers: HostHandlers | (() => void)): HostConnection {
  const { onReload, onRunsChanged } = typeof handlers === "function" ? { onReload: handlers } : handlers;
  if (window.parent === window) {
    return { urlData: () => Promise.resolve({}), runs: () => Promise.resolve(null), close: () => undefined };
  }
  const channel = new MessageChannel();
  const waiting = new Map<number, (payload: unknown) => void>();
  let nextId = 0;
  const send = (message: HostMessage) => channel.port1.postMessage(JSON.stringify(message));
  channel.port1.onmessage = (event: MessageEvent) => {
    let message: HostMessage;
    try {
      message = JSON.parse(String(event.data)) as HostMessage;
    } catch {
      return;
    }
    if (!message || typeof message !== "object") return;
    if (message.isReply) {
      const resolve = waiting.get(message.id);
      waiting.delete(message.id);
      resolve?.(message.error ? null : message.payload);
      return;
    }
    send({ type: message.type, id: message.id, payload: null, error: null, isReply: true });
    if (message.type === RELOAD_MESSAGE) onReload();
    else if (message.type === RUNS_CHANGED_MESSAGE && Array.isArray(message.payload))
      onRunsChanged?.(message.payload.filter((run): run is string => typeof run === "string"));
  };
  const request = (type: string): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      setTimeout(() => {
        if (waiting.delete(id)) resolve(null);
      }, REPLY_TIMEOUT_MS);
      send({ type, id, payload: null, error: null, isReply: false });
    });
  window.parent.postMessage("experimental.bootstrap", "*", [channel.port2]);
  return {
    urlData: async () => ({ ...stringRecord(await request(GET_URL_DATA_MESSAGE)), ...hashUrlData() }),
    runs: async () => {
      const runs = await request(GET_RUNS_MESSAGE);
      return Array.isArray(runs) ? runs.filter((run): run is string => typeof run === "string") : null;
    },
    close: () => channel.port1.close(),
  };
}

/** The host page's hash storage, when the pane may reach it (same origin). */
interface HostStorage {
  setString(key: string, value: string, options?: { defaultValue?: string; useLocationReplace?: boolean }): void;
}

function hostStorage(): HostStorage | null {
  try {
    if (window.parent === window) return null;
    const storage = (window.parent as unknown as { tensorboard?: { tf_storage?: HostStorage } }).tensorboard
      ?.tf_storage;
    return storage && typeof storage.setString === "function" ? storage : null;
  } catch {
    return null; // another origin
  }
}

/**
 * The plugin's entries of the host page's URL hash, read directly: the host
 * answers GetURLPluginData from a copy it refreshes on hash changes only.
 */
function hashUrlData(): Record<string, string> {
  let hash: string;
  try {
    hash = window.parent.location.hash;
  } catch {
    return {};
  }
  return pluginEntries(hash, PLUGIN_NAME);
}

/** The "p.<plugin>.<key>=<value>" entries of a TensorBoard URL hash ("#tab&k=v&…"), by key. */
export function pluginEntries(hash: string, plugin: string): Record<string, string> {
  const prefix = `p.${plugin}.`;
  const out: Record<string, string> = {};
  for (const token of hash.replace(/^#/, "").split("&")) {
    const parts = token.split("=");
    if (parts.length !== 2) continue;
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(parts[0]!);
      value = decodeURIComponent(parts[1]!);
    } catch {
      continue;
    }
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  }
  return out;
}

/**
 * Writes the plugin's URL data into the host page's URL (replacing the
 * history entry): each of `keys` set to its value in `data`, or removed.
 * Returns whether the host could be written to.
 */
export function writeUrlData(data: Record<string, string>, keys: readonly string[]): boolean {
  const storage = hostStorage();
  if (!storage) return false;
  try {
    for (const key of keys) {
      storage.setString(`p.${PLUGIN_NAME}.${key}`, data[key] ?? "", { defaultValue: "", useLocationReplace: true });
    }
    return true;
  } catch {
    return false;
  }
}
