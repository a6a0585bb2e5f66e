// `npm run quarantine -- <list | show | add | lift>`: the operator's way past an event that no longer decodes.
//   list                                   the events quarantined now
//   show <stream>@<revision>               one event as stored, and why it does not decode (if it does not)
//   add <stream>@<revision> --reason "…"   quarantine it: every projection passes over it, live and on replay
//   lift <eventId> --reason "…"            lift a quarantine (then `npm run replay -- <projection>` to take it in)
// `--operator <name>` says who (default: this machine's user name). The decision is an event on stream `quarantine`;
// the quarantined event itself stays in the log untouched. Exit 2 on wrong arguments, 1 when refused.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { inspectEvent, liftQuarantine, loadQuarantine, quarantineEvent } from '../../application/quarantine/quarantine.js';
import { Actor, Reason, Uuid } from '../../domain/primitives/codecs.js';
import { configOrExit, openPlatform } from '../platform.js';
import { describeFailure } from '../failure.js';
import { runCommand } from './run-command.js';

const USAGE = `usage: npm run quarantine -- list
       npm run quarantine -- show <stream>@<revision>
       npm run quarantine -- add <stream>@<revision> --reason "<why>" [--operator <name>]
       npm run quarantine -- lift <eventId> --reason "<why>" [--operator <name>]`;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { reason: { type: 'string' }, operator: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    return usage((err as Error).message);
  }
})();
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [verb, target, ...extra] = parsed.positionals;
if (verb === undefined) usage('say what to do: list, show, add or lift');
if (!['list', 'show', 'add', 'lift'].includes(verb!)) usage(`unknown command "${verb}"`);
if (extra.length > 0) usage(`unexpected arguments: ${extra.join(' ')}`);

/** `<stream>@<revision>`: the stream name may hold '@' itself, the revision is after the last one. */
const parseTarget = (s: string | undefined) => {
  const at = s?.lastIndexOf('@') ?? -1;
  if (s === undefined || at <= 0 || !/^\d{1,18}$/.test(s.slice(at + 1))) return usage(`expected <stream>@<revision>, e.g. backtest-0b6f…@0, got "${s ?? ''}"`);
  return { streamName: s.slice(0, at), revision: BigInt(s.slice(at + 1)) };
};
const needsReason = () => {
  const reason = parsed.values.reason;
  if (reason === undefined || !Reason.is(reason)) return usage('--reason "<why>" is required (1 to 2000 characters)');
  return reason;
};
const operator = (() => {
  const name = parsed.values.operator ?? userInfo().username;
  const actor = `operator:${name}`;
  return Actor.is(actor) ? actor : usage(`--operator: "${name}" is not a name (letters, digits, . _ @ -; at most 100)`);
})();

const args =
  verb === 'show' || verb === 'add'
    ? { target: parseTarget(target), reason: verb === 'add' ? needsReason() : undefined }
    : verb === 'lift'
      ? { eventId: Uuid.is(target) ? target : usage(`lift: expected the quarantined event's id (a UUID), got "${target ?? ''}"`), reason: needsReason() }
      : target === undefined
        ? {}
        : usage(`list takes no argument, got "${target}"`);

await runCommand('quarantine', async () => {
  const platform = await openPlatform(configOrExit(), 'quarantine', { role: 'command' });
  const deps = { store: platform.store, clock: platform.clock, ids: platform.ids };
  const ctx = { actor: operator };
  const print = (s: string) => process.stdout.write(`${s}\n`);
  const describe = (e: object): string =>
    'message' in e && typeof e.message === 'string' ? e.message : JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  try {
    if (verb === 'list') {
      const q = await loadQuarantine(platform.store);
      if (q.size === 0) print('no event is quarantined');
      for (const e of q.values())
        print(
          `${e.event.streamName}@${e.event.revision} (${e.event.eventType}, event ${e.event.eventId}, position ${e.event.position.commit}/${e.event.position.prepare}): ${e.reason}`,
        );
    } else if (verb === 'show') {
      const { target: t } = args as { target: { streamName: string; revision: bigint } };
      const found = await inspectEvent(platform.store, t.streamName, t.revision);
      if (either.isLeft(found)) throw new Error(found.left.message);
      const { recorded, decodeErrors } = found.right;
      print(JSON.stringify({ eventId: recorded.eventId, type: recorded.type, data: recorded.data, metadata: recorded.metadata }, null, 2));
      print(decodeErrors.length === 0 ? 'it decodes' : `it does not decode:\n${decodeErrors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
    } else if (verb === 'add') {
      const { target: t, reason } = args as { target: { streamName: string; revision: bigint }; reason: string };
      const done = await quarantineEvent(deps, t, reason, ctx);
      if (either.isLeft(done)) throw new Error(describe(done.left));
      print(
        `quarantined ${t.streamName}@${t.revision} (event ${done.right.event.eventId}, ${done.right.event.eventType}): every projection passes over it from now on`,
      );
    } else {
      const { eventId, reason } = args as { eventId: string; reason: string };
      const done = await liftQuarantine(deps, eventId, reason, ctx);
      if (either.isLeft(done)) throw new Error(describe(done.left));
      print(`lifted the quarantine of event ${eventId}: rebuild the read models to take it in (npm run replay -- <projection>)`);
    }
  } catch (err) {
    process.stderr.write(`quarantine ${verb}: ${describeFailure(err)}\n`);
    process.exitCode = 1;
  } finally {
    await platform.close();
  }
});
