// Backtests through the HTTP routes over a real PostgreSQL and the real BTCUSDT 1h candles: request → 202 → run in
// process → recorded → GET; idempotent recording; the strategy step; bad input; the read model's rebuild.
import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import { backtestOutcomeRecorder } from '../../application/backtest/record-outcome.js';
import { inProcessDispatcher, runBacktestInProcess, type InProcessDeps } from '../../application/backtest/run-in-process.js';
import { decodeAll } from '../../application/events/decode-event.js';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { handleStrategyCommand, loadStrategy } from '../../application/strategy/handle-strategy-command.js';
import { backtestRoutes } from '../../apps/api/backtest-routes.js';
import { backtestStream, type BacktestEvent } from '../../domain/backtest/events.js';
import { ENGINE_VERSION } from '../../domain/backtest/version.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { strategyStream } from '../../domain/strategy/events.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { importCandleFile } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { allBacktestResults } from '../../projections/backtest-results/queries.js';
import { backtestResultsProjection } from '../../projections/backtest-results/projection.js';
import { ProjectionRunner, rebuildProjection } from '../../projections/runner.js';
import { memoryLog } from '../projections/support.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';

const PERIOD = { from: '2023-01-01T00:00:00.000Z', to: '2023-03-01T00:00:00.000Z' };

describe('backtests through the API', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let candles: PostgresCandleStore;
  let server: Server;
  let base: string;
  let runner: ProjectionRunner;
  let dispatcher: ReturnType<typeof inProcessDispatcher>;
  let inProcess: InProcessDeps;
  const clock = fixedClock(new Date('2024-03-01T12:00:00.000Z'));
  const deps = () => ({ store, clock, ids: uuidIds });

  before(async function () {
    this.timeout(120_000);
    db = await freshDatabase('backtest_api');
    store = checkedPostgresStore({ connectionString: db.url, pollIntervalMs: 50 });
    pool = await createReadModelPool(db.url);
    candles = new PostgresCandleStore({ connectionString: db.url });
    const report = await importCandleFile(candles, sharedDataFile('binance_BTCUSDT_1h.csv.gz'));
    expect(report.inserted).to.be.greaterThan(20_000);
    runner = new ProjectionRunner({ pool, store, projections: [backtestResultsProjection], log: memoryLog() });
    inProcess = { candles, runJob };
    dispatcher = inProcessDispatcher({ ...inProcess, record: backtestOutcomeRecorder(deps()), onError: (e) => console.error(e) });
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.use(backtestRoutes({ ...deps(), db: pool, dispatch: dispatcher.dispatch, candles }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await runner.stop();
    await candles.close();
    await store.close();
    await pool.end();
    await db.drop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const jobs: string[] = [];
  const events = async (jobId: string) => {
    if (!jobs.includes(jobId)) jobs.push(jobId);
    const decoded = decodeAll<BacktestEvent>(await store.readStream(backtestStream(jobId)));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right.map((d) => d.event);
  };
  /**
   * Catches the read model up until these jobs are finished in it. The PostgreSQL store delivers an event only once
   * every older transaction on the server has ended, and other suites share the server: poll, do not assume.
   */
  const projected = async (jobIds: readonly string[]) => {
    for (let i = 0; ; i++) {
      await runner.catchUp();
      const rows = await allBacktestResults(pool);
      if (jobIds.every((id) => rows.some((r) => r.jobId === id && r.status !== 'requested'))) return;
      if (i > 300) throw new Error('the read model did not catch up');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const requestedJob = async (jobId: string): Promise<BacktestJob> => {
    const first = (await events(jobId))[0]!;
    if (first.type !== 'BacktestRequested') throw new Error(`first event is ${first.type}`);
    return first.data.job;
  };

  it('POST → 202 with a job id; when run, GET gives the metrics, the equity curve and the trades', async () => {
    const posted = await call('POST', '/api/backtests', { genome: smaCrossoverGenome(10, 30), period: PERIOD });
    expect(posted.status).to.equal(202);
    const jobId = posted.body.jobId as string;
    await dispatcher.idle();
    expect((await events(jobId)).map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestCompleted']);

    // The read model has not caught up: the answer comes from the stream.
    const early = await call('GET', `/api/backtests/${jobId}`);
    expect(early.status).to.equal(200);
    expect(early.body).to.include({ status: 'completed', source: 'stream' });

    await projected([jobId]);
    const done = await call('GET', `/api/backtests/${jobId}`);
    expect(done.status).to.equal(200);
    expect(done.body).to.include({ jobId, status: 'completed', kind: 'single', source: 'read_model', engineVersion: ENGINE_VERSION });
    expect(done.body.metrics.sharpe).to.be.a('number');
    expect(done.body.metrics.tradeCount).to.be.greaterThan(0);
    const equity = done.body.equity.BTCUSDT as [number, number][];
    expect(equity.length).to.be.within(2, 500);
    expect(equity[0]![0]).to.equal(Date.parse(PERIOD.from));
    expect(done.body.trades.length).to.equal(done.body.perSymbol.BTCUSDT.trades);
    expect(done.body.trades[0]).to.include.keys('entryTime', 'exitTime', 'pnl', 'exitReason');
    expect(done.body.dataFingerprint).to.match(/^[0-9a-f]{64}$/);
    expect(done.body.window.bars).to.equal((Date.parse(PERIOD.to) - Date.parse(PERIOD.from)) / 3_600_000);
  });

  it('recording the same outcome twice appends nothing new', async () => {
    const posted = await call('POST', '/api/backtests', { genome: smaCrossoverGenome(5, 20), period: PERIOD });
    await dispatcher.idle();
    const jobId = posted.body.jobId as string;
    const before = await store.readStream(backtestStream(jobId));
    const job = await requestedJob(jobId);
    // A redelivered job: run again and recorded again, twice.
    const outcome = await runBacktestInProcess(inProcess, job);
    const record = backtestOutcomeRecorder(deps());
    await record(job, outcome);
    await record(job, outcome);
    const after = await store.readStream(backtestStream(jobId));
    expect(after.map((e) => e.eventId)).to.deep.equal(before.map((e) => e.eventId));
    // A job that never went through the API is recorded once too, with its BacktestRequested.
    const direct = { ...job, jobId: randomUUID() };
    const o2 = await runBacktestInProcess(inProcess, direct);
    await record(direct, o2);
    await record(direct, o2);
    expect((await events(direct.jobId)).map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestCompleted']);
  });

  it('a strategy-linked job moves a Generated strategy to Backtested, with the job id as backtestId', async () => {
    const strategyId = randomUUID();
    const generated = await handleStrategyCommand(
      deps(),
      { type: 'GenerateStrategy', strategyId: strategyId as never, data: { genome: smaCrossoverGenome(8, 40) } },
      { actor: 'system:test' as Actor },
    );
    expect(either.isRight(generated)).to.equal(true);
    const posted = await call('POST', '/api/backtests', { strategyId, period: PERIOD });
    expect(posted.status).to.equal(202);
    await dispatcher.idle();
    const jobId = posted.body.jobId as string;
    const loaded = await loadStrategy(store, strategyId);
    if (either.isLeft(loaded)) throw new Error(loaded.left.message);
    expect(loaded.right.state.status).to.equal('Backtested');
    const backtested = loaded.right.events.find((e) => e.type === 'StrategyBacktested');
    expect(backtested?.type === 'StrategyBacktested' && backtested.data.result.backtestId).to.equal(jobId);
    if (backtested?.type === 'StrategyBacktested') {
      expect(backtested.data.result.engineVersion).to.equal(ENGINE_VERSION);
      expect(backtested.data.result.window.start).to.equal(PERIOD.from);
    }
    // Redelivered: neither stream grows.
    const strategyEvents = (await store.readStream(strategyStream(strategyId))).length;
    const job = await requestedJob(jobId);
    await backtestOutcomeRecorder(deps())(job, await runBacktestInProcess(inProcess, job));
    expect((await store.readStream(strategyStream(strategyId))).length).to.equal(strategyEvents);
    expect((await events(jobId)).length).to.equal(2);
  });

  it('an invalid genome is a 400 naming the fields', async () => {
    const genome = smaCrossoverGenome(10, 30) as unknown as { indicators: { name: string; params: Record<string, number> }[] };
    genome.indicators[0]!.params['period'] = 0;
    const r = await call('POST', '/api/backtests', { genome, period: PERIOD });
    expect(r.status).to.equal(400);
    expect((r.body.errors as { path: string }[]).map((e) => e.path)).to.include('genome.indicators.0.params.period');
    genome.indicators[1]!.name = 'no_such_indicator';
    const unknown = await call('POST', '/api/backtests', { genome, period: PERIOD });
    expect(unknown.status).to.equal(400);
    expect((unknown.body.errors as { path: string }[]).map((e) => e.path)).to.include('genome.indicators.1.name');

    const both = await call('POST', '/api/backtests', { period: { from: PERIOD.to, to: PERIOD.from } });
    expect(both.status).to.equal(400);
    expect((both.body.errors as { path: string }[]).map((e) => e.path)).to.have.members(['genome', 'period.to']);
  });

  it('an unknown strategy is a 404, an unknown job a 404', async () => {
    const r = await call('POST', '/api/backtests', { strategyId: randomUUID(), period: PERIOD });
    expect(r.status).to.equal(404);
    expect(r.body.error).to.equal('StrategyNotFound');
    const g = await call('GET', `/api/backtests/${randomUUID()}`);
    expect(g.status).to.equal(404);
    expect((await call('GET', '/api/backtests/not-a-uuid')).status).to.equal(400);
  });

  it('a period before the stored candles is refused up front; a job that reaches a runner anyway fails with NO_DATA, shown by GET', async () => {
    const period = { from: '2019-01-01T00:00:00.000Z', to: '2019-02-01T00:00:00.000Z' };
    const refused = await call('POST', '/api/backtests', { genome: smaCrossoverGenome(), period });
    expect(refused.status).to.equal(400);
    expect(refused.body.errors).to.deep.include({
      path: 'period.from',
      message: 'is before the first stored binance BTCUSDT 1h candle (2021-04-04T20:00:00.000Z)',
    });
    // The CLI or a queue message can still hand such a job to a runner: it is recorded as failed, and GET shows it.
    const job: BacktestJob = {
      jobId: randomUUID(),
      genome: smaCrossoverGenome(),
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      interval: '1h',
      period: { from: Date.parse(period.from), to: Date.parse(period.to) },
    };
    await backtestOutcomeRecorder(deps())(job, await runBacktestInProcess(inProcess, job));
    const jobId = job.jobId;
    const last = (await events(jobId)).at(-1)!;
    expect(last.type).to.equal('BacktestFailed');
    await projected([jobId]);
    const g = await call('GET', `/api/backtests/${jobId}`);
    expect(g.body.status).to.equal('failed');
    expect(g.body.error.code).to.equal('NO_DATA');
    expect(g.body.error.message).to.contain('BTCUSDT');
  });

  it('walk-forward and grid-search jobs run from the API: a summary, their table paged', async () => {
    const wf = await call('POST', '/api/backtests', {
      genome: smaCrossoverGenome(),
      period: PERIOD,
      walkForward: { inSample: 240, outOfSample: 120, grid: { 'fast.period': [5, 10], 'slow.period': [30, 50] } },
    });
    const gs = await call('POST', '/api/backtests', {
      genome: smaCrossoverGenome(),
      period: PERIOD,
      gridSearch: { grid: { 'fast.period': [5, 10, 0], 'slow.period': [30] }, metric: 'totalReturn' },
    });
    expect([wf.status, gs.status]).to.deep.equal([202, 202]);
    await dispatcher.idle();
    await projected([wf.body.jobId, gs.body.jobId]);
    const w = (await call('GET', `/api/backtests/${wf.body.jobId}`)).body;
    expect(w).to.include({ status: 'completed', kind: 'walk_forward' });
    expect(w.analysis.kind).to.equal('walk_forward');
    // The summary says how many windows there are and where to page them; the windows are paged.
    const windows = Math.floor((1416 - 360) / 120) + 1;
    expect(w.analysis.windows).to.deep.equal({ total: windows, href: `/api/backtests/${wf.body.jobId}/windows` });
    expect((await call('GET', `/api/backtests/${wf.body.jobId}/windows`)).body.windows).to.have.length(windows);
    const g = (await call('GET', `/api/backtests/${gs.body.jobId}`)).body;
    expect(g).to.include({ status: 'completed', kind: 'grid_search' });
    expect(g.analysis.cells).to.include({ total: 3, scored: 2, skipped: 1 });
    const cells = (await call('GET', `/api/backtests/${gs.body.jobId}/cells`)).body.cells;
    expect(cells).to.have.length(3);
    expect(cells[2].skipped).to.contain('period');
    expect(g.metrics.totalReturn).to.equal(g.analysis.best.score);
  });

  it('rebuilding the read model gives the same rows as the live run', async () => {
    await projected(jobs);
    const live = await allBacktestResults(pool);
    expect(live.length).to.be.greaterThanOrEqual(6);
    await rebuildProjection({ pool, store, projection: backtestResultsProjection, log: memoryLog(), batchSize: 2, windowSize: 3 });
    expect(await allBacktestResults(pool)).to.deep.equal(live);
  });
});
