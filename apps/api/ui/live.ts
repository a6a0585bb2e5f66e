// The live stream (GET /api/stream) read with fetch, not EventSource: EventSource cannot send the Authorization
// header. Reconnects with Last-Event-ID after a drop; each change notice is handed to the listeners, which refresh
// the views that show the changed stream.
import { authHeaders } from './api.js';

export interface ChangeNotice {
  readonly type: string;
  readonly stream: string;
  readonly position: string;
}
type Listener = (n: ChangeNotice | 'reset') => void;
type StatusListener = (connected: boolean) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<StatusListener>();
let lastId: string | undefined;
let running = false;

export const onChange = (l: Listener) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
export const onStatus = (l: StatusListener) => {
  statusListeners.add(l);
  return () => statusListeners.delete(l);
};
const status = (c: boolean) => statusListeners.forEach((l) => l(c));

const dispatch = (event: string, data: string, id: string | undefined) => {
  if (id) lastId = id;
  if (event === 'reset') return listeners.forEach((l) => l('reset'));
  if (event !== 'change') return;
  try {
    const n = JSON.parse(data) as ChangeNotice;
    listeners.forEach((l) => l(n));
  } catch {
    /* a frame that is not JSON is ignored */
  }
};

const readStream = async () => {
  const res = await fetch('/api/stream', { headers: { ...authHeaders(), Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) } });
  if (!res.ok || !res.body) throw new Error(`stream ${res.status}`);
  status(true);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      let data = '';
      let id: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
        else if (line.startsWith('id: ')) id = line.slice(4);
      }
      dispatch(event, data, id);
    }
  }
};

/** Follows the stream for the page's life, reconnecting after 2 s. */
export const startLive = () => {
  if (running) return;
  running = true;
  const loop = async () => {
    for (;;) {
      try {
        await readStream();
      } catch {
        /* reconnect below */
      }
      status(false);
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void loop();
};
