// `npm run settings -- <show | set>`: the platform's runtime settings (doc/settings.md, "Platform settings").
//   show                                                every setting's value now (set on the `settings` stream, or its default) and range
//   set <name> <value> --reason "…" [--operator <name>] change one, through the settings decider
// `--operator <name>` says who (default: this machine's user name). Each change is a SettingChanged on `settings`;
// the daily cycle reads the filter's at its start. Exit 2 on wrong arguments, 1 when refused (e.g. out of range).
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import { changeSetting, loadSettingsState } from '../../application/settings/settings-recorder.js';
import { Actor, Finite, Name, Reason } from '../../domain/primitives/codecs.js';
import { describeRange, isSettingName, SETTING_NAMES, SETTINGS } from '../../domain/settings/definitions.js';
import { settingValues } from '../../domain/settings/state.js';
import { configOrExit, openPlatform } from '../platform.js';
import { describeFailure } from '../failure.js';
import { runCommand } from './run-command.js';

const USAGE = `usage: npm run settings -- show
       npm run settings -- set <name> <value> --reason "<why>" [--operator <name>]
       settings: ${SETTING_NAMES.join(', ')}`;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { reason: { type: 'string' }, operator: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
})();
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [verb, name, raw, ...extra] = parsed.positionals;
if (verb === undefined) usage('say what to do: show or set');
if (verb !== 'show' && verb !== 'set') usage(`unknown command "${verb}"`);
if (verb === 'show' && (name !== undefined || parsed.values.reason !== undefined || parsed.values.operator !== undefined)) usage('show takes no arguments');
if (verb === 'set') {
  if (name === undefined) usage('set: name the setting');
  if (!isSettingName(name!)) usage(`set: no setting "${name}" (the settings are ${SETTING_NAMES.join(', ')})`);
  if (raw === undefined) usage(`set ${name}: give the value (${describeRange(name as keyof typeof SETTINGS)})`);
  if (extra.length > 0) usage(`unexpected arguments: ${extra.join(' ')}`);
}
/** The value as a number, or a message naming the setting (its range is the decider's to judge). */
const value = (): Finite => {
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw!.trim()) ? Number(raw) : NaN;
  return Finite.is(n) ? n : usage(`set ${name}: expected a number, got "${raw}"`);
};
const reason = (): Reason => {
  const r = parsed.values.reason;
  return r !== undefined && Reason.is(r) ? r : usage('--reason "<why>" is required (1 to 2000 characters)');
};
const operator = (): Actor => {
  const who = parsed.values.operator ?? userInfo().username;
  const actor = `operator:${who}`;
  return Actor.is(actor) ? actor : usage(`--operator: "${who}" is not a name (letters, digits, . _ @ -; at most 100)`);
};
const settingName = (): t.TypeOf<typeof Name> => (Name.is(name) ? name : usage(`set: no setting "${name}"`));
const change = verb === 'set' ? { name: settingName(), value: value(), reason: reason(), decidedBy: operator() } : undefined;

await runCommand('settings', async () => {
  const config = configOrExit();
  const platform = await openPlatform(config, 'settings', { role: 'command' });
  const print = (s: string) => process.stdout.write(`${s}\n`);
  try {
    if (change === undefined) {
      const state = await loadSettingsState(platform.store);
      if (either.isLeft(state)) throw new Error(`the settings stream cannot be read: ${describeFailure(state.left)}`);
      const values = settingValues(state.right);
      for (const n of SETTING_NAMES)
        print(
          `${n.padEnd(22)} ${String(values[n]).padEnd(6)} ${n in state.right.set ? 'set' : 'default'}  (${describeRange(n)}; default ${SETTINGS[n].default})`,
        );
      return 0;
    }
    const done = await changeSetting({ store: platform.store, clock: platform.clock, ids: platform.ids })({ type: 'ChangeSetting', data: change });
    if (either.isLeft(done)) {
      process.stderr.write(`refused: ${done.left.kind === 'SettingRefused' ? done.left.message : describeFailure(done.left)}\n`);
      return 1;
    }
    print(
      done.right.events.length === 0 ? `${change.name} is already ${change.value}: nothing recorded` : `recorded on settings: ${change.name} = ${change.value}`,
    );
    return 0;
  } finally {
    await platform.close();
  }
});
