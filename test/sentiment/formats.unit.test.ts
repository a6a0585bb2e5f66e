// Parsing the real formats: alternative.me's JSON (built from the real Fear & Greed rows), the CSV files of
// ../shared/data, FRED's CSV and JSON (built from the real closes, with FRED's `.` holiday rows), and bad rows.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { DailySeriesBatch } from '../../application/ports/sentiment-source.js';
import { parseFearGreedApi, parseFearGreedCsv } from '../../infrastructure/market-data/fear-greed-format.js';
import { parseFredJson, parseMacroCsv } from '../../infrastructure/market-data/macro-close-format.js';
import { parseSentimentText } from '../../infrastructure/market-data/sentiment-files.js';
import { FNG_FILE, NASDAQ_FILE, SP500_FILE, VIX_FILE, fngApiAnswer, fredCsv, fredJson, readSharedText, sharedRows } from './support.js';

const right = <E, A>(e: Either<E, A>): A => {
  if (either.isLeft(e)) throw new Error(`expected Right, got Left: ${JSON.stringify(e.left)}`);
  return e.right;
};
const left = <E, A>(e: Either<E, A>): E => {
  if (either.isRight(e)) throw new Error('expected Left, got Right');
  return e.left;
};
const withoutSource = (b: DailySeriesBatch) => b.observations.map(({ source: _source, ...rest }) => rest);
const H = 3_600_000;

/** Every Monday-Friday between the first and last row that has no row: the days FRED lists with `.`. */
const weekdaysWithoutRow = (rows: readonly string[][]): string[] => {
  const have = new Set(rows.map((r) => r[0]!));
  const out: string[] = [];
  for (let t = Date.parse(`${rows[0]![0]}T00:00:00Z`); t <= Date.parse(`${rows[rows.length - 1]![0]}T00:00:00Z`); t += 24 * H) {
    const d = new Date(t);
    const day = d.toISOString().slice(0, 10);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !have.has(day)) out.push(day);
  }
  return out;
};

describe('Fear & Greed formats', () => {
  const rows = sharedRows(FNG_FILE);

  it('reads the real CSV file: every day, its classification, published at 00:00 UTC of the day', () => {
    const b = right(parseFearGreedCsv(readSharedText(FNG_FILE), 'file:fng'));
    expect(b.rejected).to.deep.equal([]);
    expect(b.observations).to.have.length(2644);
    expect(b.observations[0]).to.deep.equal({
      series: 'fear_greed',
      day: '2018-02-01',
      value: 30,
      label: 'Fear',
      publishedAt: Date.parse('2018-02-01T00:00:00Z'),
      source: 'file:fng',
    });
    expect(b.observations[1]).to.include({ day: '2018-02-02', value: 15, label: 'Extreme Fear' });
    expect(b.observations[2643]).to.include({ day: '2025-05-02', value: 67, label: 'Greed' });
  });

  it("reads alternative.me's JSON answer (newest first, strings) to the same observations as the CSV", () => {
    const answer = fngApiAnswer(rows);
    expect(answer.data[0]).to.deep.equal({ value: '67', value_classification: 'Greed', timestamp: '1746144000', time_until_update: '43200' });
    const api = right(parseFearGreedApi(JSON.parse(JSON.stringify(answer))));
    const csv = right(parseFearGreedCsv(readSharedText(FNG_FILE), 'file:fng'));
    expect(api.rejected).to.deep.equal([]);
    expect(api.observations[0]!.source).to.equal('alternative.me');
    expect(withoutSource(api)).to.deep.equal(withoutSource(csv));
  });

  it('refuses bad CSV rows, naming their lines, and keeps the others', () => {
    const good = rows.slice(0, 6).map((r) => r.join(','));
    const text = [
      'date,value,classification', // line 1
      good[0], // 2
      '2018-02-02,abc,Fear', // 3 non-numeric
      good[2], // 4
      '2018-02-04,101,Extreme Greed', // 5 above 100
      '2018-02-05,-1,Extreme Fear', // 6 below 0
      '2018-02-30,40,Fear', // 7 impossible date
      '05/02/2018,40,Fear', // 8 other date format
      good[3], // 9
      `${rows[0]![0]},31,Fear`, // 10 duplicate of line 2
      '2018-02-07,40', // 11 missing field
      '2018-02-08,40,', // 12 empty classification
      '', // blank lines are not rows
      good[5], // 14
    ].join('\n');
    const b = right(parseFearGreedCsv(text, 'file:bad.csv'));
    expect(b.observations.map((o) => o.day)).to.deep.equal([rows[0]![0], rows[2]![0], rows[3]![0], rows[5]![0]]);
    expect(b.rejected.map((r) => r.line)).to.deep.equal([3, 5, 6, 7, 8, 10, 11, 12]);
    const msg = (line: number) => b.rejected.find((r) => r.line === line)!.message;
    expect(msg(3)).to.match(/^value: must be a number from 0 to 100, got "abc"/);
    expect(msg(5)).to.include('got "101"');
    expect(msg(6)).to.include('got "-1"');
    expect(msg(7)).to.match(/^date: .*"2018-02-30"/);
    expect(msg(8)).to.match(/^date: .*"05\/02\/2018"/);
    expect(msg(10)).to.equal('duplicate date 2018-02-01 (first at line 2)');
    expect(msg(11)).to.equal('expected 3 fields, got 2');
    expect(msg(12)).to.match(/^classification: /);
  });

  it('refuses a file whose header is not date,value,classification', () => {
    expect(left(parseFearGreedCsv('timestamp,value,classification,date\n1517463000,30,Fear,01/02/2018\n', 'f'))).to.match(/expected the header/);
  });

  it('refuses bad API entries by index and keeps the others', () => {
    const answer = fngApiAnswer(rows.slice(0, 5)); // newest first: data[0] is 2018-02-05
    const data: unknown[] = [...answer.data];
    data[1] = { ...answer.data[1]!, value: '140' };
    data[2] = { ...answer.data[2]!, timestamp: '02-03-2018' }; // what date_format=world would send
    data.push({ ...answer.data[4]!, value: '31' }); // a second entry for 2018-02-01
    data.push({ value_classification: 'Fear' });
    const b = right(parseFearGreedApi({ ...answer, data }));
    expect(b.observations.map((o) => o.day)).to.deep.equal(['2018-02-01', '2018-02-02', '2018-02-05']);
    expect(b.rejected.map((r) => r.where)).to.deep.equal(['data[1]', 'data[2]', 'data[5]', 'data[6]']);
    expect(b.rejected[0]!.message).to.include('got "140"');
    expect(b.rejected[1]!.message).to.match(/^timestamp: must be epoch seconds/);
    expect(b.rejected[2]!.message).to.equal('duplicate date 2018-02-01 (first at data[4])');
    expect(b.rejected[3]!.message).to.include('value');
  });

  it('fails the whole answer when the API reports an error or the answer is not the format', () => {
    expect(left(parseFearGreedApi({ name: 'Fear and Greed Index', data: [], metadata: { error: 'Invalid limit' } }))).to.equal(
      'the API reports an error: Invalid limit',
    );
    expect(left(parseFearGreedApi({ error: 'oops' }))).to.match(/^not a Fear & Greed answer: data: /);
    expect(left(parseFearGreedApi([1, 2]))).to.match(/^not a Fear & Greed answer/);
  });
});

describe('macro close formats', () => {
  const cases = [
    { file: SP500_FILE, fredId: 'SP500', series: 'sp500', rows: 2515, first: '2015-05-07', last: '2025-05-06' },
    { file: NASDAQ_FILE, fredId: 'NASDAQCOM', series: 'nasdaq', rows: 2602, first: '2015-01-02', last: '2025-05-06' },
    { file: VIX_FILE, fredId: 'VIXCLS', series: 'vix', rows: 2623, first: '2015-01-02', last: '2025-05-06' },
  ] as const;

  for (const c of cases) {
    it(`reads the real ${c.file} (date,close), each close published at 22:00 UTC of its day`, () => {
      const b = right(parseSentimentText(c.file, readSharedText(c.file)));
      expect(b.series).to.equal(c.series);
      expect(b.rejected).to.deep.equal([]);
      expect(b.observations).to.have.length(c.rows);
      expect(b.observations[0]).to.include({ day: c.first, publishedAt: Date.parse(`${c.first}T22:00:00Z`), source: `file:${c.file}` });
      expect(b.observations[b.observations.length - 1]!.day).to.equal(c.last);
      expect(b.observations[0]!.label).to.equal(undefined);
    });

    it(`reads FRED's CSV and JSON for ${c.fredId}, built from the real rows with "." on holidays, to the same closes`, () => {
      const rows = sharedRows(c.file);
      const holidays = weekdaysWithoutRow(rows);
      expect(holidays.length).to.be.greaterThan(50); // ~9 market holidays a year
      const fromShared = withoutSource(right(parseMacroCsv(readSharedText(c.file), { series: c.series, source: 's' })));

      const csv = right(parseMacroCsv(fredCsv(c.fredId, rows, holidays), { source: `fred:${c.fredId}` }));
      expect(csv.series).to.equal(c.series); // FRED's header names the series
      expect(csv.rejected).to.deep.equal([]);
      expect(csv.missing).to.deep.equal(holidays);
      expect(withoutSource(csv)).to.deep.equal(fromShared);

      // Recent fredgraph.csv downloads leave a missing value empty; older ones had a DATE header.
      const emptyCells = right(parseMacroCsv(fredCsv(c.fredId, rows, holidays, '').replace('observation_date', 'DATE'), { source: 'f' }));
      expect(emptyCells.missing).to.deep.equal(holidays);
      expect(withoutSource(emptyCells)).to.deep.equal(fromShared);

      const fromJson = right(parseFredJson(JSON.parse(JSON.stringify(fredJson(rows, holidays))), c.series, 'fred'));
      expect(fromJson.missing).to.deep.equal(holidays);
      expect(withoutSource(fromJson)).to.deep.equal(fromShared);
    });
  }

  it('refuses bad rows with their lines: non-numeric, negative, bad date, duplicate date', () => {
    const rows = sharedRows(SP500_FILE).slice(0, 4);
    const text = [
      'observation_date,SP500', // 1
      rows[0]!.join(','), // 2
      `${rows[1]![0]},n/a`, // 3
      `${rows[2]![0]},-5`, // 4
      '2015-13-01,2000', // 5
      `${rows[0]![0]},2100`, // 6 duplicate of line 2
      '2015-05-25,.', // 7 holiday: not an error
      rows[3]!.join(','), // 8
      `${rows[3]![0]},.`, // 9 a missing value for a day already given is a duplicate too
    ].join('\r\n');
    const b = right(parseMacroCsv(text, { source: 'f' }));
    expect(b.observations.map((o) => o.day)).to.deep.equal([rows[0]![0], rows[3]![0]]);
    expect(b.missing).to.deep.equal(['2015-05-25']);
    expect(b.rejected.map((r) => [r.line, r.message])).to.deep.equal([
      [3, 'close: must be a positive number, got "n/a"'],
      [4, 'close: must be a positive number, got "-5"'],
      [5, 'date: expected Day, got "2015-13-01"'],
      [6, `duplicate date ${rows[0]![0]} (first at line 2)`],
      [9, `duplicate date ${rows[3]![0]} (first at line 8)`],
    ]);
  });

  it('takes the series from the header when FRED names it, else from the caller; refuses a contradiction', () => {
    expect(left(parseMacroCsv('observation_date,VIXCLS\n2020-01-02,12.47\n', { series: 'sp500', source: 'f' }))).to.equal('the file holds VIXCLS, not sp500');
    expect(left(parseMacroCsv('date,close\n2020-01-02,12.47\n', { source: 'f' }))).to.match(/cannot tell which series/);
    expect(right(parseMacroCsv('observation_date,value\n2020-01-02,12.47\n', { series: 'vix', source: 'f' })).series).to.equal('vix');
    expect(left(parseMacroCsv('open_time_ms,open,high,low,close,volume\n', { source: 'f' }))).to.match(/expected the header/);
    // A file name is a hint only when the header does not name the series.
    expect(right(parseSentimentText('sp500.csv', 'observation_date,VIXCLS\n2020-01-02,12.47\n')).series).to.equal('vix');
    expect(left(parseSentimentText('candles.csv', 'open_time_ms,open\n1,2\n')).kind).to.equal('unrecognized');
  });
});
