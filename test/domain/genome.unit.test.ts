// The Genome codec as specifications: the templates pass, and every broken genome is refused with the
// path of the field at fault, as fieldErrors reports it to an HTTP client.
import { expect } from 'chai';
import { either } from 'fp-ts';
import * as t from 'io-ts';
import { fieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import { StrategyEventData } from '../../domain/strategy/events.js';
import { Genome } from '../../domain/strategy/genome.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';

/** A genome as plain JSON, to be broken on purpose: deliberately untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Draft = any;

const PARENT_A = '0b7f6a52-3c1d-4e9f-8a2b-6c5d4e3f2a1b';
const PARENT_B = '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';

const draft = (g: Genome): Draft => JSON.parse(JSON.stringify(g));
/** The SMA crossover template (indicators `fast`, `slow`) with one edit. */
const sma = (edit: (g: Draft) => void = () => {}): Draft => {
  const g = draft(smaCrossoverGenome());
  edit(g);
  return g;
};
/** The RSI mean-reversion template (indicators `rsi14`, `bb`; entry `rsi14 < 30` and `close < bb.lower`) with one edit. */
const rsi = (edit: (g: Draft) => void = () => {}): Draft => {
  const g = draft(rsiMeanReversionGenome());
  edit(g);
  return g;
};
const macd = (short: number, long: number) => ({ id: 'm', name: 'macd', params: { short, long, signal: 9 } });

const refusal = (u: unknown): FieldError[] => {
  const decoded = Genome.decode(u);
  if (either.isRight(decoded)) return expect.fail(`expected the genome to be refused: ${JSON.stringify(u)}`);
  return fieldErrors(decoded.left);
};
const pathsOf = (u: unknown): string[] => refusal(u).map((e) => e.path);

const expectAccepted = (u: unknown) => {
  const decoded = Genome.decode(u);
  if (either.isLeft(decoded)) expect.fail(`expected the genome to be accepted: ${JSON.stringify(fieldErrors(decoded.left))}`);
  expect(decoded.right).to.deep.equal(u);
  expect(Genome.is(u)).to.equal(true);
};

describe('Genome codec', () => {
  describe('accepts', () => {
    it('the SMA crossover template', () => expectAccepted(smaCrossoverGenome()));
    it('the SMA crossover template on other periods, symbols and timeframe', () =>
      expectAccepted(smaCrossoverGenome(5, 200, ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], '4h')));
    it('the RSI mean-reversion template', () => expectAccepted(rsiMeanReversionGenome()));
    it('the templates after a trip through JSON, and encodes them back unchanged', () => {
      for (const g of [smaCrossoverGenome(), rsiMeanReversionGenome()]) {
        const decoded = Genome.decode(draft(g));
        if (either.isLeft(decoded)) expect.fail(JSON.stringify(fieldErrors(decoded.left)));
        expect(Genome.encode(decoded.right)).to.deep.equal(draft(g));
      }
    });
    it('parameters on the edges of their range', () => {
      expectAccepted(smaCrossoverGenome(2, 500));
      expectAccepted(rsi((g) => (g.indicators[1].params.stddev = 0.5)));
    });
    it('the output "value" named on a single-output indicator', () => expectAccepted(sma((g) => (g.entry.conditions[0].left.output = 'value'))));
    it('a macd with short below long and a named output', () =>
      expectAccepted(
        sma((g) => {
          g.indicators.push(macd(12, 26));
          g.entry.conditions.push({ left: { indicator: 'm', output: 'histogram' }, op: 'gt', right: { value: 0 } });
        }),
      ));
    it('a strategy whose only exit is a stop-loss', () =>
      expectAccepted(
        sma((g) => {
          g.exit.conditions = [];
          g.exitRules = { stopLoss: 0.03 };
        }),
      ));
    it('a crossover child with two parents and a mutation child with one', () => {
      expectAccepted(sma((g) => (g.lineage = { generation: 3, parentIds: [PARENT_A, PARENT_B], origin: 'crossover' })));
      expectAccepted(sma((g) => (g.lineage = { generation: 3, parentIds: [PARENT_A], origin: 'mutation' })));
    });
    it('a prediction-driven strategy comparing the forecast with a constant', () =>
      expectAccepted(
        sma((g) => {
          g.strategyType = 'prediction_driven';
          g.entry.conditions = [{ left: { prediction: 'up_probability' }, op: 'gt', right: { value: 0.6 } }];
        }),
      ));
  });

  describe('refuses, reporting the path of the field at fault', () => {
    const cases: readonly { readonly rule: string; readonly genome: Draft; readonly paths: readonly string[] }[] = [
      { rule: 'an unknown indicator name', genome: sma((g) => (g.indicators[1].name = 'supertrend')), paths: ['indicators.1.name'] },
      { rule: 'a parameter below its range', genome: sma((g) => (g.indicators[0].params.period = 1)), paths: ['indicators.0.params.period'] },
      { rule: 'a parameter above its range', genome: sma((g) => (g.indicators[1].params.period = 501)), paths: ['indicators.1.params.period'] },
      { rule: 'a non-integer period', genome: sma((g) => (g.indicators[0].params.period = 10.5)), paths: ['indicators.0.params.period'] },
      { rule: 'a real-valued parameter out of range', genome: rsi((g) => (g.indicators[1].params.stddev = 5.5)), paths: ['indicators.1.params.stddev'] },
      { rule: 'a missing parameter', genome: rsi((g) => delete g.indicators[1].params.stddev), paths: ['indicators.1.params.stddev'] },
      { rule: 'an unknown parameter', genome: sma((g) => (g.indicators[0].params.length = 3)), paths: ['indicators.0.params.length'] },
      {
        rule: 'an unknown parameter named like an Object.prototype member',
        genome: sma((g) => (g.indicators[0].params.constructor = 3)),
        paths: ['indicators.0.params.constructor'],
      },
      {
        rule: 'an unknown parameter "__proto__"',
        genome: JSON.parse(JSON.stringify(smaCrossoverGenome()).replace('"period":10', '"period":10,"__proto__":3')),
        paths: ['indicators.0.params.__proto__'],
      },
      { rule: 'a macd whose short period is above its long one', genome: sma((g) => g.indicators.push(macd(26, 12))), paths: ['indicators.2.params.short'] },
      { rule: 'a macd whose short period equals its long one', genome: sma((g) => g.indicators.push(macd(12, 12))), paths: ['indicators.2.params.short'] },
      {
        rule: 'a duplicate indicator id',
        genome: sma((g) => g.indicators.push({ id: 'fast', name: 'ema', params: { period: 5 } })),
        paths: ['indicators.2.id'],
      },
      { rule: 'a malformed indicator id', genome: sma((g) => (g.indicators[0].id = 'Fast MA')), paths: ['indicators.0.id'] },
      {
        rule: 'a condition on an undeclared indicator',
        genome: sma((g) => (g.entry.conditions[0].left = { indicator: 'ghost' })),
        paths: ['entry.conditions.0.left.indicator'],
      },
      {
        rule: 'an output the indicator does not have',
        genome: rsi((g) => (g.entry.conditions[1].right.output = 'mid')),
        paths: ['entry.conditions.1.right.output'],
      },
      {
        rule: 'an output other than "value" on a single-output indicator',
        genome: sma((g) => (g.exit.conditions[0].right.output = 'signal')),
        paths: ['exit.conditions.0.right.output'],
      },
      {
        rule: 'no output named for a multi-output indicator',
        genome: rsi((g) => delete g.entry.conditions[1].right.output),
        paths: ['entry.conditions.1.right.output'],
      },
      {
        rule: 'a comparison of two constants',
        genome: rsi((g) => (g.exit.conditions[0].left = { value: 70 })),
        paths: ['exit.conditions.0'],
      },
      { rule: 'an unknown comparison', genome: sma((g) => (g.entry.conditions[0].op = 'eq')), paths: ['entry.conditions.0.op'] },
      { rule: 'no entry condition', genome: sma((g) => (g.entry.conditions = [])), paths: ['entry.conditions'] },
      { rule: 'no exit at all: no exit condition and no exit rule', genome: sma((g) => (g.exit.conditions = [])), paths: ['exit'] },
      { rule: 'repeated symbols', genome: sma((g) => (g.symbols = ['BTCUSDT', 'ETHUSDT', 'BTCUSDT'])), paths: ['symbols'] },
      { rule: 'a bad symbol', genome: sma((g) => (g.symbols = ['BTCUSDT', 'eth/usdt'])), paths: ['symbols.1'] },
      { rule: 'no symbol', genome: sma((g) => (g.symbols = [])), paths: ['symbols'] },
      { rule: 'a bad timeframe', genome: sma((g) => (g.timeframe = '2h')), paths: ['timeframe'] },
      { rule: 'a bad strategy type', genome: sma((g) => (g.strategyType = 'martingale')), paths: ['strategyType'] },
      {
        rule: 'a crossover child with fewer than 2 parents',
        genome: sma((g) => (g.lineage = { generation: 2, parentIds: [PARENT_A], origin: 'crossover' })),
        paths: ['lineage.parentIds'],
      },
      {
        rule: 'a mutation child without a parent',
        genome: sma((g) => (g.lineage = { generation: 2, parentIds: [], origin: 'mutation' })),
        paths: ['lineage.parentIds'],
      },
      {
        rule: 'a random genome with parents',
        genome: sma((g) => (g.lineage = { generation: 0, parentIds: [PARENT_A], origin: 'random' })),
        paths: ['lineage.parentIds'],
      },
      {
        rule: 'a parent id that is not a uuid',
        genome: sma((g) => (g.lineage = { generation: 1, parentIds: [PARENT_A, 'parent-b'], origin: 'crossover' })),
        paths: ['lineage.parentIds.1'],
      },
      { rule: 'a negative generation', genome: sma((g) => (g.lineage.generation = -1)), paths: ['lineage.generation'] },
      { rule: 'a non-integer seed', genome: sma((g) => (g.lineage.seed = 1.5)), paths: ['lineage.seed'] },
      { rule: 'a positionSize of 0', genome: sma((g) => (g.risk.positionSize = 0)), paths: ['risk.positionSize'] },
      { rule: 'a positionSize above 1', genome: sma((g) => (g.risk.positionSize = 1.01)), paths: ['risk.positionSize'] },
      { rule: 'a negative riskPerTrade', genome: sma((g) => (g.risk.riskPerTrade = -0.01)), paths: ['risk.riskPerTrade'] },
      { rule: 'a fractional maxOpenPositions', genome: rsi((g) => (g.risk.maxOpenPositions = 1.5)), paths: ['risk.maxOpenPositions'] },
      { rule: 'a take-profit above 100%', genome: rsi((g) => (g.exitRules.takeProfit = 1.5)), paths: ['exitRules.takeProfit'] },
      { rule: 'NaN in a parameter', genome: sma((g) => (g.indicators[0].params.period = NaN)), paths: ['indicators.0.params.period'] },
      { rule: 'Infinity in a parameter', genome: sma((g) => (g.indicators[1].params.period = Infinity)), paths: ['indicators.1.params.period'] },
      { rule: '-Infinity in a parameter', genome: rsi((g) => (g.indicators[1].params.stddev = -Infinity)), paths: ['indicators.1.params.stddev'] },
      { rule: 'a NaN positionSize', genome: sma((g) => (g.risk.positionSize = NaN)), paths: ['risk.positionSize'] },
      { rule: 'an Infinity stop-loss', genome: rsi((g) => (g.exitRules.stopLoss = Infinity)), paths: ['exitRules.stopLoss'] },
      { rule: 'a missing field', genome: sma((g) => delete g.exitRules), paths: ['exitRules'] },
    ];
    for (const { rule, genome, paths } of cases)
      it(`${rule} (at ${paths.join(', ')})`, () => {
        expect(pathsOf(genome)).to.deep.equal(paths);
        expect(Genome.is(genome)).to.equal(false);
      });

    for (const [what, value] of [
      ['null', null],
      ['undefined', undefined],
      ['a number', 42],
      ['a string', JSON.stringify(smaCrossoverGenome())],
      ['an array', [smaCrossoverGenome()]],
    ] as const)
      it(`${what} instead of an object (at the root)`, () => {
        expect(pathsOf(value)).to.deep.equal(['(root)']);
        expect(refusal(value)[0]?.message).to.include('Genome');
      });

    it('NaN as a condition constant, on the value member of the operand', () => {
      const paths = pathsOf(rsi((g) => (g.entry.conditions[0].right.value = NaN)));
      expect(paths).to.include('entry.conditions.0.right.value');
      for (const p of paths) expect(p).to.match(/^entry\.conditions\.0\.right\.[a-zA-Z]+$/);
    });

    it('every problem of a genome, not just the first', () => {
      const genome = rsi((g) => {
        g.indicators[0].params.period = 1;
        g.indicators[1].params.extra = 1;
        g.exit.conditions[0].left = { value: 70 };
        g.symbols = ['ETHUSDT', 'ETHUSDT'];
        g.lineage.origin = 'crossover';
      });
      expect(pathsOf(genome)).to.have.members(['indicators.0.params.period', 'indicators.1.params.extra', 'exit.conditions.0', 'symbols', 'lineage.parentIds']);
    });

    it('with messages that say what is wrong', () => {
      const message = (g: Draft) =>
        refusal(g)
          .map((e) => e.message)
          .join('; ');
      expect(message(sma((g) => g.indicators.push(macd(26, 12))))).to.equal('macd.short must be below macd.long');
      expect(message(sma((g) => (g.indicators[0].params.period = 1)))).to.equal('sma.period must be an integer in [2, 500], got 1');
      expect(message(sma((g) => (g.entry.conditions[0].left = { indicator: 'ghost' })))).to.equal('refers to undeclared indicator "ghost"');
      expect(message(rsi((g) => delete g.entry.conditions[1].right.output))).to.include('lower, middle, upper');
      expect(message(sma((g) => (g.risk.positionSize = 0)))).to.equal('expected Fraction, got 0');
    });
  });
});

describe('fieldErrors paths', () => {
  const pathsFor = <C extends t.Mixed>(codec: C, u: unknown): string[] => {
    const decoded = codec.decode(u);
    if (either.isRight(decoded)) return expect.fail(`expected ${codec.name} to refuse ${JSON.stringify(u)}`);
    return fieldErrors(decoded.left).map((e) => e.path);
  };

  it('keep every index of nested arrays', () => {
    const genome = rsi((g) => {
      g.indicators[1].params.period = 1;
      g.entry.conditions[1].right.output = 'mid';
    });
    expect(pathsOf(genome)).to.deep.equal(['indicators.1.params.period', 'entry.conditions.1.right.output']);
    expect(pathsFor(t.array(t.array(t.number)), [[1], [2, 'x']])).to.deep.equal(['1.1']);
  });

  it('leave out the member indexes of a union: each member reports its own field', () => {
    const paths = pathsOf(sma((g) => (g.entry.conditions[0].left = { indicator: 'Not An Id' })));
    expect(paths).to.have.members([
      'entry.conditions.0.left.indicator',
      'entry.conditions.0.left.price',
      'entry.conditions.0.left.value',
      'entry.conditions.0.left.prediction',
      // the operands of issue 12 (doc/operands.md): a daily series, another symbol's return or indicator
      'entry.conditions.0.left.daily',
      'entry.conditions.0.left.measure',
      'entry.conditions.0.left.crossReturn',
      'entry.conditions.0.left.crossIndicator',
      'entry.conditions.0.left.symbol',
    ]);
  });

  it('leave out the member indexes of an intersection, keep the array indexes inside a member', () => {
    expect(pathsOf(sma((g) => (g.risk.riskPerTrade = 0)))).to.deep.equal(['risk.riskPerTrade']);
    expect(pathsOf(rsi((g) => (g.risk.maxOpenPositions = -1)))).to.deep.equal(['risk.maxOpenPositions']);
    expect(pathsOf(sma((g) => (g.lineage.parentIds = ['nope'])))).to.deep.equal(['lineage.parentIds.0']);
  });

  it('leave out member indexes under a refinement, exact or readonly codec, and keep array indexes there', () => {
    const member = t.union([t.type({ a: t.number }), t.type({ b: t.string })]);
    const both = t.intersection([t.type({ a: t.number }), t.partial({ b: t.string })]);
    const bad = { a: 'no', b: 1 };
    expect(pathsFor(t.type({ x: member }), { x: bad })).to.deep.equal(['x.a', 'x.b']);
    expect(pathsFor(t.type({ x: t.refinement(member, () => true, 'Refined') }), { x: bad })).to.deep.equal(['x.a', 'x.b']);
    expect(pathsFor(t.type({ x: t.exact(both) }), { x: bad })).to.deep.equal(['x.a', 'x.b']);
    expect(pathsFor(t.type({ x: t.readonly(both) }), { x: bad })).to.deep.equal(['x.a', 'x.b']);
    expect(pathsFor(t.type({ x: t.refinement(t.array(member), () => true, 'Refined') }), { x: [bad] })).to.deep.equal(['x.0.a', 'x.0.b']);
    expect(pathsFor(t.type({ x: t.union([t.array(t.number), t.string]) }), { x: [1, 'two'] })).to.deep.equal(['x.1', 'x']);
  });

  it('start from the enclosing field when the genome sits inside an event', () => {
    const strategyId = '3f1c2a9e-7b4d-4e8a-9c21-5d6e7f809a1b';
    const event = { strategyId, genome: sma((g) => (g.indicators[0].params.period = 1)) };
    expect(pathsFor(StrategyEventData.StrategyGenerated, event)).to.deep.equal(['genome.indicators.0.params.period']);
  });
});
