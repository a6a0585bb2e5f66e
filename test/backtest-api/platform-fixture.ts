// What the backtest API suites that run jobs as the platform does share: a fresh database with real 1h candles
// imported from ../shared/data, the platform opened on it (no broker: the backtest worker-thread pool), the API app
// with the real backtest routes listening on a free port, and the backtest_results projection.
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { openBacktesting, type Backtesting } from '../../apps/backtesting.js';
import { configOrExit, openPlatform, type Platform } from '../../apps/platform.js';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { backtestResultsProjection } from '../../projections/backtest-results/projection.js';
import { allBacktestResults } from '../../projections/backtest-results/queries.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { memoryLog } from '../projections/support.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey } from '../support/api-keys.js';
import { sharedDataFile } from '../support/shared-data.js';

export interface ApiCall {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface BacktestPlatform {
  readonly db: TestDatabase;
  readonly platform: Platform;
  readonly backtesting: Backtesting;
  readonly runner: ProjectionRunner;
  readonly base: string;
  call(method: string, path: string, body?: unknown): Promise<ApiCall>;
  /** Catches the read model up until these jobs are finished in it (other suites share the server: poll). */
  projected(jobIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * `files`: names in ../shared/data. `listen` builds the HTTP server on the platform (e.g. createApi with every
 * route, or an express app with the backtest routes only).
 */
export const openBacktestPlatform = async (
  label: string,
  files: readonly string[],
  listen: (platform: Platform, backtesting: Backtesting) => Promise<Server>,
): Promise<BacktestPlatform> => {
  const db = await freshDatabase(label);
  const candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
  try {
    for await (const r of importCandleFiles(candles, files.map(sharedDataFile))) expect(r.error, r.file).to.equal(undefined);
  } finally {
    await candles.close();
  }
  const platform = await openPlatform(configOrExit({ DATABASE_URL: db.url, AMQP_URL: '', LOG_LEVEL: 'silent', MARKET_DATA_SOURCE: 'none', PORT: '0' }), 'test');
  const backtesting = openBacktesting(platform);
  await backtesting.pool!.ready();
  const server = await listen(platform, backtesting);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runner = new ProjectionRunner({ pool: platform.pool, store: platform.store, projections: [backtestResultsProjection], log: memoryLog() });
  // A real admin key in this database (test/support/api-keys.ts): the API's routes but /health need one.
  const apiKey = await createTestKey(platform.store, platform.pool, { name: 'alice' });
  const call = async (method: string, path: string, body?: unknown): Promise<ApiCall> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...apiKey.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    db,
    platform,
    backtesting,
    runner,
    base,
    call,
    projected: async (jobIds) => {
      for (let i = 0; ; i++) {
        await runner.catchUp();
        const rows = await allBacktestResults(platform.pool);
        if (jobIds.every((id) => rows.some((r) => r.jobId === id && r.status !== 'requested'))) return;
        if (i > 600) throw new Error('the read model did not catch up');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: async () => {
      await new Promise((r) => server.close(r));
      await runner.stop();
      await backtesting.close();
      await platform.close();
      await db.drop();
    },
  };
};
