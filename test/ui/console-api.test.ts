// The console's read routes, live stream and the admin override routes it calls over the real API and a real replay of ../shared/data
// (test/ui/support/replay-fixture.ts). Expected values come from elsewhere: the CSV files themselves, SQL counts on
// the read models, the candles a trade must have traded inside, hand-made schedule cases.
import { expect } from 'chai';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { nextDailyRun, MAX_CANDLES } from '../../apps/api/console-routes.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { sharedDataFile } from '../support/shared-data.js';
import type { TestDatabase } from '../support/database.js';
import { sharedReplayFixture } from './support/replay-fixture.js';
import { startConsoleServer, type ConsoleServer } from './support/console-server.js';
import type { TestKey } from '../support/api-keys.js';

const HOUR = 3_600_000;
const csvRows = async (file: string, match: (line: string) => boolean): Promise<string[]> => {
  const out: string[] = [];
  for await (const line of createInterface({ input: createReadStream(sharedDataFile(file)).pipe(createGunzip()) })) if (match(line)) out.push(line);
  return out;
};

describe('console API: read routes, live stream, override routes (real replay)', function () {
  this.timeout(5 * 60_000);
  let db: TestDatabase;
  let server: ConsoleServer;
  let sql: pg.Client;
  let viewer: TestKey;
  let admin: TestKey;

  before(async () => {
    db = await sharedReplayFixture();
    server = await startConsoleServer(db.url);
    viewer = await server.key('viewer', 'console-api-viewer');
    admin = await server.key('admin', 'console-api-admin');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await server?.stop();
  });

  // Reads with a viewer key (the console's reads need no more), writes with an admin key.
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: viewer.headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { errors?: { path: string }[] } };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { errors?: { path: string }[] } };
  };
  const liveStrategy = async () =>
    (await sql.query<{ id: string }>(`SELECT id::text AS id FROM strategies WHERE state = 'Live' ORDER BY id LIMIT 1`)).rows[0]!.id;

  describe('GET /api/candles', () => {
    it('answers the stored candles of a day as the CSV file holds them', async () => {
      const r = await get('/api/candles?symbol=BTCUSDT&interval=1h&from=2023-09-05&to=2023-09-06');
      expect(r.status).to.equal(200);
      const candles = r.body['candles'] as { t: number; o: number; h: number; l: number; c: number }[];
      expect(candles).to.have.length(24);
      // The file's own rows for that day (open time in ms, then open, high, low, close).
      const from = Date.parse('2023-09-05T00:00:00Z');
      const lines = await csvRows('binance_BTCUSDT_1h.csv.gz', (l) => {
        const t = Number(l.split(',')[0]);
        return t >= from && t < from + 86_400_000;
      });
      expect(lines).to.have.length(24);
      const [t, o, h, l, c] = lines[0]!.split(',').map(Number);
      expect(candles[0]).to.deep.include({ t, o, h, l, c });
    });

    it('refuses a range without an end, an upside-down range, too many bars, an unknown parameter', async () => {
      const cases: [string, string][] = [
        ['/api/candles?symbol=BTCUSDT&from=2023-09-05', 'to'],
        ['/api/candles?symbol=BTCUSDT&from=2023-09-06&to=2023-09-05', 'to'],
        [`/api/candles?symbol=BTCUSDT&from=2020-01-01&to=2023-09-05`, 'to'],
        ['/api/candles?symbol=BTCUSDT&from=2023-09-05&to=2023-09-06&colour=red', 'colour'],
        ['/api/candles?symbol=btc%00&from=2023-09-05&to=2023-09-06', 'symbol'],
        ['/api/candles?symbol=BTCUSDT&interval=2h&from=2023-09-05&to=2023-09-06', 'interval'],
      ];
      for (const [path, field] of cases) {
        const r = await get(path);
        expect(r.status, path).to.equal(400);
        expect(
          r.body.errors!.map((e) => e.path),
          path,
        ).to.include(field);
      }
      const tooMany = await get('/api/candles?symbol=BTCUSDT&from=2020-01-01&to=2023-09-05');
      expect(String(tooMany.body['message'])).to.contain(`at most ${MAX_CANDLES}`);
    });
  });

  describe('GET /api/strategies/:id/backtest-trace', () => {
    it("runs a live strategy's latest backtest again: every trade filled inside its candles, the equity ending at the net result", async () => {
      const id = await liveStrategy();
      const r = await get(`/api/strategies/${id}/backtest-trace`);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      const trades = r.body['trades'] as { entryTime: number; exitTime: number; entryPrice: number; exitPrice: number; pnl: number }[];
      const equity = r.body['equity'] as [number, number][];
      expect(trades.length).to.be.greaterThan(0);
      const symbol = r.body['symbol'] as string;
      const rows = await sql.query<{ t: string; h: number; l: number }>(
        `SELECT open_time AS t, high AS h, low AS l FROM candles WHERE symbol = $1 AND "interval" = '1h' AND open_time = ANY($2::bigint[])`,
        [symbol, trades.flatMap((x) => [x.entryTime, x.exitTime, x.exitTime - HOUR])],
      );
      const bar = new Map(rows.rows.map((x) => [Number(x.t), x]));
      const inside = (time: number, price: number) => {
        const b = bar.get(time);
        return b !== undefined && price >= b.l * 0.999 && price <= b.h * 1.001;
      };
      for (const x of trades) {
        // Entries fill at a bar's open; exits at an open (signal) or inside the bar that just ended (stop, target).
        expect(inside(x.entryTime, x.entryPrice), `entry ${JSON.stringify(x)}`).to.equal(true);
        expect(inside(x.exitTime, x.exitPrice) || inside(x.exitTime - HOUR, x.exitPrice), `exit ${JSON.stringify(x)}`).to.equal(true);
      }
      // The curve starts at the capital and ends where the trades' net P&L leaves it (an open position aside).
      const netPnl = trades.reduce((a, x) => a + x.pnl, 0);
      expect(equity[0]![1]).to.be.closeTo(10_000, 10_000 * 0.05);
      expect(equity[equity.length - 1]![1] - 10_000).to.be.closeTo(netPnl, Math.abs(netPnl) * 0.5 + 300);
    });

    it("re-runs every cycle's backtest as the cycle ran it: each window's metrics equal those StrategyBacktested recorded", async () => {
      // The expected values are the cycle's own record (strategies.latest_backtest, folded from StrategyBacktested at
      // replay time); the trace recomputes them from the candles through the API.
      const recorded = await sql.query<{ id: string; is: Record<string, number>; oos: Record<string, number> | null }>(
        `SELECT id::text AS id, latest_backtest->'metrics' AS "is", latest_backtest->'outOfSampleMetrics' AS oos
           FROM strategies WHERE latest_backtest ? 'inSampleWindow'
          ORDER BY state IN ('Paper', 'Live') DESC, md5(id::text) LIMIT 250`,
      );
      expect(recorded.rows.length).to.be.greaterThan(100);
      // A key of its own: 250 traces stay under one key's rate limit and leave the other tests' keys theirs.
      const checker = await server.key('viewer', 'console-api-trace-check');
      const failures: string[] = [];
      for (const row of recorded.rows) {
        const res = await fetch(`${server.url}/api/strategies/${row.id}/backtest-trace`, { headers: checker.headers });
        const r = { status: res.status, body: (await res.json()) as Record<string, unknown> };
        const runs = r.body['runs'] as { name: string; metrics: Record<string, number>; reproduced: boolean | null }[] | undefined;
        const is = runs?.find((x) => x.name === 'in-sample');
        const oos = runs?.find((x) => x.name === 'out-of-sample');
        const same = (a: Record<string, number> | undefined, b: Record<string, number> | null) =>
          b === null || Object.entries(b).every(([k, v]) => k === 'deflatedSharpe' || a?.[k] === v);
        if (r.status !== 200 || r.body['reproduced'] !== true || !same(is?.metrics, row.is) || !same(oos?.metrics, row.oos))
          failures.push(`${row.id}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      }
      expect(failures, failures.slice(0, 3).join('\n')).to.deep.equal([]);
    });

    it('404 for an unknown strategy, 400 for a malformed id or a symbol it does not trade', async () => {
      expect((await get('/api/strategies/00000000-0000-4000-8000-000000000000/backtest-trace')).status).to.equal(404);
      expect((await get('/api/strategies/not-a-uuid/backtest-trace')).status).to.equal(400);
      const id = await liveStrategy();
      const other = await get(`/api/strategies/${id}/backtest-trace?symbol=DOGEUSDT`);
      expect(other.status).to.equal(400);
      expect(other.body.errors!.map((e) => e.path)).to.deep.equal(['symbol']);
    });
  });

  describe('GET /api/strategies/:id/record', () => {
    it('answers each account with as many days as the trading_days read model holds', async () => {
      const id = await liveStrategy();
      const counts = await sql.query<{ account: string; n: string }>(
        `SELECT account, count(*) AS n FROM trading_days WHERE strategy_id = $1 GROUP BY account`,
        [id],
      );
      const r = await get(`/api/strategies/${id}/record`);
      expect(r.status).to.equal(200);
      const accounts = r.body['accounts'] as { account: string; days: unknown[] }[];
      expect(Object.fromEntries(accounts.map((a) => [a.account, a.days.length]))).to.deep.equal(
        Object.fromEntries(counts.rows.map((c) => [c.account, Number(c.n)])),
      );
      expect(accounts.map((a) => a.account)).to.include(`paper-${id}`);
      expect((await get('/api/strategies/00000000-0000-4000-8000-000000000000/record')).status).to.equal(404);
    });
  });

  describe('GET /api/market-data/daily', () => {
    it('answers the imported Fear & Greed value of a day as the file holds it, and refuses a range over 1000 days', async () => {
      const r = await get('/api/market-data/daily?from=2023-09-01&to=2023-09-03&series=fear_greed');
      expect(r.status).to.equal(200);
      const [line] = await csvRows('fear_greed_index_daily.csv.gz', (l) => l.startsWith('2023-09-01,'));
      const [, value, label] = line!.split(',');
      expect((r.body['series'] as Record<string, unknown[]>)['fear_greed']![0]).to.deep.equal({ day: '2023-09-01', value: Number(value), label });
      const all = await get('/api/market-data/daily?from=2023-09-01&to=2023-09-03');
      expect(Object.keys(all.body['series'] as object).sort()).to.deep.equal(['fear_greed', 'nasdaq', 'sp500', 'vix']);
      const wide = await get('/api/market-data/daily?from=2015-01-01&to=2023-09-03');
      expect(wide.status).to.equal(400);
    });
  });

  describe('GET /api/predictions (the replay forecast every hour with the model trained before it)', () => {
    interface Forecast {
      forHour: string;
      madeAt: string;
      modelVersion: number;
      expectedReturn: number;
      baselines: { persistence: number; ridge: number };
      realisedReturn: number | null;
    }
    interface Figures {
      samples: number;
      mae: number;
      rmse: number;
      directionalAccuracy: number;
    }
    const from = Date.parse('2023-09-08T00:00:00Z');
    const to = Date.parse('2023-09-15T00:00:00Z');

    it("every recorded forecast was made after its model's last training candle closed, one per replayed hour", async () => {
      const { rows } = await sql.query<{ made_at: string; last_candle: string }>(
        `SELECT p.data->>'madeAt' AS made_at, m.data->'data'->>'lastCandle' AS last_candle
           FROM events p JOIN events m ON m.event_type = 'ModelTrained' AND m.stream_name = 'model-' || (p.data->>'model')
                                      AND (m.data->>'version')::int = (p.data->>'modelVersion')::int
          WHERE p.event_type = 'PredictionMade'`,
      );
      // Every hour from the replay's first day to its end (09-16 00:00), plus the first tick's catch-up of the day before.
      expect(rows.length).to.be.at.least(15 * 24);
      for (const r of rows) expect(Date.parse(r.last_candle) + HOUR, r.made_at).to.be.at.most(Date.parse(r.made_at));
      const hours = new Set(rows.map((r) => Date.parse(r.made_at)));
      for (let h = Date.parse('2023-09-01T00:00:00Z'); h <= Date.parse('2023-09-16T00:00:00Z'); h += HOUR)
        expect(hours.has(h), new Date(h).toISOString()).to.equal(true);
    });

    it('answers a week of forecasts as the events hold them, with realised returns and errors recomputed from the candles', async () => {
      const r = await get(`/api/predictions?from=2023-09-08&to=2023-09-15`);
      expect(r.status).to.equal(200);
      const got = r.body['predictions'] as Forecast[];
      const events = (
        await sql.query<{
          data: { forHour: string; madeAt: string; modelVersion: number; expectedReturn: number; baselines: { persistence: number; ridge: number } };
        }>(
          `SELECT data FROM events WHERE event_type = 'PredictionMade' AND data->>'model' = 'btc-1h'
              AND (data->>'forHour')::timestamptz >= $1 AND (data->>'forHour')::timestamptz < $2 ORDER BY (data->>'forHour')::timestamptz`,
          [new Date(from).toISOString(), new Date(to).toISOString()],
        )
      ).rows.map((e) => e.data);
      expect(events).to.have.length(7 * 24);
      expect(got.map((p) => Date.parse(p.forHour))).to.deep.equal(events.map((e) => Date.parse(e.forHour)));
      const closes = new Map(
        (
          await sql.query<{ t: string; close: number }>(
            `SELECT open_time AS t, close FROM candles WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND interval = '1h' AND open_time >= $1 AND open_time < $2`,
            [from - HOUR, to],
          )
        ).rows.map((c) => [Number(c.t), c.close]),
      );
      const realised = events.map((e) => closes.get(Date.parse(e.forHour))! / closes.get(Date.parse(e.forHour) - HOUR)! - 1);
      got.forEach((p, i) => {
        const e = events[i]!;
        expect(p.modelVersion).to.equal(e.modelVersion);
        expect(Date.parse(p.madeAt)).to.equal(Date.parse(e.madeAt));
        expect(p.expectedReturn).to.equal(e.expectedReturn);
        expect(p.baselines).to.deep.equal(e.baselines);
        expect(p.realisedReturn).to.be.closeTo(realised[i]!, 1e-12);
      });
      // MAE, RMSE and directional accuracy ("forecast > 0" agrees with "return > 0") of each forecaster, by hand.
      const figures = (forecast: (e: (typeof events)[number]) => number) => {
        const err = events.map((e, i) => forecast(e) - realised[i]!);
        return {
          samples: err.length,
          mae: err.reduce((a, x) => a + Math.abs(x), 0) / err.length,
          rmse: Math.sqrt(err.reduce((a, x) => a + x * x, 0) / err.length),
          directionalAccuracy: events.filter((e, i) => forecast(e) > 0 === realised[i]! > 0).length / err.length,
        };
      };
      const errors = r.body['errors'] as unknown as { hoursWithOutcome: number; model: Figures; persistence: Figures; ridge: Figures };
      expect(errors.hoursWithOutcome).to.equal(events.length);
      for (const [name, f] of [
        ['model', figures((e) => e.expectedReturn)],
        ['persistence', figures((e) => e.baselines.persistence)],
        ['ridge', figures((e) => e.baselines.ridge)],
      ] as const) {
        expect(errors[name].samples, name).to.equal(f.samples);
        expect(errors[name].mae, name).to.be.closeTo(f.mae, 1e-12);
        expect(errors[name].rmse, name).to.be.closeTo(f.rmse, 1e-12);
        expect(errors[name].directionalAccuracy, name).to.be.closeTo(f.directionalAccuracy, 1e-12);
      }
    });

    it('pages with limit, and answers 404 for a model that made no prediction', async () => {
      const page = await get(`/api/predictions?from=2023-09-08&to=2023-09-15&limit=100`);
      expect((page.body['predictions'] as Forecast[]).length).to.equal(100);
      expect(page.body['next']).to.equal(new Date(from + 100 * HOUR).toISOString());
      const none = await get('/api/predictions/latest?model=no-such-model');
      expect(none.status).to.equal(404);
      expect(none.body).to.deep.include({ error: 'NoPrediction', model: 'no-such-model' });
    });
  });

  describe('GET /api/pipeline/schedule', () => {
    it('the next daily run: later today before the hour, tomorrow at and after it', () => {
      expect(new Date(nextDailyRun(Date.parse('2024-01-01T02:59:59Z'), 3)).toISOString()).to.equal('2024-01-01T03:00:00.000Z');
      expect(new Date(nextDailyRun(Date.parse('2024-01-01T03:00:00Z'), 3)).toISOString()).to.equal('2024-01-02T03:00:00.000Z');
      expect(new Date(nextDailyRun(Date.parse('2024-12-31T23:00:00Z'), 0)).toISOString()).to.equal('2025-01-01T00:00:00.000Z');
    });
    it('is served with the cycle hour', async () => {
      const r = await get('/api/pipeline/schedule');
      expect(r.body['cycleHour']).to.equal(3);
      expect(Date.parse(r.body['nextCycleAt'] as string)).to.be.greaterThan(Date.parse(r.body['now'] as string));
    });
  });

  describe('GET /api/stream', () => {
    /** Reads SSE frames from a fetch body until `until` holds for a frame. */
    const readFrames = async (body: ReadableStream<Uint8Array>, until: (f: { event: string; id?: string; data: string }) => boolean, ms = 20_000) => {
      const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
      const frames: { event: string; id?: string; data: string }[] = [];
      let buffer = '';
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const next = await Promise.race([
          reader.read(),
          new Promise<{ done: true; value: undefined }>((r) => setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now())),
        ]);
        if (next.done) break;
        buffer += next.value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const f = { event: 'message', data: '' } as { event: string; id?: string; data: string };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) f.event = line.slice(7);
            else if (line.startsWith('data: ')) f.data += line.slice(6);
            else if (line.startsWith('id: ')) f.id = line.slice(4);
          }
          if (block.startsWith(':') || (f.event === 'message' && f.data === '')) continue;
          frames.push(f);
          if (until(f)) {
            await reader.cancel();
            return frames;
          }
        }
      }
      await reader.cancel();
      return frames;
    };

    it('an appended event reaches a connected client as {type, stream, position}; a client resuming with Last-Event-ID gets what it missed', async () => {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/api/stream`, { signal: controller.signal, headers: viewer.headers });
      expect(res.headers.get('content-type')).to.contain('text/event-stream');
      const hello = readFrames(res.body!, (f) => f.event === 'hello', 5_000);
      expect((await hello).map((f) => f.event)).to.include('hello');
      controller.abort();

      const live = await fetch(`${server.url}/api/stream`, { headers: viewer.headers });
      const first = await post('/api/strategies', { genome: smaCrossoverGenome() });
      expect(first.status).to.equal(201);
      const firstStream = `strategy-${String(first.body['id'])}`;
      const frames = await readFrames(live.body!, (f) => f.event === 'change' && JSON.parse(f.data).stream === firstStream);
      const notice = frames.find((f) => f.event === 'change' && JSON.parse(f.data).stream === firstStream);
      expect(notice, JSON.stringify(frames)).to.not.equal(undefined);
      expect(JSON.parse(notice!.data)).to.deep.include({ type: 'StrategyGenerated', stream: firstStream });
      expect(notice!.id).to.match(/^\d+\.\d+$/);

      // Disconnected, a second strategy is generated; resuming from the first notice's id brings it.
      const second = await post('/api/strategies', { genome: smaCrossoverGenome() });
      const secondStream = `strategy-${String(second.body['id'])}`;
      const resumed = await fetch(`${server.url}/api/stream`, { headers: { ...viewer.headers, 'Last-Event-ID': notice!.id! } });
      const missed = await readFrames(resumed.body!, (f) => f.event === 'change' && JSON.parse(f.data).stream === secondStream);
      expect(missed.filter((f) => f.event === 'change').map((f) => JSON.parse(f.data).stream)).to.include(secondStream);
      expect(missed.filter((f) => f.event === 'change').map((f) => JSON.parse(f.data).stream)).to.not.include(firstStream);
    });

    it('refuses a Last-Event-ID it did not send with 400', async () => {
      const res = await fetch(`${server.url}/api/stream`, { headers: { ...viewer.headers, 'Last-Event-ID': 'yesterday' } });
      expect(res.status).to.equal(400);
      await res.body?.cancel();
    });
  });

  // The console's Settings and kill switch panel calls the admin override routes (apps/api/override-routes.ts; their
  // role boundaries are in test/auth): here, what the console relies on — the change shows in the ranking it reads
  // and the audit carries the key's actor and the reason.
  describe('override routes the console calls', () => {
    it("POST /api/settings/maxActiveStrategies changes what the ranking reports, with the key's actor and the reason on the settings stream", async () => {
      const r = await post('/api/settings/maxActiveStrategies', { value: 3, reason: 'room for one more' });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect((await get('/api/ranking')).body['maxActiveStrategies']).to.equal(3);
      const last = await sql.query<{ data: { actor: string; reason: string; value: number } }>(
        `SELECT data FROM events WHERE stream_name = 'settings' ORDER BY stream_revision DESC LIMIT 1`,
      );
      expect(last.rows[0]!.data).to.deep.include({ actor: 'operator:console-api-admin', reason: 'room for one more', value: 3 });
      expect((await post('/api/settings/maxActiveStrategies', { value: 2, reason: 'back' })).status).to.equal(200);
    });

    it('refuses a change without a reason (400 naming it), out of range (400 naming the value, the setting and its range) or of an unknown setting (404)', async () => {
      const noReason = await post('/api/settings/maxActiveStrategies', { value: 3 });
      expect(noReason.status).to.equal(400);
      expect(noReason.body.errors!.map((e) => e.path)).to.include('reason');
      const tooMany = await post('/api/settings/maxActiveStrategies', { value: 11, reason: 'too many' });
      expect(tooMany.status).to.equal(400);
      expect(tooMany.body.errors).to.deep.equal([{ path: 'value', message: 'maxActiveStrategies must be an integer from 1 to 10, not 11' }]);
      for (const value of [-0.1, 0.9]) {
        const r = await post('/api/settings/activation.replacementMargin', { value, reason: 'out of range' });
        expect(r.status, String(value)).to.equal(400);
        expect(r.body.errors).to.deep.equal([{ path: 'value', message: `activation.replacementMargin must be a number from 0 to 0.5, not ${value}` }]);
      }
      const margin = await post('/api/settings/activation.replacementMargin', { value: 0.1, reason: 'fewer switches' });
      expect(margin.status, JSON.stringify(margin.body)).to.equal(200);
      const shown = (await get('/api/settings')).body['settings'] as { name: string; value: number; default: number; range: string }[];
      expect(shown.find((x) => x.name === 'activation.replacementMargin')).to.deep.include({ value: 0.1, default: 0.05, range: 'a number from 0 to 0.5' });
      expect((await post('/api/settings/activation.replacementMargin', { value: 0.05, reason: 'back' })).status).to.equal(200);
      expect((await post('/api/settings/colour', { value: 1, reason: 'x' })).status).to.equal(404);
    });

    it("POST /api/risk/:account/kill and /release engage and release an account's manual kill switch", async () => {
      const account = `live-${await liveStrategy()}`;
      const on = await post(`/api/risk/${account}/kill`, { reason: 'test of the switch' });
      expect(on.status, JSON.stringify(on.body)).to.equal(200);
      const off = await post(`/api/risk/${account}/release`, { trigger: 'manual', reason: 'test over' });
      expect(off.status, JSON.stringify(off.body)).to.equal(200);
      const types = await sql.query<{ event_type: string; data: { releasedBy: string; reason: string } }>(
        `SELECT event_type, data FROM events WHERE stream_name = $1 ORDER BY stream_revision`,
        [`risk-${account}`],
      );
      expect(types.rows.map((r) => r.event_type).slice(-2)).to.deep.equal(['KillSwitchEngaged', 'KillSwitchReleased']);
      expect(types.rows.at(-1)!.data).to.deep.include({ releasedBy: 'operator:console-api-admin', reason: 'test over' });
      const noReason = await post(`/api/risk/${account}/kill`, {});
      expect(noReason.status).to.equal(400);
      // An account name with a NUL or another control character is a 400 naming it, not a 500 (found by npm run fuzz:api).
      for (const bad of ['%00', 'live-%0A', '%7F']) {
        const refused = await post(`/api/risk/${bad}/kill`, { reason: 'x' });
        expect(refused.status, bad).to.equal(400);
        expect(refused.body.errors!.map((e) => e.path)).to.deep.equal(['account']);
        expect((await get(`/api/risk/${bad}`)).status, bad).to.equal(400);
      }
    });
  });
});
