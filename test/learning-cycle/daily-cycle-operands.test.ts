// The daily cycle with external operands (real BTCUSDT and ETHUSDT 1h candles, the real Fear & Greed file in the
// PostgreSQL daily series store, fresh database): with `cycle.operands` = 5 (Fear & Greed + other symbols) its
// genomes read Fear & Greed and the other symbol, and their stored OOS results are those of the engine given the
// data straight from the shared files (cut at asOf); macro and prediction, not turned on, are never drawn; with the
// setting back at 0 no genome reads anything external.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import { familiesOfSetting } from '../../application/learning/cycle-operands.js';
import type { DailyCycleReport } from '../../application/learning/daily-cycle.js';
import { decodeAll } from '../../application/events/decode-event.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { backtestGenome } from '../../domain/backtest/engine.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { Actor, Reason } from '../../domain/primitives/codecs.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';
import { operandFamily, type Genome, type OperandFamily } from '../../domain/strategy/genome.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { freshDatabase } from '../support/database.js';
import { publishedValues, realObservations, btc, ethusdt1h } from '../operands/support.js';
import { openCycleFixture, runDay, type CycleFixture } from './cycle-fixture.js';

const DAY = '2023-06-01';
const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
const N = 40;
const H = 3_600_000;

/** The families a genome's conditions read (entry and exit). */
const familiesOf = (g: Genome): Set<OperandFamily> => {
  const out = new Set<OperandFamily>();
  for (const c of [...g.entry.conditions, ...(g.exit.conditions ?? [])])
    for (const o of [c.left, c.right]) {
      const f = operandFamily(o);
      if (f !== undefined) out.add(f);
    }
  return out;
};

/** The series [from, to) of a whole-file series (the cycle reads the store over the same bars). */
const cut = (s: CandleSeries, from: number, to: number): CandleSeries => {
  let a = 0;
  while (a < s.length && s.openTime[a]! < from) a++;
  let b = a;
  while (b < s.length && s.openTime[b]! < to) b++;
  const f = (x: Float64Array) => x.slice(a, b);
  return {
    key: s.key,
    length: b - a,
    openTime: f(s.openTime),
    open: f(s.open),
    high: f(s.high),
    low: f(s.low),
    close: f(s.close),
    volume: f(s.volume),
    quoteVolume: f(s.quoteVolume),
    trades: f(s.trades),
  };
};

describe('daily learning cycle with external operands (real candles and Fear & Greed, PostgreSQL)', function () {
  this.timeout(600_000);
  let fx: CycleFixture;
  let daily: PostgresDailySeriesStore;
  let report: DailyCycleReport;
  const setOperands = (value: number) =>
    changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name: 'cycle.operands', value: value as never, decidedBy: 'operator:test' as Actor, reason: 'operands' as Reason },
    });
  const genomesOf = async (day: string, n: number) => {
    const out: { genome: Genome; oos: Record<string, number> | undefined }[] = [];
    for (let i = 0; i < n; i++) {
      const decoded = decodeAll<StrategyEvent>(await fx.store.readStream(`strategy-${uuidIds.idFor(`learning-cycle:${day}:strategy:${i}`)}`));
      if (either.isLeft(decoded)) throw new Error('strategy stream unreadable');
      const generated = decoded.right.find((e) => e.event.type === 'StrategyGenerated');
      const backtested = decoded.right.find((e) => e.event.type === 'StrategyBacktested');
      if (generated?.event.type !== 'StrategyGenerated') throw new Error(`strategy ${i} not generated`);
      out.push({
        genome: generated.event.data.genome,
        oos: backtested?.event.type === 'StrategyBacktested' ? backtested.event.data.result.outOfSampleMetrics : undefined,
      });
    }
    return out;
  };

  before(async () => {
    fx = await openCycleFixture('daily_cycle_operands', ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'], AS_OF);
    const db = await freshDatabase('daily_cycle_operands_daily');
    daily = new PostgresDailySeriesStore({ connectionString: db.url });
    await daily.write(await realObservations('fear_greed'));
    const base = fx;
    fx = {
      ...base,
      deps: { ...base.deps, operands: { daily } },
      close: async () => {
        await base.close();
        await daily.close();
        await db.drop();
      },
    };
    expect(familiesOfSetting(5)).to.deep.equal(['sentiment', 'cross_asset']);
    expect(either.isRight(await setOperands(5))).to.equal(true);
    report = await runDay(fx.deps, { asOf: AS_OF, n: N, symbols: ['BTCUSDT', 'ETHUSDT'], seed: 7 });
  });
  after(async () => {
    await fx?.close();
  });

  it('draws Fear & Greed and the other symbol, and nothing it was not asked for', async () => {
    expect(report.generated).to.equal(N);
    const genomes = await genomesOf(DAY, N);
    const used = new Set(genomes.flatMap((g) => [...familiesOf(g.genome)]));
    expect([...used].sort()).to.deep.equal(['cross_asset', 'sentiment']);
    expect(report.notes.join('\n')).to.not.contain('fear_greed has no value');
  });

  /** Each external genome's stored OOS result against the engine's with the data read from the shared files. */
  const checkAgainstFiles = async (day: string, n: number, r: DailyCycleReport) => {
    const genomes = (await genomesOf(day, n)).filter((g) => familiesOf(g.genome).size > 0);
    const asOf = Date.parse(r.asOf);
    const from = Date.parse(r.inSample.start) - 1000 * H;
    // The last candle closed by asOf opens an hour before it.
    const series = { BTCUSDT: cut(btc(), from, asOf - H + 1), ETHUSDT: cut(ethusdt1h(), from, asOf - H + 1) };
    const fng = publishedValues((await realObservations('fear_greed')).filter((o) => o.publishedAt < asOf));
    let traded = 0;
    for (const g of genomes) {
      const bt = backtestGenome(compileGenome(g.genome), series, new IndicatorCache(), {
        from: Date.parse(r.outOfSample.start),
        to: asOf,
        operands: { daily: { fear_greed: fng }, candles: series },
      });
      expect(g.oos?.['totalTrades'], JSON.stringify(g.genome.entry)).to.equal(bt.aggregate.totalTrades);
      expect(g.oos?.['totalReturn']).to.be.closeTo(bt.aggregate.meanMetrics['totalReturn']!, 1e-12);
      traded += bt.aggregate.totalTrades;
    }
    return { external: genomes.length, traded };
  };

  it("stores each external genome's OOS result as the engine gives it with the data read from the shared files", async () => {
    const { external, traded } = await checkAgainstFiles(DAY, N, report);
    expect(external).to.be.greaterThan(3);
    expect(traded).to.be.greaterThan(0);
  });

  it('with the setting back at 0, only GA children inherit an external condition, and they are backtested with its data', async () => {
    expect(either.isRight(await setOperands(0))).to.equal(true);
    const next = '2023-06-02';
    fx.clock.set(new Date(`${next}T03:00:00.000Z`));
    const r = await runDay(fx.deps, { asOf: new Date(`${next}T03:00:00.000Z`), n: 20, symbols: ['BTCUSDT', 'ETHUSDT'], seed: 7 });
    const { external } = await checkAgainstFiles(next, 20, r);
    expect(external).to.be.at.most(r.produced.ga);
  });
});
