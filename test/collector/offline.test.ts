// The collector on a machine without a network, driven by a test clock: the real ccxt source pointed at a closed
// port on 127.0.0.1 fails the way ccxt does offline (NetworkError), and the collector's jobs are run by hand at the
// clock's times. Before: ~100 warnings in 4 minutes, no word on what to do, /health green.
import { expect } from 'chai';
import { pino } from 'pino';
import type { MarketDataSource } from '../../application/ports/market-data-source.js';
import { startCollector, type Collector } from '../../apps/collector/service.js';
import { configOrExit, openPlatform, type Platform } from '../../apps/platform.js';
import { startApi } from '../../apps/services.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { CcxtMarketDataSource } from '../../infrastructure/market-data/ccxt-source.js';
import { InProcessBus } from '../../infrastructure/messaging/in-process-bus.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/npm-start.js';
import { realCandles, startFakeBinance, type FakeBinance } from '../market-sources/support.js';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

describe('the collector without a network', function () {
  this.timeout(60_000);
  const t0 = Date.UTC(2023, 11, 1, 0, 0, 5);
  const clock = fixedClock(new Date(t0));
  const lines: Line[] = [];
  let db: TestDatabase;
  let opened: Platform;
  let platform: Platform;
  let fake: FakeBinance;
  let checkpoints: PostgresCheckpointStore;

  before(async () => {
    db = await freshDatabase('collector_offline');
    opened = await openPlatform(configOrExit({ DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'silent', COLLECTOR_SYMBOLS: 'BTCUSDT,ETHUSDT' }), 'test');
    // The platform as the collector sees it, with the test clock and a log whose lines the test reads.
    const log = pino({ level: 'debug', base: { service: 'collector' } }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
    platform = { ...opened, clock, log };
    fake = await startFakeBinance({ BTCUSDT: realCandles('binance_BTCUSDT_1h.csv.gz'), ETHUSDT: realCandles('binance_ETHUSDT_1h.csv.gz') }, t0 + 3 * 60 * MIN);
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
  });
  after(async () => {
    await checkpoints.close();
    await fake.close();
    await opened.close();
    await db.drop();
  });

  it('backs off exponentially up to a cap, says once how to run offline, and /health shows data collection degraded until the exchange answers', async () => {
    const closedPort = await freePort();
    const offline = new CcxtMarketDataSource({ clock, urls: { api: { public: `http://127.0.0.1:${closedPort}/api/v3` } }, timeoutMs: 2000 });
    const online = new CcxtMarketDataSource({ clock, urls: { api: { public: fake.apiUrl } }, timeoutMs: 2000 });
    // The real source, with the calls counted; `target` is the network this machine has at the moment.
    let target: MarketDataSource = offline;
    const calls: string[] = [];
    const source: MarketDataSource = {
      exchange: 'binance',
      listSymbols: () => (calls.push('symbols'), target.listSymbols()),
      fetchCandles: (symbol, interval, since, limit) => (calls.push(`candles ${symbol} ${interval}`), target.fetchCandles(symbol, interval, since, limit)),
      fetchOrderBook: (symbol, depth) => (calls.push(`book ${symbol}`), target.fetchOrderBook(symbol, depth)),
      close: async () => {
        await offline.close();
        await online.close();
      },
    };
    const collector: Collector = startCollector(platform, { source, scheduled: false });
    const bus = new InProcessBus();
    const api = await startApi(platform, bus, checkpoints, undefined, { dataCollection: collector.health });
    const job = (name: string) => collector.jobs.find((j) => j.name === name)!;
    // The empty database's how-to (test/apps/npm-start-no-data.test.ts) is not about the network.
    // The collector's warnings (not the API's first-start line on how to create the first admin key).
    const warnings = () => lines.filter((l) => l.level >= 40 && !l.msg.startsWith('no market data stored yet') && l['firstStart'] !== true);
    // Network errors above debug: only the one warning.
    const networkErrorsShown = () => lines.filter((l) => l.level >= 30 && /NetworkError/.test(JSON.stringify(l['error'] ?? '')));
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${api.port}/health`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      expect(collector.health()).to.deep.equal({ status: 'ok', source: 'ccxt', exchange: 'binance' });

      await job('update 1m').run();
      // Three attempts at BTCUSDT's first page (the backfill's own retries), then the exchange counts as
      // unreachable and ETHUSDT is not even asked.
      expect(calls).to.deep.equal(['candles BTCUSDT 1m', 'candles BTCUSDT 1m', 'candles BTCUSDT 1m']);
      expect(warnings(), JSON.stringify(warnings())).to.have.length(1);
      const [said] = warnings();
      expect(said!.msg)
        .to.include('cannot reach binance')
        .and.include(`tries again at ${iso(t0 + MIN)}`);
      expect(said!.msg).to.include('MARKET_DATA_SOURCE=none').and.include('npm run import -- ../shared/data');
      expect(said!['error']).to.match(/^NetworkError on binance for BTCUSDT/);

      const degraded = await health();
      expect(degraded.status).to.equal(200);
      expect(degraded.body).to.deep.include({ healthy: true, status: 'degraded', degraded: ['dataCollection'] });
      expect(degraded.body['dataCollection']).to.deep.include({
        status: 'degraded',
        exchange: 'binance',
        unreachableSince: iso(t0),
        failedAttempts: 1,
        nextAttemptAt: iso(t0 + MIN),
      });
      expect((degraded.body['dataCollection'] as { lastError: string }).lastError).to.match(/^NetworkError on binance for BTCUSDT/);

      // Until the attempt is due, no job asks the exchange.
      clock.set(new Date(t0 + MIN - 1000));
      for (const name of ['update 1m', 'update 5m', 'update 1h', 'update 1d', 'gap repair']) await job(name).run();
      await collector.snapshotRound();
      expect(calls).to.have.length(3);

      // Each due attempt is one call; the wait doubles from 1 min up to the 30 min cap.
      const waits = [1, 2, 4, 8, 16, 30, 30, 30].map((m) => m * MIN);
      let at = t0 + waits[0]!;
      for (let attempt = 2; attempt <= waits.length; attempt++) {
        clock.set(new Date(at));
        const before = calls.length;
        await job('update 1m').run();
        await collector.snapshotRound(); // the attempt is in flight or failed: not tried again
        expect(calls.length - before, `attempt ${attempt}`).to.equal(1);
        const h = collector.health() as { status: string; failedAttempts: number; nextAttemptAt: string };
        expect(h).to.include({ status: 'degraded', failedAttempts: attempt, nextAttemptAt: iso(at + waits[attempt - 1]!) });
        clock.set(new Date(at + waits[attempt - 1]! - 1));
        await job('update 1m').run();
        expect(calls.length - before, `nothing before attempt ${attempt + 1} is due`).to.equal(1);
        at += waits[attempt - 1]!;
      }
      expect(warnings(), 'still the one warning').to.have.length(1);
      expect(networkErrorsShown(), 'the retries are details (debug)').to.deep.equal([said]);

      // The network is back: the next due attempt succeeds, collection resumes, /health is ok again.
      target = online;
      clock.set(new Date(at));
      await job('update 1h').run();
      expect(calls.slice(-2)).to.deep.equal(['candles BTCUSDT 1h', 'candles ETHUSDT 1h']);
      expect(collector.health()).to.deep.equal({ status: 'ok', source: 'ccxt', exchange: 'binance' });
      expect(lines.some((l) => l.level === 30 && l.msg === 'binance answers again: market data collection resumed')).to.equal(true);
      const ok = await health();
      expect(ok.status).to.equal(200);
      expect(ok.body).to.deep.include({ healthy: true, status: 'ok', degraded: [] });
      expect(warnings(), 'no warning from the whole outage but the first').to.have.length(1);
    } finally {
      await api.stop();
      await collector.stop();
      await bus.close();
    }
  });
});
