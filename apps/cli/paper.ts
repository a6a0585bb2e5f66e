// `npm run paper -- --strategy <id> | --genome <file.json> --from <ISO> --to <ISO> [--symbols A,B] [--interval 1h]
//    [--exchange binance] [--account <name>] [--compare] [settings flags: --taker-fee … --sizing]`
// Replays a paper session over the stored candles of [from, to) through the production path — the strategy runner,
// the executor writing each order's order-<id> stream, the account's risk gate under the configured RISK_* limits (or
// the account's own, on risk-<account>), the paper exchange — and records it on paper-<sessionId> (PaperSessionStarted
// with the resolved run settings, PaperSessionStopped with each account's summary). Prints the summary; with
// --compare, runs the backtest engine over the same window and says whether trades and equity are identical (the first
// difference if not). The run settings default to the configuration (BACKTEST_*); each flag overrides one
// (doc/settings.md). Exit 2 on bad input, naming the flag; nothing is recorded then.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { runPaperReplay } from '../../application/trading/paper-run.js';
import { backtestOfAccount, firstDifference, paperOfAccount } from '../../application/trading/paper-compare.js';
import { loadStrategy } from '../../application/strategy/handle-strategy-command.js';
import { formatSizing, resolveRunSettings } from '../../domain/execution/run-settings.js';
import { ExchangeId } from '../../domain/market/exchange.js';
import { symbolProblems } from '../../domain/market/market-symbol.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { Genome, Timeframe } from '../../domain/strategy/genome.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { describeFailure } from '../failure.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { SERIES_FLAG_OPTIONS, SETTINGS_FLAG_OPTIONS, SETTINGS_FLAGS_USAGE, settingOverridesOf } from './settings-flags.js';

const USAGE =
  'usage: npm run paper -- --strategy <id> | --genome <file.json> --from <ISO> --to <ISO> [--symbols A,B] [--interval 1h] ' +
  `[--exchange binance] [--account <name>] [--compare] ${SETTINGS_FLAGS_USAGE}`;

const fail = (msg: string): never => {
  console.error(msg);
  process.exit(2);
};

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        ...SERIES_FLAG_OPTIONS,
        account: { type: 'string' },
        compare: { type: 'boolean' },
        ...SETTINGS_FLAG_OPTIONS,
      },
    });
  } catch (err) {
    // A flag without its value, or one this command does not know: say which.
    return fail(`${(err as Error).message.split('\n')[0]}\n${USAGE}`);
  }
})();

if ((values.strategy === undefined) === (values.genome === undefined)) fail(`--strategy or --genome: give exactly one\n${USAGE}`);
if (values.from === undefined || values.to === undefined) fail(`--from and --to are required\n${USAGE}`);
const from = Date.parse(values.from!);
const to = Date.parse(values.to!);
if (Number.isNaN(from) || Number.isNaN(to) || !(from < to))
  fail(`--from/--to: need two times, the first before the second (got "${values.from}", "${values.to}")`);
if (values.interval !== undefined && !Timeframe.is(values.interval)) fail(`--interval: one of 1m, 5m, 15m, 1h, 4h, 1d, not "${values.interval}"`);
if (values.exchange !== undefined && !ExchangeId.is(values.exchange)) fail(`--exchange: an exchange id such as binance or nasdaq, not "${values.exchange}"`);
// The account names risk-<account> and the venue's book: letters, digits, `_`, `-`.
if (values.account !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.account)) fail(`--account: 1 to 64 letters, digits, _ or -, not "${values.account}"`);
const overrides = (() => {
  const parsed = settingOverridesOf(values);
  return either.isRight(parsed) ? parsed.right : fail(parsed.left);
})();
const fileGenome = (() => {
  if (values.genome === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(values.genome, 'utf8'));
  } catch (err) {
    return fail(`--genome: cannot read ${values.genome}: ${(err as Error).message}`);
  }
  const decoded = Genome.decode(json);
  return either.isRight(decoded) ? decoded.right : fail(`--genome: ${values.genome} is not a valid genome: ${formatFieldErrors(fieldErrors(decoded.left))}`);
})();

await runCommand('paper', async () => {
  const platform = await openPlatform(configOrExit(), 'paper', { role: 'command' });
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl });
  const refuse = (msg: string): number => {
    console.error(msg);
    return 2;
  };
  try {
    let genome: Genome;
    if (fileGenome !== undefined) genome = fileGenome;
    else {
      const loaded = await loadStrategy(platform.store, values.strategy!);
      const generated = either.isRight(loaded) ? loaded.right.events.find((e) => e.type === 'StrategyGenerated') : undefined;
      if (generated?.type !== 'StrategyGenerated') return refuse(`--strategy: no strategy ${values.strategy}`);
      genome = generated.data.genome;
    }
    const symbols = values.symbols ? values.symbols.split(',').map((s) => s.trim().toUpperCase()) : [...genome.symbols];
    const interval = (values.interval as Genome['timeframe'] | undefined) ?? genome.timeframe;
    const checked = Genome.decode({ ...genome, symbols, timeframe: interval });
    if (either.isLeft(checked)) return refuse(`--symbols/--interval: ${formatFieldErrors(fieldErrors(checked.left))}`);
    const exchange = (values.exchange ?? platform.config.marketData.exchange) as ExchangeId;
    // A symbol's format is its exchange's: GOOG on nasdaq, BTCUSDT on binance.
    const misspelt = symbolProblems(symbols, exchange, 'symbols');
    if (misspelt.length > 0) return refuse(`--symbols: ${misspelt.map((p) => p.message).join('; ')}`);

    const sessionId = platform.ids.newId();
    const settings = resolveRunSettings(platform.config.runSettings, overrides);
    const outcome = await runPaperReplay(
      {
        store: platform.store,
        clock: platform.clock,
        ids: platform.ids,
        candles,
        venue: (o) => new PaperExchange(o),
        replayClock: fixedClock(new Date(from)),
      },
      {
        sessionId,
        account: values.account ?? `paper-${sessionId.slice(0, 8)}`,
        ...(values.strategy === undefined ? {} : { strategyId: values.strategy }),
        genome: checked.right,
        exchange,
        window: { from, to },
        settings,
        riskLimits: platform.config.risk.limits,
        actor: 'system:cli' as Actor,
      },
    );
    if (either.isLeft(outcome)) {
      const e = outcome.left;
      if (e.kind === 'no_candles') return refuse(`--from/--to: ${e.message}`);
      if (e.kind === 'operand_data_missing') return refuse(e.message);
      console.error(`paper failed: ${describeFailure(e.kind === 'not_recorded' ? e.error : e)}`);
      return 1;
    }
    const o = outcome.right;
    console.log(
      `paper session ${o.sessionId} (stream ${o.streamName}): ${symbols.join(', ')} ${interval} on ${exchange}, ` +
        `${new Date(from).toISOString()} → ${new Date(to).toISOString()}, ${o.candles} candles`,
    );
    console.log(
      `settings: taker fee ${settings.takerFee}, maker fee ${settings.makerFee}, slippage ${settings.slippage}, capital ${settings.initialCapital}, ` +
        `sizing ${formatSizing(settings.sizing)}`,
    );
    for (const a of o.accounts) {
      const s = a.summary;
      console.log(
        `account ${s.account} ${s.symbol}: ${s.trades} trades, final equity ${s.finalEquity.toFixed(2)}, return ${(s.totalReturn * 100).toFixed(2)}%, ` +
          `orders placed ${s.ordersPlaced}, refused ${s.ordersRefused}, rejected ${s.ordersRejected}`,
      );
    }
    if (o.failures.length > 0) {
      console.error(`${o.failures.length} recordings failed, first: ${o.failures[0]!.what}: ${describeFailure(o.failures[0]!.error)}`);
      process.exitCode = 1;
    }
    if (values.compare)
      for (const a of o.accounts) {
        const backtest = backtestOfAccount(a, settings);
        const diff = firstDifference(backtest, paperOfAccount(a));
        console.log(
          diff === undefined
            ? `compare ${a.summary.account}: identical to the backtest (${backtest.trades.length} trades, equity at ${backtest.equity.length} closes)`
            : `compare ${a.summary.account}: differs from the backtest: ${diff}`,
        );
      }
    return undefined;
  } finally {
    await candles.close();
    await platform.close();
  }
});
