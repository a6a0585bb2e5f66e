// The facts of the platform's settings, on the one `settings` stream: each change with its value, the value it
// replaced (the default when it had never been set), who changed it and why.
import * as t from 'io-ts';
import { Actor, Finite, Reason } from '../primitives/codecs.js';
import { SettingName } from './definitions.js';

export const SETTINGS_STREAM = 'settings';

export const SettingsEventData = {
  SettingChanged: t.type({ name: SettingName, value: Finite, previous: Finite, actor: Actor, reason: Reason }),
} as const;

export type SettingsEventType = keyof typeof SettingsEventData;
export type SettingsEventOf<K extends SettingsEventType> = {
  readonly type: K;
  readonly data: t.TypeOf<(typeof SettingsEventData)[K]>;
};
export type SettingsEvent = { [K in SettingsEventType]: SettingsEventOf<K> }[SettingsEventType];
export type SettingChanged = SettingsEventOf<'SettingChanged'>;

export const SETTINGS_EVENT_TYPES = Object.keys(SettingsEventData) as SettingsEventType[];
