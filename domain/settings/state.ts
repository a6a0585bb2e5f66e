// The settings' state, folded from the `settings` stream: the value each setting was last set to (a setting never
// set is absent: its default applies).
import { DEFAULT_SETTINGS, type SettingName, type SettingValues } from './definitions.js';
import type { SettingsEvent } from './events.js';

export interface SettingsState {
  readonly set: Readonly<Partial<Record<SettingName, number>>>;
}

export const initialSettingsState = (): SettingsState => ({ set: {} });

export const evolveSettings = (state: SettingsState, event: SettingsEvent): SettingsState => {
  switch (event.type) {
    case 'SettingChanged':
      return { set: { ...state.set, [event.data.name]: event.data.value } };
    default: {
      const unknown: never = event.type;
      throw new Error(`evolveSettings: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

/** Every setting's value now: as set on the stream, else its default. */
export const settingValues = (state: SettingsState): SettingValues => ({ ...DEFAULT_SETTINGS, ...state.set });
