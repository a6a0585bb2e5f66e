// `npm run operator -- <command> <strategyId> --actor operator:<name> --reason "<why>"`: an operator's override of
// the autonomous pipeline (doc/operator.md), through the same strategy decider, events and audit as the automation.
//   start-paper  Filtered(passed) → Paper
//   activate     Paper → Live, weighed by the activation policy with this strategy forced in (at the maximum the
//                lowest-ranked unpinned live strategy is deactivated to make room); the decision is recorded
//   deactivate   Live → Paper
//   retire       any state but Retired → Retired
//   pin / unpin  the automation neither deactivates nor retires a pinned strategy
// Settings (maxActiveStrategies, monitor.* …) are `npm run settings -- set`, the kill switch `npm run risk -- kill`.
// Exit 2 on wrong arguments, an unknown strategy or a retired one; 1 when the decider refuses.
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { activateManually } from '../../application/pipeline/activation-step.js';
import { handleStrategyCommand, loadStrategy } from '../../application/strategy/handle-strategy-command.js';
import { Actor, Reason, Uuid } from '../../domain/primitives/codecs.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { describeState } from '../../domain/strategy/state.js';
import { latestCycleRegime, listRanking } from '../../projections/ranking/queries.js';
import { describeFailure } from '../failure.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';

const COMMANDS = {
  'start-paper': 'StartPaperTrading',
  activate: 'ActivateStrategy',
  deactivate: 'DeactivateStrategy',
  retire: 'RetireStrategy',
  pin: 'PinStrategy',
  unpin: 'UnpinStrategy',
} as const satisfies Record<string, StrategyCommand['type']>;
type CommandName = keyof typeof COMMANDS;
const NAMES = Object.keys(COMMANDS) as CommandName[];

const USAGE = `usage: npm run operator -- <command> <strategyId> --actor operator:<name> --reason "<why>"
       commands: ${NAMES.join(', ')}
       a setting (maxActiveStrategies, activation.minIntervalHours, activation.replacementMargin, monitor.* …):
                 npm run settings -- set <name> <value> --reason "<why>" [--operator <name>]
       the kill switch of an account (a strategy's live account is live-<strategyId>):
                 npm run risk -- kill <account> --reason "<why>" [--operator <name>]
       the ranking and the audit: GET /api/ranking, GET /api/audit/activations?strategyId=<id>`;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { actor: { type: 'string' }, reason: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usage((err as Error).message);
  }
})();
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [verb, id, ...extra] = parsed.positionals;
if (verb === undefined) usage('say what to do');
if (!NAMES.includes(verb as CommandName)) usage(`unknown command "${verb}" (the commands are ${NAMES.join(', ')})`);
if (id === undefined) usage(`${verb}: name the strategy (its id)`);
if (extra.length > 0) usage(`unexpected arguments: ${extra.join(' ')}`);
if (!Uuid.is(id)) usage(`${verb}: "${id}" is not a strategy id (a UUID)`);
const actor: Actor =
  Actor.is(parsed.values.actor) && parsed.values.actor.startsWith('operator:')
    ? parsed.values.actor
    : usage('--actor operator:<name> is required (letters, digits, . _ @ -; at most 100)');
const reason: Reason = Reason.is(parsed.values.reason) ? parsed.values.reason : usage('--reason "<why>" is required (1 to 2000 characters)');
const name = verb as CommandName;
const strategyId = id as Uuid;

await runCommand('operator', async () => {
  const config = configOrExit();
  const platform = await openPlatform(config, 'operator', { role: 'command' });
  const print = (s: string) => process.stdout.write(`${s}\n`);
  const fail = (code: number, s: string) => {
    process.stderr.write(`${s}\n`);
    return code;
  };
  try {
    const loaded = await loadStrategy(platform.store, strategyId);
    if (either.isLeft(loaded)) return fail(1, `strategy ${strategyId} cannot be read: ${describeFailure(loaded.left)}`);
    if (loaded.right.revision === undefined) return fail(2, `${name}: no strategy ${strategyId}`);
    if (loaded.right.state.status === 'Retired') return fail(2, `${name}: strategy ${strategyId} is retired`);
    const deps = { store: platform.store, clock: platform.clock, ids: platform.ids };
    if (name === 'activate') {
      const done = await activateManually(
        { ...deps, ranking: { list: () => listRanking(platform.pool) }, currentRegime: () => latestCycleRegime(platform.pool) },
        strategyId,
        actor,
        reason,
      );
      if (either.isLeft(done)) return fail(1, `refused: ${done.left}`);
      const own = done.right.decision.weighed.find((w) => w.strategyId === strategyId)!;
      print(`activated ${strategyId} (score ${own.score.toFixed(4)}, weighed against ${done.right.decision.weighed.length - 1} others)`);
      for (const d of done.right.deactivated) print(`deactivated ${d} to stay within maxActiveStrategies ${done.right.decision.settings.maxActiveStrategies}`);
      return 0;
    }
    const command = { type: COMMANDS[name], strategyId, data: { decidedBy: actor, reason } } as StrategyCommand;
    const done = await handleStrategyCommand(deps, command, { actor });
    if (either.isLeft(done)) {
      const e = done.left;
      return fail(1, `refused: ${'message' in e && typeof e.message === 'string' ? e.message : describeFailure(e)}`);
    }
    print(`${name} ${strategyId}: now ${done.right.state} (was ${describeState(loaded.right.state)})`);
    return 0;
  } finally {
    await platform.close();
  }
});
