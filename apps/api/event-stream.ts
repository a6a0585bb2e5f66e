// `GET /api/stream`: server-sent events fed from the event store, so the console refreshes a view when what it shows
// changed. One subscription to the global log per API process (opened with the first client, closed with the last)
// fans compact notices { type, stream, position } out to every client. The SSE id is the event's global position:
// a client that reconnects sends it back (Last-Event-ID) and gets what it missed from the log, or a `reset` notice
// when it missed more than MAX_RESUME events (it then reloads its view). Each client has a bounded buffer: one that
// does not read is closed (it reconnects and resumes) rather than holding memory. A heartbeat comment keeps proxies
// from closing an idle stream.
import type { Request, Response } from 'express';
import type { EventStore, Position, RecordedEvent, Subscription } from '../../application/ports/event-store.js';
import type { Logger } from '../../infrastructure/logging/logger.js';

export interface EventStreamOptions {
  readonly heartbeatMs?: number;
  /** Notices a slow client may have waiting before it is closed. */
  readonly maxBuffered?: number;
  /** Events a resuming client may catch up from the log; beyond, it gets `reset`. */
  readonly maxResume?: number;
}

export interface StreamNotice {
  readonly type: string;
  readonly stream: string;
  readonly position: string;
}

const encodePosition = (p: Position) => `${p.commit}.${p.prepare}`;
const decodePosition = (s: string): Position | undefined => {
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(s);
  return m ? { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) } : undefined;
};
const notice = (e: RecordedEvent): StreamNotice => ({ type: e.type, stream: e.streamName, position: encodePosition(e.position) });
const frame = (n: StreamNotice) => `id: ${n.position}\nevent: change\ndata: ${JSON.stringify(n)}\n\n`;

interface Client {
  readonly res: Response;
  queue: string[];
  /** While catching up from the log, live notices wait here (and are sent after, without duplicates). */
  pending: StreamNotice[] | undefined;
  last: Position | undefined;
  writing: boolean;
}

const after = (a: Position, b: Position | undefined) => b === undefined || a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);

export class EventStreamHub {
  private readonly clients = new Set<Client>();
  private subscription: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly heartbeatMs: number;
  private readonly maxBuffered: number;
  private readonly maxResume: number;

  constructor(
    private readonly store: EventStore,
    private readonly log: Logger,
    options: EventStreamOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBuffered = options.maxBuffered ?? 1000;
    this.maxResume = options.maxResume ?? 1000;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** The express handler of GET /api/stream. */
  readonly handle = async (req: Request, res: Response): Promise<void> => {
    if (this.closed) {
      res.status(503).json({ error: 'ShuttingDown', message: 'the API is stopping' });
      return;
    }
    const raw = req.get('Last-Event-ID') ?? (typeof req.query['lastEventId'] === 'string' ? req.query['lastEventId'] : undefined);
    const resumeFrom = raw === undefined ? undefined : decodePosition(raw);
    if (raw !== undefined && resumeFrom === undefined) {
      res.status(400).json({ error: 'InvalidRequest', message: 'Last-Event-ID must be a position like 123.45 (an id this stream sent)', errors: [] });
      return;
    }
    res
      .status(200)
      .set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const client: Client = { res, queue: [], pending: resumeFrom === undefined ? undefined : [], last: resumeFrom, writing: false };
    this.clients.add(client);
    req.on('close', () => this.drop(client));
    this.ensureFollowing();
    this.write(client, 'retry: 2000\n\n');
    if (resumeFrom === undefined) {
      const head = await this.store.headPosition();
      this.write(client, `event: hello\ndata: ${JSON.stringify({ position: head ? encodePosition(head) : null })}\n\n`);
      return;
    }
    try {
      const missed = await this.store.readAll({ from: resumeFrom, maxCount: this.maxResume + 1 });
      if (missed.length > this.maxResume) {
        client.pending = undefined;
        this.write(client, `event: reset\ndata: ${JSON.stringify({ reason: `more than ${this.maxResume} events were missed` })}\n\n`);
        return;
      }
      for (const e of missed) this.send(client, notice(e), e.position);
      const waiting = client.pending ?? [];
      client.pending = undefined;
      for (const n of waiting) {
        const p = decodePosition(n.position);
        if (p && after(p, client.last)) this.send(client, n, p);
      }
    } catch (err) {
      this.log.warn({ err }, 'event stream: resume failed');
      this.drop(client);
    }
  };

  /** Ends every stream and the subscription (the API is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of [...this.clients]) this.drop(c);
    await this.stopFollowing();
  }

  private ensureFollowing() {
    if (this.subscription !== undefined) return;
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.write(c, ': heartbeat\n\n');
    }, this.heartbeatMs);
    this.heartbeat.unref();
    const started = this.store.headPosition().then((head) =>
      this.store.subscribeToAll({ ...(head ? { from: head } : {}), batchSize: 500 }, async (batch) => {
        for (const e of batch) {
          const n = notice(e);
          for (const c of this.clients) {
            if (c.pending !== undefined) c.pending.push(n);
            else if (after(e.position, c.last)) this.send(c, n, e.position);
          }
        }
      }),
    );
    // A placeholder until the head is known, so a second client does not open a second subscription.
    const holder: Subscription = {
      stop: async () => (await started).stop(),
      done: started.then((s) => s.done),
    };
    this.subscription = holder;
    holder.done.catch((err: unknown) => {
      this.log.error({ err }, 'event stream: the subscription to the log failed; clients are closed and reconnect');
      if (this.subscription === holder) this.subscription = undefined;
      for (const c of [...this.clients]) this.drop(c);
    });
  }

  private async stopFollowing() {
    const s = this.subscription;
    this.subscription = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await s?.stop().catch(() => undefined);
  }

  private send(c: Client, n: StreamNotice, p: Position) {
    c.last = p;
    this.write(c, frame(n));
  }

  private write(c: Client, chunk: string) {
    if (!this.clients.has(c)) return;
    c.queue.push(chunk);
    if (c.queue.length > this.maxBuffered) {
      // It does not read: close it; it reconnects with Last-Event-ID and catches up from the log.
      this.drop(c);
      return;
    }
    this.flush(c);
  }

  private flush(c: Client) {
    if (c.writing) return;
    while (c.queue.length > 0) {
      const chunk = c.queue.shift()!;
      if (!c.res.write(chunk)) {
        c.writing = true;
        c.res.once('drain', () => {
          c.writing = false;
          this.flush(c);
        });
        return;
      }
    }
  }

  private drop(c: Client) {
    if (!this.clients.delete(c)) return;
    c.queue = [];
    c.res.end();
    if (this.clients.size === 0) void this.stopFollowing();
  }
}
