// The learning experiment (issue 5, item 7): does the learning generator beat random generation on data
// neither the filter nor the learner has seen? K consecutive simulated cycles on real BTCUSDT, ETHUSDT and
// BNBUSDT 1h candles, each cycle: IS window (60 days) → OOS window (next 14 days, filter + learner) → forward
// window (next 7 days, the evaluation). The windows advance 7 days per cycle. Every variant runs the same
// cycles with the same seeds; the random baseline generates N random genomes a cycle.
//
//   npm run experiment:learning            (tsx bench/experiment-learning.ts)
//   env: LEARNING_N (500), LEARNING_K (20), LEARNING_SEED (20240501), LEARNING_START (2023-01-01; or
//        LEARNING_STARTS, a comma list: one experiment per start, then the paired comparison pooled over all),
//        LEARNING_VARIANTS (comma list of: random, learning, learning-min-is-oos, random-deflated,
//        learning-deflated, learning-niche, learning-paper, learning-paper-parents; default all eight),
//        LEARNING_OOS_DAYS (14; the OOS window length), LEARNING_FEE (0.001: taker and maker fee of every backtest;
//        0 = the pre-cost diagnostic of round 6)
//   Eighth round (doc/learning.md): variants random-x and learning-x draw the external operand families — Fear &
//   Greed and S&P 500 / NASDAQ / VIX from ../shared/data's CSVs (each value visible from its publication time),
//   the other two symbols' candles, and the predictor's forecasts through the PredictionSource port over
//   PREDICTIONS_DATABASE_URL (unset: the prediction family is left out, and the printout says so). Adds (b) the
//   filtered set's forward return minus holding its symbols equal-weight, and (c) the operand families' shares.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backtestGenome } from '../domain/backtest/engine.js';
import { mulberry32 } from '../domain/backtest/random-genome.js';
import { IndicatorCache } from '../domain/indicators/cache.js';
import {
  evaluateForward,
  initialLearner,
  OOS_GATE,
  runCycle,
  type BacktestFn,
  type CycleOptions,
  type ForwardResult,
  type LearnerState,
} from '../domain/learning/cycle.js';
import { mean, median, quantile, spearman } from '../domain/learning/insights/statistics.js';
import { learnFromPaper } from '../domain/learning/paper-feedback.js';
import { classifyRegime } from '../domain/learning/policy/regime.js';
import type { CandleSeries } from '../domain/market/candles.js';
import { completeOnly, resample } from '../domain/market/resample.js';
import { OPERAND_FAMILIES, type DailyOperandSeries, type Genome, type OperandFamily } from '../domain/strategy/genome.js';
import type { OperandData } from '../domain/backtest/operand-data.js';
import type { PublishedValues } from '../domain/market/daily-features.js';
import { operandFamiliesOf } from '../domain/learning/policy/policy.js';
import { createReadModelPool } from '../infrastructure/db/pool.js';
import { readOrBuildCandleCache } from '../infrastructure/market-data/candle-binary-cache.js';
import { predictionSource } from '../projections/predictions/queries.js';
import { parseSentimentFile } from '../infrastructure/market-data/sentiment-files.js';
import { loadCandles } from '../test/indicators/real-candles.js';
import { sharedDataFile } from '../test/support/shared-data.js';

const DAY = 86_400_000;
const N = Number(process.env['LEARNING_N'] ?? 500);
const K = Number(process.env['LEARNING_K'] ?? 20);
const SEED = Number(process.env['LEARNING_SEED'] ?? 20240501);
const STARTS = (process.env['LEARNING_STARTS'] ?? process.env['LEARNING_START'] ?? '2023-01-01').split(',').map((d) => Date.parse(`${d.trim()}T00:00:00Z`));
if (STARTS.some((t) => Number.isNaN(t)))
  throw new Error(`LEARNING_START(S): not a list of days like 2023-01-01: ${process.env['LEARNING_STARTS'] ?? process.env['LEARNING_START']}`);
const IS_DAYS = 60;
const OOS_DAYS = Number(process.env['LEARNING_OOS_DAYS'] ?? 14); // third round: 42
const FORWARD_DAYS = 7;
const STEP_DAYS = 7;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
const FEE = Number(process.env['LEARNING_FEE'] ?? 0.001);
if (!(FEE >= 0 && FEE < 0.1)) throw new Error(`LEARNING_FEE: a fee rate in [0, 0.1), got ${process.env['LEARNING_FEE']}`);

interface Variant {
  readonly name: string;
  readonly options: Partial<CycleOptions>;
  /** The random arm it is paired with (the same filter). Default 'random'. */
  readonly baseline?: string;
  /** Fourth round: the filtered strategies' forward week is their paper trading, fed back before the next cycle. */
  readonly paperFeedback?: boolean;
  /** Eighth round: every operand family with data (operandOptions below) is drawn. */
  readonly operands?: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'random', options: { generator: 'random' } },
  { name: 'learning', options: { generator: 'learning' } },
  // The improvement tried after the first run (see doc/learning.md): the learner is fed min(IS, OOS) Sharpe
  // (a genome must hold on both windows to count as good) and breeds from the last 3 cycles only (recency).
  { name: 'learning-min-is-oos', options: { generator: 'learning', fitness: 'min_is_oos', populationCycles: 3 } },
  // Second round (pre-registered in doc/learning.md): (1) a multiple-testing-aware filter, OOS deflated Sharpe
  // (trials = N) > 0.5, in both arms; (2) breadth among the GA's parents (no strategy type above 25% of a pool of
  // the best 20%), with the fixed filter.
  { name: 'random-deflated', options: { generator: 'random', filterMode: 'deflated', minOosDeflatedSharpe: 0.5 } },
  { name: 'learning-deflated', options: { generator: 'learning', filterMode: 'deflated', minOosDeflatedSharpe: 0.5 }, baseline: 'random-deflated' },
  { name: 'learning-niche', options: { generator: 'learning', parentNiche: { poolShare: 0.2, maxTypeShare: 0.25 } } },
  // Fourth round (pre-registered in doc/learning.md): paper feedback, and breeding from paper-confirmed strategies.
  { name: 'learning-paper', options: { generator: 'learning' }, paperFeedback: true },
  { name: 'learning-paper-parents', options: { generator: 'learning', parents: 'paper-confirmed' }, paperFeedback: true },
  // Seventh round (pre-registered in doc/learning.md): genomes on 1h and 4h candles.
  { name: 'random-tf', options: { generator: 'random', timeframes: ['1h', '4h'] } },
  { name: 'learning-tf', options: { generator: 'learning', timeframes: ['1h', '4h'] }, baseline: 'random-tf' },
  // Eighth round (pre-registered in doc/learning.md): the external operand families (their data below).
  { name: 'random-x', options: { generator: 'random' }, operands: true },
  { name: 'learning-x', options: { generator: 'learning' }, baseline: 'random-x', operands: true },
];
const wanted = (process.env['LEARNING_VARIANTS'] ?? VARIANTS.map((v) => v.name).join(',')).split(',');
const variants = VARIANTS.filter((v) => wanted.includes(v.name));

// --- data: the binary cache (built from the CSVs on the first run)
const CACHE_DIR = path.join(fileURLToPath(new URL('..', import.meta.url)), '.data', 'bench-cache');
const series: Record<string, CandleSeries> = {};
for (const s of SYMBOLS)
  series[s] = (await readOrBuildCandleCache(path.join(CACHE_DIR, `binance_${s}_1h.f64`), () => loadCandles(`binance_${s}_1h.csv.gz`, s))).series;
const last = Math.min(...SYMBOLS.map((s) => series[s]!.openTime[series[s]!.length - 1]!));
for (const START of STARTS) {
  const endOfLast = START + ((K - 1) * STEP_DAYS + IS_DAYS + OOS_DAYS + FORWARD_DAYS) * DAY;
  if (endOfLast > last) throw new Error(`K = ${K} cycles from ${new Date(START).toISOString()} end after the data (${new Date(last).toISOString()})`);
}

const cache = new IndicatorCache();
// 4h candles resampled from the 1h ones, complete buckets only (a bucket with a gap inside is left out).
const series4h: Record<string, CandleSeries> = {};
for (const s of SYMBOLS) {
  const r = resample(series[s]!, '4h');
  if (r._tag === 'Left') throw new Error(`${s}: ${r.left}`);
  series4h[s] = completeOnly(r.right);
}
const seriesFor = (tf: Genome['timeframe']): Record<string, CandleSeries> => {
  if (tf === '1h') return series;
  if (tf === '4h') return series4h;
  throw new Error(`the experiment has no ${tf} candles`);
};
// --- external operand data (eighth round), loaded only when a variant draws operands
const DAILY_FILES: Record<DailyOperandSeries, string> = {
  fear_greed: 'fear_greed_index_daily.csv.gz',
  sp500: 'sp500_daily.csv.gz',
  nasdaq: 'nasdaq_composite_daily.csv.gz',
  vix: 'vix_daily.csv.gz',
};
const daily: Partial<Record<DailyOperandSeries, PublishedValues>> = {};
const operandNotes: string[] = [];
let predictions: OperandData['predictions'];
if (variants.some((v) => v.operands === true)) {
  for (const [s, file] of Object.entries(DAILY_FILES) as [DailyOperandSeries, string][]) {
    const parsed = await parseSentimentFile(sharedDataFile(file), s === 'fear_greed' ? {} : { series: s });
    if (parsed._tag === 'Left') throw new Error(`${file}: ${parsed.left.message}`);
    const obs = parsed.right.observations;
    daily[s] = { value: Float64Array.from(obs, (o) => o.value), publishedAt: Float64Array.from(obs, (o) => o.publishedAt) };
  }
  predictions = await predictionsFromDatabase();
}
/**
 * The walk-forward forecasts (PredictionMade events recorded by `npm run predictions:backfill`, projected into the
 * `predictions` read model) through the PredictionSource port over PREDICTIONS_DATABASE_URL (model
 * PREDICTIONS_MODEL, default btc-1h). Unset: the prediction family is left out with a loud note in the printout.
 */
async function predictionsFromDatabase(): Promise<OperandData['predictions']> {
  const url = process.env['PREDICTIONS_DATABASE_URL'];
  if (url === undefined) {
    const note =
      '**PREDICTIONS_DATABASE_URL is not set: the prediction family is LEFT OUT of random-x and learning-x (sentiment, macro and cross-asset only).**';
    operandNotes.push(note);
    console.error(note);
    return undefined;
  }
  const model = process.env['PREDICTIONS_MODEL'] ?? 'btc-1h';
  const pool = await createReadModelPool(url, 2);
  try {
    const series = await predictionSource(pool).series(model, 0, Date.UTC(2100, 0, 1));
    if (series.madeAt.length === 0) {
      console.error(`PREDICTIONS_DATABASE_URL holds no predictions of ${model} (run npm run predictions:backfill, then npm run replay -- --all there)`);
      process.exit(2);
    }
    operandNotes.push(
      `Predictions of ${model}: ${series.madeAt.length} walk-forward forecasts from ${new Date(series.madeAt[0]!).toISOString()} to ${new Date(series.madeAt[series.madeAt.length - 1]!).toISOString()}.`,
    );
    return { [model]: series };
  } finally {
    await pool.end();
  }
}
/** The families the -x variants draw, narrowed to the data there is (prediction only with forecasts). */
const operandOptions: Partial<CycleOptions> = {
  operands: OPERAND_FAMILIES.filter((f) => f !== 'prediction' || predictions !== undefined),
  operandData: { daily: Object.keys(daily) as DailyOperandSeries[], crossSymbols: SYMBOLS, models: predictions === undefined ? [] : Object.keys(predictions) },
};
const operandDataFor = (tf: Genome['timeframe']): OperandData => ({
  daily,
  candles: seriesFor(tf),
  ...(predictions === undefined ? {} : { predictions }),
});

const backtestWithFee =
  (fee: number): BacktestFn =>
  (genome, w) =>
    backtestGenome(genome, seriesFor(genome.timeframe), cache, {
      from: w.from,
      to: w.to,
      fill: { takerFee: fee, makerFee: fee },
      // Data for a genome that reads none is never looked at; the cross-asset candles are the experiment's series.
      operands: operandDataFor(genome.timeframe),
    }).aggregate.meanMetrics;
const backtest = backtestWithFee(FEE);

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const btc = series['BTCUSDT']!;
const closesUntil = (t: number): Float64Array => {
  let k = 0;
  while (k < btc.length && btc.openTime[k]! < t) k++;
  return btc.close.subarray(0, k);
};

interface CycleRow {
  cycle: number;
  window: string;
  regime: string;
  passed: number;
  /** Diagnostic: how many had OOS deflated Sharpe ≥ 0.95 (and ≥ 3 OOS trades, IS Sharpe > 0). */
  dsr95: number;
  filtered: ForwardResult[];
  all: ForwardResult[];
  produced: string;
  notes: string[];
  /** Per genome (the order of `all`): IS and OOS Sharpe, for the persistence diagnostic. */
  isSharpe: (number | null)[];
  oosSharpe: (number | null)[];
  /** Share of the cycle's genomes on 4h candles (the timeframe gene of round 7). */
  share4h: number;
  /** Share of the cycle's genomes reading each operand family, and reading none (round 8, hypothesis c). */
  familyShare: Record<OperandFamily | 'none', number>;
  /** Equal-weight buy-and-hold return of the filtered set's symbols over the forward week (round 8, hypothesis b). */
  holdReturn: number;
}

interface Period {
  readonly start: number;
  readonly results: Map<string, CycleRow[]>;
  readonly wallSeconds: number;
}

/** Share of the genomes reading each family (a genome may read several), and reading none. */
const familyShares = (genomes: readonly Genome[]): Record<OperandFamily | 'none', number> => {
  const out = { none: 0, sentiment: 0, macro: 0, cross_asset: 0, prediction: 0 };
  for (const g of genomes) {
    const fs = operandFamiliesOf(g);
    if (fs.length === 0) out.none++;
    for (const f of fs) out[f]++;
  }
  for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] /= Math.max(1, genomes.length);
  return out;
};

/**
 * Buying the symbols equal-weight at the forward week's first 1h open and selling at its last close (no fee: the
 * benchmark a strategy must beat after its own fees); NaN with no symbol.
 */
const holdReturn = (symbols: readonly string[], w: { from: number; to: number }): number => {
  const rs = symbols.flatMap((sym) => {
    const s = series[sym]!;
    let a = 0;
    while (a < s.length && s.openTime[a]! < w.from) a++;
    let b = a;
    while (b < s.length && s.openTime[b]! < w.to) b++;
    return b > a ? [s.close[b - 1]! / s.open[a]! - 1] : [];
  });
  return rs.length === 0 ? NaN : mean(rs);
};

const runPeriod = (START: number): Period => {
  const t0 = performance.now();
  const results = new Map<string, CycleRow[]>();
  for (const v of variants) {
    let learner: LearnerState = initialLearner();
    const rows: CycleRow[] = [];
    const tv = performance.now();
    for (let c = 0; c < K; c++) {
      const isFrom = START + c * STEP_DAYS * DAY;
      const inSample = { from: isFrom, to: isFrom + IS_DAYS * DAY };
      const outOfSample = { from: inSample.to, to: inSample.to + OOS_DAYS * DAY };
      const forward = { from: outOfSample.to, to: outOfSample.to + FORWARD_DAYS * DAY };
      const regime = classifyRegime(closesUntil(outOfSample.to), { window: 720 }).regime;
      const cycleId = day(outOfSample.to);
      const r = runCycle(
        learner,
        // The OOS gate alone, the rule every round below was run with (the platform's thresholds came later, issue 11).
        {
          cycle: c,
          cycleId,
          size: N,
          symbols: SYMBOLS,
          inSample,
          outOfSample,
          regime,
          seed: SEED,
          filter: OOS_GATE,
          ...v.options,
          ...(v.operands === true ? operandOptions : {}),
        },
        backtest,
        mulberry32(SEED + 1009 * c), // the same seed budget for every variant
      );
      learner = r.learner;
      const all = evaluateForward(r.records, forward, backtest);
      if (v.paperFeedback === true) {
        // The week just evaluated is the filtered strategies' paper trading; it ends when cycle c + 1 starts.
        const paper = all.flatMap((f) => (f.passed && f.forward !== null ? [{ strategyId: f.id, figures: f.forward }] : []));
        learner = learnFromPaper(learner, paper).learner;
      }
      rows.push({
        cycle: c,
        window: `${day(inSample.from)} → ${day(outOfSample.from)} → ${day(forward.from)}…${day(forward.to - DAY)}`,
        regime,
        passed: r.passed.length,
        dsr95: r.records.filter((x) => (x.oosDeflatedSharpe ?? 0) >= 0.95 && (x.outOfSample?.tradeCount ?? 0) >= 3 && (x.inSample?.sharpe ?? -1) > 0).length,
        filtered: all.filter((f) => f.passed),
        all,
        produced: `${r.generation.produced.ga}/${r.generation.produced.policy}/${r.generation.produced.random}`,
        notes: r.notes,
        isSharpe: r.records.map((x) => x.inSample?.sharpe ?? null),
        oosSharpe: r.records.map((x) => x.outOfSample?.sharpe ?? null),
        share4h: r.records.filter((x) => x.genome.timeframe === '4h').length / Math.max(1, r.records.length),
        familyShare: familyShares(r.records.map((x) => x.genome)),
        holdReturn: holdReturn([...new Set(r.records.filter((x) => x.passed).flatMap((x) => x.genome.symbols))], forward),
      });
      console.error(
        `${v.name} cycle ${c} ${cycleId} ${regime}: ${r.passed.length} passed, ${r.generation.produced.ga}/${r.generation.produced.policy}/${r.generation.produced.random} ga/policy/random, ${((performance.now() - tv) / 1000).toFixed(1)} s`,
      );
    }
    results.set(v.name, rows);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  return { start: START, results, wallSeconds };
};

// --- the tables
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '–');
/** Standard error of the mean. */
const se = (xs: readonly number[]) => (xs.length < 2 ? NaN : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length));
const sharpes = (fs: readonly ForwardResult[]) => fs.flatMap((f) => (f.forward?.sharpe == null ? [] : [f.forward.sharpe]));
const returns = (fs: readonly ForwardResult[]) => fs.flatMap((f) => (f.forward?.totalReturn == null ? [] : [f.forward.totalReturn]));
const summary = (fs: readonly ForwardResult[]) => {
  const s = sharpes(fs);
  const r = returns(fs);
  return `${num(mean(s))} / ${num(median(s))} | ${pct(mean(r))} / ${pct(median(r))}`; // two table cells
};

/** One period's per-cycle tables. */
const periodTables = (p: Period): string[] => {
  const { results, wallSeconds } = p;
  const START = p.start;
  const out: string[] = [];
  out.push(
    `N = ${N} genomes a cycle, K = ${K} cycles, seed ${SEED}, symbols ${SYMBOLS.join(', ')} 1h, fee ${(FEE * 100).toFixed(2)}% a side; IS ${IS_DAYS} d → OOS ${OOS_DAYS} d → forward ${FORWARD_DAYS} d, step ${STEP_DAYS} d, first IS from ${day(START)}; wall time ${wallSeconds.toFixed(0)} s (${variants.length} variants, one thread).`,
  );
  out.push('');
  out.push('Forward (unseen) period: Sharpe mean / median | return mean / median.');
  out.push('');
  for (const v of variants) {
    const rows = results.get(v.name)!;
    out.push(`**${v.name}**`);
    out.push('');
    out.push(
      '| cycle | IS from → OOS from → forward | regime | made ga/policy/random | passed | filtered: fwd Sharpe mean / median | filtered: fwd return mean / median | all N: fwd Sharpe mean / median | all N: fwd return mean / median |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) out.push(`| ${r.cycle} | ${r.window} | ${r.regime} | ${r.produced} | ${r.passed} | ${summary(r.filtered)} | ${summary(r.all)} |`);
    const filtered = rows.flatMap((r) => r.filtered);
    const all = rows.flatMap((r) => r.all);
    out.push(`| all | | | | ${filtered.length} | ${summary(filtered)} | ${summary(all)} |`);
    out.push('');
    if (rows.some((r) => r.share4h > 0))
      out.push(`(4h share of the generated genomes per cycle: ${rows.map((r) => `${Math.round(r.share4h * 100)}%`).join(' ')})`, '');
    out.push(
      `(diagnostic: ${rows.reduce((s, r) => s + r.dsr95, 0)} strategies over the ${K} cycles had OOS deflated Sharpe ≥ 0.95 with ≥ 3 OOS trades and IS Sharpe > 0; per cycle ${rows.map((r) => r.dsr95).join(' ')})`,
    );
    out.push('');
  }
  return out;
};

/** Each learning variant against its random arm, paired by cycle, over the given periods. */
const pairedTable = (periods: readonly Period[]): string[] => {
  const out: string[] = [];
  out.push(
    'Paired by cycle against the random arm with the same filter (mean forward figure of the filtered strategies, and of all N; cycle 0, all exploration in every variant, and cycles with no filtered strategy in either run are skipped):',
  );
  out.push('');
  out.push(
    '| variant | against | population | cycles compared | better return | mean Δ return (± s.e.) | better Sharpe | mean Δ Sharpe (± s.e.) | mean passed per cycle (baseline) |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|');
  // Each learning variant against its random arm; and each deflated arm against the same arm with the fixed filter.
  const pairs: [string, string][] = [
    ...variants.filter((v) => v.options.generator !== 'random').map((v): [string, string] => [v.name, v.baseline ?? 'random']),
    ['random-deflated', 'random'],
    ['learning-deflated', 'learning'],
  ];
  for (const [name, baseName] of pairs) {
    if (periods.some((p) => !p.results.has(baseName) || !p.results.has(name))) continue;
    // Cycle i of each period against cycle i of the same period's baseline.
    const rowsAndBase = periods.flatMap((p) => p.results.get(name)!.map((r, i) => [r, p.results.get(baseName)![i]!] as const));
    const rows = rowsAndBase.map(([r]) => r);
    const base = rowsAndBase.map(([, b]) => b);
    const v = { name };
    const passedMean = mean(rows.map((r) => r.passed));
    const basePassed = mean(base.map((r) => r.passed));
    for (const population of ['filtered', 'all'] as const) {
      const dr: number[] = [];
      const ds: number[] = [];
      rows.forEach((r, i) => {
        if (r.cycle === 0) return; // the first cycle is all exploration in every variant: identical, nothing learned yet
        const b = base[i]!;
        const a1 = mean(returns(r[population]));
        const b1 = mean(returns(b[population]));
        if (Number.isFinite(a1) && Number.isFinite(b1)) dr.push(a1 - b1);
        const a2 = mean(sharpes(r[population]));
        const b2 = mean(sharpes(b[population]));
        if (Number.isFinite(a2) && Number.isFinite(b2)) ds.push(a2 - b2);
      });
      out.push(
        `| ${v.name} | ${baseName} | ${population === 'all' ? 'all N' : 'filtered'} | ${dr.length} | ${dr.filter((x) => x > 0).length} | ${pct(mean(dr))} ± ${pct(se(dr))} | ${ds.filter((x) => x > 0).length} of ${ds.length} | ${num(mean(ds))} ± ${num(se(ds))} | ${num(passedMean, 1)} (${num(basePassed, 1)}) |`,
      );
    }
  }
  out.push('');
  return out;
};

/** (b) Each variant's filtered set against holding its symbols over the same forward week, paired by cycle. */
const holdTable = (periods: readonly Period[]): string[] => {
  const out: string[] = [
    "Against holding: per cycle, the filtered set's mean forward return minus the equal-weight buy-and-hold return of the symbols it trades over the same week (no fee on the hold; cycles with no filtered strategy skipped):",
    '',
    '| variant | cycles compared | filtered beat hold | mean Δ return (± s.e.) | mean filtered fwd return | mean hold return |',
    '|---|---|---|---|---|---|',
  ];
  for (const v of variants) {
    if (periods.some((p) => !p.results.has(v.name))) continue;
    const rows = periods.flatMap((p) => p.results.get(v.name)!);
    const d: number[] = [];
    const a: number[] = [];
    const h: number[] = [];
    for (const r of rows) {
      const f = mean(returns(r.filtered));
      if (!Number.isFinite(f) || !Number.isFinite(r.holdReturn)) continue;
      d.push(f - r.holdReturn);
      a.push(f);
      h.push(r.holdReturn);
    }
    out.push(`| ${v.name} | ${d.length} | ${d.filter((x) => x > 0).length} | ${pct(mean(d))} ± ${pct(se(d))} | ${pct(mean(a))} | ${pct(mean(h))} |`);
  }
  out.push('');
  return out;
};

/** (c) From cycle 5 on, the share of each operand variant's genomes reading each family (mean over cycles ± s.e.). */
const FROM_CYCLE = 5;
const familyTable = (periods: readonly Period[]): string[] => {
  const xs = variants.filter((v) => v.operands === true && periods.every((p) => p.results.has(v.name)));
  if (xs.length === 0) return [];
  const keys = ['none', ...OPERAND_FAMILIES] as const;
  const out: string[] = [
    `Operand families: share of each cycle's genomes reading each family, cycles ${FROM_CYCLE}+ (mean over cycles ± s.e.; a genome may read several):`,
    '',
    `| variant | cycles | ${keys.join(' | ')} |`,
    `|---|---|${keys.map(() => '---').join('|')}|`,
  ];
  for (const v of xs) {
    const rows = periods.flatMap((p) => p.results.get(v.name)!).filter((r) => r.cycle >= FROM_CYCLE);
    out.push(
      `| ${v.name} | ${rows.length} | ${keys.map((k) => `${pct(mean(rows.map((r) => r.familyShare[k])))} ± ${pct(se(rows.map((r) => r.familyShare[k])))}`).join(' | ')} |`,
    );
  }
  out.push('', ...operandNotes, ...(operandNotes.length > 0 ? [''] : []));
  return out;
};

/** Persistence over the given periods. */
const persistenceTable = (periods: readonly Period[]): string[] => {
  const out: string[] = [];
  // Persistence (why a filter can or cannot work): within each cycle, does a better OOS Sharpe mean a better forward
  // week? Spearman ρ per cycle (averaged), and the forward figures of each OOS-Sharpe quintile pooled over cycles.
  out.push(
    'Persistence: does the OOS week predict the forward week? Within each cycle, genomes with an OOS and a forward Sharpe; ρ = Spearman, averaged over cycles (± s.e.); quintiles of OOS Sharpe within each cycle, forward figures pooled over cycles.',
  );
  out.push('');
  out.push(
    '| variant | ρ(IS, OOS Sharpe) | ρ(OOS, forward Sharpe) | ρ(OOS, fwd) among OOS Sharpe > 0 | Q1 (worst OOS) fwd return / Sharpe | Q2 | Q3 | Q4 | Q5 (best OOS) fwd return / Sharpe |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const v of variants) {
    const rows = periods.flatMap((p) => p.results.get(v.name)!);
    const rhoIsOos: number[] = [];
    const rhoOosFwd: number[] = [];
    const rhoTop: number[] = [];
    const bins: { ret: number[]; sh: number[] }[] = Array.from({ length: 5 }, () => ({ ret: [], sh: [] }));
    for (const r of rows) {
      const pairs = r.all.flatMap((f, i) => {
        const oos = r.oosSharpe[i];
        const fwd = f.forward?.sharpe;
        return oos == null || fwd == null ? [] : [{ is: r.isSharpe[i] ?? null, oos, fwd, ret: f.forward!.totalReturn ?? 0 }];
      });
      const withIs = r.all.flatMap((_, i) => (r.isSharpe[i] == null || r.oosSharpe[i] == null ? [] : [[r.isSharpe[i], r.oosSharpe[i]] as const]));
      if (withIs.length > 10)
        rhoIsOos.push(
          spearman(
            withIs.map((x) => x[0]),
            withIs.map((x) => x[1]),
          ),
        );
      if (pairs.length > 10)
        rhoOosFwd.push(
          spearman(
            pairs.map((p) => p.oos),
            pairs.map((p) => p.fwd),
          ),
        );
      const top = pairs.filter((p) => p.oos > 0);
      if (top.length > 10)
        rhoTop.push(
          spearman(
            top.map((p) => p.oos),
            top.map((p) => p.fwd),
          ),
        );
      const cuts = [0.2, 0.4, 0.6, 0.8].map((q) =>
        quantile(
          pairs.map((p) => p.oos),
          q,
        ),
      );
      for (const p of pairs) {
        const b = cuts.filter((c) => p.oos > c).length;
        bins[b]!.ret.push(p.ret);
        bins[b]!.sh.push(p.fwd);
      }
    }
    const rho = (xs: number[]) => `${num(mean(xs))} ± ${num(se(xs))}`;
    out.push(
      `| ${v.name} | ${rho(rhoIsOos)} | ${rho(rhoOosFwd)} | ${rho(rhoTop)} | ${bins.map((b) => `${pct(mean(b.ret))} / ${num(mean(b.sh))}`).join(' | ')} |`,
    );
  }
  out.push('');
  return out;
};

// Each period's tables are printed as soon as it is done (a long run's finished periods are never lost), the pooled
// ones at the end.
const periods: Period[] = [];
for (const START of STARTS) {
  const period = runPeriod(START);
  periods.push(period);
  console.log(
    [
      ...(STARTS.length > 1 ? [`#### First IS from ${day(START)}`, ''] : []),
      ...periodTables(period),
      ...pairedTable([period]),
      ...holdTable([period]),
      ...familyTable([period]),
      ...persistenceTable([period]),
    ].join('\n'),
  );
}
if (STARTS.length > 1)
  console.log(
    [
      `#### Pooled over the ${STARTS.length} periods (${STARTS.map(day).join(', ')}): ${STARTS.length} × ${K - 1} paired cycles`,
      '',
      ...pairedTable(periods),
      ...holdTable(periods),
      ...familyTable(periods),
      ...persistenceTable(periods),
    ].join('\n'),
  );
