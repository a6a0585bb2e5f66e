// Alerts end to end on real PostgreSQL: each rule fires on a real event sequence (the cycle's budget event, the
// activation step deactivating a strategy that breached its limits, the risk decider's kill switch) or on what the
// platform reports (a collector that stopped, a projection that does not run, judged by /health's own report); one
// open alert per key with its count; resolution; the alerts read model and GET/POST /api/alerts.
import { createTestKey, keyring } from '../support/api-keys.js';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { createAlertEvaluator, type AlertLog, type AlertSources } from '../../application/alerts/evaluator.js';
import { alertStream } from '../../application/alerts/handle-alert-command.js';
import { eventMetadata } from '../../application/commands/handle-command.js';
import { decodeAll } from '../../application/events/decode-event.js';
import { createActivationStep } from '../../application/pipeline/activation-step.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { recordRiskCommand } from '../../application/trading/risk-recorder.js';
import { createApi } from '../../apps/api/server.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { alertSources } from '../../apps/alerts.js';
import { healthCheck } from '../../apps/health.js';
import type { Platform } from '../../apps/platform.js';
import { STATE_RULES } from '../../domain/alerts/rules.js';
import type { AlertEvent } from '../../domain/alerts/events.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { collectionStatusRecorder } from '../../infrastructure/market-data/collection-status-store.js';
import { InProcessBus } from '../../infrastructure/messaging/in-process-bus.js';
import { activationAuditProjection } from '../../projections/activation-audit/projection.js';
import { alertsProjection } from '../../projections/alerts/projection.js';
import type { AlertRow } from '../../projections/alerts/fold.js';
import { listAlerts, openAlertsOfRules } from '../../projections/alerts/queries.js';
import { rankingProjection } from '../../projections/ranking/projection.js';
import { listRanking } from '../../projections/ranking/queries.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { catchUpAll, History } from '../activation/history.js';
import { memoryLog } from '../projections/support.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { allVisible } from './support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T1 = new Date('2026-03-08T04:00:00.000Z'); // the activation step's first tick
const Z = [1, -1, 1, -1, 1, -1, 0];
const paperReturns = (m: number) => Z.map((z) => m + 0.01 * z);
const POLICY = { thresholds: { lagSeconds: 300, staleMinutes: 30 }, repeatAfterMs: 15 * MIN, maxEventAgeMs: 24 * HOUR };

describe('alerts: rules, de-duplication, resolution, read model and API', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let checkpoints: PostgresCheckpointStore;
  let runner: ProjectionRunner;
  let server: Server;
  let base: string;
  const clock = fixedClock(new Date('2026-03-08T06:00:00.000Z'));
  const log = memoryLog() as AlertLog;

  const evaluator = (sources: Partial<AlertSources> = {}) =>
    createAlertEvaluator({
      store,
      clock,
      ids: uuidIds,
      checkpoints,
      log,
      policy: POLICY,
      sources: { openStateAlerts: async () => (await openAlertsOfRules(pool, STATE_RULES)) as never, ...sources },
    });
  const follow = async () => {
    await allVisible(pool, store);
    return evaluator().followEvents();
  };
  const alerts = async (q: { rule?: string; state?: 'open' | 'resolved' } = {}) => {
    await catchUpAll(pool, store, runner);
    return (await listAlerts(pool, { ...q, limit: 500 })).alerts;
  };
  const streamOf = async (dedupKey: string) => {
    const decoded = decodeAll<AlertEvent>(await store.readStream(alertStream(uuidIds, dedupKey)));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right.map((d) => d.event);
  };
  // Real keys (test/support/api-keys.ts): a body naming operator:<name> is sent with <name>'s key, so the API records
  // that actor; anything else with the default key.
  let keys: ReturnType<typeof keyring>;
  const call = async (method: string, path: string, body?: unknown) => {
    const signed = await keys.sign(body);
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...signed.headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(signed.body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    db = await freshDatabase('alerts');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
    runner = new ProjectionRunner({ pool, store, projections: [alertsProjection, rankingProjection, activationAuditProjection], log: memoryLog() });
    keys = keyring(store, pool);
    const app = createApi({
      store,
      pool,
      log: createLogger('silent'),
      clock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.close();
    await runner?.stop();
    await checkpoints?.close();
    await pool?.end();
    await db?.drop();
  });

  it('a cycle over its time budget: the cycle-<day> stream’s CycleBudgetExhausted raises a warning incident', async () => {
    const eventId = randomUUID();
    const at = new Date('2026-03-08T03:40:00.000Z');
    const appended = await store.appendToStream('cycle-2026-03-08', [
      {
        eventId,
        type: 'CycleBudgetExhausted',
        data: {
          cycleId: '2026-03-08',
          planned: 5,
          backtested: 3,
          leftOut: [
            { index: 3, fingerprint: 'g3' },
            { index: 4, fingerprint: 'g4' },
          ],
          budgetMs: 30 * MIN,
          elapsedMs: 31 * MIN,
          at: at.toISOString(),
        },
        metadata: eventMetadata({ actor: 'system:pipeline' as Actor }, at, eventId),
      },
    ]);
    expect(either.isRight(appended)).to.equal(true);
    expect(await follow()).to.equal(1);
    const [a] = await alerts({ rule: 'cycle-over-budget' });
    expect(a).to.deep.include({ state: 'open', kind: 'incident', severity: 'warning', subject: 'cycle-2026-03-08', count: 1, firstSeenAt: at.toISOString() });
    expect(a!.figures).to.deep.equal({ planned: 5, backtested: 3, leftOut: 2, budgetMs: 30 * MIN, elapsedMs: 31 * MIN });
    expect(a!.message).to.contain('ran over its time budget of 30 min: 3 of 5 genomes backtested, 2 left out');
  });

  it('a strategy deactivated by its limits: the activation step’s breach deactivation raises strategy-deactivated', async () => {
    const h = new History(store);
    const [p1, p2] = [randomUUID(), randomUUID()];
    for (const [id, m] of [
      [p1, 0.0013],
      [p2, 0.001],
    ] as const) {
      await h.toPaper(id);
      await h.days(id, 'paper', '2026-03-01', paperReturns(m));
      await h.evaluate(id, 'eligible');
    }
    await catchUpAll(pool, store, runner);
    const step = createActivationStep({ store, ids: uuidIds, ranking: { list: () => listRanking(pool) }, currentRegime: async () => 'trend_low_vol' });
    await step.tick(T1);
    await catchUpAll(pool, store, runner);
    expect(await follow()).to.equal(0); // activations are not alerts
    // p1's first live day: 1000 → 750, a 25% drawdown against 2 × the backtested 10%.
    await h.day(p1, 'live', '2026-03-08', { initialCapital: 1000, equity: 750, dayReturn: -0.25 });
    await catchUpAll(pool, store, runner);
    await step.tick(new Date(T1.getTime() + HOUR));
    expect(await follow()).to.equal(1);
    const found = await alerts({ rule: 'strategy-deactivated' });
    expect(found.map((a) => a.subject)).to.deep.equal([p1]);
    expect(found[0]).to.deep.include({ state: 'open', severity: 'warning', dedupKey: `strategy-deactivated:${p1}` });
    expect(found[0]!.message).to.match(/deactivated by its limits \(drawdown — live drawdown 25\.00%/);
  });

  it('the kill switch: the risk decider tripping it on a drawdown raises a critical alert; releasing it resolves the alert', async () => {
    const riskClock = fixedClock(new Date('2026-03-08T05:30:00.000Z'));
    const record = recordRiskCommand({ store, clock: riskClock, ids: uuidIds });
    const engaged = await record({
      type: 'EngageKillSwitch',
      account: 'paper',
      data: {
        account: 'paper',
        trigger: 'max_drawdown',
        time: riskClock.now().getTime(),
        decidedBy: 'system:risk-gate',
        reason: 'drawdown 25% beyond the 20% limit',
        positionsToClose: [{ symbol: 'BTCUSDT', quantity: 0.1 }],
        figures: { limit: 0.2, actual: 0.25, equity: 750, reference: 1000 },
      } as never,
    });
    expect(either.isRight(engaged)).to.equal(true);
    expect(await follow()).to.equal(1);
    const [open] = await alerts({ rule: 'drawdown-limit' });
    expect(open).to.deep.include({ state: 'open', severity: 'critical', subject: 'paper', dedupKey: 'kill-switch:paper:max_drawdown' });
    expect(open!.figures).to.deep.equal({ trigger: 'max_drawdown', limit: 0.2, actual: 0.25, equity: 750, reference: 1000, positionsToClose: 1 });

    riskClock.advance(20 * MIN);
    const released = await record({
      type: 'ReleaseKillSwitch',
      account: 'paper',
      data: { decidedBy: 'operator:ana', reason: 'positions closed, limits reviewed', trigger: 'max_drawdown', time: riskClock.now().getTime() } as never,
    });
    expect(either.isRight(released)).to.equal(true);
    expect(await follow()).to.equal(1);
    const [after] = await alerts({ rule: 'drawdown-limit' });
    expect(after).to.deep.include({ alertId: open!.alertId, state: 'resolved', resolvedAt: '2026-03-08T05:50:00.000Z', resolvedBy: 'system:alerts' });
    expect(after!.resolution).to.contain('released by operator:ana: positions closed, limits reviewed');
  });

  it('reading the log again from the start (checkpoint lost) appends nothing and re-opens nothing', async () => {
    const before = await alerts();
    await pool.query(sql.unsafe`DELETE FROM subscription_checkpoints WHERE name = 'alerts-evaluator'`);
    expect(await follow()).to.equal(0);
    expect(await alerts()).to.deep.equal(before);
  });

  it('a stale collector: one alert while it stays stale, its count moving at most every 15 min; resolved once data arrives', async () => {
    const recorder = collectionStatusRecorder(pool);
    const lastData = new Date('2026-03-08T06:00:00.000Z');
    await recorder.succeeded({
      source: 'binance:candles',
      symbol: 'BTCUSDT',
      interval: '1m',
      at: lastData,
      lastObservationAt: lastData.getTime(),
      observations: 10,
    });
    await recorder.succeeded({ source: 'binance:candles', symbol: 'ETHUSDT', interval: '1m', at: new Date('2026-03-08T06:45:00.000Z'), observations: 10 });
    const ev = evaluator({ collection: async () => alertSources({ pool, clock } as unknown as Platform, async () => ({ healthy: true })).collection!() });
    const at = (iso: string) => clock.set(new Date(iso));

    at('2026-03-08T06:30:00.000Z'); // exactly the threshold: not stale yet
    expect(await ev.evaluateConditions()).to.deep.equal({ raisedOrRepeated: 0, resolved: 0 });
    at('2026-03-08T06:31:00.000Z');
    expect(await ev.evaluateConditions()).to.deep.equal({ raisedOrRepeated: 1, resolved: 0 });
    await alerts();
    at('2026-03-08T06:32:00.000Z'); // the same condition again, a minute later: nothing new
    expect(await ev.evaluateConditions()).to.deep.equal({ raisedOrRepeated: 0, resolved: 0 });
    at('2026-03-08T06:46:00.000Z'); // 15 min after the last recorded sighting: counted
    expect(await ev.evaluateConditions()).to.deep.equal({ raisedOrRepeated: 1, resolved: 0 });
    const stale = await alerts({ rule: 'data-stale' });
    expect(stale).to.have.length(1);
    expect(stale[0]).to.deep.include({
      subject: 'binance:candles/BTCUSDT/1m',
      state: 'open',
      count: 2,
      firstSeenAt: '2026-03-08T06:31:00.000Z',
      lastSeenAt: '2026-03-08T06:46:00.000Z',
    });
    expect(stale[0]!.figures).to.deep.include({ minutesSinceUpdate: 46, thresholdMinutes: 30 });

    await recorder.succeeded({ source: 'binance:candles', symbol: 'BTCUSDT', interval: '1m', at: new Date('2026-03-08T06:47:00.000Z') });
    at('2026-03-08T06:48:00.000Z');
    expect(await ev.evaluateConditions()).to.deep.equal({ raisedOrRepeated: 0, resolved: 1 });
    const [resolved] = await alerts({ rule: 'data-stale' });
    expect(resolved).to.deep.include({ state: 'resolved', resolvedAt: '2026-03-08T06:48:00.000Z', count: 2 });
    expect(await streamOf('data-stale:binance:candles/BTCUSDT/1m')).to.have.length(3); // raised, repeated, resolved
  });

  it('a lagging projection, judged on /health’s own report: raised while it does not run, resolved once it caught up', async () => {
    const config = loadConfig({ DATABASE_URL: db.url });
    if (either.isLeft(config)) throw new Error(config.left);
    const platform = {
      config: config.right,
      log: createLogger('silent'),
      databaseUrl: db.url,
      store,
      pool,
      clock,
      ids: uuidIds,
      close: async () => undefined,
    } as Platform;
    const health = healthCheck(platform, new InProcessBus(), checkpoints);
    const ev = evaluator({ health: alertSources(platform, health).health! });
    clock.set(new Date('2026-03-08T07:00:00.000Z'));
    await ev.evaluateConditions();
    const [lag] = await alerts({ rule: 'projection-lag', state: 'open' }).then((rows) => rows.filter((r) => r.subject === 'strategies'));
    // The strategies projection never ran; its oldest waiting event is the first StrategyGenerated (History's clock).
    expect(lag).to.deep.include({ severity: 'warning', dedupKey: 'projection-lag:strategies' });
    const report = (await health()) as unknown as { projections: { name: string; lag: number }[] };
    expect(lag!.figures['lagEvents']).to.equal(report.projections.find((p) => p.name === 'strategies')!.lag);
    expect(lag!.figures['lagSeconds']).to.be.greaterThan(300);
    expect((await alerts({ rule: 'mirror-lag', state: 'open' })).map((r) => r.subject)).to.deep.equal(['mirror']);

    const strategies = new ProjectionRunner({ pool, store, projections: [strategiesProjection], log: memoryLog() });
    await strategies.catchUp();
    await strategies.stop();
    clock.advance(MIN);
    await ev.evaluateConditions();
    const after = (await alerts({ rule: 'projection-lag' })).filter((r) => r.subject === 'strategies');
    expect(after.map((r) => r.state)).to.deep.equal(['resolved']);
    expect((await alerts({ rule: 'mirror-lag' })).map((r) => r.state)).to.deep.equal(['open']); // still behind
  });

  describe('GET /api/alerts and POST /api/alerts/:id/acknowledge', () => {
    it('filters by state, severity and rule, newest first', async () => {
      await alerts();
      const all = (await call('GET', '/api/alerts')).body['alerts'] as AlertRow[];
      const firstSeen = all.map((a) => a.firstSeenAt);
      expect(firstSeen).to.deep.equal([...firstSeen].sort().reverse());
      const critical = (await call('GET', '/api/alerts?severity=critical')).body['alerts'] as AlertRow[];
      expect(critical.map((a) => a.rule)).to.deep.equal(['drawdown-limit']);
      const resolved = (await call('GET', '/api/alerts?state=resolved')).body['alerts'] as AlertRow[];
      expect(resolved.map((a) => a.rule).sort()).to.deep.equal(['data-stale', 'drawdown-limit', 'projection-lag']);
      const open = (await call('GET', '/api/alerts?state=open&rule=cycle-over-budget')).body['alerts'] as AlertRow[];
      expect(open.map((a) => a.subject)).to.deep.equal(['cycle-2026-03-08']);
      expect(all.length).to.equal(resolved.length + ((await call('GET', '/api/alerts?state=open')).body['alerts'] as AlertRow[]).length);
    });

    it('pages with the cursor: every alert once, in order, and no cursor after the last page', async () => {
      const all = ((await call('GET', '/api/alerts')).body['alerts'] as AlertRow[]).map((a) => a.alertId);
      expect(all.length).to.be.greaterThan(3);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { status: number; body: Record<string, unknown> } = await call('GET', `/api/alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).to.equal(200);
        seen.push(...(r.body['alerts'] as AlertRow[]).map((a) => a.alertId));
        cursor = r.body['nextCursor'] as string | null;
      } while (cursor !== null);
      expect(seen).to.deep.equal(all);
    });

    it('refuses bad queries with a 400 naming the parameter', async () => {
      for (const [query, path] of [
        ['state=closed', 'state'],
        ['severity=fatal', 'severity'],
        ['rule=nope', 'rule'],
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['limit=ten', 'limit'],
        ['cursor=not-a-cursor', 'cursor'],
        [`cursor=${Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url')}`, 'cursor'],
        ['colour=red', 'colour'],
        ['state=open&state=resolved', 'state'],
      ] as const) {
        const r = await call('GET', `/api/alerts?${query}`);
        expect(r.status, query).to.equal(400);
        expect(
          (r.body['errors'] as { path: string }[]).map((e) => e.path),
          query,
        ).to.include(path);
      }
    });

    it('acknowledges with actor and reason: a condition stays open, an incident closes; bad input is a 400, unknown a 404, twice a 409', async () => {
      const [mirror] = await alerts({ rule: 'mirror-lag', state: 'open' });
      const [budget] = await alerts({ rule: 'cycle-over-budget', state: 'open' });
      const ack = (id: string, body: unknown) => call('POST', `/api/alerts/${id}/acknowledge`, body);

      const noReason = await ack(mirror!.alertId, { actor: 'operator:ana' });
      expect(noReason.status).to.equal(400);
      expect((noReason.body['errors'] as { path: string }[]).map((e) => e.path)).to.deep.equal(['reason']);
      // A body may not name another actor than its key's (403 naming `actor`), and a viewer key may not acknowledge.
      const system = await ack(mirror!.alertId, { actor: 'nobody', reason: 'x' });
      expect(system.status).to.equal(403);
      expect((system.body['errors'] as { path: string }[]).map((e) => e.path)).to.deep.equal(['actor']);
      const viewer = await createTestKey(store, pool, { name: 'alert-viewer', role: 'viewer' });
      const byViewer = await fetch(`${base}/api/alerts/${mirror!.alertId}/acknowledge`, {
        method: 'POST',
        headers: { ...viewer.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'a viewer tries' }),
      });
      expect(byViewer.status).to.equal(403);
      expect((await ack(mirror!.alertId, { actor: 'operator:ana', reason: 'ok', extra: 1 })).status).to.equal(400);
      expect((await ack('not-a-uuid', { actor: 'operator:ana', reason: 'ok' })).status).to.equal(400);
      expect((await ack(randomUUID(), { actor: 'operator:ana', reason: 'ok' })).status).to.equal(404);

      const ok = await ack(mirror!.alertId, { actor: 'operator:ana', reason: 'the mirror is being restarted' });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.deep.include({ state: 'open', acknowledged: true });
      expect((await ack(mirror!.alertId, { actor: 'operator:ana', reason: 'again' })).status).to.equal(409);
      const closed = await ack(budget!.alertId, { actor: 'operator:bo', reason: 'budget raised for tomorrow' });
      expect(closed.body).to.deep.include({ state: 'resolved' });
      await alerts();
      const [m] = (await call('GET', '/api/alerts?rule=mirror-lag')).body['alerts'] as AlertRow[];
      expect(m).to.deep.include({ state: 'open', acknowledgedBy: 'operator:ana', acknowledgement: 'the mirror is being restarted' });
      const [b] = (await call('GET', '/api/alerts?rule=cycle-over-budget')).body['alerts'] as AlertRow[];
      expect(b).to.deep.include({ state: 'resolved', resolvedBy: 'operator:bo', resolution: 'budget raised for tomorrow' });
    });
  });
});
