// TensorBoard's plugin host protocol: the iframe posts "experimental.bootstrap"
// with a MessagePort; the host then sends JSON messages over it, among them
// "experimental.DataReloaded" when its reload timer or button fires. Every
// message gets a reply, as the host waits for one.

export const RELOAD_MESSAGE = "experimental.DataReloaded";

interface HostMessage {
  type: string;
  id: number;
  payload: unknown;
  error: unknown;
  isReply: boolean;
}

export function listenToHost(onReload: () => void): () => void {
  if (window.parent === window) return () => undefined;
  const channel = new MessageChannel();
  channel.port1.onmessage = (event: MessageEvent) => {
    let message: HostMessage;
    try {
      message = JSON.parse(String(event.data)) as HostMessage;
    } catch {
      return;
    }
    if (!message || message.isReply) return;
    channel.port1.postMessage(
      JSON.stringify({ type: message.type, id: message.id, payload: null, error: null, isReply: true }),
    );
    if (message.type === RELOAD_MESSAGE) onReload();
  };
  window.parent.postMessage("experimental.bootstrap", "*", [channel.port2]);
  return () => channel.port1.close();
}
