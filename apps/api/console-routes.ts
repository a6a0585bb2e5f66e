// The read routes the operator's console needs beyond the others (doc/operator-console.md):
// - `GET /api/candles?symbol&interval&from&to[&exchange]`: stored candles of one series, at most MAX_CANDLES bars;
// - `GET /api/strategies/:id/backtest-trace[?symbol]`: its latest backtest run again over the same window, with the
//   equity curve and the trades (the cycle records metrics only: a trace is recomputed, never stored);
// - `GET /api/strategies/:id/record`: its paper and live days (trading_days read model) with their statistics;
// - `GET /api/market-data/daily?from&to[&series]`: the daily series (sentiment, indices) over at most 1000 days;
// - `GET /api/pipeline/schedule`: when the next daily cycle runs.
// Query strings decode exactly (an unknown parameter or a bad value is a 400 naming it); ranges are bounded.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Clock } from '../../application/ports/clock.js';
import { WARMUP_BARS } from '../../application/backtest/run-in-process.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { emptySeries, INTERVAL_MS, INTERVALS, type CandleSeries, type Interval } from '../../domain/market/candles.js';
import { ExchangeId } from '../../domain/market/exchange.js';
import { IdString, IsoTimestamp, Uuid } from '../../domain/primitives/codecs.js';
import { Genome } from '../../domain/strategy/genome.js';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../../domain/execution/run-settings.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { downsampleEquity } from '../../infrastructure/backtest/job-runner.js';
import { traceCycleBacktest, compareMetrics, type CycleTraceDeps, type TracedWindow } from '../../application/learning/cycle-backtest-trace.js';
import { windowIndices } from '../../domain/backtest/engine.js';
import { resultTrade } from '../../domain/backtest/result-trade.js';
import { EXIT_REASON_NAMES } from '../../domain/execution/fill-model.js';
import { strategyRecord } from '../../projections/trading-days/queries.js';
import { invalidRequest, type HttpAnswer } from './problems.js';
import { decodeQuery, Instant, send } from './query.js';

export interface ConsoleRouteDeps {
  readonly db: CommonQueryMethods;
  readonly clock: Clock;
  /** The exchange the candles are stored under (MARKET_DATA_EXCHANGE). */
  readonly exchange: string;
  /** The UTC hour the daily cycle runs at (PIPELINE_CYCLE_HOUR). */
  readonly cycleHour: number;
  readonly runSettings?: RunSettings;
  /** Where a learning cycle's backtest is re-run from (its candle store, its operand sources): absent, a trace runs the
   * whole recorded window with the API's run settings and says it does not reproduce the cycle's windows. */
  readonly cycleTrace?: Omit<CycleTraceDeps, 'exchange'>;
}

/** Bars one candles answer may hold: a chart needs no more, and the answer stays a few hundred kilobytes. */
export const MAX_CANDLES = 5000;
/** Bars a backtest trace may replay (warm-up aside): its run holds the event loop, so it stays a few milliseconds. */
export const MAX_TRACE_BARS = 6000;

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const QuerySymbol = t.refinement(IdString, (s) => s.length <= 40 && !CONTROL_CHARACTER.test(s) && /^[A-Z0-9]+$/.test(s), 'Symbol (A–Z and digits, ≤ 40)');
const IntervalQuery = t.keyof(Object.fromEntries(INTERVALS.map((i) => [i, null])) as Record<Interval, null>, `Interval (${INTERVALS.join(' | ')})`);

export const CandlesQuery = t.intersection(
  [t.type({ symbol: QuerySymbol, from: Instant, to: Instant }), t.partial({ interval: IntervalQuery, exchange: ExchangeId })],
  'CandlesQuery',
);
/** Days one daily-series answer may span. */
export const MAX_DAILY_DAYS = 1000;
export const DailyQuery = t.intersection(
  [
    t.type({ from: Instant, to: Instant }),
    t.partial({ series: t.refinement(t.string, (x) => /^[a-z0-9_]{1,40}$/.test(x), 'SeriesName (a–z, digits, _; ≤ 40)') }),
  ],
  'DailyQuery',
);
export const TraceQuery = t.partial({ symbol: QuerySymbol }, 'TraceQuery');
const NoQuery = t.type({}, 'NoQuery');

const strategyIdOr400 = (req: Request): either.Either<HttpAnswer, string> => {
  const id = req.params['id'];
  return Uuid.is(id) ? either.right(id) : either.left(invalidRequest([{ path: 'id', message: 'must be a UUID' }], 'path'));
};
const notFound = (id: string): HttpAnswer => ({ status: 404, body: { error: 'StrategyNotFound', message: `no strategy ${id}`, strategyId: id } });

const CandleRow = z.object({ t: z.number(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number() });
type CandleRow = z.infer<typeof CandleRow>;

const readCandles = (db: CommonQueryMethods, key: { exchange: string; symbol: string; interval: string }, from: number, to: number, max: number) =>
  db.any(sql.type(CandleRow)`
    SELECT open_time::float8 AS t, open AS o, high AS h, low AS l, close AS c, volume AS v FROM candles
     WHERE exchange = ${key.exchange} AND symbol = ${key.symbol} AND "interval" = ${key.interval}
       AND open_time >= ${from} AND open_time < ${to}
     ORDER BY open_time LIMIT ${max}`);

const toSeries = (key: { exchange: string; symbol: string; interval: Interval }, rows: readonly CandleRow[]): CandleSeries => {
  const s = emptySeries(key, rows.length);
  rows.forEach((r, i) => {
    s.openTime[i] = r.t;
    s.open[i] = r.o;
    s.high[i] = r.h;
    s.low[i] = r.l;
    s.close[i] = r.c;
    s.volume[i] = r.v;
  });
  return s;
};

const DailyRow = z.object({ series: z.string(), day: z.string(), value: z.number(), label: z.string().nullable() });
const StrategyTraceRow = z.object({ genome: z.unknown(), latestBacktest: z.unknown() });
const Window = t.type({ start: IsoTimestamp, end: IsoTimestamp });
const MetricsRecord = t.record(t.string, t.number);
const LatestBacktest = t.intersection([
  t.type({ window: Window }),
  t.partial({ metrics: MetricsRecord, outOfSampleMetrics: MetricsRecord, inSampleWindow: Window, outOfSampleWindow: Window }),
]);
const msWindow = (w: t.TypeOf<typeof Window>) => ({ from: Date.parse(w.start), to: Date.parse(w.end) });
const isoWindow = (w: { from: number; to: number }) => ({ from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() });

/** One re-run window of a trace on one symbol: what the strategy page draws, and whether it matches the record. */
const tracedRun = (w: TracedWindow, symbol: string) => {
  const r = w.backtest.perSymbol[symbol]!;
  const series = w.series[symbol]!;
  const idx = windowIndices(series, w.window.from, w.window.to);
  return {
    name: w.name,
    window: isoWindow(w.window),
    metrics: w.metrics,
    recorded: w.recorded,
    reproduced: w.reproduced,
    differences: w.differences,
    equity: downsampleEquity(r.equity, series.openTime.subarray(idx.from, idx.to)),
    trades: r.trades.map((x, i) => resultTrade(symbol, x, EXIT_REASON_NAMES[r.exitReasons[i]!] ?? 'unknown')),
  };
};

/** The next run of a daily job at `hour` UTC after `now`. */
export const nextDailyRun = (now: number, hour: number): number => {
  const day = Math.floor(now / 86_400_000) * 86_400_000;
  const today = day + hour * 3_600_000;
  return today > now ? today : today + 86_400_000;
};

export const consoleRoutes = (deps: ConsoleRouteDeps): express.Router => {
  const router = express.Router();

  router.get('/api/candles', async (req: Request, res: Response) => {
    const q = decodeQuery(CandlesQuery, req.query, (a) => {
      if (a.from >= a.to) return [{ path: 'to', message: 'must be after from' }];
      const bars = (a.to - a.from) / INTERVAL_MS[a.interval ?? '1h'];
      return bars > MAX_CANDLES ? [{ path: 'to', message: `the range holds ${Math.ceil(bars)} bars; at most ${MAX_CANDLES} per request` }] : [];
    });
    if (either.isLeft(q)) return send(res, q.left);
    const { symbol, from, to } = q.right;
    const interval = q.right.interval ?? '1h';
    const exchange = q.right.exchange ?? deps.exchange;
    const rows = await readCandles(deps.db, { exchange, symbol, interval }, from, to, MAX_CANDLES);
    res.json({ exchange, symbol, interval, from: new Date(from).toISOString(), to: new Date(to).toISOString(), candles: rows });
  });

  router.get('/api/strategies/:id/backtest-trace', async (req: Request, res: Response) => {
    const id = strategyIdOr400(req);
    if (either.isLeft(id)) return send(res, id.left);
    const q = decodeQuery(TraceQuery, req.query);
    if (either.isLeft(q)) return send(res, q.left);
    const row = await deps.db.maybeOne(sql.type(StrategyTraceRow)`SELECT genome, latest_backtest AS "latestBacktest" FROM strategies WHERE id = ${id.right}`);
    if (row === null) return send(res, notFound(id.right));
    const genome = Genome.decode(row.genome);
    if (either.isLeft(genome)) return send(res, { status: 500, body: { error: 'GenomeUnreadable', message: 'the stored genome does not decode' } });
    const latest = LatestBacktest.decode(row.latestBacktest);
    if (either.isLeft(latest))
      return send(res, { status: 404, body: { error: 'NoBacktest', message: `strategy ${id.right} has no recorded backtest yet`, strategyId: id.right } });
    const symbols = genome.right.symbols as readonly string[];
    const symbol = q.right.symbol ?? symbols[0]!;
    if (!symbols.includes(symbol))
      return send(res, invalidRequest([{ path: 'symbol', message: `the strategy trades ${symbols.join(', ')}, not ${symbol}` }], 'query'));
    const interval: Interval = genome.right.timeframe;
    const { inSampleWindow, outOfSampleWindow } = latest.right;
    if (inSampleWindow !== undefined && outOfSampleWindow !== undefined && deps.cycleTrace !== undefined) {
      // A learning cycle's backtest: its two windows again, the cycle's way, checked against what it recorded.
      const traced = await traceCycleBacktest(
        { ...deps.cycleTrace, exchange: deps.exchange },
        {
          strategyId: id.right,
          genome: genome.right,
          windows: [
            { name: 'in-sample', window: msWindow(inSampleWindow), recorded: latest.right.metrics },
            { name: 'out-of-sample', window: msWindow(outOfSampleWindow), recorded: latest.right.outOfSampleMetrics },
          ],
        },
      );
      if (either.isLeft(traced)) {
        const e = traced.left;
        return send(res, {
          status: 422,
          body:
            e.kind === 'TraceTooLong'
              ? { error: e.kind, message: `re-running this backtest means ${e.bars} bars; a trace runs at most ${e.max}` }
              : { error: e.code, message: e.message },
        });
      }
      const runs = traced.right.map((w) => tracedRun(w, symbol));
      const reproduced = runs.some((r) => r.reproduced === false) ? false : runs.some((r) => r.reproduced === true) ? true : null;
      return res.json({
        strategyId: id.right,
        symbol,
        interval,
        source: 'cycle',
        window: { from: inSampleWindow.start, to: outOfSampleWindow.end },
        metrics: runs[0]!.metrics,
        equity: runs[0]!.equity,
        trades: runs.flatMap((r) => r.trades),
        reproduced,
        runs,
      });
    }
    const step = INTERVAL_MS[interval];
    const period = { from: Date.parse(latest.right.window.start), to: Date.parse(latest.right.window.end) };
    const whole = period.from;
    if ((period.to - period.from) / step > MAX_TRACE_BARS) period.from = period.to - MAX_TRACE_BARS * step; // the most recent part of a longer window
    const key = { exchange: deps.exchange, symbol, interval };
    const rows = await readCandles(deps.db, key, period.from - WARMUP_BARS * step, period.to, MAX_TRACE_BARS + WARMUP_BARS);
    if (!rows.some((r) => r.t >= period.from))
      return send(res, { status: 404, body: { error: 'NoCandles', message: `no ${deps.exchange} ${symbol} ${interval} candles in the backtest window` } });
    const outcome = runJob(
      {
        jobId: `trace-${id.right}`,
        strategyId: id.right,
        genome: { ...genome.right, symbols: [symbol] as typeof genome.right.symbols },
        exchange: deps.exchange,
        symbols: [symbol],
        interval,
        period,
        settings: deps.runSettings ?? DEFAULT_RUN_SETTINGS,
        detail: 'full',
      },
      { [symbol]: toSeries(key, rows) },
      new IndicatorCache(),
    );
    if (!outcome.ok) return send(res, { status: 422, body: { error: outcome.code, message: outcome.error } });
    const r = outcome.result;
    const equity = r.equity[symbol] ?? [];
    // Comparable with the record only when the whole recorded window ran on the strategy's only symbol.
    const comparable = period.from === whole && symbols.length === 1 && latest.right.metrics !== undefined;
    const differences = comparable ? compareMetrics(latest.right.metrics!, r.metrics) : [];
    const reproduced = comparable ? differences.length === 0 : null;
    res.json({
      strategyId: id.right,
      symbol,
      interval,
      source: 'backtest',
      window: isoWindow(period),
      metrics: r.metrics,
      equity,
      trades: r.trades,
      reproduced,
      runs: [
        {
          name: 'backtest',
          window: isoWindow(period),
          metrics: r.metrics,
          recorded: latest.right.metrics ?? null,
          reproduced,
          differences,
          equity,
          trades: r.trades,
        },
      ],
    });
  });

  router.get('/api/strategies/:id/record', async (req: Request, res: Response) => {
    const id = strategyIdOr400(req);
    if (either.isLeft(id)) return send(res, id.left);
    const q = decodeQuery(NoQuery, req.query);
    if (either.isLeft(q)) return send(res, q.left);
    const exists = await deps.db.maybeOneFirst(sql.type(z.object({ id: z.string() }))`SELECT id::text AS id FROM strategies WHERE id = ${id.right}`);
    if (exists === null) return send(res, notFound(id.right));
    res.json({ strategyId: id.right, accounts: await strategyRecord(deps.db, id.right) });
  });

  router.get('/api/market-data/daily', async (req: Request, res: Response) => {
    const q = decodeQuery(DailyQuery, req.query, (a) =>
      a.from >= a.to
        ? [{ path: 'to', message: 'must be after from' }]
        : (a.to - a.from) / 86_400_000 > MAX_DAILY_DAYS
          ? [{ path: 'to', message: `at most ${MAX_DAILY_DAYS} days per request` }]
          : [],
    );
    if (either.isLeft(q)) return send(res, q.left);
    const { from, to, series } = q.right;
    const rows = await deps.db.any(sql.type(DailyRow)`
      SELECT series, to_char(day, 'YYYY-MM-DD') AS day, value, label FROM daily_observations
       WHERE day >= to_timestamp(${from / 1000})::date AND day < to_timestamp(${to / 1000})::date
         AND (${series ?? null}::text IS NULL OR series = ${series ?? null})
       ORDER BY series, day LIMIT ${MAX_DAILY_DAYS * 20}`);
    const bySeries: Record<string, { day: string; value: number; label: string | null }[]> = {};
    for (const r of rows) (bySeries[r.series] ??= []).push({ day: r.day, value: r.value, label: r.label });
    res.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), series: bySeries });
  });

  router.get('/api/pipeline/schedule', (req: Request, res: Response) => {
    const q = decodeQuery(NoQuery, req.query);
    if (either.isLeft(q)) return send(res, q.left);
    const now = deps.clock.now().getTime();
    res.json({ now: new Date(now).toISOString(), cycleHour: deps.cycleHour, nextCycleAt: new Date(nextDailyRun(now, deps.cycleHour)).toISOString() });
  });

  return router;
};
