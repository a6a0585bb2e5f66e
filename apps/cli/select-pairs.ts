// `npm run select-pairs -- [--as-of <ISO time>] [--top <n>] [--dry-run]`: runs the daily pair selection on the
// stored candles (as the 02:00 UTC job does) and prints every candidate's score and its parts.
// Without --dry-run the choice is recorded as PairsSelected in selection-<day>.
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { measureCandidates, selectPairs } from '../../application/market-data/pair-selection.js';
import { DEFAULT_RULES, scorePairs } from '../../domain/selection/score-pairs.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';

const { values } = parseArgs({ options: { 'as-of': { type: 'string' }, top: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
const asOf = values['as-of'] ? new Date(values['as-of']) : new Date();
if (Number.isNaN(asOf.getTime())) {
  console.error(`--as-of: not a time: "${values['as-of']}" (use e.g. 2023-12-30T02:00:00Z)`);
  process.exit(2);
}
const top = values.top === undefined ? undefined : Number(values.top);
if (top !== undefined && (!Number.isInteger(top) || top < 1)) {
  console.error(`--top: must be a positive integer, got "${values.top}"`);
  process.exit(2);
}

await runCommand('select-pairs', async () => {
  const platform = await openPlatform(configOrExit(), 'select-pairs', { role: 'command' });
  const md = platform.config.marketData;
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl });
  const config = { exchange: md.exchange, interval: '1h' as const, lookbackDays: 30, rules: { ...DEFAULT_RULES, topN: top ?? md.topN, minCoverage: 0.8 } };
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  try {
    const deps = { store: platform.store, candles, clock: platform.clock, ids: platform.ids };
    let rows;
    if (values['dry-run']) {
      const measured = await measureCandidates(deps, config, asOf.getTime());
      rows = scorePairs(measured, { ...config.rules, minBars: Math.floor(30 * 24 * 0.8) });
    } else {
      const result = await selectPairs(deps, config, asOf);
      if (either.isLeft(result)) {
        console.error(
          `no selection: ${'message' in result.left ? result.left.message : JSON.stringify(result.left, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
        );
        process.exitCode = 1;
      } else {
        console.log(`recorded PairsSelected for ${result.right.day}: ${result.right.selected.join(', ')}`);
        rows = result.right.candidates;
      }
    }
    if (rows) {
      console.log(`rank  symbol      score  volume  volat.  liquid.  trend   traded/day (quote)  ann.vol  eff.ratio  eligible`);
      for (const c of rows)
        console.log(
          `${String(c.rank).padStart(4)}  ${c.symbol.padEnd(10)} ${c.score.toFixed(3)}  ${c.parts.volume.toFixed(2).padStart(6)}  ${c.parts.volatility.toFixed(2).padStart(6)}  ${c.parts.liquidity.toFixed(2).padStart(7)}  ${c.parts.trend.toFixed(2).padStart(5)}  ${Math.round(c.metrics.quoteVolumePerDay).toLocaleString('en-US').padStart(18)}  ${pct(c.metrics.volatility).padStart(7)}  ${c.metrics.trendStrength.toFixed(3).padStart(9)}  ${c.eligible ? 'yes' : `no: ${c.ineligibleReason}`}`,
        );
    }
  } finally {
    await candles.close();
    await platform.close();
  }
});
