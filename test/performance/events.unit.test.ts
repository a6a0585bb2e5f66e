// TradingDayClosed's optional `final` (an account's last day): days recorded before it existed still decode, a final
// day decodes with it, and the mark holds only `true` (a day that is not final leaves it out).
import { expect } from 'chai';
import { either } from 'fp-ts';
import { PerformanceEventData } from '../../domain/performance/events.js';

const DAY = {
  strategyId: '0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10',
  mode: 'paper',
  account: 'paper-0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10',
  day: '2024-07-02',
  initialCapital: 10000,
  equity: 10123.4,
  dayReturn: 0.0041,
  trades: 2,
  tradesTotal: 5,
  position: 0.05,
  at: 1719964800000,
};
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
