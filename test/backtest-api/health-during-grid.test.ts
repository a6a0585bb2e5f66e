// The API keeps answering while the largest grid search it allows runs: the platform's API (createApi with every
// route, the real backtest routes and the worker-thread pool, over a fresh database with the real BTCUSDT 1h candles)
// gets a MAX_GRID_CELLS grid over the whole history, and /health keeps answering, again and again, while the job is
// still 'requested'. Behaviour, not timing: when the grid ran on the event loop that serves the API, no request was
// answered between the moment the search started and its end, and the job was done by the next answer.
import { expect } from 'chai';
import { startApi, openBus } from '../../apps/services.js';
import type { Bus } from '../../application/ports/bus.js';
import { backtestStream } from '../../domain/backtest/events.js';
import { MAX_GRID_CELLS } from '../../domain/backtest/limits.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { openBacktestPlatform, type BacktestPlatform } from './platform-fixture.js';

/** A grid of exactly `cells` combinations over the two SMA periods (the largest divisor of cells up to 25 slow values). */
const largestGrid = (cells: number) => {
  let slow = 25;
  while (cells % slow !== 0) slow--;
  const fast = cells / slow;
  return { 'fast.period': Array.from({ length: fast }, (_, i) => 2 + i), 'slow.period': Array.from({ length: slow }, (_, i) => 30 + 4 * i) };
};

/**
 * /health answers that must arrive while the job is still requested. The grid takes seconds: on the worker pool
 * /health answered ~220 times meanwhile here; on the event loop, ~10 (only while the candles were being loaded).
 */
const HEALTH_ANSWERS = 50;

describe('/health while the largest allowed grid search runs', function () {
  this.timeout(300_000);
  let fx: BacktestPlatform;
  let bus: Bus;
  let checkpoints: PostgresCheckpointStore;

  before(async () => {
    fx = await openBacktestPlatform('health_during_grid', ['binance_BTCUSDT_1h.csv.gz'], async (platform, backtesting) => {
      bus = openBus(platform, 'test');
      checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
      return (await startApi(platform, bus, checkpoints, backtesting)).server;
    });
  });
  after(async () => {
    await fx?.close();
    await bus?.close();
    await checkpoints?.close();
  });

  it(`answers /health again and again while a ${MAX_GRID_CELLS}-cell grid search is still requested, and stores a small result`, async () => {
    const grid = largestGrid(MAX_GRID_CELLS);
    expect(grid['fast.period'].length * grid['slow.period'].length).to.equal(MAX_GRID_CELLS);
    const posted = await fx.call('POST', '/api/backtests', {
      genome: smaCrossoverGenome(10, 30),
      period: { from: '2021-05-01T00:00:00.000Z', to: '2023-12-01T00:00:00.000Z' },
      gridSearch: { grid },
    });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    const jobId = posted.body.jobId as string;

    // Each round: ask for /health, and once it has answered, whether the job is still requested.
    let answeredWhileRequested = 0;
    let status: string;
    for (;;) {
      const health = await fx.call('GET', '/health');
      expect(health.body).to.have.property('status');
      const job = await fx.call('GET', `/api/backtests/${jobId}`);
      status = job.body.status;
      if (status !== 'requested') break;
      answeredWhileRequested++;
    }
    expect(status).to.equal('completed');
    expect(answeredWhileRequested, '/health answers while the grid search ran').to.be.at.least(HEALTH_ANSWERS);

    const done = (await fx.call('GET', `/api/backtests/${jobId}`)).body;
    expect(done.analysis.cells).to.include({ total: MAX_GRID_CELLS });
    // What the job stored is small: headline metrics per cell, not full records.
    const completed = (await fx.platform.store.readStream(backtestStream(jobId))).find((e) => e.type === 'BacktestCompleted')!;
    expect(JSON.stringify(completed.data).length).to.be.below(512 * 1024);
  });
});
