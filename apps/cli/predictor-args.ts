// The arguments `npm run train:predictor` and `npm run predictions:backfill` share: which model (kind, profile,
// name, seed), on which candles (symbol, exchange, a CSV file, days), read with node:util parseArgs and checked
// before anything opens. A bad one exits 2 naming the flag, followed by the command's usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ModelName } from '../../domain/prediction/events.js';
import { MODEL_KINDS, PROFILES, trainerFor, type ModelChoice, type ProfileChoice } from '../../infrastructure/prediction/trainers.js';

export interface ModelArgs {
  readonly model: ModelChoice;
  readonly profile: ProfileChoice;
  readonly name: string;
  readonly symbol: string;
  readonly exchange: string;
  readonly file: string | undefined;
  readonly seed: number;
  readonly trainer: ReturnType<typeof trainerFor>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The command's parser: `usage` is printed after every refusal and for --help. */
export const predictorCli = (usage: string) => {
  const refuse = (message: string): never => {
    process.stderr.write(`${message}\n${usage}\n`);
    process.exit(2);
  };

  /** The shared options (the default model kind differs by command) with the command's own; --help prints usage. */
  const parse = (defaultModel: ModelChoice, own: Options): Readonly<Record<string, string | boolean | undefined>> => {
    const options: Options = {
      profile: { type: 'string', default: 'small' },
      model: { type: 'string', default: defaultModel },
      symbol: { type: 'string', default: 'BTCUSDC' },
      exchange: { type: 'string', default: 'binance' },
      file: { type: 'string' },
      name: { type: 'string', default: 'btc-1h' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
      ...own,
    };
    let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    try {
      values = parseArgs({ options }).values;
    } catch (err) {
      return refuse((err as Error).message);
    }
    if (values['help'] === true) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    // No option is `multiple`: every value is a string or a boolean.
    return values as Record<string, string | boolean | undefined>;
  };

  /** The model and candle arguments, checked. */
  const modelArgs = (v: Readonly<Record<string, string | boolean | undefined>>): ModelArgs => {
    const text = (k: string) => v[k] as string;
    if (!(PROFILES as readonly string[]).includes(text('profile'))) refuse(`--profile "${text('profile')}" is not one of ${PROFILES.join(', ')}`);
    if (!(MODEL_KINDS as readonly string[]).includes(text('model'))) refuse(`--model "${text('model')}" is not one of ${MODEL_KINDS.join(', ')}`);
    const name = text('name');
    if (!ModelName.is(name)) return refuse(`--name "${String(name)}" must be lower-case letters, digits and dashes`);
    if (!/^[A-Z0-9]{2,20}$/.test(text('symbol'))) refuse(`--symbol "${text('symbol')}" is not a symbol like BTCUSDC`);
    if (!/^[a-z][a-z0-9]{1,31}$/.test(text('exchange'))) refuse(`--exchange "${text('exchange')}" is not an exchange id like binance`);
    if (!/^\d{1,9}$/.test(text('seed'))) refuse(`--seed "${text('seed')}" is not a non-negative integer`);
    const model = text('model') as ModelChoice;
    const profile = text('profile') as ProfileChoice;
    return {
      model,
      profile,
      name,
      symbol: text('symbol'),
      exchange: text('exchange'),
      file: v['file'] as string | undefined,
      seed: Number(text('seed')),
      trainer: trainerFor(model, profile),
    };
  };

  /** A UTC day like 2024-01-31 as its midnight in epoch ms; undefined when not given. */
  const day = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) refuse(`--${flag} "${value}" is not a day like 2024-01-31`);
    return ms;
  };

  return { parse, modelArgs, day, refuse };
};
