// tulind, the reference implementation, behind a typed synchronous call, and how our catalog maps onto it.
//
// Loaded on first use rather than imported: tulind's native addon is not context-aware, so only the first thread
// of a process that loads it can use it (a second worker thread gets "Module did not self-register"). A worker
// that only uses the TypeScript implementations in fast/ must not fail merely by importing this module.
// tulind calls its "callback" before `indicator()` returns (tulind.cpp calls it inline), so the call is synchronous;
// callTulind checks that and fails loudly if a future tulind changes it.
// eslint-disable-next-line no-restricted-imports -- only to load tulind (CommonJS, native) lazily, see above
import { createRequire } from 'node:module';
import type { IndicatorName } from './catalog.js';
import type { IndicatorParams } from './params.js';

export interface TulindIndicator {
  readonly name: string;
  readonly input_names: readonly string[];
  readonly option_names: readonly string[];
  readonly output_names: readonly string[];
  readonly indicator: (inputs: number[][], options: number[], callback: (err: string | null, outputs: number[][] | null) => void) => unknown;
  readonly start: (options: number[]) => number;
}

export interface TulindModule {
  readonly indicators: Readonly<Record<string, TulindIndicator>>;
  readonly version: string;
}

let loaded: TulindModule | undefined;
let loadError: Error | undefined;

export const tulind = (): TulindModule => {
  if (loaded !== undefined) return loaded;
  if (loadError !== undefined) throw loadError;
  try {
    loaded = createRequire(import.meta.url)('tulind') as TulindModule;
    return loaded;
  } catch (cause) {
    loadError = new Error(
      `tulind cannot be loaded in this thread (${(cause as Error).message}). Its native addon loads in one thread per process only; ` +
        'compute with the TypeScript implementations (option fast: true) in worker threads.',
      { cause },
    );
    throw loadError;
  }
};

/** How one catalog indicator is called in tulind. Inputs and outputs correspond by position to the catalog's. */
export interface TulindBinding {
  readonly fn: string;
  /** tulind's input_names, in the order of the catalog's `inputs`. */
  readonly inputs: readonly string[];
  /** [our parameter, tulind's option name], in tulind's option order. */
  readonly options: readonly (readonly [string, string])[];
  /** tulind's output_names, in the order of the catalog's `outputs`. */
  readonly outputs: readonly string[];
}

const period = [['period', 'period']] as const;
const single = (fn: string, inputs: readonly string[] = ['real']): TulindBinding => ({ fn, inputs, options: period, outputs: [fn] });
const hlc = ['high', 'low', 'close'];

/** Every catalog indicator tulind has (vwap is ours alone). test/indicators/compute.unit.test.ts checks each against tulind at runtime. */
export const TULIND_BINDINGS: Readonly<Partial<Record<IndicatorName, TulindBinding>>> = {
  sma: single('sma'),
  ema: single('ema'),
  wma: single('wma'),
  dema: single('dema'),
  tema: single('tema'),
  rsi: single('rsi'),
  macd: {
    fn: 'macd',
    inputs: ['real'],
    options: [
      ['short', 'short period'],
      ['long', 'long period'],
      ['signal', 'signal period'],
    ],
    outputs: ['macd', 'macd_signal', 'macd_histogram'],
  },
  bbands: {
    fn: 'bbands',
    inputs: ['real'],
    options: [
      ['period', 'period'],
      ['stddev', 'stddev'],
    ],
    outputs: ['bbands_lower', 'bbands_middle', 'bbands_upper'],
  },
  atr: single('atr', hlc),
  adx: { ...single('adx', hlc), outputs: ['dx'] }, // tulip names ADX's output "dx"
  stoch: {
    fn: 'stoch',
    inputs: hlc,
    options: [
      ['k', '%k period'],
      ['kslow', '%k slowing period'],
      ['d', '%d period'],
    ],
    outputs: ['stoch_k', 'stoch_d'],
  },
  obv: { fn: 'obv', inputs: ['close', 'volume'], options: [], outputs: ['obv'] },
  cci: single('cci', hlc),
  mfi: single('mfi', [...hlc, 'volume']),
  willr: single('willr', hlc),
  roc: single('roc'),
  vwma: single('vwma', ['close', 'volume']),
  stddev: single('stddev'),
};

/** Our parameters as tulind's positional options. */
export const tulindOptions = (binding: TulindBinding, params: IndicatorParams): number[] => binding.options.map(([ours]) => params[ours]!);

const indicatorOf = (fn: string): TulindIndicator => {
  const ind = tulind().indicators[fn];
  if (ind === undefined) throw new Error(`tulind has no indicator "${fn}"`);
  return ind;
};

/** tulind's warm-up: how many candles its output is shorter than its input. */
export const tulindStart = (fn: string, options: number[]): number => indicatorOf(fn).start(options);

/** One raw tulind call: outputs shortened by the warm-up, exactly as tulind returns them. */
export const callTulind = (fn: string, inputs: number[][], options: number[]): number[][] => {
  const answer: { answered: boolean; error: string | null; outputs: number[][] | null } = { answered: false, error: null, outputs: null };
  indicatorOf(fn).indicator(inputs, options, (error, outputs) => Object.assign(answer, { answered: true, error, outputs }));
  if (!answer.answered) throw new Error(`tulind ${fn} answered asynchronously; callTulind relies on tulind 0.8's synchronous callback`);
  if (answer.error !== null || answer.outputs === null) throw new RangeError(`tulind ${fn}(${options.join(', ')}): ${answer.error ?? 'no output'}`);
  return answer.outputs;
};
