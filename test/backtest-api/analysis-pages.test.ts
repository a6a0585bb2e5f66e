// Grid searches and walk-forwards as the platform runs them (the API's backtest routes, the worker-thread pool, a real
// PostgreSQL with the real BTCUSDT and ETHUSDT 1h candles): the stored result is compact (headline metrics per cell
// and window), GET /api/backtests/:id answers a summary without the table, the table is paged and sorted, every row's
// full backtest is one POST away, old full-record results still read back, and a result too large to store is a
// clear failure.
import { expect } from 'chai';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { either } from 'fp-ts';
import { decodeAll } from '../../application/events/decode-event.js';
import { backtestRoutes } from '../../apps/api/backtest-routes.js';
import { openApiDocument } from '../../apps/api/openapi.js';
import { backtestGenome } from '../../domain/backtest/engine.js';
import { backtestStream, HEADLINE_METRICS, type BacktestEvent } from '../../domain/backtest/events.js';
import { gridSearch } from '../../domain/backtest/grid-search.js';
import { MAX_STORED_RESULT_BYTES } from '../../domain/backtest/limits.js';
import { walkForward } from '../../domain/backtest/walk-forward.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { allBacktestResults } from '../../projections/backtest-results/queries.js';
import { backtestResultsProjection } from '../../projections/backtest-results/projection.js';
import { rebuildProjection } from '../../projections/runner.js';
import { sql } from 'slonik';
import { z } from 'zod';
import { loadCandles } from '../indicators/real-candles.js';
import { memoryLog } from '../projections/support.js';
import { openBacktestPlatform, type BacktestPlatform } from './platform-fixture.js';

const FROM = '2023-01-01T00:00:00.000Z';
const TO = '2023-07-01T00:00:00.000Z';
const PERIOD = { from: Date.parse(FROM), to: Date.parse(TO) };
const FAST = [5, 8, 12, 0]; // 0 is not a valid period: those cells are skipped
const SLOW = [30, 40, 50, 60, 80];
const GRID = { 'fast.period': FAST, 'slow.period': SLOW };
const WALK_FORWARD = { inSample: 480, outOfSample: 240, grid: { 'fast.period': [5, 10], 'slow.period': [30, 50] } };

type Cell = {
  index: number;
  params: Record<string, number>;
  score: number | null;
  rank: number | null;
  skipped: string | null;
  headline: Record<string, number>;
};

describe('grid search and walk-forward results: compact, summarised, paged', function () {
  this.timeout(300_000);
  let fx: BacktestPlatform;
  let btc: CandleSeries;
  let gridJob: string;
  let wfJob: string;

  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 1200; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const finished = (jobId: string) =>
    until(`job ${jobId}`, async () => {
      const r = await fx.call('GET', `/api/backtests/${jobId}`);
      return r.status === 200 && r.body.status !== 'requested' ? r.body : undefined;
    });
  const completedEvent = async (jobId: string) => {
    const decoded = decodeAll<BacktestEvent>(await fx.platform.store.readStream(backtestStream(jobId)));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right.map((d) => d.event).find((e) => e.type === 'BacktestCompleted');
  };

  before(async () => {
    btc = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT');
    fx = await openBacktestPlatform('analysis_pages', ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'], async (platform, backtesting) => {
      const app = express();
      app.use(express.json({ limit: '1mb' }));
      app.use(
        backtestRoutes({
          store: platform.store,
          clock: platform.clock,
          ids: platform.ids,
          db: platform.pool,
          dispatch: backtesting.dispatch,
          candles: backtesting.candles,
        }),
      );
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      return server;
    });
    const genome = smaCrossoverGenome(10, 30);
    const g = await fx.call('POST', '/api/backtests', { genome, period: { from: FROM, to: TO }, gridSearch: { grid: GRID } });
    const w = await fx.call('POST', '/api/backtests', { genome, period: { from: FROM, to: TO }, walkForward: WALK_FORWARD });
    expect([g.status, w.status]).to.deep.equal([202, 202]);
    gridJob = g.body.jobId;
    wfJob = w.body.jobId;
    await finished(gridJob);
    await finished(wfJob);
  });
  after(async () => {
    await fx?.close();
  });

  it('stores each grid cell as params, score, rank and headline metrics (or the skip reason), not full metric records', async () => {
    const completed = await completedEvent(gridJob);
    if (completed?.type !== 'BacktestCompleted' || completed.data.result.analysis?.kind !== 'grid_search') throw new Error('no completed grid search');
    const cells = completed.data.result.analysis.cells;
    expect(cells).to.have.length(FAST.length * SLOW.length);
    for (const c of cells) {
      expect(Object.keys(c)).to.satisfy((keys: string[]) => keys.every((k) => ['params', 'headline', 'score', 'rank', 'skipped'].includes(k)));
      if (c.skipped === undefined) expect(Object.keys(c.headline ?? {})).to.have.members([...HEADLINE_METRICS]);
    }
  });

  it('GET /api/backtests/:id: the summary with the best cell, the counts and where to page them — no cell table', async () => {
    const r = await fx.call('GET', `/api/backtests/${gridJob}`);
    expect(r.status).to.equal(200);
    const a = r.body.analysis;
    expect(a).to.include({ kind: 'grid_search', metric: 'sharpe' });
    expect(a.cells).to.deep.equal({ total: 20, scored: 15, skipped: 5, href: `/api/backtests/${gridJob}/cells` });
    // The best cell is the one a direct backtest of every valid combination ranks first (an independent computation).
    const direct = SLOW.flatMap((slow) =>
      FAST.filter((f) => f > 0).map((fast) => ({
        fast,
        slow,
        m: backtestGenome(smaCrossoverGenome(fast, slow), { BTCUSDT: btc }, new IndicatorCache(), PERIOD).aggregate.meanMetrics,
      })),
    );
    const best = [...direct].sort((x, y) => y.m['sharpe']! - x.m['sharpe']!)[0]!;
    expect(a.best.params).to.deep.equal({ 'fast.period': best.fast, 'slow.period': best.slow });
    expect(a.best).to.include({ rank: 1, score: best.m['sharpe'], backtestRequest: `/api/backtests/${gridJob}/cells/${a.best.index}/backtest-request` });
    expect(a.best.headline).to.deep.equal({
      sharpe: best.m['sharpe'],
      totalReturn: best.m['totalReturn'],
      maxDrawdown: best.m['maxDrawdown'],
      tradeCount: best.m['tradeCount'],
    });
    expect(a.fullDetail).to.match(/POST it to \/api\/backtests/);
    expect(r.body.metrics.sharpe).to.equal(best.m['sharpe']);
  });

  it('pages and sorts the cells; every headline is what a direct backtest of the cell gives', async () => {
    await fx.projected([gridJob]);
    const all = (await fx.call('GET', `/api/backtests/${gridJob}/cells?sort=index&limit=1000`)).body;
    expect(all).to.include({ total: 20, offset: 0, limit: 1000, sort: 'index', source: 'read_model', next: null });
    const cells = all.cells as Cell[];
    expect(cells.map((c) => c.index)).to.deep.equal([...Array(20).keys()]);
    for (const c of cells) {
      const fast = c.params['fast.period']!;
      if (fast === 0) {
        expect(c.skipped).to.match(/period/);
        expect([c.score, c.rank]).to.deep.equal([null, null]);
        continue;
      }
      const m = backtestGenome(smaCrossoverGenome(fast, c.params['slow.period']), { BTCUSDT: btc }, new IndicatorCache(), PERIOD).aggregate.meanMetrics;
      expect(c.headline).to.deep.equal({ sharpe: m['sharpe'], totalReturn: m['totalReturn'], maxDrawdown: m['maxDrawdown'], tradeCount: m['tradeCount'] });
      expect(c.score).to.equal(m['sharpe']);
    }
    // Default order: by rank, unranked (skipped) cells last; ranks follow the scores.
    const byRank = (await fx.call('GET', `/api/backtests/${gridJob}/cells`)).body.cells as Cell[];
    expect(byRank.map((c) => c.rank)).to.deep.equal([...Array.from({ length: 15 }, (_, i) => i + 1), null, null, null, null, null]);
    for (let i = 1; i < 15; i++) expect(byRank[i]!.score!).to.be.at.most(byRank[i - 1]!.score!);
    // A page sorted by a headline metric, descending, with the link to the next one.
    const page = (await fx.call('GET', `/api/backtests/${gridJob}/cells?offset=3&limit=4&sort=-totalReturn`)).body;
    const expected = [...cells].filter((c) => c.skipped === null).sort((x, y) => y.headline['totalReturn']! - x.headline['totalReturn']! || x.index - y.index);
    expect((page.cells as Cell[]).map((c) => c.index)).to.deep.equal(expected.slice(3, 7).map((c) => c.index));
    expect(page.next).to.equal(`/api/backtests/${gridJob}/cells?offset=7&limit=4&sort=-totalReturn`);
  });

  it("a cell's full backtest is one POST away: the request it gives backtests that cell's genome over the job's period", async () => {
    const best = (await fx.call('GET', `/api/backtests/${gridJob}`)).body.analysis.best as Cell;
    const r = await fx.call('GET', `/api/backtests/${gridJob}/cells/${best.index}/backtest-request`);
    expect(r.status).to.equal(200);
    expect(r.body.request).to.include({ method: 'POST', path: '/api/backtests' });
    expect(r.body.request.body.period).to.deep.equal({ from: FROM, to: TO });
    const posted = await fx.call('POST', r.body.request.path, r.body.request.body);
    expect(posted.status).to.equal(202);
    const single = await finished(posted.body.jobId);
    expect(single).to.include({ status: 'completed', kind: 'single' });
    expect(single.metrics.sharpe).to.equal(best.headline['sharpe']);
    expect(single.trades.length).to.equal(best.headline['tradeCount']);
    // A skipped cell has no genome to backtest.
    const skipped = (await fx.call('GET', `/api/backtests/${gridJob}/cells/15/backtest-request`)).body; // fast.period 0
    expect(skipped).to.include({ error: 'CellSkipped' });
  });

  it('pages the walk-forward windows; each keeps the headline metrics the analysis computed, and its full backtest is one POST away', async () => {
    const summary = (await fx.call('GET', `/api/backtests/${wfJob}`)).body.analysis;
    expect(summary.kind).to.equal('walk_forward');
    const direct = walkForward(smaCrossoverGenome(10, 30), { BTCUSDT: btc }, new IndicatorCache(), WALK_FORWARD, PERIOD);
    expect(summary.windows).to.deep.equal({ total: direct.windows.length, href: `/api/backtests/${wfJob}/windows` });
    const all = (await fx.call('GET', `/api/backtests/${wfJob}/windows?limit=1000`)).body;
    expect(all.windows).to.have.length(direct.windows.length);
    all.windows.forEach((w: { index: number; params: unknown; outOfSample: unknown; outOfSampleHeadline: Record<string, number> }, i: number) => {
      const d = direct.windows[i]!;
      expect(w).to.include({ index: i });
      expect(w.params).to.deep.equal(d.params);
      expect(w.outOfSample).to.deep.equal(d.outOfSample);
      expect(w.outOfSampleHeadline['sharpe']).to.equal(d.outOfSampleMetrics['sharpe']);
    });
    const bySharpe = (await fx.call('GET', `/api/backtests/${wfJob}/windows?sort=-sharpe&limit=2`)).body.windows as { index: number }[];
    const expected = direct.windows.map((d, i) => ({ i, s: d.outOfSampleMetrics['sharpe'] ?? -Infinity })).sort((x, y) => y.s - x.s || x.i - y.i);
    expect(bySharpe.map((w) => w.index)).to.deep.equal(expected.slice(0, 2).map((x) => x.i));
    const req = (await fx.call('GET', `/api/backtests/${wfJob}/windows/1/backtest-request`)).body.request;
    const posted = await fx.call('POST', req.path, req.body);
    const single = await finished(posted.body.jobId);
    expect(single.metrics.sharpe).to.equal(direct.windows[1]!.outOfSampleMetrics['sharpe']);
  });

  it('answers the page from the stream while the read model lags, the same rows as once projected', async () => {
    const genome = smaCrossoverGenome(12, 40);
    const posted = await fx.call('POST', '/api/backtests', {
      genome,
      period: { from: FROM, to: TO },
      gridSearch: { grid: { 'fast.period': [5, 9, 12], 'slow.period': [30, 60] } },
    });
    const jobId = posted.body.jobId as string;
    await fx.backtesting.idle();
    const early = (await fx.call('GET', `/api/backtests/${jobId}/cells?sort=-maxDrawdown&limit=4`)).body;
    expect(early).to.include({ status: 'completed', source: 'stream', total: 6 });
    await fx.projected([jobId]);
    const late = (await fx.call('GET', `/api/backtests/${jobId}/cells?sort=-maxDrawdown&limit=4`)).body;
    expect(late.source).to.equal('read_model');
    expect(late.cells).to.deep.equal(early.cells);
    expect(late.cells).to.have.length(4);
  });

  it('a bad page parameter is a 400 naming it; an unknown job, or a table the job has not, a 404', async () => {
    for (const [query, path] of [
      ['offset=-1', 'offset'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['sort=nope', 'sort'],
      ['sort=rank&sort=index', 'sort'],
    ] as const) {
      const r = await fx.call('GET', `/api/backtests/${gridJob}/cells?${query}`);
      expect(r.status, query).to.equal(400);
      expect(
        r.body.errors.map((e: { path: string }) => e.path),
        query,
      ).to.deep.equal([path]);
    }
    expect((await fx.call('GET', `/api/backtests/${wfJob}/windows?sort=rank`)).status).to.equal(400); // rank is not a window key
    expect((await fx.call('GET', `/api/backtests/not-a-uuid/cells`)).status).to.equal(400);
    const unknown = await fx.call('GET', `/api/backtests/${randomUUID()}/cells`);
    expect([unknown.status, unknown.body.error]).to.deep.equal([404, 'BacktestNotFound']);
    const wrong = await fx.call('GET', `/api/backtests/${wfJob}/cells`);
    expect([wrong.status, wrong.body.error]).to.deep.equal([404, 'NoGridCells']);
    expect(wrong.body.message).to.include(`/api/backtests/${wfJob}/windows`);
    expect((await fx.call('GET', `/api/backtests/${gridJob}/windows`)).status).to.equal(404);
    expect((await fx.call('GET', `/api/backtests/${gridJob}/cells/20/backtest-request`)).status).to.equal(404);
  });

  it('a result stored before results were compact (full metric records per cell and window) reads back as the same rows', async () => {
    // What the previous version stored: the domain's cells and windows with their full (finite) metric records.
    const genome = smaCrossoverGenome(10, 30);
    const search = gridSearch(genome, GRID, { BTCUSDT: btc }, new IndicatorCache(), PERIOD);
    const wf = walkForward(genome, { BTCUSDT: btc }, new IndicatorCache(), WALK_FORWARD, PERIOD);
    const legacy = async (jobId: string, kind: 'grid_search' | 'walk_forward', analysis: unknown) => {
      const job = { jobId, genome, exchange: 'binance', symbols: ['BTCUSDT'], interval: '1h', period: PERIOD };
      const meta = (n: number) => ({
        correlationId: jobId,
        causationId: jobId,
        actor: 'system:test',
        schemaVersion: 1,
        occurredAt: `2024-01-01T00:00:0${n}.000Z`,
      });
      const result = {
        jobId,
        engineVersion: 'legacy',
        dataFingerprint: 'f'.repeat(64),
        window: { from: PERIOD.from, to: PERIOD.to - 3_600_000, bars: 4344 },
        metrics: { sharpe: 1 },
        perSymbol: {},
        equity: {},
        trades: [],
        analysis,
      };
      const appended = await fx.platform.store.appendToStream(backtestStream(jobId), [
        { eventId: randomUUID(), type: 'BacktestRequested', data: { jobId, kind, requestedBy: 'system:test', job }, metadata: meta(0) as never },
        { eventId: randomUUID(), type: 'BacktestCompleted', data: { jobId, result }, metadata: meta(1) as never },
      ]);
      expect(either.isRight(appended)).to.equal(true);
    };
    const gridId = randomUUID();
    const wfId = randomUUID();
    await legacy(gridId, 'grid_search', {
      kind: 'grid_search',
      spec: { grid: GRID },
      metric: search.metric,
      cells: search.cells.map((c) => ({ ...c })),
      best: { params: search.best!.params, score: search.best!.score },
    });
    await legacy(wfId, 'walk_forward', {
      kind: 'walk_forward',
      spec: WALK_FORWARD,
      windows: wf.windows.map((w) => ({ ...w })),
      outOfSampleMetrics: wf.outOfSample.metrics,
    });
    await fx.projected([gridId, wfId]);
    const summary = (await fx.call('GET', `/api/backtests/${gridId}`)).body.analysis;
    expect(summary.cells).to.include({ total: 20, scored: 15, skipped: 5 });
    const cells = (await fx.call('GET', `/api/backtests/${gridId}/cells?sort=index&limit=100`)).body.cells as Cell[];
    const fresh = (await fx.call('GET', `/api/backtests/${gridJob}/cells?sort=index&limit=100`)).body.cells as Cell[];
    expect(cells).to.deep.equal(fresh);
    const windows = (await fx.call('GET', `/api/backtests/${wfId}/windows?limit=100`)).body.windows;
    expect(windows).to.deep.equal((await fx.call('GET', `/api/backtests/${wfJob}/windows?limit=100`)).body.windows);
  });

  it('a result too large to store is recorded as failed, RESULT_TOO_LARGE, and nothing large is stored', async () => {
    // SMA(2)/SMA(3) on two symbols over two and a half years: ~9,000 trades, ~2.5 MB of JSON.
    const posted = await fx.call('POST', '/api/backtests', {
      genome: smaCrossoverGenome(2, 3),
      symbols: ['BTCUSDT', 'ETHUSDT'],
      period: { from: '2021-05-01T00:00:00.000Z', to: '2023-11-01T00:00:00.000Z' },
    });
    const done = await finished(posted.body.jobId);
    expect(done.status).to.equal('failed');
    expect(done.error.code).to.equal('RESULT_TOO_LARGE');
    expect(done.error.message).to.match(new RegExp(`above the ${MAX_STORED_RESULT_BYTES} bytes`));
    const stored = await fx.platform.store.readStream(backtestStream(posted.body.jobId));
    expect(stored.map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestFailed']);
    expect(JSON.stringify(stored.map((e) => e.data)).length).to.be.below(10_000);
  });

  it('the OpenAPI document describes the pages and the full-detail requests', () => {
    const paths = openApiDocument().paths as Record<string, { get?: { parameters?: { name: string }[] } }>;
    for (const p of [
      '/api/backtests/{id}/cells',
      '/api/backtests/{id}/windows',
      '/api/backtests/{id}/cells/{index}/backtest-request',
      '/api/backtests/{id}/windows/{index}/backtest-request',
    ])
      expect(paths, p).to.have.property(p);
    expect(paths['/api/backtests/{id}/cells']!.get!.parameters!.map((x) => x.name)).to.deep.equal(['id', 'offset', 'limit', 'sort']);
  });

  it('rebuilding the read model gives the same rows, cells and windows as the live run', async () => {
    const jobs = (await allBacktestResults(fx.platform.pool)).map((r) => r.jobId);
    await fx.projected(jobs);
    const tables = async () => ({
      jobs: await allBacktestResults(fx.platform.pool),
      cells: await fx.platform.pool.any(sql.type(z.object({ row: z.unknown() }))`SELECT to_jsonb(c) AS row FROM backtest_grid_cells c ORDER BY job_id, cell`),
      windows: await fx.platform.pool.any(
        sql.type(z.object({ row: z.unknown() }))`SELECT to_jsonb(w) AS row FROM backtest_walk_forward_windows w ORDER BY job_id, window_index`,
      ),
    });
    const live = await tables();
    expect(live.cells.length).to.be.greaterThan(40);
    expect(live.windows.length).to.be.greaterThan(10);
    await rebuildProjection({
      pool: fx.platform.pool,
      store: fx.platform.store,
      projection: backtestResultsProjection,
      log: memoryLog(),
      batchSize: 2,
      windowSize: 3,
    });
    expect(await tables()).to.deep.equal(live);
  });
});
