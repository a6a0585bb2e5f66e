// PIPELINE_SELECTION_HOUR and PIPELINE_CYCLE_HOUR: UTC hours, default 2 and 3, an hour outside 0–23 refused by name.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { loadConfig } from '../../infrastructure/config/config.js';

describe('pipeline hours (config)', () => {
  it('default to 02:00 and 03:00 UTC', () => {
    const c = loadConfig({});
    expect(either.isRight(c) && c.right.pipeline).to.deep.equal({ selectionHour: 2, cycleHour: 3 });
  });
  it('are configurable', () => {
    const c = loadConfig({ PIPELINE_SELECTION_HOUR: '0', PIPELINE_CYCLE_HOUR: '23' });
    expect(either.isRight(c) && c.right.pipeline).to.deep.equal({ selectionHour: 0, cycleHour: 23 });
  });
  it('refuse an hour that is not one', () => {
    for (const [name, value] of [
      ['PIPELINE_CYCLE_HOUR', '24'],
      ['PIPELINE_SELECTION_HOUR', '-1'],
      ['PIPELINE_CYCLE_HOUR', 'three'],
    ] as const) {
      const c = loadConfig({ [name]: value });
      if (either.isRight(c)) throw new Error(`${name}=${value} accepted`);
      expect(c.left).to.contain(name);
    }
  });
});
