// Alert delivery over real HTTP: a local server stands in for the webhook receiver (and another for
// api.telegram.org, through the configurable base URL). The signature is checked here with node:crypto directly,
// as a receiver would, not with the code under test; a failing receiver is retried and recorded as failed while the
// other alerts of the batch go through; reading the log again (a restart, a lost checkpoint) sends nothing twice.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { createAlertDispatcher } from '../../application/alerts/dispatcher.js';
import { createAlertEvaluator, type AlertLog } from '../../application/alerts/evaluator.js';
import { alertStream } from '../../application/alerts/handle-alert-command.js';
import { decodeAll } from '../../application/events/decode-event.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { recordRiskCommand } from '../../application/trading/risk-recorder.js';
import type { AlertEvent } from '../../domain/alerts/events.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { telegramChannel } from '../../infrastructure/alerts/telegram-channel.js';
import { webhookChannel } from '../../infrastructure/alerts/webhook-channel.js';
import { alertsProjection } from '../../projections/alerts/projection.js';
import { listAlerts } from '../../projections/alerts/queries.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { catchUpAll } from '../activation/history.js';
import { memoryLog } from '../projections/support.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { allVisible } from './support.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
  readonly json: Record<string, unknown>;
  readonly at: number;
  readonly seq: number;
}

/** A real HTTP server that records every request; `answer` picks the status (and may delay it). */
const receiver = async (answer: (r: Received) => Promise<number> | number) => {
  const received: Received[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const r: Received = { path: req.url ?? '', headers: req.headers, raw, json: JSON.parse(raw) as Record<string, unknown>, at: Date.now(), seq: seq++ };
      received.push(r);
      void Promise.resolve(answer(r)).then((status) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: status < 300 }));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
};

const SECRET = 'a-test-secret-of-32-characters!!';
const TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_-abc';

/** What a receiver does (doc/alerts.md's snippet): HMAC-SHA256 over `<timestamp>.<raw body>`, compared in constant time. */
const signatureValid = (r: Received): boolean => {
  const timestamp = String(r.headers['x-mastertrade-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${r.raw}`).digest('hex')}`);
  const got = Buffer.from(String(r.headers['x-mastertrade-signature']));
  return got.length === expected.length && timingSafeEqual(got, expected);
};

describe('alerts: delivery to a webhook and to Telegram over real HTTP', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let checkpoints: PostgresCheckpointStore;
  let runner: ProjectionRunner;
  let webhook: Awaited<ReturnType<typeof receiver>>;
  let telegram: Awaited<ReturnType<typeof receiver>>;
  const clock = fixedClock(new Date('2026-03-08T06:00:00.000Z'));
  const log = memoryLog() as AlertLog;
  const riskClock = fixedClock(new Date('2026-03-08T05:30:00.000Z'));

  const evaluator = () =>
    createAlertEvaluator({
      store,
      clock,
      ids: uuidIds,
      checkpoints,
      log,
      policy: { thresholds: { lagSeconds: 300, staleMinutes: 30 }, repeatAfterMs: 15 * 60_000, maxEventAgeMs: 24 * 3_600_000 },
      sources: { openStateAlerts: async () => [] },
    });
  const dispatcher = () =>
    createAlertDispatcher({
      store,
      clock,
      ids: uuidIds,
      checkpoints,
      log,
      channels: [
        webhookChannel({ url: `${webhook.url}/hooks/alerts`, secret: SECRET, clock, retry: { attempts: 3, timeoutMs: 2000, backoffMs: 150 } }),
        telegramChannel({ token: TOKEN, chatId: '-1001234', apiUrl: telegram.url, retry: { attempts: 3, timeoutMs: 2000, backoffMs: 150 } }),
      ],
    });
  const follow = async () => {
    await allVisible(pool, store);
    return evaluator().followEvents();
  };
  const dispatch = async () => {
    await allVisible(pool, store);
    return dispatcher().dispatch();
  };
  const engage = async (account: string) => {
    const r = await recordRiskCommand({ store, clock: riskClock, ids: uuidIds })({
      type: 'EngageKillSwitch',
      account,
      data: {
        account,
        trigger: 'manual',
        time: riskClock.now().getTime(),
        decidedBy: 'operator:ana',
        reason: `halt ${account}`,
        positionsToClose: [],
      } as never,
    });
    if (either.isLeft(r)) throw new Error(JSON.stringify(r.left));
  };
  const streamOf = async (account: string) => {
    const decoded = decodeAll<AlertEvent>(await store.readStream(alertStream(uuidIds, `kill-switch:${account}:manual`)));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right.map((d) => d.event);
  };
  const webhookFor = (subject: string) => webhook.received.filter((r) => r.json['subject'] === subject);

  before(async () => {
    db = await freshDatabase('alert_delivery');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
    runner = new ProjectionRunner({ pool, store, projections: [alertsProjection], log: memoryLog() });
    // The receiver fails every request about account "bad" (slowly), and takes the others.
    webhook = await receiver(async (r) => {
      if (r.json['subject'] !== 'bad') return 200;
      await new Promise((res) => setTimeout(res, 100));
      return 503;
    });
    telegram = await receiver(() => 200);
  });

  after(async () => {
    await webhook?.close();
    await telegram?.close();
    await runner?.stop();
    await checkpoints?.close();
    await pool?.end();
    await db?.drop();
  });

  it('the webhook receives the alert as JSON with a valid HMAC signature; Telegram receives sendMessage at the configured base URL', async () => {
    await engage('good');
    expect(await follow()).to.equal(1);
    expect(await dispatch()).to.equal(2);
    const [hook] = webhookFor('good');
    expect(hook!.path).to.equal('/hooks/alerts');
    expect(hook!.headers['content-type']).to.equal('application/json');
    expect(signatureValid(hook!)).to.equal(true);
    expect(hook!.headers['x-mastertrade-timestamp']).to.equal(String(Date.parse('2026-03-08T06:00:00.000Z') / 1000));
    const [raised] = await streamOf('good');
    const alertId = raised!.data.alertId;
    expect(hook!.json).to.deep.equal({
      deliveryId: `${alertId}:raised:webhook`,
      notification: 'raised',
      alertId,
      rule: 'kill-switch',
      severity: 'critical',
      subject: 'good',
      message: 'kill switch on account good: engaged by operator:ana (halt good)',
      figures: { trigger: 'manual', positionsToClose: 0 },
      dedupKey: 'kill-switch:good:manual',
      firstSeenAt: '2026-03-08T05:30:00.000Z',
      lastSeenAt: '2026-03-08T05:30:00.000Z',
      count: 1,
      resolvedAt: null,
      resolution: null,
    });
    expect(hook!.headers['x-mastertrade-delivery']).to.equal(`${alertId}:raised:webhook`);
    // A tampered body does not verify.
    expect(signatureValid({ ...hook!, raw: hook!.raw.replace('"good"', '"evil"') })).to.equal(false);

    const [tg] = telegram.received;
    expect(tg!.path).to.equal(`/bot${TOKEN}/sendMessage`);
    expect(tg!.json['chat_id']).to.equal('-1001234');
    expect(tg!.json['text']).to.equal(
      `🚨 CRITICAL kill-switch — good\nkill switch on account good: engaged by operator:ana (halt good)\nsince 2026-03-08T05:30:00.000Z · alert ${alertId}`,
    );
    const events = await streamOf('good');
    expect(events.filter((e) => e.type === 'AlertDelivered').map((e) => [e.data.channel, e.data.attempts])).to.have.deep.members([
      ['webhook', 1],
      ['telegram', 1],
    ]);
  });

  it('a failing webhook is retried with backoff, then AlertDeliveryFailed is recorded; the other alert of the batch is not held back', async () => {
    riskClock.advance(60_000);
    await engage('bad');
    await engage('other');
    expect(await follow()).to.equal(2);
    const sentBefore = webhook.received.length;
    expect(await dispatch()).to.equal(4);
    const bad = webhookFor('bad');
    expect(bad).to.have.length(3);
    expect(bad.every(signatureValid)).to.equal(true);
    // Backoff: at least 150 ms, then 300 ms, between the attempts (plus the receiver's own 100 ms).
    expect(bad[1]!.at - bad[0]!.at).to.be.at.least(150);
    expect(bad[2]!.at - bad[1]!.at).to.be.at.least(300);
    const [other] = webhookFor('other');
    expect(other!.seq).to.be.lessThan(bad[2]!.seq); // delivered while "bad" was still being retried
    expect(webhook.received.length - sentBefore).to.equal(4);

    const failed = (await streamOf('bad')).filter((e) => e.type === 'AlertDeliveryFailed');
    expect(failed.map((e) => e.data)).to.have.length(1);
    expect(failed[0]!.data).to.deep.include({ channel: 'webhook', attempts: 3, notification: 'raised' });
    expect((failed[0]!.data as { error: string }).error).to.match(/^HTTP 503/);
    expect((await streamOf('bad')).filter((e) => e.type === 'AlertDelivered').map((e) => e.data.channel)).to.deep.equal(['telegram']);
    expect(
      (await streamOf('other'))
        .filter((e) => e.type === 'AlertDelivered')
        .map((e) => e.data.channel)
        .sort(),
    ).to.deep.equal(['telegram', 'webhook']);

    await catchUpAll(pool, store, runner);
    const rows = (await listAlerts(pool, { limit: 10 })).alerts;
    const badRow = rows.find((r) => r.subject === 'bad')!;
    expect(badRow.deliveries.map((d) => [d.channel, d.ok, d.attempts]).sort()).to.deep.equal([
      ['telegram', true, 1],
      ['webhook', false, 3],
    ]);
  });

  it('a restart that lost both checkpoints reads everything again and sends nothing twice (a failed delivery included)', async () => {
    const [hooks, tgs] = [webhook.received.length, telegram.received.length];
    await pool.query(sql.unsafe`DELETE FROM subscription_checkpoints WHERE name IN ('alerts-evaluator', 'alerts-dispatcher')`);
    expect(await follow()).to.equal(0);
    expect(await dispatch()).to.equal(0);
    expect([webhook.received.length, telegram.received.length]).to.deep.equal([hooks, tgs]);
  });

  it('a resolution is sent once too, saying how it ended', async () => {
    riskClock.advance(60_000);
    const r = await recordRiskCommand({ store, clock: riskClock, ids: uuidIds })({
      type: 'ReleaseKillSwitch',
      account: 'good',
      data: { decidedBy: 'operator:ana', reason: 'checked', trigger: 'manual', time: riskClock.now().getTime() } as never,
    });
    expect(either.isRight(r)).to.equal(true);
    expect(await follow()).to.equal(1);
    expect(await dispatch()).to.equal(2);
    expect(await dispatch()).to.equal(0);
    const resolved = webhookFor('good').filter((h) => h.json['notification'] === 'resolved');
    expect(resolved).to.have.length(1);
    expect(signatureValid(resolved[0]!)).to.equal(true);
    expect(resolved[0]!.json).to.deep.include({ resolvedAt: '2026-03-08T05:32:00.000Z', resolution: 'kill switch released by operator:ana: checked' });
    expect(String(telegram.received[telegram.received.length - 1]!.json['text'])).to.match(/^✅ RESOLVED kill-switch — good\n/);
  });

  it('an unreachable webhook is a failure recorded with the reason, after its attempts', async () => {
    const closed = await receiver(() => 200);
    await closed.close();
    const channel = webhookChannel({ url: closed.url, secret: SECRET, clock, retry: { attempts: 2, timeoutMs: 500, backoffMs: 10 } });
    const outcome = await channel.send({ deliveryId: 'x', alertId: randomUUID() } as never);
    expect(outcome).to.deep.include({ ok: false, attempts: 2 });
    expect((outcome as { error: string }).error).to.match(/ECONNREFUSED|fetch failed/);
  });

  it('a receiver that does not answer in time is abandoned at the timeout, per attempt', async () => {
    const slow = await receiver(async () => {
      await new Promise((res) => setTimeout(res, 1500));
      return 200;
    });
    try {
      const channel = webhookChannel({ url: slow.url, secret: SECRET, clock, retry: { attempts: 2, timeoutMs: 200, backoffMs: 10 } });
      const outcome = await channel.send({ deliveryId: 'x', alertId: randomUUID() } as never);
      expect(outcome).to.deep.equal({ ok: false, attempts: 2, error: 'timed out after 200 ms' });
      expect(slow.received).to.have.length(2);
    } finally {
      await slow.close();
    }
  });
});
