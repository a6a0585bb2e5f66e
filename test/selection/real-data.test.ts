// The daily pair selection on the real hourly candles of ../shared/data, stored in a real PostgreSQL.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { selectPairs, previousSelection } from '../../application/market-data/pair-selection.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { DEFAULT_RULES } from '../../domain/selection/score-pairs.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT', 'TRXUSDT', 'ARBUSDT'];

describe('daily pair selection on the real data', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  const clock = fixedClock(new Date('2023-12-30T02:00:00.000Z'));
  const config = { exchange: 'binance', interval: '1h' as const, lookbackDays: 30, rules: { ...DEFAULT_RULES, topN: 3, minCoverage: 0.8 } };

  before(async () => {
    db = await freshDatabase('selection');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url });
    for await (const _ of importCandleFiles(
      candles,
      SYMBOLS.map((s) => sharedDataFile(`binance_${s}_1h.csv.gz`)),
    ))
      void _;
  });
  after(async () => {
    await candles.close();
    await store.close();
    await db.drop();
  });

  it('scores every stored pair, records the choice as PairsSelected, and refuses a second one for the day', async () => {
    const deps = { store, candles, clock, ids: uuidIds };
    const first = await selectPairs(deps, config, clock.now());
    expect(either.isRight(first), JSON.stringify(first)).to.equal(true);
    if (either.isLeft(first)) return;
    const s = first.right;
    expect(s.day).to.equal('2023-12-30');
    expect(s.candidates.map((c) => c.symbol).sort()).to.deep.equal([...SYMBOLS].sort());
    expect(s.selected).to.have.length(3);
    expect(s.selected).to.deep.equal(
      s.candidates
        .filter((c) => c.eligible)
        .slice(0, 3)
        .map((c) => c.symbol),
    );
    // BTCUSDT trades the most of these pairs: it leads the volume part.
    const btc = s.candidates.find((c) => c.symbol === 'BTCUSDT')!;
    expect(btc.parts.volume).to.equal(1);
    // Only candles closed by 02:00 count: the 30 days before hold exactly 720 hourly candles.
    expect(btc.metrics.bars).to.equal(720);
    for (const c of s.candidates) for (const v of [c.score, ...Object.values(c.parts)]) expect(v).to.be.within(0, 1);
    expect(s.added).to.deep.equal(s.selected);

    const again = await selectPairs(deps, config, clock.now());
    expect(either.isLeft(again) && again.left.kind).to.equal('AlreadySelected');
    expect(await store.readStream('selection-2023-12-30')).to.have.length(1);
  });

  it('tells the next day what was added and removed, and serves the record to the API', async () => {
    const next = await selectPairs(
      { store, candles, clock, ids: uuidIds },
      { ...config, rules: { ...config.rules, topN: 4 } },
      new Date('2023-12-31T02:00:00.000Z'),
    );
    if (either.isLeft(next)) throw new Error(JSON.stringify(next.left));
    const before = (await previousSelection(store, '2023-12-31'))!.selected;
    expect(next.right.added).to.deep.equal(next.right.selected.filter((x) => !before.includes(x)));
    expect(next.right.removed).to.deep.equal(before.filter((x) => !next.right.selected.includes(x)));
    const pool = await createReadModelPool(db.url);
    try {
      const served = (await marketDataReadModel(pool, store, clock).selection('2023-12-31')) as { selected: string[]; recordedBy: string };
      expect(served.selected).to.deep.equal(next.right.selected);
      expect(served.recordedBy).to.equal('system:pair-selection');
      expect(await marketDataReadModel(pool, store, clock).selection('2020-01-01')).to.equal(undefined);
    } finally {
      await pool.end();
    }
  });
});
