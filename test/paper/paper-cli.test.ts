// `npm run paper` end to end over a PostgreSQL of its own with real BTCUSDT 1h candles from ../shared/data: the CLI
// replays a paper session through the production path (order streams, the risk gate under RISK_* limits) and, with
// --compare, finds it identical to the backtest engine over the same weeks; the session's record (paper-<id>) holds
// the settings the flags gave and the configuration's (BACKTEST_*) for the rest, the risk limits from RISK_*, and a
// summary equal to what was printed; bad input exits 2 naming the flag and stores nothing.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventStore } from '../../application/ports/event-store.js';
import { orderStream } from '../../domain/execution/events.js';
import { paperSessionStream } from '../../domain/paper/events.js';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { runCli, type CliRun } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { sharedDataFile } from '../support/shared-data.js';

const FROM = '2023-01-01T00:00:00.000Z';
const TO = '2023-02-12T00:00:00.000Z';
/** Limits these runs never come near: the paper session must equal the backtest. */
const LOOSE_RISK = {
  RISK_MAX_POSITION_NOTIONAL: '1000000000',
  RISK_MAX_SYMBOL_EXPOSURE: '10',
  RISK_MAX_PORTFOLIO_EXPOSURE: '10',
  RISK_MAX_OPEN_POSITIONS: '10',
  RISK_DAILY_LOSS_LIMIT: '0.99',
  RISK_MAX_DRAWDOWN: '0.99',
};

// Fast/slow EMA cross, long and short, with a stop, a target and a trailing stop: every kind of exit in a few weeks.
const genome = {
  strategyType: 'momentum',
  direction: 'long_short',
  indicators: [
    { id: 'fast', name: 'ema', params: { period: 12 } },
    { id: 'slow', name: 'ema', params: { period: 48 } },
  ],
  entry: { mode: 'all', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_above', right: { indicator: 'slow' } }] },
  exit: { mode: 'any', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_below', right: { indicator: 'slow' } }] },
  exitRules: { stopLoss: 0.015, takeProfit: 0.04, trailingStop: 0.03 },
  risk: { positionSize: 1, riskPerTrade: 0.02 },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  lineage: { generation: 0, parentIds: [], origin: 'manual' },
};

describe('npm run paper (CLI) over real BTCUSDT 1h', function () {
  this.timeout(300_000);
  let db: TestDatabase;
  let store: EventStore;
  let genomeFile: string;
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    AMQP_URL: '',
    LOG_LEVEL: 'silent',
    MARKET_DATA_SOURCE: 'none',
    ...LOOSE_RISK,
    ...extra,
  });
  const paper = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliRun> => runCli('apps/cli/paper.ts', args, env(extra));
  const sessionOf = (r: CliRun) => /^paper session (\S+) /m.exec(r.stdout)?.[1];

  before(async () => {
    db = await freshDatabase('paper_cli');
    const candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    try {
      for await (const r of importCandleFiles(candles, [sharedDataFile('binance_BTCUSDT_1h.csv.gz')])) expect(r.error, r.file).to.equal(undefined);
    } finally {
      await candles.close();
    }
    store = checkedPostgresStore({ connectionString: db.url });
    const dir = mkdtempSync(path.join(tmpdir(), 'paper-cli-'));
    genomeFile = path.join(dir, 'genome.json');
    writeFileSync(genomeFile, JSON.stringify(genome));
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it('--compare: six weeks replayed through the production path are identical to the backtest; the order streams are there', async () => {
    const r = await paper(['--genome', genomeFile, '--from', FROM, '--to', TO, '--compare']);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    const verdict = /^compare (\S+): identical to the backtest \((\d+) trades, equity at (\d+) closes\)$/m.exec(r.stdout);
    expect(verdict, r.stdout).to.not.equal(null);
    expect(Number(verdict![2])).to.be.greaterThan(5);
    expect(Number(verdict![3])).to.equal(42 * 24); // every hourly close of [Jan 1, Feb 12)
    const id = sessionOf(r)!;
    // The runner's first order is on its stream (order-p<12 hex of the session>-1), placed then filled.
    const first = await store.readStream(orderStream(`p${id.replace(/-/g, '').slice(0, 12)}-1`));
    expect(first.map((e) => e.type)).to.include.members(['OrderPlaced', 'OrderFilled']);
  });

  it('records the session: the settings the flags give, the configuration for the rest, the RISK_* limits, the printed summary', async () => {
    const r = await paper(
      [
        '--genome',
        genomeFile,
        '--from',
        FROM,
        '--to',
        TO,
        '--taker-fee',
        '0',
        '--maker-fee',
        '0',
        '--capital',
        '100000',
        '--sizing',
        'whole',
        '--account',
        'paper-flags',
        '--compare',
      ],
      { BACKTEST_SLIPPAGE: '0.0003', BACKTEST_TAKER_FEE: '0.002' },
    );
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.match(/^compare paper-flags: identical to the backtest/m);
    const events = await store.readStream(paperSessionStream(sessionOf(r)!));
    expect(events.map((e) => e.type)).to.deep.equal(['PaperSessionStarted', 'PaperSessionStopped']);
    const started = events[0]!.data as Record<string, unknown>;
    expect(started['settings']).to.deep.equal({ takerFee: 0, makerFee: 0, slippage: 0.0003, initialCapital: 100_000, sizing: { mode: 'whole' } });
    expect(started['riskLimits']).to.deep.equal({
      maxPositionNotional: 1e9,
      maxSymbolExposure: 10,
      maxPortfolioExposure: 10,
      maxOpenPositions: 10,
      dailyLossLimit: 0.99,
      maxDrawdown: 0.99,
    });
    expect(started).to.deep.include({
      interval: '1h',
      exchange: 'binance',
      startedBy: 'system:cli',
      window: { kind: 'replay', from: Date.parse(FROM), to: Date.parse(TO) },
    });
    expect(started['accounts']).to.deep.equal([{ account: 'paper-flags', symbol: 'BTCUSDT', genome }]);
    const stopped = events[1]!.data as { reason: string; candles: number; failures: number; accounts: Record<string, number | string>[] };
    expect(stopped).to.deep.include({ reason: 'end_of_data', candles: 42 * 24, failures: 0 });
    const s = stopped.accounts[0]!;
    const printed = /^account paper-flags BTCUSDT: (\d+) trades, final equity ([\d.]+), return (-?[\d.]+)%, orders placed (\d+), refused 0, rejected 0$/m.exec(
      r.stdout,
    );
    expect(printed, r.stdout).to.not.equal(null);
    expect(s).to.deep.include({ account: 'paper-flags', symbol: 'BTCUSDT', trades: Number(printed![1]), ordersPlaced: Number(printed![4]), ordersRefused: 0 });
    expect((s['finalEquity'] as number).toFixed(2)).to.equal(printed![2]);
    expect(s['totalReturn']).to.be.closeTo((s['finalEquity'] as number) / 100_000 - 1, 1e-12);
    expect(s['trades']).to.be.greaterThan(0);
  });

  it('with the configured default limits (one position at most 25% of equity) the entries are refused, and --compare says where it differs', async () => {
    const r = await runCli('apps/cli/paper.ts', ['--genome', genomeFile, '--from', FROM, '--to', TO, '--compare'], {
      DATABASE_URL: db.url,
      AMQP_URL: '',
      LOG_LEVEL: 'silent',
      MARKET_DATA_SOURCE: 'none',
    });
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.match(/: 0 trades, final equity 10000\.00, return 0\.00%, orders placed [1-9]\d*, refused [1-9]\d*, rejected 0$/m);
    expect(r.stdout).to.match(/^compare \S+: differs from the backtest: trade count: backtest \d+, paper 0$/m);
  });

  it('bad input exits 2 naming the flag, and stores nothing', async () => {
    const before = (await store.readAll()).length;
    const base = ['--genome', genomeFile, '--from', FROM, '--to', TO];
    for (const [args, message] of [
      [[...base, '--taker-fee', '0.5'], '--taker-fee: must be a fee rate in [0, 0.1), got "0.5"'],
      [[...base, '--capital', '0'], '--capital: must be a capital in (0, 1000000000000], got "0"'],
      [[...base, '--sizing', 'half'], '--sizing: must be fractional, whole or lot:<size>'],
      [[...base, '--interval', '2h'], '--interval: one of'],
      [[...base, '--account', 'my account'], '--account: 1 to 64 letters'],
      [[...base, '--symbols', 'GOOG'], '--symbols: '],
      [[...base, '--colour', 'red'], "Unknown option '--colour'"],
      [['--genome', genomeFile, '--from', '2019-01-01', '--to', '2019-02-01'], '--from/--to: no stored binance BTCUSDT 1h candles'],
      [['--genome', genomeFile, '--from', TO, '--to', FROM], '--from/--to: need two times'],
      [['--strategy', '00000000-0000-4000-8000-000000000000', '--from', FROM, '--to', TO], '--strategy: no strategy 00000000-0000-4000-8000-000000000000'],
      [['--from', FROM, '--to', TO], '--strategy or --genome'],
    ] as const) {
      const r = await paper(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, args.join(' ')).to.contain(message);
    }
    expect((await store.readAll()).length, 'nothing stored').to.equal(before);
  });
});
