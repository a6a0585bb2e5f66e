// The observability routes of a real platform over real HTTP: GET /api/logs (filters, full text, keyset paging under
// concurrent inserts, 400 with the field path) and GET /metrics (valid Prometheus text; the counters move by exactly
// what happened; the lag gauges equal /health's figures).
import { expect } from 'chai';
import { either } from 'fp-ts';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import { openRiskGate } from '../../application/trading/risk-recorder.js';
import { DEFAULT_RISK_LIMITS } from '../../domain/risk/limits.js';
import { riskStream } from '../../domain/risk/events.js';
import type { OrderSpec } from '../../domain/execution/order.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { LogTee } from '../../infrastructure/logging/log-tee.js';
import { configOrExit, openPlatform, type Platform } from '../../apps/platform.js';
import { openBus, startApi, type Running } from '../../apps/services.js';
import type { Bus } from '../../application/ports/bus.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

const T0 = Date.UTC(2024, 2, 1, 10);
const MIN = 60_000;

/** Hand-made records: [service, level, message, minutes after T0, extra fields]. */
const FIXTURE: readonly [string, number, string, number, Record<string, unknown>?][] = [
  ['api', 30, 'request served', 0],
  ['api', 40, 'slow request to the ranking', 1],
  ['collector', 50, 'exchange unreachable: binance timeout', 2],
  ['collector', 30, 'candles fetched', 3, { symbol: 'BTCUSDT' }],
  ['worker', 50, 'order refused by the risk gate', 4],
  ['worker', 40, 'orders refused twice in a row', 5],
  ['pipeline', 60, 'cycle failed: database gone', 6],
  ['api', 20, 'headers parsed', 7],
  ['pipeline', 30, 'cycle started', 8, { symbol: 'ETHUSDT' }],
];

describe('GET /api/logs and GET /metrics (apps/api/log-routes.ts, metrics-route.ts)', () => {
  let db: TestDatabase;
  let platform: Platform;
  let bus: Bus;
  let checkpoints: PostgresCheckpointStore;
  let api: Running & { port: number };
  const tees: LogTee[] = [];
  let base = '';
  /** A real viewer key (test/support/api-keys.ts): the logs and the metrics are reads. */
  let key: TestKey;

  /** Writes records through the real tee, as `service` at the given times, and waits until they are stored. */
  const logAs = async (service: string, records: readonly { level: number; msg: string; time: number; extra?: Record<string, unknown> }[]) => {
    const tee = new LogTee({ service, store: true, flushIntervalMs: 3_600_000 });
    tees.push(tee);
    tee.startStoring({ connectionString: db.url });
    let now = 0;
    const log = pino({ level: 'trace', base: { service }, timestamp: () => `,"time":${now}` }, pino.multistream([{ stream: tee, level: 'trace' }]));
    for (const r of records) {
      now = r.time;
      log[pino.levels.labels[r.level] as 'info'](r.extra ?? {}, r.msg);
    }
    await tee.flush();
  };
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: key.headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const msgs = (body: Record<string, unknown>) => (body['logs'] as { msg: string }[]).map((l) => l.msg);
  const window = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 10 * MIN).toISOString()}`;
  /** The fixture filtered in plain code, newest first: the expected answer. */
  const expected = (keep: (r: (typeof FIXTURE)[number]) => boolean) =>
    FIXTURE.filter(keep)
      .sort((a, b) => b[3] - a[3])
      .map((r) => r[2]);
  const scrape = async () => {
    const res = await fetch(`${base}/metrics`, { headers: key.headers });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  before(async () => {
    db = await freshDatabase('observability_api');
    platform = await openPlatform(configOrExit({ DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'warn' }), 'test-observability', {
      env: { LOG_STORE: 'on' },
    });
    bus = openBus(platform, 'test');
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
    api = await startApi(platform, bus, checkpoints);
    key = await createTestKey(platform.store, platform.pool, { name: 'observer', role: 'viewer' });
    base = `http://127.0.0.1:${api.port}`;
    for (const service of new Set(FIXTURE.map((r) => r[0])))
      await logAs(
        service,
        FIXTURE.filter((r) => r[0] === service).map(([, level, msg, minutes, extra]) => ({
          level,
          msg,
          time: T0 + minutes * MIN,
          ...(extra ? { extra } : {}),
        })),
      );
  });
  after(async () => {
    for (const t of tees) await t.close();
    await api.stop();
    await checkpoints.close();
    await bus.close();
    await platform.close();
    await db.drop();
  });

  describe('GET /api/logs', () => {
    it('filters by service, by level and above, by time range', async () => {
      expect(msgs((await get(`/api/logs?${window}&service=collector`)).body)).to.deep.equal(expected((r) => r[0] === 'collector'));
      expect(msgs((await get(`/api/logs?${window}&level=warn`)).body)).to.deep.equal(expected((r) => r[1] >= 40));
      expect(msgs((await get(`/api/logs?${window}&level=error&service=worker`)).body)).to.deep.equal(['order refused by the risk gate']);
      const range = `from=${new Date(T0 + 2 * MIN).toISOString()}&to=${new Date(T0 + 5 * MIN).toISOString()}`;
      expect(msgs((await get(`/api/logs?${range}`)).body)).to.deep.equal(expected((r) => r[3] >= 2 && r[3] <= 5));
      const all = (await get(`/api/logs?${window}`)).body;
      expect(msgs(all)).to.deep.equal(expected(() => true));
      expect((all['logs'] as Record<string, unknown>[])[0]).to.deep.include({
        service: 'pipeline',
        level: 30,
        levelName: 'info',
        msg: 'cycle started',
        time: '2024-03-01T10:08:00.000Z',
      });
    });

    it('searches the full text: stems, phrases, exclusions, and the record fields', async () => {
      const q = async (text: string, more = '') => msgs((await get(`/api/logs?${window}&q=${encodeURIComponent(text)}${more}`)).body);
      expect(await q('refused')).to.deep.equal(['orders refused twice in a row', 'order refused by the risk gate']);
      expect(await q('refuse')).to.deep.equal(['orders refused twice in a row', 'order refused by the risk gate']);
      expect(await q('"risk gate"')).to.deep.equal(['order refused by the risk gate']);
      expect(await q('cycle -failed')).to.deep.equal(['cycle started']);
      expect(await q('ETHUSDT')).to.deep.equal(['cycle started']);
      expect(await q('binance or BTCUSDT')).to.deep.equal(['candles fetched', 'exchange unreachable: binance timeout']);
      expect(await q('cycle', '&level=error')).to.deep.equal(['cycle failed: database gone']);
      expect(await q('nothing-like-this')).to.deep.equal([]);
    });

    it('pages by (time, id) without a duplicate or a gap while records keep arriving', async () => {
      const T1 = Date.UTC(2024, 4, 1);
      // 120 records, five to a millisecond (the id breaks the ties)
      await logAs(
        'pager',
        Array.from({ length: 120 }, (_, i) => ({ level: 30, msg: `page record ${i}`, time: T1 + Math.floor(i / 5) * 1000 })),
      );
      const { rows } = await platform.pool.query({ sql: `SELECT id FROM logs WHERE service = 'pager'`, values: [] } as never);
      const initial = new Set((rows as { id: number }[]).map((r) => r.id));
      expect(initial.size).to.equal(120);
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      const range = `service=pager&from=${new Date(T1).toISOString()}&to=${new Date(T1 + 3_600_000).toISOString()}&limit=25`;
      do {
        // Each page is fetched while new records (newer, and as old as the newest) are being stored.
        const [page] = await Promise.all([
          get(`/api/logs?${range}${cursor ? `&cursor=${cursor}` : ''}`),
          logAs('pager', [
            { level: 30, msg: `late ${pages}`, time: T1 + 30 * MIN + pages },
            { level: 30, msg: `late same time ${pages}`, time: T1 + 23 * 1000 },
          ]),
        ]);
        expect(page.status).to.equal(200);
        const ids = (page.body['logs'] as { id: number }[]).map((l) => l.id);
        if (pages === 0) expect(ids).to.have.length(25);
        seen.push(...ids.filter((id) => initial.has(id)));
        cursor = page.body['nextCursor'] as string | null;
        pages++;
      } while (cursor !== null && pages < 20);
      // no duplicate, no gap: every record there at the start, once
      expect(seen).to.have.length(new Set(seen).size);
      expect([...initial].every((id) => seen.includes(id))).to.equal(true);
    });

    it('refuses bad input with 400 and the field path', async () => {
      const problem = async (query: string) => {
        const r = await get(`/api/logs?${query}`);
        expect(r.status, query).to.equal(400);
        return (r.body['errors'] as { path: string }[]).map((e) => e.path);
      };
      expect(await problem('level=loud')).to.deep.equal(['query.level']);
      expect(await problem('limit=100000')).to.deep.equal(['query.limit']);
      expect(await problem('limit=0')).to.deep.equal(['query.limit']);
      expect(await problem(`q=${'a'.repeat(201)}`)).to.deep.equal(['query.q']);
      expect(await problem('q=%00')).to.deep.equal(['query.q']);
      expect(await problem('from=yesterday')).to.deep.equal(['query.from']);
      expect(await problem('from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z')).to.deep.equal(['query.from']);
      expect(await problem('from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z')).to.deep.equal(['query.to']);
      expect(await problem('cursor=not-a-cursor')).to.deep.equal(['query.cursor']);
      expect(await problem('level=info&level=warn')).to.deep.equal(['query.level']);
      expect(await problem('colour=red')).to.deep.equal(['query.colour']);
    });

    it('stores the platform’s own log records (service named) through the same tee', async () => {
      platform.log.warn({ probe: 42 }, 'a warning from the platform');
      await platform.logTee!.flush();
      const r = await get(`/api/logs?service=test-observability&q=${encodeURIComponent('"warning from the platform"')}`);
      expect(msgs(r.body)).to.deep.equal(['a warning from the platform']);
      expect((r.body['logs'] as { record: Record<string, unknown> }[])[0]!.record).to.include({ probe: 42, service: 'test-observability' });
    });
  });

  describe('GET /metrics', () => {
    it('is valid Prometheus text with the process metrics, labelled with the service', async () => {
      const m = await scrape();
      expect(m.types.get('process_cpu_user_seconds_total')).to.equal('counter');
      expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).to.equal('gauge');
      expect(m.types.get('mastertrade_http_request_duration_seconds')).to.equal('histogram');
      expect(sampleValue(m, 'process_cpu_user_seconds_total', { service: 'test-observability' })).to.be.a('number');
    });

    it('counts the events appended, by exactly the number appended', async () => {
      const before = sampleValue(m0(await scrape()), 'mastertrade_events_appended_total', {}) ?? 0;
      const refused = (id: string) => ({
        eventId: randomUUID(),
        type: 'RiskOrderRefused',
        data: {
          account: 'acct-x',
          exchange: 'binance',
          order: { clientOrderId: id, symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 1 },
          time: T0,
          rule: 'max_open_positions',
          limit: 1,
          actual: 2,
          message: 'too many',
        },
        metadata: { actor: 'system:test', occurredAt: new Date(T0).toISOString(), schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID() },
      });
      const events = [refused('o-1'), refused('o-2'), refused('o-3')];
      const appended = await platform.store.appendToStream(riskStream('acct-x'), events as never);
      expect(either.isRight(appended), either.isLeft(appended) ? appended.left.kind : '').to.equal(true);
      // an idempotent retry stores nothing and counts nothing
      const retried = await platform.store.appendToStream(riskStream('acct-x'), events as never);
      expect(either.isRight(retried) && retried.right.appended).to.equal(false);
      const after = sampleValue(m0(await scrape()), 'mastertrade_events_appended_total', {});
      expect(after! - before).to.equal(3);
      // ... and the three refusals reach the refusal counter under their reason code
      await eventually(async () => {
        expect(sampleValue(await scrape(), 'mastertrade_risk_refusals_total', { reason: 'max_open_positions' })).to.equal(3);
      });
    });

    it('counts a risk refusal by the gate under its reason code', async () => {
      const gate = await openRiskGate(
        { store: platform.store, clock: { now: () => new Date(T0) }, ids: platform.ids },
        { account: 'paper-obs', exchange: 'binance', cash: 10_000, defaultLimits: DEFAULT_RISK_LIMITS },
      );
      if (either.isLeft(gate)) return expect.fail(JSON.stringify(gate.left));
      const spec = { clientOrderId: 'mt-obs-1', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 1 } as OrderSpec;
      expect(either.isLeft(gate.right.check({ account: 'paper-obs', exchange: 'binance', spec, referencePrice: 50_000, time: T0 }))).to.equal(true);
      await gate.right.flush();
      const stored = await platform.store.readStream(riskStream('paper-obs'));
      expect(stored.map((e) => e.type)).to.deep.equal(['RiskOrderRefused']);
      // A 50 000 order on a 10 000 account: within the default 100 000 notional cap, over the 25 % of equity one
      // symbol may take.
      const rule = (stored[0]!.data as { rule: string }).rule;
      expect(rule).to.equal('max_symbol_exposure');
      await eventually(async () => {
        expect(sampleValue(await scrape(), 'mastertrade_risk_refusals_total', { reason: rule })).to.equal(1);
      });
    });

    it('times HTTP requests by route template and status', async () => {
      const key = (route: string, status: string) => ({ method: 'GET', route, status });
      const count = (m: Parsed, route: string, status: string) => sampleValue(m, 'mastertrade_http_request_duration_seconds_count', key(route, status)) ?? 0;
      const before = await scrape();
      await get(`/api/logs?${window}`);
      await get(`/api/logs?${window}&service=api`);
      await get('/api/logs?level=loud');
      await get(`/api/strategies/${randomUUID()}`);
      await get(`/no/such/route/${randomUUID()}`);
      const after = await scrape();
      expect(count(after, '/api/logs', '200') - count(before, '/api/logs', '200')).to.equal(2);
      expect(count(after, '/api/logs', '400') - count(before, '/api/logs', '400')).to.equal(1);
      expect(count(after, '/api/strategies/:id', '404') - count(before, '/api/strategies/:id', '404')).to.equal(1);
      expect(count(after, 'unmatched', '404') - count(before, 'unmatched', '404')).to.equal(1);
      // no raw URL became a label
      expect(after.samples.some((s) => (s.labels['route'] ?? '').includes('-'))).to.equal(false);
    });

    it('counts the log records at level error', async () => {
      const before = sampleValue(await scrape(), 'mastertrade_log_errors_total', {}) ?? 0;
      platform.log.error('one error for the counter');
      platform.log.warn('a warning is not an error');
      platform.log.fatal('a fatal one counts too');
      expect(sampleValue(await scrape(), 'mastertrade_log_errors_total', {})! - before).to.equal(2);
    });

    it('reports the last completed cycle and its stages, and the running one, from cycle_progress', async () => {
      const stage = (elapsedMs: number) => ({ counts: {}, elapsedMs, at: '2024-03-02T03:00:00.000Z' });
      const insert = (id: string, stageNow: string, elapsedMs: number, etaMs: number | null, stages: object, finishedAt: string | null) =>
        platform.pool.query({
          sql: `INSERT INTO cycle_progress (cycle_id, stage, elapsed_ms, eta_ms, backtested, stages, degradations, finished_at, revision, state)
                VALUES ($1, $2, $3, $4, 0, $5::jsonb, '[]', $6::timestamptz, 0, '{}')`,
          values: [id, stageNow, elapsedMs, etaMs, JSON.stringify(stages), finishedAt],
        } as never);
      await insert('2024-03-01', 'done', 60_000, 0, { data: stage(1000), backtest: stage(50_000), promote: stage(500) }, '2024-03-01T04:00:00Z');
      await insert('2024-03-02', 'done', 90_000, 0, { data: stage(2000), generate: stage(3000), backtest: stage(80_000) }, '2024-03-02T04:00:00Z');
      await insert('2024-03-03', 'backtest', 5_000, 7_000, { data: stage(1500) }, null);
      const m = await scrape();
      expect(sampleValue(m, 'mastertrade_cycle_last_duration_seconds', {})).to.equal(90);
      expect(sampleValue(m, 'mastertrade_cycle_last_completed_timestamp_seconds', {})).to.equal(Date.UTC(2024, 2, 2, 4) / 1000);
      expect(m.samples.filter((s) => s.name === 'mastertrade_cycle_stage_duration_seconds').map((s) => [s.labels['stage'], s.value])).to.deep.equal([
        ['data', 2],
        ['generate', 3],
        ['backtest', 80],
      ]);
      expect(sampleValue(m, 'mastertrade_cycle_running_elapsed_seconds', {})).to.equal(5);
      expect(sampleValue(m, 'mastertrade_cycle_running_eta_seconds', {})).to.equal(7);
    });

    it('reports projection and mirror lag equal to /health', async () => {
      const health = (await get('/health')).body as { projections: { name: string; lag: number }[]; mirror: { lag: number } };
      const m = await scrape();
      for (const p of health.projections) expect(sampleValue(m, 'mastertrade_projection_lag_events', { projection: p.name }), p.name).to.equal(p.lag);
      expect(sampleValue(m, 'mastertrade_mirror_lag_events', {})).to.equal(health.mirror.lag);
      // No mirror runs here: its lag is every event in the log.
      const { rows } = await platform.pool.query({ sql: 'SELECT count(*)::int AS n FROM events', values: [] } as never);
      expect(health.mirror.lag).to.equal((rows as { n: number }[])[0]!.n);
      expect(health.mirror.lag).to.be.greaterThan(0);
    });
  });
});

type Parsed = ReturnType<typeof parsePrometheusText>;
const m0 = (m: Parsed) => m;

/** Retries an assertion until it holds (the event meters follow the log asynchronously), up to 10 s. */
const eventually = async (check: () => Promise<void>) => {
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (err) {
      if (i >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};
