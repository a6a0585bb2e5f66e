// TradingDayClosed's optional `final` (an account's last day): days recorded before it existed still decode, a final
// day decodes with it, and the mark holds only `true` (a day that is not final leaves it out).
import { expect } from 'chai';
import { either } from 'fp-ts';
import { PerformanceEventData } from '../../domain/performance/events.js';
import { EVENT_EXAMPLES } from '../events/examples.js';

// The catalog's example is a final day; without the mark it is an ordinary one.
const { final: _final, ...DAY } = EVENT_EXAMPLES['TradingDayClosed']!.data as Record<string, unknown>;
const codec = PerformanceEventData.TradingDayClosed;

describe('TradingDayClosed codec', () => {
  it('a day recorded before `final` existed decodes, without it', () => {
    const decoded = codec.decode(DAY);
    expect(either.isRight(decoded) && decoded.right.final).to.equal(undefined);
  });
  it('a final day decodes with final: true', () => {
    const decoded = codec.decode({ ...DAY, position: 0, at: 1719936000000, final: true });
    expect(either.isRight(decoded) && decoded.right.final).to.equal(true);
  });
  it('final: false or any other value is refused', () => {
    for (const final of [false, 'true', 1, null]) expect(either.isLeft(codec.decode({ ...DAY, final })), String(final)).to.equal(true);
  });
});
