// The trading desk step (application/pipeline/trading-desk.ts) over real BTCUSDT and ETHUSDT 1h candles in
// PostgreSQL, ticked every hour of a simulated clock as the pipeline does:
// 1. each TradingDayClosed's equity, trade count and position equal an independent backtest-engine run of the same
//    genome over the same bars (warm-up before the first bar opening at or after the paper start): the desk feeds the
//    one trading core the right bars from the right start, and only bars closed by `now`;
// 2. a second tick at the same `now` appends nothing; a fresh desk (a restart) continues with identical days and no
//    duplicate;
// 3. the paper evaluation comes exactly when `paper.evaluationDays` full days have closed; a rejected strategy is
//    retired, a pinned one is kept (its verdict recorded);
// 4. a live account runs from the activation beside the paper account, each equal to its own backtest;
// 5. a strategy whose symbol has no stored candles, or whose candles stop before `now`, is named in the notes (once).
// The learner's paper results (paperResultsFor) and the trading_days read model are checked along the way.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { createTradingDesk, type TradingDeskDeps } from '../../application/pipeline/trading-desk.js';
import { paperResultsFor } from '../../application/pipeline/paper-results.js';
import type { StepOutcome } from '../../application/pipeline/step.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { simulate } from '../../domain/backtest/engine.js';
import { fillConfigOf } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { Candle, CandleSeries } from '../../domain/market/candles.js';
import { performanceStream, type TradingDayClosed } from '../../domain/performance/events.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import type { PaperEvaluation } from '../../domain/strategy/events.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { tradingDaysProjection } from '../../projections/trading-days/projection.js';
import { strategyRecord } from '../../projections/trading-days/queries.js';
import { loadCandles } from '../indicators/real-candles.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { activationDecision, catchUpOnVisible, memoryLog } from '../projections/support.js';
import { DESK_RUN, paperDeskDeps, projectUntil, sendStrategyCommand } from './support/desk-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WARMUP = 1000 * HOUR; // WARMUP_BARS of 1h bars
const BTC = 'b7c00000-0000-4000-8000-000000000001';
const ETH = 'e7400000-0000-4000-8000-000000000002';
const SOL = '50100000-0000-4000-8000-000000000003';
const LIVE = '11fe0000-0000-4000-8000-000000000004';
/**
 * Paper starts at 13:17: the first bar the desk trades opens at 14:00. The ETHUSDT genome's entry signal fires at the
 * close of the 13:00 bar, which opened before the start: a desk that traded that bar would enter at 14:00.
 */
const PAPER_START = Date.UTC(2022, 2, 1, 13, 17);
const FIRST_OPEN = Date.UTC(2022, 2, 1, 14);
const RUN = DESK_RUN;
const GENOMES: Record<string, Genome> = {
  [BTC]: smaCrossoverGenome(5, 20, ['BTCUSDT']),
  [ETH]: smaCrossoverGenome(4, 12, ['ETHUSDT']),
  [SOL]: smaCrossoverGenome(5, 20, ['SOLUSDT']),
  [LIVE]: smaCrossoverGenome(4, 12, ['ETHUSDT']),
};
/** A backtest no paper week can match: a Sharpe of 1000 with a drawdown of 0.001%. */
const UNMATCHABLE = {
  metrics: { sharpe: 1000, totalReturn: 5, maxDrawdown: 0.00001, tradeCount: 100 },
  window: { start: '2021-06-01T00:00:00.000Z', end: '2022-02-01T00:00:00.000Z' },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  dataFingerprint: 'sha256:test',
  engineVersion: 'test-1',
};

const iso = (ms: number) => new Date(ms).toISOString();

describe('trading desk: paper accounts through the trading core, day by day, over real candles', function () {
  this.timeout(600_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let pool: DatabasePool;
  const clock = fixedClock(new Date(PAPER_START));
  const deps = (): TradingDeskDeps => paperDeskDeps({ store, clock, pool, candles });
  const command = (type: StrategyCommand['type'], strategyId: string, data: unknown, at: number) =>
    sendStrategyCommand(store, clock, type, strategyId, data, at);
  const project = (ready: () => Promise<boolean>) => projectUntil(pool, store, [strategiesProjection], ready);
  const inState = async (state: string) =>
    (await pool.any(sql.unsafe`SELECT id FROM strategies WHERE state = ${state}`)).map((r) => (r as { id: string }).id).sort();
  /** Ticks every hour in (from, to], as the pipeline loop does; returns every outcome. */
  const tickHours = async (desk: ReturnType<typeof createTradingDesk>, from: number, to: number): Promise<StepOutcome[]> => {
    const out: StepOutcome[] = [];
    for (let t = from + HOUR; t <= to; t += HOUR) {
      clock.set(new Date(t));
      out.push(await desk.tick(new Date(t)));
    }
    return out;
  };
  const days = async (strategyId: string): Promise<TradingDayClosed['data'][]> =>
    (await store.readStream(performanceStream(strategyId))).map((e) => e.data as TradingDayClosed['data']);
  const real: Record<string, CandleSeries> = {};

  /** The engine's equity, trades and position at the close of each day's last bar, over the stored candles. */
  const reference = async (strategyId: string, symbol: string, until: number, firstOpen = FIRST_OPEN) => {
    const series = await candles.readSeries({ exchange: 'binance', symbol, interval: '1h' }, { from: firstOpen - WARMUP, to: until });
    const from = series.openTime.findIndex((t) => t >= firstOpen);
    const sim = simulate(
      bindStrategy(compileGenome(GENOMES[strategyId]), series, new IndicatorCache()),
      from,
      series.length,
      RUN.initialCapital,
      fillConfigOf(RUN),
    );
    return (day: string) => {
      const end = Date.parse(day) + DAY;
      let i = series.length - 1;
      while (series.openTime[i]! >= end) i--;
      return { equity: sim.equity[i - from]!, tradesTotal: sim.trades.filter((t) => t.exitTime < end).length };
    };
  };

  before(async () => {
    db = await freshDatabase('desk');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    pool = await createReadModelPool(db.url, 2);
    // Real candles from the warm-up before the paper start to 12 days after it (the store holds more than the desk may
    // see: only the bars closed by `now` count).
    for (const [symbol, file] of [
      ['BTCUSDT', 'binance_BTCUSDT_1h.csv.gz'],
      ['ETHUSDT', 'binance_ETHUSDT_1h.csv.gz'],
    ] as const) {
      const s = (real[symbol] = loadCandles(file, symbol));
      const rows: Candle[] = [];
      for (let i = 0; i < s.length; i++)
        if (s.openTime[i]! >= FIRST_OPEN - WARMUP - 2 * DAY && s.openTime[i]! < PAPER_START + 12 * DAY)
          rows.push({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! });
      await candles.writeCandles(s.key, rows);
    }
    for (const id of [BTC, ETH]) {
      await command('GenerateStrategy', id, { genome: GENOMES[id] }, PAPER_START - 3 * HOUR);
      await command('RecordBacktest', id, { result: UNMATCHABLE }, PAPER_START - 2 * HOUR);
      await command('FilterStrategy', id, { verdict: { outcome: 'passed', reasons: [], thresholds: { minSharpe: 0.5 } } }, PAPER_START - HOUR);
      await command('StartPaperTrading', id, { decidedBy: 'system:pipeline', reason: 'passed the filter' }, PAPER_START);
    }
    await command('PinStrategy', ETH, { decidedBy: 'operator:test', reason: 'kept whatever its paper week says' }, PAPER_START + 60_000);
    await project(async () => (await inState('Paper')).length === 2);
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  let now = Date.UTC(2022, 2, 1, 13); // the tick before the paper start
  const desk1 = () => createTradingDesk(deps());
  let first: ReturnType<typeof createTradingDesk>;

  it('closes each day of each paper account with the equity of a backtest of the same genome over the same bars', async () => {
    first = desk1();
    const started = Date.now();
    const outcomes = await tickHours(first, now, (now = Date.UTC(2022, 2, 5, 3)));
    const wall = Date.now() - started;
    console.log(`      desk: ${outcomes.length} hourly ticks, 2 strategies, ${wall} ms (${(wall / outcomes.length).toFixed(1)} ms a tick)`);
    expect(outcomes.flatMap((o) => o.notes)).to.deep.equal([]);
    expect(outcomes.reduce((n, o) => n + o.appended, 0)).to.equal(8);
    for (const [id, symbol] of [
      [BTC, 'BTCUSDT'],
      [ETH, 'ETHUSDT'],
    ] as const) {
      const recorded = await days(id);
      // 03-01 from 14:00 (partial), then three full days; 03-05 is not over at 03:00.
      expect(recorded.map((d) => d.day)).to.deep.equal(['2022-03-01', '2022-03-02', '2022-03-03', '2022-03-04']);
      const ref = await reference(id, symbol, now + 5 * DAY);
      let previous = RUN.initialCapital;
      for (const d of recorded) {
        const r = ref(d.day);
        expect(d.account).to.equal(`paper-${id}`);
        expect(d.mode).to.equal('paper');
        expect(d.equity, `${id} ${d.day} equity`).to.equal(r.equity);
        expect(d.tradesTotal, `${id} ${d.day} trades`).to.equal(r.tradesTotal);
        expect(d.dayReturn).to.be.closeTo(d.equity / previous - 1, 1e-15);
        expect(d.at).to.equal(Date.parse(d.day) + DAY);
        previous = d.equity;
      }
      // Something happened over those days (else equality would prove little).
      expect(recorded[recorded.length - 1]!.tradesTotal, `${symbol} trades`).to.be.greaterThan(0);
    }
  });

  it('appends nothing on a second tick at the same now', async () => {
    const again = await first.tick(new Date(now));
    expect(again.appended).to.equal(0);
    expect((await days(BTC)).length).to.equal(4);
  });

  it('a fresh desk (a restart) appends nothing already recorded and continues with the same days', async () => {
    const fresh = createTradingDesk(deps());
    expect((await fresh.tick(new Date(now))).appended).to.equal(0);
    const outcomes = await tickHours(fresh, now, (now = Date.UTC(2022, 2, 7, 3)));
    expect(outcomes.reduce((n, o) => n + o.appended, 0)).to.equal(4);
    for (const [id, symbol] of [
      [BTC, 'BTCUSDT'],
      [ETH, 'ETHUSDT'],
    ] as const) {
      const recorded = await days(id);
      expect(recorded.map((d) => d.day)).to.deep.equal(['2022-03-01', '2022-03-02', '2022-03-03', '2022-03-04', '2022-03-05', '2022-03-06']);
      const ref = await reference(id, symbol, now + 5 * DAY);
      for (const d of recorded) expect(d.equity, `${id} ${d.day}`).to.equal(ref(d.day).equity);
    }
    // The old desk, ticked on, agrees with what the fresh one wrote: it appends nothing either.
    expect((await first.tick(new Date(now))).appended).to.equal(0);
  });

  it('the trading_days read model holds the days of each account as the stream does, with their statistics', async () => {
    const runner = new ProjectionRunner({ pool, store, projections: [tradingDaysProjection], log: memoryLog() });
    try {
      for (let tries = 0; (await strategyRecord(pool, BTC))[0]?.days.length !== 6; tries++) {
        if (tries > 600) throw new Error('trading_days never caught up');
        await catchUpOnVisible(store, runner, (await store.readAll({})).length);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await runner.stop();
    }
    const [record] = await strategyRecord(pool, BTC);
    const stream = await days(BTC);
    expect(record!.account).to.equal(`paper-${BTC}`);
    expect(record!.days.map((d) => [d.day, d.equity, d.dayReturn, d.tradesTotal, d.closedAt])).to.deep.equal(
      stream.map((d) => [d.day, d.equity, d.dayReturn, d.tradesTotal, iso(d.at)]),
    );
    expect(record!.stats.totalReturn).to.be.closeTo(stream[5]!.equity / RUN.initialCapital - 1, 1e-12);
  });

  it('judges the paper period exactly when paper.evaluationDays full days have closed: rejected → retired, pinned → kept', async () => {
    const changed = await changeSetting({ store, clock, ids: uuidIds })({
      type: 'ChangeSetting',
      data: { name: 'paper.evaluationDays', value: 6, decidedBy: 'operator:test', reason: 'a shorter paper period for the test' },
    } as never);
    expect(either.isRight(changed), JSON.stringify(changed)).to.equal(true);
    const desk = createTradingDesk(deps());
    // Full days: 03-02 … 03-07; the sixth closes at 03-08 00:00.
    const before = await tickHours(desk, now, (now = Date.UTC(2022, 2, 7, 23)));
    expect(before.flatMap((o) => o.notes)).to.deep.equal([]);
    expect((await store.readStream(`strategy-${BTC}`)).map((e) => e.type)).not.to.include('PaperTradingEvaluated');
    // Before the verdict, the learner's figures come from the recorded days.
    const sofar = await days(BTC);
    const early = await paperResultsFor(store, [BTC]);
    const figures = either.isRight(early) ? early.right[0]!.figures : undefined;
    expect(figures?.tradeCount).to.equal(sofar.reduce((n, d) => n + d.trades, 0));
    expect(figures?.totalReturn).to.be.closeTo(sofar[sofar.length - 1]!.equity / RUN.initialCapital - 1, 1e-12);
    const judged = await desk.tick(new Date((now = Date.UTC(2022, 2, 8))));
    expect(judged.notes.join('\n')).to.match(new RegExp(`strategy ${BTC}: paper trading rejected`));
    expect(judged.notes.join('\n')).to.match(new RegExp(`strategy ${ETH}: rejected on paper but pinned`));

    const btc = await store.readStream(`strategy-${BTC}`);
    const eth = await store.readStream(`strategy-${ETH}`);
    expect(btc.map((e) => e.type).slice(-2)).to.deep.equal(['PaperTradingEvaluated', 'StrategyRetired']);
    expect(eth.map((e) => e.type).slice(-1)).to.deep.equal(['PaperTradingEvaluated']);
    const evaluation = (btc[btc.length - 2]!.data as { evaluation: PaperEvaluation }).evaluation;
    expect(evaluation.outcome).to.equal('rejected');
    expect(evaluation.period).to.deep.equal({ start: iso(PAPER_START), end: iso(Date.UTC(2022, 2, 8)) });
    // The figures are those of the recorded days (a plain recomputation here).
    const recorded = (await days(BTC)).filter((d) => d.day <= '2022-03-07');
    expect(recorded.length).to.equal(7);
    const returns = recorded.map((d) => d.dayReturn);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
    expect(evaluation.paper['days']).to.equal(7);
    expect(evaluation.paper['sharpe']).to.be.closeTo((mean / sd) * Math.sqrt(365), 1e-9);
    expect(evaluation.paper['totalReturn']).to.be.closeTo(recorded[6]!.equity / RUN.initialCapital - 1, 1e-12);
    expect(evaluation.thresholds['maxDrawdown']).to.equal(2 * 0.00001);
    expect(evaluation.reasons.some((r) => r.startsWith('failed: drawdown'))).to.equal(true);
    const retired = btc[btc.length - 1]!.data as { reason: string };
    expect(retired.reason).to.match(/rejected: failed: /);

    // The learner's paper results: the verdict's figures for a judged strategy.
    const results = await paperResultsFor(store, [BTC, SOL]);
    expect(either.isRight(results) && results.right).to.deep.equal([
      {
        strategyId: BTC,
        figures: {
          sharpe: evaluation.paper['sharpe'],
          totalReturn: evaluation.paper['totalReturn'],
          maxDrawdown: evaluation.paper['maxDrawdown'],
          tradeCount: evaluation.paper['trades'],
        },
      },
    ]);

    // Once judged, never again (a fresh desk too).
    await project(async () => (await inState('Retired')).includes(BTC));
    const later = await createTradingDesk(deps()).tick(new Date((now += HOUR)));
    expect(later.notes).to.deep.equal([]);
    expect((await store.readStream(`strategy-${ETH}`)).length).to.equal(eth.length);
  });

  it('runs a live account from the activation, beside the paper account, each equal to its own backtest', async () => {
    // Paper from the 03-09 00:00 bar, whose close signals an entry (held until 19:00); live from the 06:00 bar, after it.
    const paperStart = Date.UTC(2022, 2, 8, 23, 30);
    const activated = Date.UTC(2022, 2, 9, 5, 40);
    await command('GenerateStrategy', LIVE, { genome: GENOMES[LIVE] }, paperStart - 2 * HOUR);
    await command('RecordBacktest', LIVE, { result: UNMATCHABLE }, paperStart - HOUR);
    await command('FilterStrategy', LIVE, { verdict: { outcome: 'passed', reasons: [], thresholds: {} } }, paperStart - HOUR);
    await command('StartPaperTrading', LIVE, { decidedBy: 'system:pipeline', reason: 'passed the filter' }, paperStart);
    await command(
      'ActivateStrategy',
      LIVE,
      { decidedBy: 'operator:test', reason: 'a live account for the test', decision: activationDecision(1, [], LIVE) },
      activated,
    );
    await project(async () => (await inState('Live')).includes(LIVE));
    const desk = createTradingDesk(deps());
    const outcomes = await tickHours(desk, Date.UTC(2022, 2, 8, 23), Date.UTC(2022, 2, 12, 1));
    expect(outcomes.flatMap((o) => o.notes).filter((n) => n.includes(LIVE))).to.deep.equal([]);
    const recorded = await days(LIVE);
    const paper = recorded.filter((d) => d.account === `paper-${LIVE}`);
    const live = recorded.filter((d) => d.account === `live-${LIVE}`);
    expect(paper.map((d) => d.day)).to.deep.equal(['2022-03-09', '2022-03-10', '2022-03-11']);
    expect(live.map((d) => [d.day, d.mode])).to.deep.equal([
      ['2022-03-09', 'live'],
      ['2022-03-10', 'live'],
      ['2022-03-11', 'live'],
    ]);
    const paperRef = await reference(LIVE, 'ETHUSDT', Date.UTC(2022, 2, 13), Date.UTC(2022, 2, 9, 0));
    const liveRef = await reference(LIVE, 'ETHUSDT', Date.UTC(2022, 2, 13), Date.UTC(2022, 2, 9, 6));
    for (const d of paper) expect(d.equity, `paper ${d.day}`).to.equal(paperRef(d.day).equity);
    for (const d of live) expect(d.equity, `live ${d.day}`).to.equal(liveRef(d.day).equity);
    // The paper account traded the 03-09 entry, the live one had not started: their first days differ.
    expect(paper[0]!.tradesTotal).to.equal(1);
    expect(live[0]!.tradesTotal).to.equal(0);
    expect(live[0]!.equity).to.equal(RUN.initialCapital);
  });

  it('names a strategy whose symbol has no stored candles in the notes', async () => {
    await command('GenerateStrategy', SOL, { genome: GENOMES[SOL] }, now - 3 * HOUR);
    await command('RecordBacktest', SOL, { result: UNMATCHABLE }, now - 2 * HOUR);
    await command('FilterStrategy', SOL, { verdict: { outcome: 'passed', reasons: [], thresholds: {} } }, now - HOUR);
    await command('StartPaperTrading', SOL, { decidedBy: 'system:pipeline', reason: 'passed the filter' }, now);
    await project(async () => (await inState('Paper')).includes(SOL));
    const desk = createTradingDesk(deps());
    const outcomes = await tickHours(desk, now, now + 3 * HOUR);
    expect(outcomes.flatMap((o) => o.notes).join('\n')).to.match(new RegExp(`paper-${SOL}: no stored binance SOLUSDT 1h candles since`));
    // Candles that stop before now (the store holds ETHUSDT until 03-13 13:00): told once, not at every tick.
    const late = await desk.tick(new Date(Date.UTC(2022, 2, 14, 6)));
    expect(late.notes.join('\n')).to.match(new RegExp(`paper-${ETH}: binance ETHUSDT 1h candles missing after 2022-03-13T14:00:00.000Z`));
    const later = await desk.tick(new Date(Date.UTC(2022, 2, 14, 7)));
    expect(later.notes.filter((n) => n.includes('missing'))).to.deep.equal([]);

    // Without a day, no paper result for the learner.
    const results = await paperResultsFor(store, [SOL]);
    expect(either.isRight(results) && results.right).to.deep.equal([]);
  });
});
