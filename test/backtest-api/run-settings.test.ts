// Run settings end to end, over a real PostgreSQL: the equity daily file (nasdaq GOOG 1d) imported by `npm run import`
// under the name its file gives it, then backtested with zero fees, a chosen capital and whole-unit sizing from the
// CLI (`npm run backtest`) and through POST /api/backtests; the recorded settings, the bars per year (252, derived
// from the market) and whole trade quantities are checked, as are a crypto 1h series (8,760), an override, the
// walk-forward and grid-search kinds, and bad input: an unknown field anywhere in a body, a setting out of range, a
// symbol its exchange does not spell so, a CLI flag out of range.
import { expect } from 'chai';
import express from 'express';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { either } from 'fp-ts';
import { decodeAll } from '../../application/events/decode-event.js';
import { backtestRoutes } from '../../apps/api/backtest-routes.js';
import { backtestStream, type BacktestEvent } from '../../domain/backtest/events.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { runCli, type CliRun } from '../support/cli.js';
import { sharedDataFile } from '../support/shared-data.js';
import { openBacktestPlatform, type BacktestPlatform } from './platform-fixture.js';

const GOOG_PERIOD = { from: '2006-01-01T00:00:00.000Z', to: '2012-01-01T00:00:00.000Z' };
const BTC_PERIOD = { from: '2023-01-01T00:00:00.000Z', to: '2023-04-01T00:00:00.000Z' };
const ZERO_FEE_WHOLE = { takerFee: 0, makerFee: 0, slippage: 0, initialCapital: 50_000, sizing: { mode: 'whole' } };

describe('run settings end to end (equity daily and crypto 1h)', function () {
  this.timeout(300_000);
  let fx: BacktestPlatform;
  const env = () => ({ DATABASE_URL: fx.db.url, AMQP_URL: '', LOG_LEVEL: 'silent', MARKET_DATA_SOURCE: 'none' });
  const cli = (script: string, ...args: string[]): Promise<CliRun> => runCli(script, args, env());

  before(async () => {
    fx = await openBacktestPlatform('run_settings', ['binance_BTCUSDT_1h.csv.gz'], async (platform, backtesting) => {
      const app = express();
      app.use(express.json({ limit: '1mb' }));
      app.use(
        backtestRoutes({
          store: platform.store,
          clock: platform.clock,
          ids: platform.ids,
          db: platform.pool,
          dispatch: backtesting.dispatch,
          candles: backtesting.candles,
          // As apps/services.ts wires it, with a taker fee of its own to tell the configured defaults from the built-in ones.
          runSettings: { ...platform.config.runSettings, takerFee: 0.0007 },
        }),
      );
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      return server;
    });
    // The equity file imports under the name its file gives it: exchange nasdaq, symbol GOOG, interval 1d.
    const imported = await cli('apps/cli/import.ts', sharedDataFile('nasdaq_GOOG_1d.csv.gz'));
    expect(imported.code, imported.stderr + imported.stdout).to.equal(0);
    expect(imported.stdout).to.contain('nasdaq GOOG 1d');
  });
  after(async () => {
    await fx?.close();
  });

  const completed = async (jobId: string) => {
    const decoded = decodeAll<BacktestEvent>(await fx.platform.store.readStream(backtestStream(jobId)));
    if (either.isLeft(decoded)) throw new Error(JSON.stringify(decoded.left));
    const done = decoded.right.map((d) => d.event).find((e) => e.type === 'BacktestCompleted' || e.type === 'BacktestFailed');
    if (done?.type !== 'BacktestCompleted') throw new Error(`job ${jobId} did not complete: ${JSON.stringify(done)}`);
    const requested = decoded.right.map((d) => d.event).find((e) => e.type === 'BacktestRequested');
    return { result: done.data.result, job: requested?.type === 'BacktestRequested' ? requested.data.job : undefined };
  };
  const expectWhole = (trades: readonly { quantity: number }[]) => {
    expect(trades.length, 'some trades').to.be.greaterThan(2);
    for (const t of trades) expect(Number.isInteger(t.quantity) && t.quantity > 0, `quantity ${t.quantity}`).to.equal(true);
  };
  const post = async (body: Record<string, unknown>) => {
    const r = await fx.call('POST', '/api/backtests', body);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await fx.projected([r.body.jobId]);
    return r.body.jobId as string;
  };

  it('CLI: a zero-fee GOOG 1d backtest with capital 50,000 and whole units records its settings and 252 bars per year', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
    const genomeFile = path.join(dir, 'genome.json');
    writeFileSync(genomeFile, JSON.stringify(smaCrossoverGenome(10, 30, ['GOOG'], '1d')));
    const r = await cli(
      'apps/cli/backtest.ts',
      ...['--genome', genomeFile, '--exchange', 'nasdaq', '--from', GOOG_PERIOD.from, '--to', GOOG_PERIOD.to],
      ...['--taker-fee', '0', '--maker-fee', '0', '--slippage', '0', '--capital', '50000', '--sizing', 'whole'],
    );
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('settings: taker fee 0, maker fee 0, slippage 0, capital 50000, sizing whole, bars per year 252 (derived)');
    const jobId = /^backtest (\S+) \(single\)/m.exec(r.stdout)![1]!;
    const { result, job } = await completed(jobId);
    expect(job?.settings).to.deep.equal(ZERO_FEE_WHOLE);
    expect(result.settings).to.deep.equal({ ...ZERO_FEE_WHOLE, barsPerYear: 252, barsPerYearSource: 'derived' });
    expect(result.metrics['periodsPerYear']).to.equal(252);
    expectWhole(result.trades);
    for (const t of result.trades) expect(t.fees).to.equal(0);
    // The first trade is sized from the capital chosen: all of it at the entry price, floored to a whole share.
    const first = result.trades[0]!;
    expect(first.quantity).to.equal(Math.floor(50_000 / first.entryPrice));
  });

  it('API: the same GOOG backtest; GET shows the settings from the read model', async () => {
    const genome = smaCrossoverGenome(10, 30, ['GOOG'], '1d');
    const jobId = await post({ genome, exchange: 'nasdaq', period: GOOG_PERIOD, settings: ZERO_FEE_WHOLE });
    const got = await fx.call('GET', `/api/backtests/${jobId}`);
    expect(got.status).to.equal(200);
    expect(got.body.source).to.equal('read_model');
    expect(got.body.settings).to.deep.equal({ ...ZERO_FEE_WHOLE, barsPerYear: 252, barsPerYearSource: 'derived' });
    expect(got.body.metrics.periodsPerYear).to.equal(252);
    expectWhole(got.body.trades);
    const { result } = await completed(jobId);
    expect(result.settings).to.deep.equal(got.body.settings);
  });

  it('API: crypto 1h derives 8,760 bars per year; an override says so; unset settings come from the configuration', async () => {
    const genome = smaCrossoverGenome(10, 30);
    const derived = await completed(await post({ genome, period: BTC_PERIOD, settings: { sizing: { mode: 'lot', lotSize: 0.001 } } }));
    expect(derived.result.settings).to.deep.equal({
      takerFee: 0.0007,
      makerFee: 0.001,
      slippage: 0,
      initialCapital: 10_000,
      sizing: { mode: 'lot', lotSize: 0.001 },
      barsPerYear: 8760,
      barsPerYearSource: 'derived',
    });
    expect(derived.result.metrics['periodsPerYear']).to.equal(8760);
    for (const t of derived.result.trades) expect(Math.abs(t.quantity * 1000 - Math.round(t.quantity * 1000)), `${t.quantity}`).to.be.below(1e-6);
    const overridden = await completed(
      await post({ genome, period: BTC_PERIOD, settings: { sizing: { mode: 'lot', lotSize: 0.001 }, barsPerYear: 365 * 24 * 2 } }),
    );
    expect(overridden.result.settings).to.deep.include({ barsPerYear: 17_520, barsPerYearSource: 'overridden' });
    expect(overridden.result.metrics['periodsPerYear']).to.equal(17_520);
    // Same trades, other annualisation: the Sharpe ratio scales by √2.
    expect(overridden.result.metrics['sharpe']! / derived.result.metrics['sharpe']!).to.be.closeTo(Math.SQRT2, 1e-9);
  });

  it('API: walk-forward and grid-search jobs carry and record the settings', async () => {
    const genome = smaCrossoverGenome(10, 30, ['GOOG'], '1d');
    const grid = await completed(
      await post({ genome, exchange: 'nasdaq', period: GOOG_PERIOD, settings: ZERO_FEE_WHOLE, gridSearch: { grid: { 'fast.period': [5, 10] } } }),
    );
    expect(grid.result.settings).to.deep.equal({ ...ZERO_FEE_WHOLE, barsPerYear: 252, barsPerYearSource: 'derived' });
    expectWhole(grid.result.trades);
    const wf = await completed(
      await post({ genome, exchange: 'nasdaq', period: GOOG_PERIOD, settings: ZERO_FEE_WHOLE, walkForward: { inSample: 300, outOfSample: 200 } }),
    );
    expect(wf.result.settings).to.deep.equal({ ...ZERO_FEE_WHOLE, barsPerYear: 252, barsPerYearSource: 'derived' });
    expect(wf.result.metrics['periodsPerYear']).to.equal(252);
    expect(wf.job?.settings).to.deep.equal(ZERO_FEE_WHOLE);
    // Each out-of-sample part runs from the capital its chain reached: its quantities stay whole.
    expectWhole(wf.result.trades);
  });

  it('API: an unknown field anywhere in any backtest body is a 400 naming its path; so is a setting out of range or a misspelt symbol', async () => {
    const genome = smaCrossoverGenome(10, 30);
    const base = { genome, period: BTC_PERIOD };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, fees: 0 }, 'fees'],
      [{ ...base, settings: { takerFee: 0, fee: 0 } }, 'settings.fee'],
      [{ ...base, settings: { sizing: { mode: 'whole', lotSize: 1 } } }, 'settings.sizing.lotSize'],
      [{ ...base, period: { ...BTC_PERIOD, tz: 'UTC' } }, 'period.tz'],
      [{ ...base, genome: { ...genome, colour: 'red' } }, 'genome.colour'],
      [{ ...base, gridSearch: { grid: { 'fast.period': [5] }, metrc: 'sharpe' } }, 'gridSearch.metrc'],
      [{ ...base, walkForward: { inSample: 100, outOfSample: 50, anchord: true } }, 'walkForward.anchord'],
      [{ ...base, settings: { takerFee: 0.5 } }, 'settings.takerFee'],
      [{ ...base, settings: { initialCapital: 0 } }, 'settings.initialCapital'],
      [{ ...base, settings: { sizing: { mode: 'lot', lotSize: -1 } } }, 'settings.sizing.lotSize'],
      [{ ...base, symbols: ['GOOG'] }, 'symbols.0'],
      [{ genome: smaCrossoverGenome(10, 30, ['BTCUSDT'], '1d'), exchange: 'nasdaq', period: GOOG_PERIOD }, 'genome.symbols.0'],
    ];
    for (const [body, field] of cases) {
      const r = await fx.call('POST', '/api/backtests', body);
      expect(r.status, `${field}: ${JSON.stringify(r.body)}`).to.equal(400);
      expect(
        (r.body.errors ?? []).map((p: { path: string }) => p.path),
        `${field}: ${JSON.stringify(r.body)}`,
      ).to.include(field);
    }
  });

  it('CLI: unset settings come from the configuration (BACKTEST_*), a flag overrides one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
    const genomeFile = path.join(dir, 'genome.json');
    writeFileSync(genomeFile, JSON.stringify(smaCrossoverGenome(10, 30)));
    const r = await runCli('apps/cli/backtest.ts', ['--genome', genomeFile, '--from', BTC_PERIOD.from, '--to', BTC_PERIOD.to, '--maker-fee', '0'], {
      ...env(),
      BACKTEST_TAKER_FEE: '0.0004',
      BACKTEST_MAKER_FEE: '0.0009',
      BACKTEST_INITIAL_CAPITAL: '2500',
      BACKTEST_SIZING: 'lot:0.0001',
    });
    expect(r.code, r.stderr).to.equal(0);
    const { result } = await completed(/^backtest (\S+) \(single\)/m.exec(r.stdout)![1]!);
    expect(result.settings).to.deep.equal({
      takerFee: 0.0004,
      makerFee: 0,
      slippage: 0,
      initialCapital: 2500,
      sizing: { mode: 'lot', lotSize: 0.0001 },
      barsPerYear: 8760,
      barsPerYearSource: 'derived',
    });
  });

  it('CLI: a setting flag out of range exits 2 naming the flag', async () => {
    const args = ['--strategy', '00000000-0000-4000-8000-000000000000', '--from', BTC_PERIOD.from, '--to', BTC_PERIOD.to];
    for (const [flag, value, message] of [
      ['--taker-fee', '0.5', '--taker-fee: must be a fee rate in [0, 0.1), got "0.5"'],
      ['--maker-fee=-0.001', '', '--maker-fee: must be a fee rate in [0, 0.1), got "-0.001"'],
      ['--slippage', 'abc', '--slippage: must be a slippage in [0, 0.1), got "abc"'],
      ['--capital', '0', '--capital: must be a capital in (0, 1000000000000], got "0"'],
      ['--bars-per-year', '1e9', '--bars-per-year: must be bars per year in (0, 100000000], got "1e9"'],
      ['--capital', '-5', "Option '--capital' argument is ambiguous"],
      ['--sizing', 'lot:0', '--sizing: the lot size must be in (0, 1000000], got "0"'],
      ['--sizing', 'half', '--sizing: must be fractional, whole or lot:<size>'],
    ] as const) {
      const r = await cli('apps/cli/backtest.ts', ...args, ...(value === '' ? [flag] : [flag, value]));
      expect(r.code, `${flag} ${value}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.contain(message);
    }
  });
});
