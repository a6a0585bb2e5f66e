// What can be asked of the settings: an operator changes one, with a reason. The name and value arrive as given
// (CLI, HTTP); decide() holds them to the table (definitions.ts) and refuses naming the setting and its range.
import * as t from 'io-ts';
import { Actor, Finite, Name, Reason } from '../primitives/codecs.js';

export const SettingsCommandData = {
  ChangeSetting: t.type({ name: Name, value: Finite, decidedBy: Actor, reason: Reason }),
} as const;

export type SettingsCommandType = keyof typeof SettingsCommandData;
export type SettingsCommandOf<K extends SettingsCommandType> = {
  readonly type: K;
  readonly data: t.TypeOf<(typeof SettingsCommandData)[K]>;
};
export type SettingsCommand = { [K in SettingsCommandType]: SettingsCommandOf<K> }[SettingsCommandType];
export const SETTINGS_COMMAND_TYPES = Object.keys(SettingsCommandData) as SettingsCommandType[];
