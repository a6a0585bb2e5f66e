// The training_set read model built from real strategy histories (written through the command handler, fixed clock).
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { genomeFeatures } from '../../domain/learning/features.js';
import { genomeFingerprint } from '../../domain/learning/fingerprint.js';
import { strategyStream } from '../../domain/strategy/events.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { ProjectionRunner, rebuildProjection } from '../../projections/runner.js';
import { trainingSetProjection } from '../../projections/training-set/projection.js';
import { testedFingerprints, trainingRow, trainingRows } from '../../projections/training-set/queries.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { HistoryWriter, memoryLog, T0, writeHistory, catchUpOnVisible } from '../projections/support.js';

const h = (hours: number) => new Date(T0.getTime() + hours * 3_600_000).toISOString();
const PARENT = '0b7f6a52-3c1d-4e9f-8a2b-6c5d4e3f2a1b';

/** A backtest result shaped as the engine stores it (toStoredMetrics keys), with a regime in its metrics. */
const engineResult = (sharpe: number, oos?: Record<string, number>) => ({
  metrics: { sharpe, totalReturn: 0.2, maxDrawdown: 0.1, tradeCount: 40, deflatedSharpe: 0.91, 'regime.trend': 1, 'regime.volatility': 0.35 },
  window: { start: '2025-01-01T00:00:00.000Z', end: '2025-03-31T00:00:00.000Z' },
  timeframe: '1h',
  symbols: ['BTCUSDT', 'ETHUSDT'],
  dataFingerprint: 'sha256:abc',
  engineVersion: 'engine-2',
  backtestId: 'job-1',
  ...(oos ? { outOfSampleMetrics: oos } : {}),
});
const OOS = { sharpe: 0.9, totalReturn: 0.05, maxDrawdown: 0.08, tradeCount: 12, deflatedSharpe: 0.6 };

const snapshotTable = (pool: DatabasePool) => pool.any(sql.unsafe`SELECT * FROM training_set ORDER BY strategy_id`);

describe('training_set read model', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let w: HistoryWriter;
  const ids = { star: randomUUID(), twice: randomUUID(), pending: randomUUID(), noOos: randomUUID(), sibling: randomUUID() };

  /** A second StrategyBacktested appended straight to the stream (the decider allows one; a re-run is a fact the store may hold). */
  const appendBacktest = async (strategyId: string, result: unknown, expectedRevision: bigint) => {
    w.clock.advance(3_600_000);
    const appended = await store.appendToStream(
      strategyStream(strategyId),
      [
        {
          eventId: randomUUID(),
          type: 'StrategyBacktested',
          data: { strategyId, result },
          metadata: { correlationId: 'c', causationId: 'c', actor: 'system:test', schemaVersion: 1, occurredAt: w.clock.now().toISOString() } as never,
        },
      ],
      { expectedRevision },
    );
    if (either.isLeft(appended)) throw new Error(JSON.stringify(appended.left));
  };

  before(async () => {
    db = await freshDatabase('training_set');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    w = new HistoryWriter(store);
    // Small batches, so one strategy's events land in several batches (insert, then updates).
    const log = memoryLog();
    const runner = new ProjectionRunner({ pool, store, projections: [trainingSetProjection], log, batchSize: 3 });
    try {
      await runner.catchUp();
      const rsi = { ...rsiMeanReversionGenome(), lineage: { generation: 2, parentIds: [PARENT], origin: 'mutation' } };
      await w.run('GenerateStrategy', ids.star, { genome: rsi }); // h1
      await w.run('GenerateStrategy', ids.twice, { genome: smaCrossoverGenome(10, 30) }); // h2
      await w.run('GenerateStrategy', ids.pending, { genome: smaCrossoverGenome(12, 40) }); // h3
      await w.run('GenerateStrategy', ids.noOos, { genome: smaCrossoverGenome(8, 21, ['ETHUSDT'], '4h') }); // h4
      // The same behaviour as `star`, another lineage.
      await w.run('GenerateStrategy', ids.sibling, { genome: { ...rsi, lineage: { generation: 0, parentIds: [], origin: 'random' } } }); // h5
      await w.run('RecordBacktest', ids.star, { result: engineResult(1.5, OOS) }); // h6
      await w.run('RecordBacktest', ids.twice, { result: engineResult(0.7, { ...OOS, sharpe: 0.1 }) }); // h7
      await w.run('RecordBacktest', ids.noOos, { result: { ...engineResult(1.1), metrics: { sharpe: 1.1, trades: 5 } } }); // h8
      await w.run('FilterStrategy', ids.star, { verdict: { outcome: 'passed', reasons: [], thresholds: { minOosSharpe: 0.5 }, score: 0.8 } }); // h9
      await w.run('FilterStrategy', ids.twice, { verdict: { outcome: 'rejected', reasons: ['oos sharpe below 0.5'], thresholds: { minOosSharpe: 0.5 } } }); // h10
      await w.run('StartPaperTrading', ids.star, { decidedBy: 'system:pipeline', reason: 'passed the filter' }); // h11
      await w.run('ActivateStrategy', ids.star, {
        decidedBy: 'system:activation-policy',
        reason: 'best score',
        decision: {
          score: 0.9,
          scoreParts: { sharpe: 0.9 },
          weights: { sharpe: 1 },
          activations: [ids.star],
          deactivations: [],
          candidates: [],
          thresholds: { minScore: 0.5 },
          maxActiveStrategies: 3,
          activeStrategies: 0,
        },
      }); // h12
      await w.run('DeactivateStrategy', ids.star, { decidedBy: 'operator:alice', reason: 'manual pause' }); // h13
      await w.run('ActivateStrategy', ids.star, {
        decidedBy: 'system:activation-policy',
        reason: 'best score again',
        decision: {
          score: 0.95,
          scoreParts: { sharpe: 0.95 },
          weights: { sharpe: 1 },
          activations: [ids.star],
          deactivations: [],
          candidates: [],
          thresholds: { minScore: 0.5 },
          maxActiveStrategies: 3,
          activeStrategies: 0,
        },
      }); // h14
      await w.run('RetireStrategy', ids.twice, { decidedBy: 'system:supervisor', reason: 'rejected by the filter' }); // h15
      // `twice` re-run on newer data with a newer engine, an explicit regime, and no deflated Sharpe any more: h16.
      await appendBacktest(
        ids.twice,
        {
          ...engineResult(1.2, { sharpe: 0.4, totalReturn: 0.02, maxDrawdown: 0.15, trades: 7 }),
          engineVersion: 'engine-3',
          backtestId: 'job-2',
          regime: { trend: 'range', volatility: 'high' },
        },
        3n,
      );
      await catchUpOnVisible(store, runner, 16);
    } finally {
      await runner.stop();
    }
    const errors = log.entries.filter((e) => e.level === 'error' || e.level === 'warn');
    if (errors.length > 0) throw new Error(`projection runner: ${JSON.stringify(errors)}`);
  });
  after(async () => {
    await pool.end();
    await store.close();
    await db.drop();
  });

  it('builds the full row of a strategy that went generated → backtested (in and out of sample) → filtered → paper → live', async () => {
    const genome = { ...rsiMeanReversionGenome(), lineage: { generation: 2, parentIds: [PARENT], origin: 'mutation' as const } };
    const row = await trainingRow(pool, ids.star);
    expect(row).to.deep.equal({
      strategyId: ids.star,
      genomeFingerprint: genomeFingerprint(genome),
      features: genomeFeatures(genome as never),
      strategyType: 'mean_reversion',
      timeframe: '1h',
      symbol: 'BTCUSDT',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      generation: 2,
      origin: 'mutation',
      parentIds: [PARENT],
      generatedAt: h(1),
      backtestedAt: h(6),
      backtestCount: 1,
      backtestId: 'job-1',
      windowStart: '2025-01-01T00:00:00.000Z',
      windowEnd: '2025-03-31T00:00:00.000Z',
      inSampleMetrics: engineResult(1.5).metrics,
      outOfSampleMetrics: OOS,
      isSharpe: 1.5,
      isReturn: 0.2,
      isTrades: 40,
      oosSharpe: 0.9,
      oosReturn: 0.05,
      oosMaxDrawdown: 0.08,
      oosTrades: 12,
      deflatedSharpe: 0.91,
      oosDeflatedSharpe: 0.6,
      regime: { trend: 1, volatility: 0.35 },
      dataFingerprint: 'sha256:abc',
      engineVersion: 'engine-2',
      filterOutcome: 'passed',
      filterScore: 0.8,
      filteredAt: h(9),
      paperReached: true,
      paperStartedAt: h(11),
      liveReached: true,
      liveAt: h(12), // the first activation; deactivated and activated again since
      retired: false,
      retiredAt: null,
      retiredFrom: null,
      updatedAt: h(14),
      revision: 6,
    });
  });

  it('a strategy backtested twice keeps the latest backtest, nulls included, and counts both; its later stages stay', async () => {
    const row = (await trainingRow(pool, ids.twice))!;
    expect(row).to.include({
      backtestedAt: h(16),
      backtestCount: 2,
      backtestId: 'job-2',
      engineVersion: 'engine-3',
      isSharpe: 1.2,
      oosSharpe: 0.4,
      oosReturn: 0.02,
      oosMaxDrawdown: 0.15,
      oosTrades: 7, // `trades` when there is no tradeCount
      oosDeflatedSharpe: null, // the first run had 0.6: replaced, not kept
      filterOutcome: 'rejected',
      filterScore: null,
      retired: true,
      retiredAt: h(15),
      retiredFrom: 'Filtered(rejected)', // the state as describeState names it
      paperReached: false,
      liveReached: false,
      revision: 4,
    });
    expect(row.outOfSampleMetrics).to.deep.equal({ sharpe: 0.4, totalReturn: 0.02, maxDrawdown: 0.15, trades: 7 });
    expect(row.regime).to.deep.equal({ trend: 'range', volatility: 'high' }); // an explicit result.regime wins over the metrics' keys
  });

  it('without out-of-sample metrics or a regime, those columns are null', async () => {
    const row = (await trainingRow(pool, ids.noOos))!;
    expect(row).to.include({ strategyType: 'momentum', timeframe: '4h', symbol: 'ETHUSDT', isSharpe: 1.1, isTrades: 5, deflatedSharpe: null });
    expect([row.outOfSampleMetrics, row.oosSharpe, row.oosTrades, row.regime, row.filterOutcome]).to.deep.equal([null, null, null, null, null]);
  });

  it('lists only backtested strategies, newest backtest first; since, limit and minTrades (out-of-sample) narrow it', async () => {
    expect((await trainingRows(pool)).map((r) => r.strategyId)).to.deep.equal([ids.twice, ids.noOos, ids.star]);
    expect((await trainingRows(pool, { since: h(8) })).map((r) => r.strategyId)).to.deep.equal([ids.twice, ids.noOos]);
    expect((await trainingRows(pool, { since: new Date(h(8)), limit: 1 })).map((r) => r.strategyId)).to.deep.equal([ids.twice]);
    expect((await trainingRows(pool, { minTrades: 10 })).map((r) => r.strategyId)).to.deep.equal([ids.star]);
    expect(await trainingRow(pool, ids.pending)).to.include({ backtestedAt: null, backtestCount: 0, paperReached: false });
  });

  it('fingerprints: equal for genomes differing only in lineage; pending ones on request', async () => {
    const [star, sibling, pending] = (await Promise.all([ids.star, ids.sibling, ids.pending].map((id) => trainingRow(pool, id)))).map((r) => r!) as [
      NonNullable<Awaited<ReturnType<typeof trainingRow>>>,
      NonNullable<Awaited<ReturnType<typeof trainingRow>>>,
      NonNullable<Awaited<ReturnType<typeof trainingRow>>>,
    ];
    expect(sibling.genomeFingerprint).to.equal(star.genomeFingerprint);
    const tested = await testedFingerprints(pool);
    expect(tested.size).to.equal(3);
    expect(tested.has(star.genomeFingerprint)).to.equal(true);
    expect(tested.has(pending.genomeFingerprint)).to.equal(false);
    const known = await testedFingerprints(pool, { includePending: true });
    expect(known.size).to.equal(4); // the sibling shares star's
    expect(known.has(pending.genomeFingerprint)).to.equal(true);
  });

  it('a rebuild from position zero gives the same rows as the live run, whatever the batch sizes', async () => {
    // More history, applied live in batches of 4, then rebuilt.
    const runner = new ProjectionRunner({ pool, store, projections: [trainingSetProjection], log: memoryLog(), batchSize: 4 });
    try {
      await writeHistory(w);
      await runner.catchUp();
    } finally {
      await runner.stop();
    }
    const live = await snapshotTable(pool);
    expect(live).to.have.length(10);
    for (const sizes of [{ batchSize: 1000 }, { batchSize: 2, windowSize: 5 }, { batchSize: 1, windowSize: 1 }]) {
      await rebuildProjection({ pool, store, projection: trainingSetProjection, log: memoryLog(), ...sizes });
      expect(await snapshotTable(pool)).to.deep.equal(live);
    }
  });

  it('refuses to apply an event of a strategy it has no row for', async () => {
    const id = randomUUID();
    await w.run('GenerateStrategy', id, { genome: smaCrossoverGenome(9, 33) });
    await w.run('RecordBacktest', id, { result: engineResult(1, OOS) });
    const [, backtested] = await store.readStream(strategyStream(id));
    const { decodeEvent } = await import('../../application/events/decode-event.js');
    const decoded = decodeEvent(backtested!);
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const failed = await pool
      .transaction((tx) => trainingSetProjection.applyBatch(tx, [decoded.right as never]))
      .then(
        () => 'applied',
        (e: Error) => e.message,
      );
    expect(failed).to.contain('could not be updated').and.contain(`no row for ${id}`);
  });
});
