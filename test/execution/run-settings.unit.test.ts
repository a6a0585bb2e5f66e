// Run settings: the ranges each setting is held to, the CLI/environment spellings, the defaults and overrides, the
// bars per year derived from a series' market (hand-counted), symbols checked against their exchange's format, the
// job wire codec (settings decoded exactly, old jobs without settings still read), and the configuration variables.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { BacktestJobCodec, decodeBacktestJob, MalformedJobError } from '../../application/backtest/job-codec.js';
import { BacktestJobCodec as StoredJobCodec } from '../../domain/backtest/events.js';
import {
  applyRunSettings,
  DEFAULT_RUN_SETTINGS,
  fillConfigOf,
  parseSettingNumber,
  parseSizing,
  FeeRate,
  InitialCapital,
  resolveRunSettings,
  RunSettings,
  RunSettingsOverrides,
} from '../../domain/execution/run-settings.js';
import { barsPerYearOf } from '../../domain/market/bars-per-year.js';
import { checkSymbol, MarketSymbol, symbolProblems } from '../../domain/market/market-symbol.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { BacktestRequestBody } from '../../apps/api/backtest-routes.js';
import { exampleBacktest, exampleEquityBacktest } from '../../apps/api/examples.js';

const right = <A>(e: either.Either<unknown, A>): A => {
  if (either.isLeft(e)) throw new Error(`expected right, got ${JSON.stringify(e.left)}`);
  return e.right;
};
const left = <E>(e: either.Either<E, unknown>): E => {
  if (either.isRight(e)) throw new Error(`expected left, got ${JSON.stringify(e.right)}`);
  return e.left;
};
const settings = (o: Record<string, unknown> = {}) => ({ ...DEFAULT_RUN_SETTINGS, ...o });

describe('run settings', () => {
  it('holds each setting to its range: fees and slippage in [0, 0.1) (0 allowed), capital in (0, 1e12], bars per year in (0, 1e8], lot size in (0, 1e6]', () => {
    for (const ok of [settings(), settings({ takerFee: 0, makerFee: 0, slippage: 0 }), settings({ takerFee: 0.0999, initialCapital: 1e12, barsPerYear: 252 })])
      expect(RunSettings.is(ok), JSON.stringify(ok)).to.equal(true);
    for (const bad of [
      { takerFee: -0.001 },
      { makerFee: 0.1 },
      { slippage: Infinity },
      { initialCapital: 0 },
      { initialCapital: 1.5e12 },
      { barsPerYear: 0 },
      { barsPerYear: 2e8 },
      { sizing: { mode: 'lot', lotSize: 0 } },
      { sizing: { mode: 'lot' } },
      { sizing: { mode: 'half' } },
      { takerFee: '0.001' },
    ])
      expect(either.isLeft(decodeStorable(RunSettings, settings(bad))), JSON.stringify(bad)).to.equal(true);
  });

  it('decodes exactly: an unknown field, at the top or inside sizing, is an error at its path', () => {
    const top = left(decodeStorable(RunSettingsOverrides, { takerFee: 0, fee: 0 }));
    expect(top.map((p) => p.path)).to.deep.equal(['fee']);
    const inner = left(decodeStorable(RunSettingsOverrides, { sizing: { mode: 'whole', lotSize: 1 } }));
    expect(inner.map((p) => p.path)).to.deep.equal(['sizing.lotSize']);
    const range = left(decodeStorable(RunSettingsOverrides, { initialCapital: -5 }));
    expect(range).to.deep.equal([{ path: 'initialCapital', message: 'expected a capital in (0, 1000000000000], got -5' }]);
  });

  it('reads the CLI and environment spellings, and says what is wrong', () => {
    expect(right(parseSizing('fractional'))).to.deep.equal({ mode: 'fractional' });
    expect(right(parseSizing(' whole '))).to.deep.equal({ mode: 'whole' });
    expect(right(parseSizing('lot:0.001'))).to.deep.equal({ mode: 'lot', lotSize: 0.001 });
    expect(left(parseSizing('lot:0'))).to.equal('the lot size must be in (0, 1000000], got "0"');
    expect(left(parseSizing('lots'))).to.equal('must be fractional, whole or lot:<size> (e.g. lot:0.001), got "lots"');
    expect(right(parseSettingNumber(FeeRate, '0'))).to.equal(0);
    expect(right(parseSettingNumber(FeeRate, '1e-3'))).to.equal(0.001);
    expect(right(parseSettingNumber(InitialCapital, '25000'))).to.equal(25_000);
    for (const bad of ['', 'abc', '0x10', '0.1', 'Infinity', '1,5']) expect(either.isLeft(parseSettingNumber(FeeRate, bad)), bad).to.equal(true);
    expect(left(parseSettingNumber(FeeRate, '0.5'))).to.equal('must be a fee rate in [0, 0.1), got "0.5"');
  });

  it('overrides the defaults field by field; bars per year is derived unless overridden, and says which', () => {
    const defaults = settings({ takerFee: 0.002 });
    const r = resolveRunSettings(defaults, { makerFee: 0, sizing: { mode: 'whole' } });
    expect(r).to.deep.equal({ takerFee: 0.002, makerFee: 0, slippage: 0, initialCapital: 10_000, sizing: { mode: 'whole' } });
    expect(applyRunSettings(r, 'nasdaq', '1d')).to.deep.include({ barsPerYear: 252, barsPerYearSource: 'derived' });
    expect(applyRunSettings(r, 'binance', '1h')).to.deep.include({ barsPerYear: 8760, barsPerYearSource: 'derived' });
    expect(applyRunSettings({ ...r, barsPerYear: 365 }, 'nasdaq', '1d')).to.deep.include({ barsPerYear: 365, barsPerYearSource: 'overridden' });
    expect(fillConfigOf(r)).to.deep.equal({ takerFee: 0.002, makerFee: 0, slippage: 0, quantityStep: 1 });
    expect(fillConfigOf(settings({ sizing: { mode: 'lot', lotSize: 0.01 } })).quantityStep).to.equal(0.01);
    expect(fillConfigOf(settings()).quantityStep).to.equal(0);
  });

  it('derives bars per year from the market (hand-counted): crypto 365 days around the clock, equities 252 sessions', () => {
    const cases: [string, Parameters<typeof barsPerYearOf>[1], number][] = [
      ['binance', '1m', 365 * 24 * 60],
      ['binance', '5m', 365 * 24 * 12],
      ['binance', '15m', 365 * 24 * 4],
      ['binance', '1h', 8760],
      ['okx', '4h', 365 * 6],
      ['binance', '1d', 365],
      ['nasdaq', '1d', 252],
      ['nyse', '1d', 252],
      ['nasdaq', '1h', 252 * 7], // 09:30–16:00: 6.5 hours, 7 hourly bars (the last one half)
      ['nasdaq', '15m', 252 * 26],
      ['nasdaq', '4h', 252 * 2],
      ['lse', '1h', 252 * 9], // 8.5 hours
      ['tse', '1h', 252 * 5],
    ];
    for (const [exchange, interval, expected] of cases) expect(barsPerYearOf(exchange, interval), `${exchange} ${interval}`).to.equal(expected);
  });
});

describe('symbols in their exchange format', () => {
  it("a genome's symbol may be any exchange's (a pair or a ticker), bounded", () => {
    for (const s of ['BTCUSDT', '1000SHIBUSDT', 'GOOG', 'BRK.B', 'F']) expect(MarketSymbol.is(s), s).to.equal(true);
    for (const s of ['btcusdt', 'BTC/USDT', 'BTC-USDT', '', 'A'.repeat(21), '.GOOG', 'GOOG ']) expect(MarketSymbol.is(s), s).to.equal(false);
  });

  it('where the exchange is known, the symbol must be spelt its way', () => {
    expect(either.isRight(checkSymbol('GOOG', 'nasdaq'))).to.equal(true);
    expect(left(checkSymbol('GOOG', 'binance'))).to.match(/^symbol "GOOG" is not a binance symbol: expected 5 to 20 capital letters/);
    expect(left(checkSymbol('1000SHIBUSDT', 'nasdaq'))).to.match(/^symbol "1000SHIBUSDT" is not a nasdaq symbol: expected a ticker of 1 to 10/);
    expect(symbolProblems(['BTCUSDT', 'GOOG'], 'binance', 'symbols')).to.deep.equal([{ path: 'symbols.1', message: left(checkSymbol('GOOG', 'binance')) }]);
  });
});

describe('backtest job with settings (wire and stored codecs)', () => {
  const job = (o: Record<string, unknown> = {}) => ({
    jobId: 'job-1',
    genome: { ...smaCrossoverGenome(), symbols: ['GOOG'], timeframe: '1d' },
    exchange: 'nasdaq',
    symbols: ['GOOG'],
    interval: '1d',
    period: { from: 0, to: 86_400_000 * 30 },
    ...o,
  });

  it('carries the settings both ways; a job stored before settings existed still decodes (no settings)', () => {
    const s = settings({ takerFee: 0, makerFee: 0, initialCapital: 50_000, sizing: { mode: 'whole' }, barsPerYear: 252 });
    const decoded = decodeBacktestJob(job({ settings: s }));
    expect(decoded.settings).to.deep.equal(s);
    expect(BacktestJobCodec.encode(decoded)).to.deep.include({ settings: s });
    expect(decodeBacktestJob(BacktestJobCodec.encode(decoded))).to.deep.equal(decoded);
    const old = decodeBacktestJob(job());
    expect(old.settings).to.equal(undefined);
    expect(either.isRight(decodeStorable(StoredJobCodec, job()))).to.equal(true);
  });

  it('refuses a setting out of range or unknown, and a symbol its exchange does not spell so, naming the path', () => {
    const problems = (u: unknown) => {
      try {
        decodeBacktestJob(u);
        return [];
      } catch (e) {
        expect(e).to.be.instanceOf(MalformedJobError);
        return (e as MalformedJobError).problems;
      }
    };
    expect(problems(job({ settings: settings({ slippage: 0.2 }) }))).to.deep.equal(['settings.slippage: expected a slippage in [0, 0.1), got 0.2']);
    expect(problems(job({ settings: { ...settings(), fee: 1 } })))
      .to.have.length(1)
      .and.to.match(/^settings\.fee: unknown field/);
    expect(problems(job({ exchange: 'binance' }))).to.deep.equal([`symbols.0: ${left(checkSymbol('GOOG', 'binance'))}`]);
  });
});

describe('example backtest bodies (/openapi.json)', () => {
  it('decode exactly, settings included', () => {
    for (const example of [exampleBacktest, exampleEquityBacktest]) expect(right(decodeStorable(BacktestRequestBody, example))).to.have.property('settings');
  });
});

describe('run settings from the environment', () => {
  it('defaults to the built-in settings, and reads BACKTEST_TAKER_FEE, _MAKER_FEE, _SLIPPAGE, _INITIAL_CAPITAL and _SIZING', () => {
    expect(right(loadConfig({})).runSettings).to.deep.equal(DEFAULT_RUN_SETTINGS);
    const c = right(
      loadConfig({
        BACKTEST_TAKER_FEE: '0',
        BACKTEST_MAKER_FEE: '0.0002',
        BACKTEST_SLIPPAGE: '0.0005',
        BACKTEST_INITIAL_CAPITAL: '1000000',
        BACKTEST_SIZING: 'lot:0.001',
      }),
    );
    expect(c.runSettings).to.deep.equal({ takerFee: 0, makerFee: 0.0002, slippage: 0.0005, initialCapital: 1e6, sizing: { mode: 'lot', lotSize: 0.001 } });
  });

  it('names the variable of a value out of range', () => {
    expect(left(loadConfig({ BACKTEST_TAKER_FEE: '0.5' }))).to.contain('BACKTEST_TAKER_FEE: must be a fee rate in [0, 0.1), got "0.5"');
    expect(left(loadConfig({ BACKTEST_INITIAL_CAPITAL: '-1' }))).to.contain('BACKTEST_INITIAL_CAPITAL: must be a capital in (0, 1000000000000]');
    expect(left(loadConfig({ BACKTEST_SIZING: 'half' }))).to.contain('BACKTEST_SIZING: must be fractional, whole or lot:<size>');
  });
});
