// The settings' rules: only an operator changes a setting, only a known one, only to a value in its range; setting
// the value it already has records nothing. A change records the value it replaced (the default if never set).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { SettingsCommand, SettingsCommandType } from './commands.js';
import { isSettingName, outOfRange, SETTING_NAMES } from './definitions.js';
import type { SettingsEvent } from './events.js';
import type { Finite } from '../primitives/codecs.js';
import { evolveSettings, initialSettingsState, settingValues, type SettingsState } from './state.js';

export interface SettingRefused {
  readonly kind: 'SettingRefused';
  readonly command: SettingsCommandType;
  readonly code: 'NotAnOperator' | 'UnknownSetting' | 'OutOfRange';
  /** The setting named by the command, as given. */
  readonly setting: string;
  readonly message: string;
}

export type SettingsError = SettingRefused;
type Decision = Either<SettingsError, readonly SettingsEvent[]>;

const refuse = (command: SettingsCommandType, setting: string, code: SettingRefused['code'], message: string): Decision =>
  either.left({ kind: 'SettingRefused', command, code, setting, message });

export const decideSettings = (command: SettingsCommand, state: SettingsState): Decision => {
  switch (command.type) {
    case 'ChangeSetting': {
      const { name, value, decidedBy, reason } = command.data;
      if (!decidedBy.startsWith('operator:')) return refuse(command.type, name, 'NotAnOperator', `settings are changed by an operator, not ${decidedBy}`);
      if (!isSettingName(name)) return refuse(command.type, name, 'UnknownSetting', `no setting "${name}": the settings are ${SETTING_NAMES.join(', ')}`);
      const wrong = outOfRange(name, value);
      if (wrong !== undefined) return refuse(command.type, name, 'OutOfRange', wrong);
      const previous = settingValues(state)[name] as Finite;
      if (previous === value) return either.right([]);
      return either.right([{ type: 'SettingChanged', data: { name, value, previous, actor: decidedBy, reason } }]);
    }
    default: {
      const unknown: never = command.type;
      throw new Error(`decideSettings: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The settings decider as the one command handler takes it (application/commands/handle-command.ts). */
export const settingsDecider = { decide: decideSettings, evolve: evolveSettings, initialState: initialSettingsState };
