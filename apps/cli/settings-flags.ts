// The run-settings flags (doc/settings.md), defined once for every CLI that runs a strategy (`npm run backtest`,
// `npm run paper`): their parseArgs options, their usage line, and flags → RunSettingsOverrides, each value held to
// its range with the flag named in the message. What a flag leaves unset comes from the configuration (BACKTEST_*).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import {
  BarsPerYear,
  FeeRate,
  InitialCapital,
  parseSettingNumber,
  parseSizing,
  SlippageRate,
  type RunSettingsOverrides,
} from '../../domain/execution/run-settings.js';

/** parseArgs options naming what a strategy runs on and when (spread into a command's own): the strategy or genome file, its series, the period. */
export const SERIES_FLAG_OPTIONS = {
  strategy: { type: 'string' },
  genome: { type: 'string' },
  symbols: { type: 'string' },
  interval: { type: 'string' },
  exchange: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/** parseArgs options of the settings flags (spread into a command's own). */
export const SETTINGS_FLAG_OPTIONS = {
  'taker-fee': { type: 'string' },
  'maker-fee': { type: 'string' },
  slippage: { type: 'string' },
  capital: { type: 'string' },
  'bars-per-year': { type: 'string' },
  sizing: { type: 'string' },
} as const;

export type SettingsFlag = keyof typeof SETTINGS_FLAG_OPTIONS;

export const SETTINGS_FLAGS_USAGE =
  '[--taker-fee 0.001] [--maker-fee 0.001] [--slippage 0] [--capital 10000] [--bars-per-year <n>] [--sizing fractional|whole|lot:<size>]';

/** Flag → the numeric setting it overrides and the codec that holds it to its range. */
const NUMERIC = {
  'taker-fee': ['takerFee', FeeRate],
  'maker-fee': ['makerFee', FeeRate],
  slippage: ['slippage', SlippageRate],
  capital: ['initialCapital', InitialCapital],
  'bars-per-year': ['barsPerYear', BarsPerYear],
} as const;

/**
 * The overrides the flags given set (flags not given are absent), or the first bad one's message: `--<flag>: <why>`.
 */
export const settingOverridesOf = (values: Readonly<Partial<Record<SettingsFlag, string | undefined>>>): Either<string, RunSettingsOverrides> => {
  const overrides: Record<string, unknown> = {};
  for (const [flag, [field, codec]] of Object.entries(NUMERIC) as [keyof typeof NUMERIC, (typeof NUMERIC)[keyof typeof NUMERIC]][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const parsed = parseSettingNumber(codec, raw);
    if (either.isLeft(parsed)) return either.left(`--${flag}: ${parsed.left}`);
    overrides[field] = parsed.right;
  }
  if (values.sizing !== undefined) {
    const sizing = parseSizing(values.sizing);
    if (either.isLeft(sizing)) return either.left(`--sizing: ${sizing.left}`);
    overrides['sizing'] = sizing.right;
  }
  return either.right(overrides);
};
