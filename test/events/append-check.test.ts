// Nothing is stored that cannot be read back: every event is checked (its codec, its JSON form, its size) before it is
// appended. The property: whatever hostile value is put anywhere in an event of any type, either the check refuses it,
// or the event, appended to the real PostgreSQL store, reads back and decodes to exactly what was given. The cases the
// issue met (a period before 1970, a 90 KB correlation id, 50,000 symbols, …) are refused by name.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { either } from 'fp-ts';
import { checkNewEvent, MAX_EVENT_BYTES } from '../../application/events/check-event.js';
import { decodeEvent } from '../../application/events/decode-event.js';
import type { EventStore, NewEvent } from '../../application/ports/event-store.js';
import { categoryOf, EVENT_CATALOG } from '../../domain/events/catalog.js';
import { opaqueParts } from '../../domain/primitives/exact.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { EVENT_EXAMPLES, exampleMetadata } from './examples.js';
import { apply, mutation, pathsOf, setAt } from '../support/hostile-json.js';

// (metadata is not defaulted: a mutation may make it undefined on purpose.)
const event = (type: string, data: unknown, metadata: unknown): NewEvent => ({ eventId: randomUUID(), type, data, metadata }) as NewEvent;
const streamFor = (type: string) => `${categoryOf(EVENT_EXAMPLES[type]!.streamName)}-${randomUUID()}`;

describe('the append check: nothing is stored that cannot be read back', () => {
  let db: TestDatabase;
  let store: EventStore;
  before(async () => {
    db = await freshDatabase('append_check');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  describe('the examples', () => {
    it('every event type of the catalog has an example, and every example is one of the catalog', () => {
      expect(Object.keys(EVENT_EXAMPLES).sort()).to.deep.equal(Object.keys(EVENT_CATALOG).sort());
    });
    for (const [type, example] of Object.entries(EVENT_EXAMPLES))
      it(`${type}: the example passes the check and reads back as given`, async () => {
        const e = event(type, example.data, exampleMetadata());
        const checked = checkNewEvent(example.streamName, e);
        if (either.isLeft(checked)) expect.fail(checked.left.message);
        const stream = streamFor(type);
        const appended = await store.appendToStream(stream, [e]);
        if (either.isLeft(appended)) expect.fail(appended.left.kind);
        const [read] = await store.readStream(stream);
        const decoded = decodeEvent(read!);
        if (either.isLeft(decoded)) expect.fail(decoded.left.message);
        expect(decoded.right.event.data).to.deep.equal(JSON.parse(JSON.stringify(example.data)));
      });
    it('the check sees into every part of every event codec (no part it cannot check for unknown fields)', () => {
      for (const [type, codec] of Object.entries(EVENT_CATALOG)) expect(opaqueParts(codec), type).to.deep.equal([]);
    });
  });

  describe('the cases met so far are refused, naming the field', () => {
    const refused = (type: string, data: unknown, metadata: unknown = exampleMetadata()) => {
      // (here a missing metadata means the example's.)
      const r = checkNewEvent(EVENT_EXAMPLES[type]?.streamName ?? 'test-x', event(type, data, metadata));
      if (either.isRight(r)) expect.fail(`accepted ${type}`);
      return r.left.errors.map((e) => e.path);
    };
    const backtest = EVENT_EXAMPLES['BacktestRequested']!.data as { job: { period: { from: number } } };
    const generated = EVENT_EXAMPLES['StrategyGenerated']!.data;

    it('a backtest period starting before 1970 (the event that stopped backtest_results for good)', () => {
      expect(refused('BacktestRequested', setAt(backtest, ['job', 'period', 'from'], Date.parse('1960-01-01T00:00:00Z')))).to.deep.equal([
        'data.job.period.from',
      ]);
    });
    it('a period ending after 9999', () => {
      expect(refused('BacktestRequested', setAt(backtest, ['job', 'period', 'to'], 253_402_300_800_000))).to.deep.equal(['data.job.period.to']);
    });
    it('a timestamp before 1970 or after 9999', () => {
      const result = EVENT_EXAMPLES['StrategyBacktested']!.data as object;
      expect(refused('StrategyBacktested', setAt(result, ['result', 'window', 'start'], '1960-01-01T00:00:00.000Z'))).to.deep.equal([
        'data.result.window.start',
      ]);
      expect(refused('StrategyBacktested', setAt(result, ['result', 'window', 'end'], '+010000-01-01T00:00:00.000Z'))).to.deep.equal([
        'data.result.window.end',
      ]);
    });
    it('a 90 KB correlation id', () => {
      expect(refused('StrategyGenerated', generated, exampleMetadata({ correlationId: 'c'.repeat(90_000) }))).to.deep.equal(['metadata.correlationId']);
    });
    it('a genome with 50,000 symbols', () => {
      const symbols = Array.from({ length: 50_000 }, (_, i) => `SYM${String(i).padStart(5, '0')}`);
      expect(refused('StrategyGenerated', setAt(generated, ['genome', 'symbols'], symbols))).to.deep.equal(['data.genome.symbols']);
    });
    it('NaN and infinite metrics', () => {
      const data = EVENT_EXAMPLES['StrategyBacktested']!.data;
      expect(refused('StrategyBacktested', setAt(data, ['result', 'metrics', 'sharpe'], NaN))).to.deep.equal(['data.result.metrics.sharpe']);
      expect(refused('StrategyBacktested', setAt(data, ['result', 'metrics', 'sharpe'], -Infinity))).to.deep.equal(['data.result.metrics.sharpe']);
    });
    it('a field no codec knows, at the top and deep inside', () => {
      expect(refused('StrategyGenerated', { ...(generated as object), note: 'x' })).to.deep.equal(['data.note']);
      expect(refused('StrategyGenerated', setAt(generated, ['genome', 'risk', 'leverage'], 10))).to.deep.equal(['data.genome.risk.leverage']);
      expect(refused('StrategyGenerated', generated, exampleMetadata({ extra: 1 }))).to.deep.equal(['metadata.extra']);
    });
    it('a string PostgreSQL cannot store (U+0000, a lone surrogate), even where any text goes', () => {
      const retired = EVENT_EXAMPLES['StrategyRetired']!.data;
      expect(refused('StrategyRetired', setAt(retired, ['reason'], 'gone\u0000'))).to.deep.equal(['data.reason']);
      expect(refused('StrategyRetired', setAt(retired, ['reason'], 'gone \ud83d'))).to.deep.equal(['data.reason']);
      const failed = EVENT_EXAMPLES['BacktestFailed']!.data;
      expect(refused('BacktestFailed', setAt(failed, ['error'], '\u0000'))).to.deep.equal(['data.error']);
    });
    it('an event larger than the limit', () => {
      const trades = Array.from({ length: 20_000 }, () => (EVENT_EXAMPLES['BacktestCompleted']!.data as { result: { trades: unknown[] } }).result.trades[0]);
      const data = setAt(EVENT_EXAMPLES['BacktestCompleted']!.data, ['result', 'trades'], trades);
      expect(JSON.stringify(data).length).to.be.greaterThan(MAX_EVENT_BYTES);
      expect(refused('BacktestCompleted', data)).to.deep.equal(['data']);
    });
    it('a type the catalog does not know, an event id that is no UUID, a value JSON cannot hold', () => {
      expect(refused('BacktestExploded', {})).to.deep.equal(['type']);
      const bad = checkNewEvent('strategy-x', { ...event('StrategyGenerated', generated, exampleMetadata()), eventId: 'not-a-uuid' });
      expect(either.isLeft(bad) && bad.left.errors.map((e) => e.path)).to.deep.equal(['eventId']);
      expect(refused('StrategyRetired', setAt(EVENT_EXAMPLES['StrategyRetired']!.data, ['reason'], 10n))).to.deep.equal(['(root)']);
    });
    it('the checked store appends nothing of a batch with one refused event', async () => {
      const stream = `strategy-${randomUUID()}`;
      const good = event('StrategyGenerated', generated, exampleMetadata());
      const bad = event('StrategyBacktested', setAt(EVENT_EXAMPLES['StrategyBacktested']!.data, ['result', 'metrics', 'sharpe'], NaN), exampleMetadata());
      const r = await store.appendToStream(stream, [good, bad]);
      expect(either.isLeft(r) && r.left.kind).to.equal('EventRejected');
      expect(await store.readStream(stream)).to.have.length(0);
    });
  });

  describe('property: what the check accepts reads back unchanged', () => {
    const types = Object.keys(EVENT_EXAMPLES);
    for (const type of types)
      it(`${type}: hostile values anywhere in the data or the metadata`, async function () {
        this.timeout(120_000);
        const example = EVENT_EXAMPLES[type]!;
        const dataPaths = pathsOf(example.data);
        const metadataPaths = pathsOf(exampleMetadata());
        let accepted = 0;
        let refusedCount = 0;
        await fc.assert(
          fc.asyncProperty(fc.boolean(), fc.nat(), mutation, fc.nat(), mutation, async (inMetadata, at, m, at2, m2) => {
            // Up to two mutations: one in the data and one wherever the first did not go.
            const data = inMetadata ? example.data : apply(example.data, dataPaths[at % dataPaths.length]!, m);
            const metadata = inMetadata ? apply(exampleMetadata(), metadataPaths[at % metadataPaths.length]!, m) : exampleMetadata();
            const data2 = inMetadata ? apply(data, dataPaths[at2 % dataPaths.length]!, m2) : data;
            const e = event(type, data2, metadata);
            const stream = streamFor(type);
            const checked = checkNewEvent(stream, e);
            if (either.isLeft(checked)) {
              refusedCount++;
              return;
            }
            accepted++;
            const appended = await store.appendToStream(stream, [e]);
            if (either.isLeft(appended)) throw new Error(`the store refused an event the check accepted: ${JSON.stringify(appended.left)}`);
            const [read] = await store.readStream(stream);
            const decoded = decodeEvent(read!);
            if (either.isLeft(decoded)) throw new Error(`accepted, stored, and does not decode: ${decoded.left.message}`);
            expect(decoded.right.event.data).to.deep.equal(JSON.parse(JSON.stringify(data2)));
            expect(decoded.right.metadata).to.deep.equal(JSON.parse(JSON.stringify(metadata)));
          }),
          { seed: 20_261_204 + type.length, numRuns: 150 },
        );
        // Both sides of the property were exercised.
        expect(accepted, 'accepted cases').to.be.greaterThan(0);
        expect(refusedCount, 'refused cases').to.be.greaterThan(0);
      });
  });
});
