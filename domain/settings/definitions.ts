// The platform's runtime settings: each one's name, default, range and meaning, in one table. The `settings` stream
// records every change (events.ts); what is not set there is its default here. doc/settings.md lists them.
import * as t from 'io-ts';
import { REPLACEMENT_MARGIN_RANGE } from '../activation/policy.js';

export interface SettingDefinition {
  readonly default: number;
  /** Inclusive bounds. */
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly meaning: string;
}

export const SETTINGS = {
  maxActiveStrategies: { default: 2, min: 1, max: 10, integer: true, meaning: 'most strategies Live at once' },
  'filter.minSharpe': { default: 0.5, min: -5, max: 10, integer: false, meaning: 'the filter: Sharpe (each backtest window) strictly above this' },
  'filter.minWinRate': { default: 0.35, min: 0, max: 1, integer: false, meaning: 'the filter: win rate over the backtest window strictly above this' },
  'filter.minTotalReturn': { default: -0.5, min: -1, max: 100, integer: false, meaning: 'the filter: total return over the backtest window at least this' },
  'filter.maxTotalReturn': { default: 5, min: -1, max: 100, integer: false, meaning: 'the filter: total return over the backtest window at most this' },
  'filter.minTrades': { default: 10, min: 0, max: 10_000, integer: true, meaning: 'the filter: at least this many trades over the backtest window' },
  'cycle.genomes': { default: 500, min: 1, max: 5000, integer: true, meaning: 'the daily cycle: genomes generated and backtested' },
  'cycle.budgetMinutes': {
    default: 180,
    min: 1,
    max: 1440,
    integer: true,
    meaning: 'the daily cycle: time for its backtests; what is not done by then is recorded as such',
  },
  'cycle.operands': {
    default: 0,
    min: 0,
    max: 15,
    integer: true,
    meaning: 'the daily cycle: external operand families drawn, a sum of 1 Fear & Greed, 2 S&P 500/NASDAQ/VIX, 4 other symbols, 8 predictions (0: none)',
  },
  'paper.maxStrategies': { default: 10, min: 0, max: 200, integer: true, meaning: 'most strategies paper trading at once (promotion waits for a free slot)' },
  'paper.evaluationDays': { default: 7, min: 1, max: 14, integer: true, meaning: 'days of paper trading before a strategy is judged eligible or rejected' },
  'activation.minIntervalHours': {
    default: 4,
    min: 0,
    max: 168,
    integer: false,
    meaning: 'no activation change sooner than this after the last one, unless a live strategy must go',
  },
  'activation.replacementMargin': {
    default: 0.05,
    min: REPLACEMENT_MARGIN_RANGE.min,
    max: REPLACEMENT_MARGIN_RANGE.max,
    integer: false,
    meaning: 'a waiting candidate replaces a live strategy only if its score (0–1) beats that one’s by at least this; empty places are filled without it',
  },
  'monitor.drawdownMultiple': {
    default: 2,
    min: 1,
    max: 10,
    integer: false,
    meaning: 'the monitor: a live strategy breaches when its live drawdown exceeds this × its backtested max drawdown',
  },
  'monitor.windowDays': {
    default: 7,
    min: 2,
    max: 60,
    integer: true,
    meaning: 'the monitor: days of live returns its Sharpe-decay rule looks at (judged once there are this many)',
  },
  'monitor.minSharpe': {
    default: 0,
    min: -5,
    max: 5,
    integer: false,
    meaning: 'the monitor: a live strategy breaches when its Sharpe over the window is below this',
  },
  'monitor.maxPaperDivergence': {
    default: 0.05,
    min: 0,
    max: 1,
    integer: false,
    meaning: 'the monitor: most |live − paper| total return over the live period before a breach',
  },
  'monitor.maxBreaches': { default: 2, min: 1, max: 20, integer: true, meaning: 'the monitor: deactivations for a breach after which a strategy is retired' },
} as const satisfies Record<string, SettingDefinition>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
export const SettingName = t.keyof(Object.fromEntries(SETTING_NAMES.map((n) => [n, null])) as Record<SettingName, null>, 'SettingName');

export const isSettingName = (s: string): s is SettingName => Object.prototype.hasOwnProperty.call(SETTINGS, s);

/** The range as people read it: `an integer from 1 to 10`, `a number from 0 to 1`. */
export const describeRange = (name: SettingName): string => {
  const d: SettingDefinition = SETTINGS[name];
  return `${d.integer ? 'an integer' : 'a number'} from ${d.min} to ${d.max}`;
};

/** Why `value` is not a value of `name`, or undefined when it is one. */
export const outOfRange = (name: SettingName, value: number): string | undefined => {
  const d: SettingDefinition = SETTINGS[name];
  if (!Number.isFinite(value) || value < d.min || value > d.max || (d.integer && !Number.isInteger(value)))
    return `${name} must be ${describeRange(name)}, not ${value}`;
  return undefined;
};

/** Every setting's value: the stream's where set, else the default. */
export type SettingValues = Readonly<Record<SettingName, number>>;

export const DEFAULT_SETTINGS: SettingValues = Object.fromEntries(SETTING_NAMES.map((n) => [n, SETTINGS[n].default])) as Record<SettingName, number>;
