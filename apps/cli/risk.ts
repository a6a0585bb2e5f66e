// `npm run risk -- <status | limits | kill | release>`: the operator's hand on an account's risk (doc/risk.md).
//   status  <account>                                  the limits in force (the stream's, else configuration's) and the engaged kill switches
//   limits  <account> --reason "…" [--max-position-notional N] [--max-symbol-exposure X] [--max-portfolio-exposure X]
//           [--max-open-positions N] [--daily-loss-limit F] [--max-drawdown F]    change some limits, the rest kept
//   kill    <account> --reason "…"                     engage the manual kill switch: positions closed, no new orders
//   release <account> <manual|max_drawdown|daily_loss_limit> --reason "…"   release a kill switch
// `--operator <name>` says who (default: this machine's user name). Every decision is an event on `risk-<account>`,
// through the risk decider; a running session's gate applies it. Exit 2 on wrong arguments, 1 when refused.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { loadRiskState, recordRiskCommand } from '../../application/trading/risk-recorder.js';
import { Actor, IdString, Reason } from '../../domain/primitives/codecs.js';
import { KillSwitchTrigger } from '../../domain/risk/events.js';
import { RiskLimits } from '../../domain/risk/limits.js';
import { formatFieldErrors, fieldErrors } from '../../domain/primitives/decode-errors.js';
import type { EpochMs } from '../../domain/primitives/codecs.js';
import { configOrExit, openPlatform } from '../platform.js';
import { describeFailure } from '../failure.js';
import { runCommand } from './run-command.js';

const USAGE = `usage: npm run risk -- status <account>
       npm run risk -- limits <account> --reason "<why>" [--max-position-notional N] [--max-symbol-exposure X]
                      [--max-portfolio-exposure X] [--max-open-positions N] [--daily-loss-limit F] [--max-drawdown F]
       npm run risk -- kill <account> --reason "<why>"
       npm run risk -- release <account> <manual|max_drawdown|daily_loss_limit> --reason "<why>"
       (each takes [--operator <name>])`;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

/** Flag → the RiskLimits field it sets. */
const LIMIT_FLAGS = {
  'max-position-notional': 'maxPositionNotional',
  'max-symbol-exposure': 'maxSymbolExposure',
  'max-portfolio-exposure': 'maxPortfolioExposure',
  'max-open-positions': 'maxOpenPositions',
  'daily-loss-limit': 'dailyLossLimit',
  'max-drawdown': 'maxDrawdown',
} as const satisfies Record<string, keyof RiskLimits>;
type LimitFlag = keyof typeof LIMIT_FLAGS;

const parsed = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        reason: { type: 'string' },
        operator: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...(Object.fromEntries(Object.keys(LIMIT_FLAGS).map((f) => [f, { type: 'string' }])) as Record<LimitFlag, { type: 'string' }>),
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
})();
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [verb, account, trigger, ...extra] = parsed.positionals;
if (verb === undefined) usage('say what to do: status, limits, kill or release');
if (!['status', 'limits', 'kill', 'release'].includes(verb!)) usage(`unknown command "${verb}"`);
if (account === undefined || !IdString.is(account)) usage(`${verb}: name the account (1 to 200 characters), e.g. paper-main`);
if (extra.length > 0 || (trigger !== undefined && verb !== 'release')) usage(`unexpected arguments: ${[trigger, ...extra].filter(Boolean).join(' ')}`);
const limitFlags = (Object.keys(LIMIT_FLAGS) as LimitFlag[]).filter((f) => parsed.values[f] !== undefined);
if (verb !== 'limits' && limitFlags.length > 0) usage(`--${limitFlags[0]} belongs to the limits command`);
if (verb === 'limits' && limitFlags.length === 0) usage('limits: give at least one limit to change, e.g. --max-drawdown 0.15');
if (verb === 'release' && !KillSwitchTrigger.is(trigger))
  usage(`release: which kill switch — manual, max_drawdown or daily_loss_limit — not "${trigger ?? ''}"`);

const reason = (): Reason => {
  const r = parsed.values.reason;
  return r !== undefined && Reason.is(r) ? r : usage('--reason "<why>" is required (1 to 2000 characters)');
};
const operator = (() => {
  const name = parsed.values.operator ?? userInfo().username;
  const actor = `operator:${name}`;
  return Actor.is(actor) ? actor : usage(`--operator: "${name}" is not a name (letters, digits, . _ @ -; at most 100)`);
})();
/** A flag's number, or a message naming the flag. */
const flagNumber = (flag: LimitFlag): number => {
  const s = parsed.values[flag]!;
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) ? Number(s) : NaN;
  return Number.isFinite(n) ? n : usage(`--${flag}: expected a number, got "${s}"`);
};
const changes = Object.fromEntries(limitFlags.map((f) => [LIMIT_FLAGS[f], flagNumber(f)]));
const why = verb === 'status' ? undefined : reason();

await runCommand('risk', async () => {
  const config = configOrExit();
  const platform = await openPlatform(config, 'risk', { role: 'command' });
  const deps = { store: platform.store, clock: platform.clock, ids: platform.ids };
  const print = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const state = await loadRiskState(deps, account!);
    if (either.isLeft(state)) throw new Error(`risk-${account} cannot be read: ${describeFailure(state.left)}`);
    const inForce = state.right.limits ?? config.risk.limits;
    const now = platform.clock.now().getTime() as EpochMs;
    if (verb === 'status') {
      print(`account ${account}: limits ${state.right.limits ? 'set on its risk stream' : 'from configuration (RISK_* defaults)'}`);
      for (const [k, v] of Object.entries(inForce)) print(`  ${k.padEnd(22)} ${v}`);
      const engaged = Object.values(state.right.engaged);
      if (engaged.length === 0) print('no kill switch engaged');
      for (const e of engaged) print(`kill switch ${e.trigger} engaged at ${new Date(e.time).toISOString()} by ${e.decidedBy}: ${e.reason}`);
      print(`orders refused so far: ${state.right.refusals}`);
      return 0;
    }
    const command =
      verb === 'limits'
        ? (() => {
            const limits = RiskLimits.decode({ ...inForce, ...changes });
            if (either.isLeft(limits)) usage(`limits: ${formatFieldErrors(fieldErrors(limits.left))}`);
            return {
              type: 'SetRiskLimits' as const,
              account: account!,
              data: { decidedBy: operator, reason: why!, limits: (limits as { right: RiskLimits }).right },
            };
          })()
        : verb === 'kill'
          ? {
              type: 'EngageKillSwitch' as const,
              account: account!,
              // The positions are the running session's to find: its gate closes whatever it holds when it applies this.
              data: { account: account!, trigger: 'manual' as const, time: now, decidedBy: operator, reason: why!, positionsToClose: [] },
            }
          : {
              type: 'ReleaseKillSwitch' as const,
              account: account!,
              data: { decidedBy: operator, reason: why!, trigger: trigger as KillSwitchTrigger, time: now },
            };
    const done = await recordRiskCommand(deps)(command);
    if (either.isLeft(done)) {
      process.stderr.write(`refused: ${describeFailure(done.left)}\n`);
      return 1;
    }
    print(`recorded on risk-${account}: ${done.right.events.map((e) => e.type).join(', ') || 'nothing new (already so)'}`);
    return 0;
  } finally {
    await platform.close();
  }
});
