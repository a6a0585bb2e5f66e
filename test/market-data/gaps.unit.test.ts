import { expect } from 'chai';
import { findGaps, missingCandles, seriesGaps } from '../../domain/market/gaps.js';
import { tradingCalendarOf, weekdays } from '../../domain/market/trading-slots.js';
import { binanceKey, HOURLY, hourlyFile, loadSeries, OUTAGE_GAPS } from './support.js';

const H = 3_600_000;
const DAY = 86_400_000;

describe('gap detection', () => {
  describe('on the real hourly files, exactly the gaps ../shared/data/README.md lists', () => {
    for (const f of HOURLY) {
      it(`${f.symbol}: ${f.gaps} gaps, ${f.missing} missing candles`, () => {
        const series = loadSeries(hourlyFile(f.symbol), binanceKey(f.symbol, '1h'));
        expect(series.length).to.equal(f.rows);
        const gaps = seriesGaps(series);
        expect(gaps.length).to.equal(f.gaps);
        expect(missingCandles(gaps)).to.equal(f.missing);
        // Every gap is one of the Binance-wide outages (those after the pair's first candle).
        const expected = OUTAGE_GAPS.filter((g) => g.after >= series.openTime[0]!);
        expect(gaps).to.deep.equal(expected);
      });
    }
  });

  it('BTCUSDT hourly: the five outages, 2021-04-20T01→04 (2) … 2023-03-24T12→14 (1)', () => {
    const gaps = seriesGaps(loadSeries(hourlyFile('BTCUSDT'), binanceKey('BTCUSDT', '1h')));
    expect(gaps.map((g) => `${new Date(g.after).toISOString()} -> ${new Date(g.before).toISOString()} (${g.missing})`)).to.deep.equal([
      '2021-04-20T01:00:00.000Z -> 2021-04-20T04:00:00.000Z (2)',
      '2021-04-25T04:00:00.000Z -> 2021-04-25T08:00:00.000Z (3)',
      '2021-08-13T01:00:00.000Z -> 2021-08-13T06:00:00.000Z (4)',
      '2021-09-29T06:00:00.000Z -> 2021-09-29T09:00:00.000Z (2)',
      '2023-03-24T12:00:00.000Z -> 2023-03-24T14:00:00.000Z (1)',
    ]);
  });

  it('the 1-minute BTCUSDT file has no gap', () => {
    expect(seriesGaps(loadSeries('binance_BTCUSDT_1m.csv.gz', binanceKey('BTCUSDT', '1m')))).to.deep.equal([]);
  });

  it('GOOG daily: weekends are no gaps on a weekday calendar; a weekday without a candle (a holiday) is one', () => {
    const series = loadSeries('nasdaq_GOOG_1d.csv.gz', { exchange: 'nasdaq', symbol: 'GOOG', interval: '1d' });
    const calendar = tradingCalendarOf('nasdaq');
    expect(calendar.slots).to.equal(weekdays);
    const aroundTheClock = seriesGaps(series);
    const gaps = seriesGaps(series, calendar.slots);
    expect(aroundTheClock.length).to.be.greaterThan(400);
    expect(gaps.length).to.be.lessThan(100);
    // Labor Day 2004: Friday 3 September → Tuesday 7 September is one missing weekday, not three days.
    expect(gaps[0]).to.deep.equal({ after: Date.parse('2004-09-03T00:00Z'), before: Date.parse('2004-09-07T00:00Z'), missing: 1 });
    const present = new Set(series.openTime);
    for (const g of gaps) for (let t = g.after + DAY; t < g.before; t += DAY) if (weekdays(t)) expect(present.has(t)).to.equal(false);
  });

  it('reports nothing for contiguous candles, one gap per hole otherwise, and counts only trading slots', () => {
    expect(findGaps([0, H, 2 * H, 3 * H], '1h')).to.deep.equal([]);
    expect(findGaps([0, H, 4 * H, 5 * H, 7 * H], '1h')).to.deep.equal([
      { after: H, before: 4 * H, missing: 2 },
      { after: 5 * H, before: 7 * H, missing: 1 },
    ]);
    expect(findGaps([], '1h')).to.deep.equal([]);
    // 1970-01-02 is a Friday, 01-05 a Monday.
    expect(findGaps([DAY, 4 * DAY], '1d', weekdays)).to.deep.equal([]);
    expect(findGaps([DAY, 5 * DAY], '1d', weekdays)).to.deep.equal([{ after: DAY, before: 5 * DAY, missing: 1 }]);
  });
});
