// The settings stream as specifications (given events, when a command, then events or a refusal): an operator
// changes a known setting to a value in its range, the change records the value it replaced (the default the first
// time), the same value again records nothing, and anything else is refused naming the setting and its range.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import { SettingsCommandData, type SettingsCommand } from '../../domain/settings/commands.js';
import { settingsDecider, type SettingRefused } from '../../domain/settings/decide.js';
import { DEFAULT_SETTINGS, SETTING_NAMES } from '../../domain/settings/definitions.js';
import { SettingsEventData, type SettingsEvent } from '../../domain/settings/events.js';
import { settingValues } from '../../domain/settings/state.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { spec } from '../domain/decider-spec.js';

const valid = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A => {
  const decoded = codec.decode(value);
  if (either.isLeft(decoded)) throw new Error(`invalid fixture for ${codec.name}: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  return decoded.right;
};

const change = (name: string, value: number, decidedBy = 'operator:alice'): SettingsCommand => ({
  type: 'ChangeSetting',
  data: valid(SettingsCommandData.ChangeSetting, { name, value, decidedBy, reason: 'more room' }),
});
const changed = (name: string, value: number, previous: number, actor = 'operator:alice'): SettingsEvent => ({
  type: 'SettingChanged',
  data: valid(SettingsEventData.SettingChanged, { name, value, previous, actor, reason: 'more room' }),
});
const given = spec(settingsDecider).given;
const fold = (events: readonly SettingsEvent[]) => settingValues(events.reduce(settingsDecider.evolve, settingsDecider.initialState()));

describe('settings stream (domain/settings)', () => {
  it('the defaults, as the issue states them (written out here, not read from the table)', () => {
    expect(fold([])).to.deep.equal({
      maxActiveStrategies: 2,
      'filter.minSharpe': 0.5,
      'filter.minWinRate': 0.35,
      'filter.minTotalReturn': -0.5,
      'filter.maxTotalReturn': 5,
      'filter.minTrades': 10,
      'cycle.genomes': 500,
      'cycle.budgetMinutes': 180,
      'cycle.operands': 0,
      'paper.maxStrategies': 10,
      'paper.evaluationDays': 7,
      'activation.minIntervalHours': 4,
      'activation.replacementMargin': 0.05,
      'monitor.drawdownMultiple': 2,
      'monitor.windowDays': 7,
      'monitor.minSharpe': 0,
      'monitor.maxPaperDivergence': 0.05,
      'monitor.maxBreaches': 2,
    });
  });

  it('a first change records the default it replaced', () => {
    given([])
      .when(change('maxActiveStrategies', 3))
      .then([changed('maxActiveStrategies', 3, 2)]);
  });

  it('a later change records the value set before', () => {
    given([changed('filter.minWinRate', 0.4, 0.35)])
      .when(change('filter.minWinRate', 0.45))
      .then([changed('filter.minWinRate', 0.45, 0.4)]);
  });

  it('the value it already has records nothing (the default, or the value set)', () => {
    given([]).when(change('filter.minTrades', 10)).thenNothingHappened();
    given([changed('maxActiveStrategies', 5, 2)])
      .when(change('maxActiveStrategies', 5))
      .thenNothingHappened();
  });

  it('the range ends are accepted', () => {
    given([])
      .when(change('maxActiveStrategies', 1))
      .then([changed('maxActiveStrategies', 1, 2)]);
    given([])
      .when(change('maxActiveStrategies', 10))
      .then([changed('maxActiveStrategies', 10, 2)]);
  });

  it('maxActiveStrategies of 0, 11, 50 or 2.5 is refused naming the setting and the range 1–10', () => {
    for (const value of [0, 11, 50, 2.5])
      given([])
        .when(change('maxActiveStrategies', value))
        .thenFails((e: SettingRefused) => {
          expect(e).to.deep.include({ kind: 'SettingRefused', code: 'OutOfRange', setting: 'maxActiveStrategies' });
          expect(e.message).to.equal(`maxActiveStrategies must be an integer from 1 to 10, not ${value}`);
        });
  });

  it('a win rate above 1 or a negative trade count is refused naming its range', () => {
    given([])
      .when(change('filter.minWinRate', 1.5))
      .thenFails((e: SettingRefused) => expect(e.message).to.equal('filter.minWinRate must be a number from 0 to 1, not 1.5'));
    given([])
      .when(change('filter.minTrades', -1))
      .thenFails((e: SettingRefused) => expect(e.message).to.match(/^filter\.minTrades must be an integer from 0 to /));
  });

  it('activation.replacementMargin takes 0 to 0.5; −0.1 or 0.9 is refused naming the setting and the range', () => {
    given([])
      .when(change('activation.replacementMargin', 0.1))
      .then([changed('activation.replacementMargin', 0.1, 0.05)]);
    given([])
      .when(change('activation.replacementMargin', 0))
      .then([changed('activation.replacementMargin', 0, 0.05)]);
    for (const value of [-0.1, 0.9])
      given([])
        .when(change('activation.replacementMargin', value))
        .thenFails((e: SettingRefused) => {
          expect(e).to.deep.include({ kind: 'SettingRefused', code: 'OutOfRange', setting: 'activation.replacementMargin' });
          expect(e.message).to.equal(`activation.replacementMargin must be a number from 0 to 0.5, not ${value}`);
        });
  });

  it('an unknown setting is refused, listing the known ones', () => {
    given([])
      .when(change('maxLiveStrategies', 3))
      .thenFails((e: SettingRefused) => {
        expect(e).to.deep.include({ code: 'UnknownSetting', setting: 'maxLiveStrategies' });
        for (const n of SETTING_NAMES) expect(e.message).to.include(n);
      });
  });

  it('only an operator changes a setting', () => {
    given([])
      .when(change('maxActiveStrategies', 3, 'system:scheduler'))
      .thenFails({ code: 'NotAnOperator' });
  });

  it('the state is the last value set of each, the defaults for the rest', () => {
    const values = fold([changed('maxActiveStrategies', 4, 2), changed('filter.minSharpe', 1, 0.5), changed('maxActiveStrategies', 3, 4)]);
    expect(values).to.deep.equal({ ...DEFAULT_SETTINGS, maxActiveStrategies: 3, 'filter.minSharpe': 1 });
  });
});
