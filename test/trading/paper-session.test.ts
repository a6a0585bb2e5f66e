// The production paper session (application/trading/paper-session.ts) end to end: runner → executor with order
// streams in PostgreSQL → the real account risk gate → the paper exchange, candles replayed from the candle store.
// 1. Over three months of real BTCUSDT 1h with limits that do not bind, it gives exactly the backtest engine's trades
//    and equity, and the order streams read back hold every order with its fills.
// 2. With binding limits: an entry refused (recorded on risk-<account> and on the order's stream, naming the rule and
//    the numbers); a drawdown kill switch closes the position with a reduce-only order and stops new entries.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { startPaperSession, type PaperSession, type PaperSessionSettings } from '../../application/trading/paper-session.js';
import { loadFeeds, replayPaperSession, type CandleFeed } from '../../application/trading/paper-replay.js';
import { replayedSignals, ENTRY, type SignalSource } from '../../application/trading/runner-signals.js';
import { bindStrategy, compileGenome } from '../../domain/backtest/compile.js';
import { EXIT_REASON_NAMES } from '../../domain/execution/fill-model.js';
import { orderStream } from '../../domain/execution/events.js';
import { fillConfigOf, type RunSettings } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { emptySeries, type Candle, type CandleSeries } from '../../domain/market/candles.js';
import { riskStream } from '../../domain/risk/events.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';
import type { PaperVenueOptions } from '../../application/ports/paper-venue.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { btcusdt1h } from '../indicators/real-candles.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { enginePath, firstDifference } from '../support/engine-vs-paper.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { LOOSE_RISK_LIMITS as LOOSE } from '../support/allow-all-gate.js';

const HOUR = 3_600_000;
const limits = (l: { [K in keyof RiskLimits]: number }): RiskLimits => l as RiskLimits;

const genome = (exitRules: Record<string, number>, direction = 'long_short') => ({
  strategyType: 'momentum',
  direction,
  indicators: [
    { id: 'fast', name: 'ema', params: { period: 12 } },
    { id: 'slow', name: 'ema', params: { period: 48 } },
  ],
  entry: { mode: 'all', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_above', right: { indicator: 'slow' } }] },
  exit: { mode: 'any', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_below', right: { indicator: 'slow' } }] },
  exitRules,
  risk: { positionSize: 1, riskPerTrade: 0.02 },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  lineage: { generation: 0, parentIds: [], origin: 'manual' },
});

/** Every order stream a runner made (ids <prefix>-1, -2, … with no gap), read back. */
const orderStreams = async (store: EventStore, prefix: string): Promise<RecordedEvent[][]> => {
  const out: RecordedEvent[][] = [];
  for (let n = 1; ; n++) {
    const events = await store.readStream(orderStream(`${prefix}-${n}`));
    if (events.length === 0) return out;
    out.push(events);
  }
};
const dataOf = (events: RecordedEvent[], type: string) => events.filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
const specOf = (events: RecordedEvent[]) => dataOf(events, 'OrderPlaced')[0]?.['spec'] as Record<string, unknown> | undefined;

describe('paper session: runner → executor (order streams in PostgreSQL) → risk gate → paper exchange', () => {
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  const clock = fixedClock(new Date(Date.UTC(2022, 0, 1)));
  const deps = () => ({ store, clock, ids: uuidIds, venue: (o: PaperVenueOptions) => new PaperExchange(o) });
  const prefix = (label: string) => `${label}${process.pid % 100_000}`;

  before(async () => {
    db = await freshDatabase('paper_session');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
  });
  after(async () => {
    await store?.close();
    await candles?.close();
    await db?.drop();
  });

  it('equals the backtest over three months of real BTCUSDT 1h, and the order streams hold every order with its fills', async function () {
    this.timeout(300_000);
    // Three months of real candles into the candle store, replayed from there (with a month before for the warm-up).
    const all = btcusdt1h();
    const at = (t: number) => all.openTime.findIndex((x) => x >= t);
    const [i0, i1] = [at(Date.UTC(2021, 11, 1)), at(Date.UTC(2022, 3, 1))];
    const stretch: Candle[] = [];
    for (let i = i0; i < i1; i++)
      stretch.push({ openTime: all.openTime[i]!, open: all.open[i]!, high: all.high[i]!, low: all.low[i]!, close: all.close[i]!, volume: all.volume[i]! });
    await candles.writeCandles(all.key, stretch);
    const feeds = await loadFeeds(candles, [all.key], { from: Date.UTC(2021, 11, 1), to: Date.UTC(2022, 3, 1) });
    const series = feeds[0]!.series;
    expect(series.length).to.equal(i1 - i0);

    const run: RunSettings = { takerFee: 0.001, makerFee: 0.0002, slippage: 0.0005, initialCapital: 10_000, sizing: { mode: 'fractional' } };
    // The stop is nearer at entry, the trailing stop after a 1.5% gain; a target at 6%.
    const compiled = compileGenome(genome({ stopLoss: 0.015, takeProfit: 0.06, trailingStop: 0.03 }));
    const cache = new IndicatorCache();
    const backtest = enginePath(compiled, series, 0, series.length, fillConfigOf(run), run.initialCapital, cache);

    const p = prefix('eq');
    const settings: PaperSessionSettings = {
      run,
      riskLimits: LOOSE,
      strategies: [
        {
          account: 'paper-eq',
          strategyId: 'strategy-eq',
          symbol: 'BTCUSDT',
          interval: '1h',
          compiled,
          signals: replayedSignals(bindStrategy(compiled, series, cache), 0, series.length),
          orderIdPrefix: p,
        },
      ],
    };
    const started = await startPaperSession(deps(), settings);
    if (either.isLeft(started)) return expect.fail(JSON.stringify(started.left));
    const session = started.right;
    expect(await replayPaperSession(session, feeds, { clock })).to.equal(series.length);

    const runner = session.runner('paper-eq');
    expect(session.failures, 'nothing failed to be recorded').to.deep.equal([]);
    expect(runner.refusals).to.deep.equal([]);
    const paper = {
      trades: runner.trades,
      exitReasons: runner.exitReasons.map((r) => EXIT_REASON_NAMES[r]),
      equity: runner.equity.slice(),
      cash: runner.balance,
    };
    expect(firstDifference(backtest, paper)).to.equal(undefined);
    expect(backtest.trades.length).to.be.greaterThan(20);
    for (const r of ['signal', 'stop_loss', 'take_profit', 'trailing_stop']) expect(backtest.exitReasons, r).to.include(r);
    // The venue's and the gate's books agree with the runner's.
    expect(Object.is(session.venue.cash('paper-eq'), runner.balance)).to.equal(true);
    const gate = session.gate('paper-eq');
    expect(gate.position('BTCUSDT')).to.equal(0);
    expect(gate.cash).to.be.closeTo(runner.balance, 1e-6 * run.initialCapital);
    expect(await store.readStream(riskStream('paper-eq')), 'no refusal, no kill switch').to.deep.equal([]);

    // The order streams: every order ended; the filled ones are the trades' entries and exits, fill for fill.
    const streams = await orderStreams(store, p);
    const ended = new Set(['OrderFilled', 'OrderCancelled']);
    for (const s of streams) expect(ended.has(s[s.length - 1]!.type), `${s[0]!.streamName} ends ${s[s.length - 1]!.type}`).to.equal(true);
    const filled = streams.filter((s) => s[s.length - 1]!.type === 'OrderFilled');
    expect(filled.length).to.equal(2 * backtest.trades.length);
    expect(streams.flatMap((s) => dataOf(s, 'OrderPartiallyFilled'))).to.deep.equal([]);
    const fills = filled.map((s) => ({ purpose: specOf(s)!['purpose'], fill: dataOf(s, 'OrderFilled')[0]! }));
    const entries = fills.filter((f) => f.purpose === 'entry');
    const exits = fills.filter((f) => f.purpose !== 'entry');
    expect(entries.length).to.equal(backtest.trades.length);
    backtest.trades.forEach((t, k) => {
      expect(entries[k]!.fill, `entry of trade ${k}`).to.deep.include({ price: t.entryPrice, quantity: t.quantity, time: t.entryTime });
      expect(exits[k]!.fill, `exit of trade ${k}`).to.deep.include({ price: t.exitPrice, quantity: t.quantity, time: t.exitTime });
      // The order's purpose is the runner's name for the exit reason (a signal's exit is `exit`).
      expect(exits[k]!.purpose).to.equal(backtest.exitReasons[k] === 'signal' ? 'exit' : backtest.exitReasons[k]);
    });
    // The protective exits that did not fill were cancelled by their OCO group or at the end.
    const cancelled = streams.filter((s) => s[s.length - 1]!.type === 'OrderCancelled').flatMap((s) => dataOf(s, 'OrderCancelled'));
    expect(cancelled.length).to.be.greaterThan(0);
    expect(new Set(cancelled.map((c) => c['by']))).to.deep.equal(new Set(['oco']));
  });

  describe('with binding limits (hand-made candles, scripted signals)', () => {
    // Flat at 100, a fall to 88, then flat: entry signals at the closes of bars 1, 8 and 10, no exit signal.
    const T0 = Date.UTC(2024, 0, 10);
    const closes = [100, 100, 100, 95, 88, 87, 87, 87, 87, 87, 87, 87, 87];
    const handMade = (): CandleSeries => {
      const s = emptySeries({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, closes.length);
      closes.forEach((c, i) => {
        const open = i === 0 ? c : closes[i - 1]!;
        s.openTime[i] = T0 + i * HOUR;
        s.open[i] = open;
        s.high[i] = Math.max(open, c);
        s.low[i] = Math.min(open, c);
        s.close[i] = c;
        s.volume[i] = 1;
      });
      return s;
    };
    const scripted = (series: CandleSeries, entries: readonly number[]): SignalSource => ({
      next: (c) => (entries.includes(series.openTime.indexOf(c.openTime)) ? ENTRY : 0),
    });
    const run: RunSettings = { takerFee: 0, makerFee: 0, slippage: 0, initialCapital: 10_000, sizing: { mode: 'fractional' } };
    // A far target, so that the position has a protective exit resting when the switch closes it, and no stop (an
    // entry of the whole equity: 100 at 100).
    const compiled = compileGenome(genome({ takeProfit: 0.5 }, 'long_only'));

    const start = async (account: string, riskLimits: RiskLimits, p: string): Promise<{ session: PaperSession; feeds: CandleFeed[] }> => {
      const series = handMade();
      clock.set(new Date(T0));
      const started = await startPaperSession(deps(), {
        run,
        riskLimits,
        strategies: [{ account, symbol: 'BTCUSDT', interval: '1h', compiled, signals: scripted(series, [1, 8, 10]), orderIdPrefix: p }],
      });
      if (either.isLeft(started)) throw new Error(JSON.stringify(started.left));
      return { session: started.right, feeds: [{ symbol: 'BTCUSDT', series, from: 0, to: series.length }] };
    };

    it('an entry above the symbol exposure limit is refused: recorded on risk-<account> and on its order stream, with the numbers', async () => {
      const p = prefix('rf');
      const { session, feeds } = await start('paper-refused', limits({ ...LOOSE, maxSymbolExposure: 0.5 }), p);
      await replayPaperSession(session, feeds, { clock });
      const runner = session.runner('paper-refused');
      expect(session.failures).to.deep.equal([]);
      expect(runner.trades).to.deep.equal([]);
      expect(runner.refusals.map((r) => r.kind)).to.deep.equal(['refused', 'refused', 'refused']);

      const risk = await store.readStream(riskStream('paper-refused'));
      expect(risk.map((e) => e.type)).to.deep.equal(['RiskOrderRefused', 'RiskOrderRefused', 'RiskOrderRefused']);
      const first = risk[0]!.data as Record<string, unknown>;
      // The whole equity (10,000) at 100: 1 × equity, above 0.5.
      expect(first).to.deep.include({ account: 'paper-refused', rule: 'max_symbol_exposure', limit: 0.5, actual: 1, time: T0 + HOUR });
      expect(first['message']).to.match(/1 × equity, above the maximum 0\.5/);
      expect((first['order'] as Record<string, unknown>)['clientOrderId']).to.equal(`${p}-1`);

      const order = await store.readStream(orderStream(`${p}-1`));
      expect(order.map((e) => e.type)).to.deep.equal(['OrderRejected']);
      const rejection = (order[0]!.data as { rejection: Record<string, unknown> }).rejection;
      expect(rejection).to.deep.include({ by: 'risk', rule: 'max_symbol_exposure', limit: 0.5, actual: 1 });
    });

    it('a drawdown kill switch closes the position with a reduce-only market order and stops new entries (audited)', async () => {
      const p = prefix('dd');
      const { session, feeds } = await start('paper-dd', limits({ ...LOOSE, maxDrawdown: 0.1 }), p);
      await replayPaperSession(session, feeds, { clock });
      const runner = session.runner('paper-dd');
      expect(session.failures).to.deep.equal([]);
      expect(runner.refusals).to.deep.equal([]);
      // Entered at bar 2's open (100), 12% down at bar 4's close (88): the switch trips there; closed at bar 5's open (88).
      expect(runner.trades.length).to.equal(1);
      const trade = runner.trades[0]!;
      expect(trade).to.deep.include({ entryPrice: 100, exitPrice: 88, entryTime: T0 + 2 * HOUR, exitTime: T0 + 5 * HOUR, quantity: 100 });
      expect(session.venue.positions('paper-dd')).to.deep.equal([]);
      expect(session.venue.cash('paper-dd')).to.equal(10_000 - 100 * 12);

      const risk = await store.readStream(riskStream('paper-dd'));
      expect(risk.map((e) => e.type)).to.deep.equal(['KillSwitchEngaged']);
      const engaged = risk[0]!.data as Record<string, unknown>;
      expect(engaged).to.deep.include({ account: 'paper-dd', trigger: 'max_drawdown', time: T0 + 5 * HOUR });
      expect(engaged['positionsToClose']).to.deep.equal([{ symbol: 'BTCUSDT', quantity: 100 }]);
      expect(engaged['figures']).to.deep.include({ limit: 0.1, equity: 8800, reference: 10_000 });

      // Orders: the entry, its take-profit (cancelled by the close's OCO fill), the reduce-only close; nothing after.
      const streams = await orderStreams(store, p);
      expect(streams.map((s) => specOf(s)!['purpose'])).to.deep.equal(['entry', 'take_profit', 'kill_switch']);
      expect(streams.map((s) => s[s.length - 1]!.type)).to.deep.equal(['OrderFilled', 'OrderCancelled', 'OrderFilled']);
      expect(specOf(streams[2]!)).to.deep.include({ type: 'market', side: 'sell', quantity: 100, reduceOnly: true });
      expect(dataOf(streams[1]!, 'OrderCancelled')[0]).to.deep.include({ by: 'oco' });
      expect(session.gate('paper-dd').haltAt(T0 + 12 * HOUR)?.rule).to.equal('max_drawdown');
    });
  });
});
