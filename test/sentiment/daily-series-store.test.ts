// The daily series store on PostgreSQL: the real series stored and read back, idempotent re-imports,
// conflicts reported (never overwritten), ranges and the list of series.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { DailyObservation, Day, SeriesId, SocialSourceName, SocialSymbol } from '../../domain/market/daily-series.js';
import { alignDailyToCandles, alignSeriesToCandles } from '../../domain/market/daily-features.js';
import { dailySocialObservations } from '../../domain/market/social-sentiment.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { parseFearGreedApi } from '../../infrastructure/market-data/fear-greed-format.js';
import { parseSentimentText } from '../../infrastructure/market-data/sentiment-files.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { FNG_FILE, SP500_FILE, fngApiAnswer, readSharedText, sharedRows } from './support.js';

const parsed = (file: string): readonly DailyObservation[] => {
  const b = parseSentimentText(file, readSharedText(file));
  if (either.isLeft(b)) throw new Error(b.left.message);
  return b.right.observations;
};

describe('daily series store (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: PostgresDailySeriesStore;
  const fng = parsed(FNG_FILE);
  const sp500 = parsed(SP500_FILE);

  before(async () => {
    db = await freshDatabase('sentiment_store');
    store = new PostgresDailySeriesStore({ connectionString: db.url });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('stores the real Fear & Greed and S&P 500 series and reads them back exactly', async () => {
    expect(await store.write(fng)).to.deep.equal({ inserted: 2644, unchanged: 0, conflicts: [] });
    expect(await store.write(sp500)).to.deep.equal({ inserted: 2515, unchanged: 0, conflicts: [] });
    const back = await store.read('fear_greed' as SeriesId);
    expect(back.length).to.equal(2644);
    expect(back.day).to.deep.equal(fng.map((o) => o.day));
    expect([...back.value]).to.deep.equal(fng.map((o) => o.value));
    expect([...back.publishedAt]).to.deep.equal(fng.map((o) => o.publishedAt));
    expect(back.label).to.deep.equal(fng.map((o) => o.label));
    expect(back.volume.every(Number.isNaN)).to.equal(true);
    const s = await store.read('sp500' as SeriesId);
    expect([...s.value]).to.deep.equal(sp500.map((o) => o.value)); // doubles survive the round trip bit for bit
    expect(s.label.every((l) => l === undefined)).to.equal(true);
  });

  it('a re-import changes nothing, even from another source with the same values', async () => {
    expect(await store.write(fng)).to.deep.equal({ inserted: 0, unchanged: 2644, conflicts: [] });
    const api = parseFearGreedApi(fngApiAnswer(sharedRows(FNG_FILE)));
    if (either.isLeft(api)) throw new Error(api.left);
    expect(await store.write(api.right.observations)).to.deep.equal({ inserted: 0, unchanged: 2644, conflicts: [] });
    const back = await store.read('fear_greed' as SeriesId, { from: '2018-02-01' as Day, to: '2018-02-01' as Day });
    expect(back.length).to.equal(1);
  });

  it('reports a different value or label as a conflict and keeps the stored row', async () => {
    const day = '2020-03-13' as Day; // the COVID crash: 10, Extreme Fear
    const stored = fng.find((o) => o.day === day)!;
    expect(stored).to.include({ value: 10, label: 'Extreme Fear' });
    const changed: DailyObservation[] = [
      { ...stored, value: 11, source: 'file:other.csv' },
      { ...fng.find((o) => o.day === '2020-03-14')!, label: 'Fear' },
      { ...stored, day: '2030-01-01' as Day, publishedAt: Date.parse('2030-01-01T00:00:00Z') }, // new: inserted
    ];
    const r = await store.write(changed);
    expect(r.inserted).to.equal(1);
    expect(r.unchanged).to.equal(0);
    expect(r.conflicts.map((c) => [c.day, c.reason])).to.deep.equal([
      ['2020-03-13', 'value 10 ≠ 11'],
      ['2020-03-14', 'label Extreme Fear ≠ Fear'],
    ]);
    expect(r.conflicts[0]!.stored).to.include({ value: 10, source: `file:${FNG_FILE}` });
    expect(r.conflicts[0]!.incoming).to.include({ value: 11, source: 'file:other.csv' });
    const back = await store.read('fear_greed' as SeriesId, { from: day, to: day });
    expect(back.value[0]).to.equal(10);
  });

  it('treats a day repeated inside one write like a stored one: first inserted, then compared', async () => {
    const o: DailyObservation = {
      series: 'vix' as SeriesId,
      day: '2031-01-02' as Day,
      value: 20,
      publishedAt: Date.parse('2031-01-02T22:00:00Z'),
      source: 't',
    };
    const r = await store.write([o, o, { ...o, value: 21 }]);
    expect(r.inserted).to.equal(1);
    expect(r.unchanged).to.equal(1);
    expect(r.conflicts.map((c) => c.reason)).to.deep.equal(['value 20 ≠ 21']);
  });

  it('keeps social scores with their mention counts', async () => {
    const [src, btc] = ['testsource' as SocialSourceName, 'BTC' as SocialSymbol];
    const obs = dailySocialObservations([
      { source: src, symbol: btc, at: { day: '2024-05-01' as Day }, score: 0.5, mentions: 30 },
      { source: src, symbol: btc, at: { time: Date.parse('2024-05-02T10:00:00Z') }, score: 0.2, mentions: 10 },
      { source: src, symbol: btc, at: { time: Date.parse('2024-05-02T18:00:00Z') }, score: -0.6, mentions: 30 },
    ]);
    expect(await store.write(obs)).to.include({ inserted: 2 });
    const s = await store.read('social:testsource:BTC' as SeriesId);
    expect(s.day).to.deep.equal(['2024-05-01', '2024-05-02']);
    expect(s.value[0]).to.equal(0.5);
    expect(s.value[1]).to.be.closeTo((0.2 * 10 - 0.6 * 30) / 40, 1e-12);
    expect([...s.volume]).to.deep.equal([30, 40]);
    expect([...s.publishedAt]).to.deep.equal([Date.parse('2024-05-02T00:00:00Z'), Date.parse('2024-05-03T00:00:00Z')]);
    expect(await store.write(obs)).to.deep.equal({ inserted: 0, unchanged: 2, conflicts: [] });
    expect((await store.write([{ ...obs[1]!, volume: 41 }])).conflicts.map((c) => c.reason)).to.deep.equal(['volume 40 ≠ 41']);
  });

  it('lists the stored series with their first and last day', async () => {
    const list = await store.list();
    expect(list.find((s) => s.series === 'sp500')).to.deep.equal({ series: 'sp500', first: '2015-05-07', last: '2025-05-06', count: 2515 });
    expect(list.find((s) => s.series === 'fear_greed')).to.deep.equal({ series: 'fear_greed', first: '2018-02-01', last: '2030-01-01', count: 2645 });
  });

  it('refuses a value that is not a finite number before touching the database', async () => {
    const bad = { ...fng[0]!, value: NaN };
    let err: unknown;
    await store.write([bad]).catch((e) => (err = e));
    expect(String(err)).to.match(/not a finite number/);
  });

  it('gives the feature code the same aligned values as the parsed file', async () => {
    const candles = [Date.parse('2021-06-18T21:00Z'), Date.parse('2021-06-18T22:00Z'), Date.parse('2021-06-20T12:00Z'), Date.parse('2021-06-21T22:00Z')];
    const fromStore = alignSeriesToCandles(candles, await store.read('sp500' as SeriesId));
    const fromFile = alignDailyToCandles(candles, { value: sp500.map((o) => o.value), publishedAt: sp500.map((o) => o.publishedAt) });
    expect([...fromStore]).to.deep.equal([...fromFile]);
    expect([...fromStore]).to.deep.equal([4221.86, 4166.45, 4166.45, 4224.79]);
  });

  it('reads a day range, inclusive at both ends', async () => {
    const s = await store.read('sp500' as SeriesId, { from: '2021-07-02' as Day, to: '2021-07-07' as Day });
    expect(s.day).to.deep.equal(['2021-07-02', '2021-07-06', '2021-07-07']); // the 5th was Independence Day (observed)
  });
});
