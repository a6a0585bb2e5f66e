// A backtest job from the work queue is decoded exactly, with the stored job's codec: a message with a field a job
// does not have, or a value BacktestRequested could not keep, is malformed and never run — and, as a property over
// hostile messages, whatever decodes is recorded (BacktestRequested, then its outcome) as events that read back.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { either } from 'fp-ts';
import { backtestOutcomeRecorder } from '../../application/backtest/record-outcome.js';
import { BacktestJobCodec, decodeBacktestJob, MalformedJobError } from '../../application/backtest/job-codec.js';
import { decodeEvent } from '../../application/events/decode-event.js';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { backtestStream } from '../../domain/backtest/events.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { apply, mutation, pathsOf, setAt } from '../support/hostile-json.js';

const job = (): BacktestJob => ({
  jobId: randomUUID(),
  strategyId: randomUUID(),
  genome: smaCrossoverGenome(10, 30),
  exchange: 'binance',
  symbols: ['BTCUSDT'],
  interval: '1h',
  period: { from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 1, 1) },
  trials: { count: 3, annualisedSharpeVariance: 0.5 },
  analysis: { kind: 'grid_search', gridSearch: { grid: { 'fast.period': [5, 10] }, metric: 'sharpe' } },
});
const wire = (j: BacktestJob = job()) => JSON.parse(JSON.stringify(BacktestJobCodec.encode(j))) as Record<string, unknown>;
const problems = (message: unknown): string[] => {
  try {
    decodeBacktestJob(message);
    return [];
  } catch (e) {
    if (!(e instanceof MalformedJobError)) throw e;
    return [...e.problems];
  }
};

describe('backtest jobs on the wire', () => {
  it('a job round-trips through its wire form', () => {
    const j = job();
    expect(decodeBacktestJob(wire(j))).to.deep.equal(j);
  });
  it('a field a job does not have is malformed, naming it (it would otherwise be stored with the job)', () => {
    expect(problems({ ...wire(), priority: 'high' })).to.deep.equal(['priority: unknown field "priority" (not part of BacktestJob)']);
    expect(problems(setAt(wire(), ['genome', 'risk', 'leverage'], 10))[0]).to.match(/^genome\.risk\.leverage: unknown field/);
  });
  it('values the stored job cannot keep are malformed: a strategy id that is no UUID, a period before 1970, an exchange with capitals', () => {
    expect(problems({ ...wire(), strategyId: 'strategy-7' })[0]).to.match(/^strategyId: expected Uuid/);
    expect(problems(setAt(wire(), ['period', 'from'], -1))[0]).to.match(/^period\.from: expected EpochMs/);
    expect(problems({ ...wire(), exchange: 'Binance' })[0]).to.match(/^exchange: expected ExchangeId/);
  });
  it('the rules across fields: an empty period, repeated symbols', () => {
    expect(problems(setAt(wire(), ['period', 'to'], Date.UTC(2023, 0, 1)))).to.deep.equal(['period: from must be before to']);
    expect(problems({ ...(setAt(wire(), ['symbols'], ['BTCUSDT', 'BTCUSDT']) as object), genome: smaCrossoverGenome(10, 30, ['BTCUSDT']) })).to.deep.equal([
      'symbols: symbols repeat',
    ]);
  });

  describe('property: a hostile message is either malformed or recorded as events that read back', function () {
    this.timeout(120_000);
    let db: TestDatabase;
    let store: EventStore;
    before(async () => {
      db = await freshDatabase('job_wire');
      store = checkedPostgresStore({ connectionString: db.url });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('holds for 200 mutated messages', async () => {
      const record = backtestOutcomeRecorder({ store, clock: fixedClock(new Date('2024-01-01T00:00:00Z')), ids: uuidIds });
      const base = wire();
      const paths = pathsOf(base);
      let recorded = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(), mutation, async (at, m) => {
          const mutated = apply(base, paths[at % paths.length]!, m);
          const message = mutated !== null && typeof mutated === 'object' && !Array.isArray(mutated) ? { ...mutated, jobId: randomUUID() } : mutated;
          let decoded: BacktestJob;
          try {
            decoded = decodeBacktestJob(message);
          } catch (e) {
            if (e instanceof MalformedJobError) return;
            throw e;
          }
          recorded++;
          await record(decoded, { ok: false, jobId: decoded.jobId, code: 'NO_DATA', error: 'no candles here' });
          const events = await store.readStream(backtestStream(decoded.jobId));
          expect(events.map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestFailed']);
          for (const e of events) expect(either.isRight(decodeEvent(e)), e.type).to.equal(true);
        }),
        { seed: 9, numRuns: 200 },
      );
      expect(recorded).to.be.greaterThan(0);
    });
  });
});
