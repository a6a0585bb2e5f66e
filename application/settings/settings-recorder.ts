// The settings' command side: a change goes through the one command handler (application/commands/handle-command.ts)
// with the settings decider; readers (the daily cycle, the activation policy, `npm run settings -- show`) fold the
// `settings` stream into every setting's value now (defaults where never set).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { SettingsCommand } from '../../domain/settings/commands.js';
import { settingsDecider, type SettingsError } from '../../domain/settings/decide.js';
import type { SettingValues } from '../../domain/settings/definitions.js';
import { SETTINGS_STREAM, type SettingsEvent } from '../../domain/settings/events.js';
import { settingValues, type SettingsState } from '../../domain/settings/state.js';
import { handleCommand, loadStream, type CommandDeps, type CommandError, type Handled } from '../commands/handle-command.js';
import type { EventDecodeFailed } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';

export const changeSetting =
  (deps: CommandDeps) =>
  (command: SettingsCommand): Promise<Either<CommandError<SettingsError>, Handled<SettingsState>>> =>
    handleCommand(deps, settingsDecider, SETTINGS_STREAM, command, { actor: command.data.decidedBy });

export const loadSettingsState = async (store: EventStore): Promise<Either<EventDecodeFailed, SettingsState>> => {
  const loaded = await loadStream<SettingsEvent, SettingsState>(store, SETTINGS_STREAM, settingsDecider);
  return either.isLeft(loaded) ? loaded : either.right(loaded.right.state);
};

/** Every setting's value now; a stream that does not decode is a failure, never silently the defaults. */
export const loadSettings = async (store: EventStore): Promise<Either<EventDecodeFailed, SettingValues>> => {
  const state = await loadSettingsState(store);
  return either.isLeft(state) ? state : either.right(settingValues(state.right));
};
