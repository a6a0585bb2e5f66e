// The genome's new operands: old genomes decode exactly as before, the new ones round-trip, and every cross-field
// rule answers with the operand's path.
import { expect } from 'chai';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { Genome, genomeOperands, operandFamily } from '../../domain/strategy/genome.js';
import { decodeExact } from '../../domain/primitives/exact.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { operandGenome } from './support.js';

const withEntry = (left: unknown, extra: Record<string, unknown> = {}) => operandGenome(left, 0, -1, extra);

const problems = (g: unknown): { path: string; message: string }[] => {
  const d = decodeExact(Genome, g);
  return isLeft(d) ? d.left.map((e) => ({ path: e.path, message: e.message })) : [];
};

describe('genome operands: codec', () => {
  it('decodes and re-encodes genomes written before the new operands byte for byte (stored events stay readable)', () => {
    const older = [
      smaCrossoverGenome(10, 30, ['BTCUSDT']),
      withEntry({ prediction: 'up_probability' }, { strategyType: 'prediction_driven' }),
      withEntry({ price: 'close' }),
      {
        ...withEntry({ indicator: 'm', output: 'signal' }),
        indicators: [{ id: 'm', name: 'macd', params: { short: 12, long: 26, signal: 9 } }],
      },
    ];
    for (const g of older) {
      const d = decodeExact(Genome, JSON.parse(JSON.stringify(g)));
      expect(isRight(d), JSON.stringify(isLeft(d) ? d.left : '')).to.equal(true);
      if (isRight(d)) expect(JSON.stringify(Genome.encode(d.right))).to.equal(JSON.stringify(JSON.parse(JSON.stringify(g))));
    }
  });

  const NEW = [
    { daily: 'fear_greed', measure: 'level' },
    { daily: 'fear_greed', measure: 'change', days: 3 },
    { daily: 'sp500', measure: 'return', days: 5 },
    { daily: 'nasdaq', measure: 'level' },
    { daily: 'vix', measure: 'return', days: 1 },
    { crossReturn: 24, symbol: 'BTCUSDT' },
    { crossIndicator: 'r', symbol: 'BTCUSDT' },
    { prediction: 'expected_return', model: 'btc-1h' },
  ];
  it('round-trips every new operand and names its data family', () => {
    const families: (string | undefined)[] = [];
    for (const o of NEW) {
      const g = { ...withEntry(o), indicators: [{ id: 'r', name: 'rsi', params: { period: 14 } }] };
      const d = decodeExact(Genome, g);
      expect(isRight(d), `${JSON.stringify(o)}: ${JSON.stringify(isLeft(d) ? d.left : '')}`).to.equal(true);
      if (!isRight(d)) continue;
      expect(JSON.parse(JSON.stringify(Genome.encode(d.right)))).to.deep.equal(g);
      families.push(operandFamily(genomeOperands(d.right)[0]!));
    }
    expect(families).to.deep.equal(['sentiment', 'sentiment', 'macro', 'macro', 'macro', 'cross_asset', 'cross_asset', 'prediction']);
  });

  it('refuses bad operands with the path of the field at fault', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ daily: 'fear_greed', measure: 'return', days: 2 }, 'entry.conditions.0.left.measure', /offers level, change/],
      [{ daily: 'sp500', measure: 'change', days: 2 }, 'entry.conditions.0.left.measure', /offers level, return/],
      [{ daily: 'vix', measure: 'level', days: 2 }, 'entry.conditions.0.left.days', /takes no/],
      [{ daily: 'vix', measure: 'return' }, 'entry.conditions.0.left.days', /needs "days"/],
      [{ daily: 'sp500', measure: 'return', days: 31 }, 'entry.conditions.0.left.days', /\[1, 30\]/],
      [{ daily: 'fear_greed', measure: 'change', days: 0 }, 'entry.conditions.0.left.days', /\[1, 30\]/],
      [{ crossReturn: 0, symbol: 'BTCUSDT' }, 'entry.conditions.0.left.crossReturn', /\[1, 500\]/],
      [{ crossReturn: 501, symbol: 'BTCUSDT' }, 'entry.conditions.0.left.crossReturn', /\[1, 500\]/],
      [{ crossReturn: 4, symbol: 'ETHUSDT' }, 'entry.conditions.0.left.symbol', /own symbols/],
      [{ crossIndicator: 'nope', symbol: 'BTCUSDT' }, 'entry.conditions.0.left.crossIndicator', /undeclared/],
    ];
    for (const [o, path, message] of cases) {
      const found = problems(withEntry(o));
      expect(
        found.some((p) => p.path === path && message.test(p.message)),
        `${JSON.stringify(o)} → ${JSON.stringify(found)}`,
      ).to.equal(true);
    }
    // Structure: an invalid symbol, a non-integer period, an unknown series or a stray key.
    expect(problems(withEntry({ crossReturn: 4, symbol: 'btc usdt' }))).to.not.deep.equal([]);
    expect(problems(withEntry({ crossReturn: 2.5, symbol: 'BTCUSDT' }))).to.not.deep.equal([]);
    expect(problems(withEntry({ daily: 'gold', measure: 'level' }))).to.not.deep.equal([]);
    expect(problems(withEntry({ daily: 'vix', measure: 'level', extra: 1 }))).to.not.deep.equal([]);
    // A cross-asset indicator with several outputs must name one.
    const macd = {
      ...withEntry({ crossIndicator: 'm', symbol: 'BTCUSDT' }),
      indicators: [{ id: 'm', name: 'macd', params: { short: 12, long: 26, signal: 9 } }],
    };
    expect(problems(macd).map((p) => p.path)).to.include('entry.conditions.0.left.output');
  });

  it('compiles what each genome reads from outside its candles', () => {
    const g = {
      ...operandGenome({ daily: 'vix', measure: 'level' }, 30, 20),
      indicators: [{ id: 'r', name: 'rsi', params: { period: 14 } }],
      exit: {
        mode: 'any',
        conditions: [
          { left: { crossIndicator: 'r', symbol: 'BTCUSDT' }, op: 'lt', right: { value: 30 } },
          { left: { prediction: 'up_probability' }, op: 'lt', right: { daily: 'fear_greed', measure: 'level' } },
        ],
      },
    };
    expect(compileGenome(g).needs).to.deep.equal({ daily: ['fear_greed', 'vix'], symbols: ['BTCUSDT'], models: ['btc-1h'] });
    expect(compileGenome(smaCrossoverGenome()).needs).to.deep.equal({ daily: [], symbols: [], models: [] });
  });
});
