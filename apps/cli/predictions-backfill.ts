// `npm run predictions:backfill -- --from <day> --to <day> [--retrain-every 7d] [--model ridge|network] [--profile small|full]
// [--symbol BTCUSDC] [--exchange binance] [--file <csv>] [--name btc-1h] [--seed 1]` (doc/predictor.md, "Walk-forward"):
// records PredictionMade for every closed hour in [from, to), each from a model trained only on candles closed by its
// period's retraining boundary (ModelTrained, purpose walk-forward, on model-<name>). Hours already predicted are left
// as they are; a period whose hours are all predicted is skipped without training (a run resumes where one stopped).
// Exit 2 on bad arguments or too little history before the first boundary, 1 when training failed.
import { either } from 'fp-ts';
import { MIN_SAMPLES } from '../../domain/prediction/windows.js';
import { walkForward } from '../../application/prediction/walk-forward.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { modelDirectory } from '../../infrastructure/prediction/model-files.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { chooseCandles, fearGreedFrom } from '../../infrastructure/prediction/training-input.js';
import { windowOf } from '../../infrastructure/prediction/trainers.js';
import { configOrExit, openPlatform } from '../platform.js';
import { predictorCli } from './predictor-args.js';
import { runCommand } from './run-command.js';

const USAGE =
  'usage: npm run predictions:backfill -- --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--retrain-every <n>d] [--model ridge|network] ' +
  '[--profile small|full] [--symbol BTCUSDC] [--exchange binance] [--file <csv[.gz]>] [--name btc-1h] [--seed 1]';
const DAY_MS = 86_400_000;
/** A year of hours per run at most: a longer backfill is several runs (each resumes where the last stopped). */
const MAX_DAYS = 366;

const cli = predictorCli(USAGE);
const parsed = cli.parse('ridge', { from: { type: 'string' }, to: { type: 'string' }, 'retrain-every': { type: 'string', default: '7d' } });
const args = cli.modelArgs(parsed);
const required = (flag: string): number => cli.day(flag, parsed[flag] as string | undefined) ?? cli.refuse(`--${flag} is required`);
const from = required('from');
const to = required('to');
if (to <= from) cli.refuse('--to must be after --from');
if (to - from > MAX_DAYS * DAY_MS) cli.refuse(`--from to --to spans more than ${MAX_DAYS} days: backfill a year at a time`);
const every = /^([1-9]\d{0,2})d$/.exec(parsed['retrain-every'] as string);
if (!every) cli.refuse(`--retrain-every "${String(parsed['retrain-every'])}" is not a number of days like 7d (1d to 999d)`);
const retrainEveryMs = Number(every![1]) * DAY_MS;
const trainer = args.trainer;

await runCommand('predictions:backfill', async () => {
  const platform = await openPlatform(configOrExit(), 'predictions-backfill', { role: 'command' });
  const candleStore = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  const daily = new PostgresDailySeriesStore({ connectionString: platform.databaseUrl });
  try {
    const chosen = await chooseCandles(
      { ...(args.file === undefined ? {} : { file: args.file }), store: candleStore },
      { exchange: args.exchange, symbol: args.symbol, to, minRows: MIN_SAMPLES * 2 },
    );
    if (typeof chosen === 'string') {
      process.stderr.write(`${chosen}\n`);
      return 2;
    }
    process.stdout.write(`${chosen.note}\n`);
    const fearGreed = await fearGreedFrom(daily);
    const r = await walkForward(
      {
        store: platform.store,
        clock: platform.clock,
        ids: platform.ids,
        modelDir: modelDirectory(process.env, platform.config.dataDir),
        ridge: ridgeTrainer,
        fingerprint: candleFingerprint,
      },
      {
        model: args.name,
        trainer,
        window: windowOf(trainer),
        candles: chosen.candles,
        requestedSymbol: chosen.requestedSymbol,
        ...(fearGreed ? { fearGreed } : {}),
        from,
        to,
        retrainEveryMs,
        seed: args.seed,
        onPeriod: (p) =>
          process.stdout.write(
            `  from ${new Date(p.boundary).toISOString()}: v${p.version}${p.reused ? ' (recorded earlier, reused)' : ''}, ${p.predictions} hours\n`,
          ),
        onSkipped: (p) => process.stdout.write(`  from ${new Date(p.boundary).toISOString()}: all ${p.hours} hours already forecast, skipped\n`),
      },
    );
    if (either.isLeft(r)) {
      process.stderr.write(`predictions:backfill: ${r.left.code}: ${r.left.message}\n`);
      return r.left.code === 'TOO_LITTLE_HISTORY' ? 2 : 1;
    }
    const v = r.right.versions;
    process.stdout.write(
      `${r.right.periods} periods, ${r.right.predictions} hours forecast, ${r.right.appended} new PredictionMade on predictions-${args.name}` +
        `${v.length > 0 ? ` (models v${v[0]}–v${v[v.length - 1]}, walk-forward)` : ''}; ${r.right.skipped} periods already forecast, skipped` +
        `${r.right.reused > 0 ? `; ${r.right.reused} models recorded earlier reused` : ''}\n`,
    );
    return 0;
  } finally {
    await candleStore.close();
    await daily.close();
    await platform.close();
  }
});
