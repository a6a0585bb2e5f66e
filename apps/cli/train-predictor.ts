// `npm run train:predictor -- [--profile small|full] [--model network|ridge] [--symbol BTCUSDC] [--exchange binance]
// [--from <day>] [--to <day>] [--file <csv>] [--name btc-1h] [--seed 1]` (doc/predictor.md): trains a model on the
// hourly candles of the candle store (import them first with `npm run import`), or of a CSV file given with --file,
// with Fear & Greed from the daily series store where imported; BTCUSDT stands in for BTCUSDC when the store has too
// little USDC history for the range (said in the output and in the event's data.symbol). Prints the held-out table
// (model vs persistence vs ridge: MAE, RMSE, directional accuracy) and appends ModelTrained to model-<name>.
// Exit 2 on bad arguments or too little history, 1 when training failed.
import { either } from 'fp-ts';
import type { ForecastMetrics } from '../../domain/prediction/metrics.js';
import { MIN_SAMPLES } from '../../domain/prediction/windows.js';
import { trainModel } from '../../application/prediction/train-model.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { modelDirectory } from '../../infrastructure/prediction/model-files.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { chooseCandles, fearGreedFrom } from '../../infrastructure/prediction/training-input.js';
import { networkBackend, windowOf } from '../../infrastructure/prediction/trainers.js';
import { configOrExit, openPlatform } from '../platform.js';
import { predictorCli } from './predictor-args.js';
import { runCommand } from './run-command.js';

const USAGE =
  'usage: npm run train:predictor -- [--profile small|full] [--model network|ridge] [--symbol BTCUSDC] [--exchange binance] ' +
  '[--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>] [--file <csv[.gz]>] [--name btc-1h] [--seed 1]';

const cli = predictorCli(USAGE);
const parsed = cli.parse('network', { from: { type: 'string' }, to: { type: 'string' } });
const args = cli.modelArgs(parsed);
const from = cli.day('from', parsed['from'] as string | undefined);
const to = cli.day('to', parsed['to'] as string | undefined);
if (from !== undefined && to !== undefined && to <= from) cli.refuse('--to must be after --from');
const { trainer, seed } = args;

const pct = (v: number) => `${(v * 100).toFixed(4)}%`;
const row = (name: string, m: ForecastMetrics) => `| ${name} | ${pct(m.mae)} | ${pct(m.rmse)} | ${(m.directionalAccuracy * 100).toFixed(2)}% |`;

await runCommand('train:predictor', async () => {
  const platform = await openPlatform(configOrExit(), 'train-predictor', { role: 'command' });
  const candleStore = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  const daily = new PostgresDailySeriesStore({ connectionString: platform.databaseUrl });
  try {
    const t = trainer;
    const window = windowOf(t);
    if (args.model === 'network') {
      const b = await networkBackend();
      process.stdout.write(
        `TensorFlow.js backend: ${b.name}${b.name === 'wasm' ? ` (SIMD ${b.simd ? 'on' : 'off'}, threads ${b.threads ? 'on' : 'off'})` : ''}\n`,
      );
    }
    const chosen = await chooseCandles(
      { ...(args.file === undefined ? {} : { file: args.file }), store: candleStore },
      {
        exchange: args.exchange,
        symbol: args.symbol,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        minRows: MIN_SAMPLES * 2,
      },
    );
    if (typeof chosen === 'string') {
      process.stderr.write(`${chosen}\n`);
      return 2;
    }
    process.stdout.write(`${chosen.note}\n`);
    const fearGreed = await fearGreedFrom(daily);
    process.stdout.write(
      fearGreed
        ? `Fear & Greed: ${fearGreed.value.length} daily values from the daily series store\n`
        : 'Fear & Greed: none stored (npm run import:sentiment); fear_greed_known is 0 everywhere\n',
    );
    const modelDir = modelDirectory(process.env, platform.config.dataDir);
    const started = Date.now();
    const r = await trainModel(
      { store: platform.store, clock: platform.clock, ids: platform.ids, modelDir, ridge: ridgeTrainer, fingerprint: candleFingerprint },
      {
        model: args.name,
        trainer: t,
        purpose: 'serving',
        candles: chosen.candles,
        requestedSymbol: chosen.requestedSymbol,
        ...(fearGreed ? { fearGreed } : {}),
        seed,
        window,
        actor: 'operator:train-predictor',
        onEpoch: (p) => process.stdout.write(`  epoch ${p.epoch}: loss ${p.loss.toExponential(3)}, val ${p.valLoss.toExponential(3)}, lr ${p.learningRate}\n`),
      },
    );
    if (either.isLeft(r)) {
      process.stderr.write(`train:predictor: ${r.left.code}: ${r.left.message}\n`);
      return r.left.code === 'TOO_LITTLE_HISTORY' ? 2 : 1;
    }
    const d = r.right.trained;
    process.stdout.write(
      [
        '',
        `model-${d.model} v${d.version}: ${d.kind} (${d.profile}), ${d.data.symbol} ${d.data.firstCandle} to ${d.data.lastCandle} (${d.data.rows} candles, sha256 ${d.data.sha256.slice(0, 12)}…)`,
        `window ${d.window} × ${d.features.length} features; ${d.split.trainSamples} training / ${d.split.validationSamples} held-out windows, ` +
          `split at ${d.split.boundary}; ${d.split.dropped} windows dropped (warm-up or gap); Fear & Greed known on ${d.split.fearGreedRows} candles`,
        `trained in ${((Date.now() - started) / 1000).toFixed(1)} s; files under ${modelDir}/${d.model}/v${d.version}`,
        '',
        `Held-out ${d.split.validationSamples} hours (${d.split.boundary} on):`,
        '',
        '| forecast | MAE | RMSE | directional accuracy |',
        '|---|---|---|---|',
        row(`${d.kind} (${d.profile})`, d.validation.model),
        row('persistence (0)', d.validation.persistence),
        ...(d.kind === 'ridge' ? [] : [row('ridge', d.validation.ridge)]),
        '',
      ].join('\n'),
    );
    r.right.model.dispose();
    if (r.right.ridge !== r.right.model) r.right.ridge.dispose();
    return 0;
  } finally {
    await candleStore.close();
    await daily.close();
    await platform.close();
  }
});
