// decodeEvent checks a value with a check compiled from the codec's structure before it falls back to io-ts's
// decode (application/events/decode-event.ts). Property, seeded: for valid events of every type in the catalog and
// thousands of broken copies of them (a key deleted, a value of the wrong type, NaN, a hole in an array, an extra
// key, …), decodeEvent accepts exactly what plain io-ts accepts, returns the same value, and refuses with the same
// field errors.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decodeEvent } from '../../application/events/decode-event.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { EVENT_CATALOG } from '../../domain/events/catalog.js';
import { EventMetadata } from '../../domain/events/metadata.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { EVENT_EXAMPLES } from '../events/examples.js';

const rnd = mulberry32(20261122);
const ID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const metadata = {
  correlationId: ID,
  causationId: ID,
  actor: 'system:learning-cycle',
  schemaVersion: 1,
  occurredAt: '2023-06-01T03:00:00.000Z',
  idempotencyKey: 'k',
};
// One valid event of every type in the catalog (test/events/examples.ts), and one with a random genome.
const EVENTS: readonly { readonly type: string; readonly data: unknown }[] = [
  ...Object.entries(EVENT_EXAMPLES).map(([type, e]) => ({ type, data: e.data })),
  { type: 'StrategyGenerated', data: { strategyId: ID, genome: randomGenome(rnd, ['BTCUSDT'], '1h') } },
];

const recorded = (type: string, data: unknown, meta: unknown): RecordedEvent => ({
  streamName: `strategy-${ID}`,
  revision: 0n,
  position: { commit: 1n, prepare: 1n },
  eventId: ID,
  type,
  data,
  metadata: meta,
});

/** Every path to a value in a JSON tree (the root excluded). */
const pathsOf = (u: unknown, at: (string | number)[] = []): (string | number)[][] => {
  if (u === null || typeof u !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(u) ? u.map((_, i) => i) : Object.keys(u);
  return keys.flatMap((k) => [[...at, k], ...pathsOf((u as Record<string | number, unknown>)[k], [...at, k])]);
};

const BREAKAGES: readonly ((v: unknown) => unknown)[] = [
  () => undefined,
  () => null,
  () => 'x',
  () => 42,
  () => -1.5,
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => true,
  () => [],
  () => ({}),
  (v) => (Array.isArray(v) ? [...v, undefined] : [v]),
  // eslint-disable-next-line no-sparse-arrays -- a hole is the point: JSON never yields one
  (v) => (Array.isArray(v) && v.length > 0 ? Object.assign(new Array(v.length + 1), v.slice(1)) : [, v]),
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v, extra: 1 } : v),
  (v) => (typeof v === 'string' ? `${v}!` : typeof v === 'number' ? v + 0.5 : v),
];

/** A deep copy of `u` with the value at `path` broken (or its key deleted). */
const broken = (u: unknown, path: (string | number)[], breakage: number): unknown => {
  const copy = structuredClone(u);
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (breakage === BREAKAGES.length) delete parent[last];
  else parent[last] = BREAKAGES[breakage]!(parent[last]);
  return copy;
};

const plainDecode = (type: string, data: unknown, meta: unknown) => {
  const d = EVENT_CATALOG[type]!.decode(data);
  if (either.isLeft(d)) return { ok: false as const, errors: fieldErrors(d.left).map((e) => ({ ...e, path: `data.${e.path}` })) };
  const m = EventMetadata.decode(meta);
  if (either.isLeft(m)) return { ok: false as const, errors: fieldErrors(m.left).map((e) => ({ ...e, path: `metadata.${e.path}` })) };
  return { ok: true as const, data: d.right, metadata: m.right };
};

const agree = (type: string, data: unknown, meta: unknown, what: string) => {
  const fast = decodeEvent(recorded(type, data, meta));
  const plain = plainDecode(type, data, meta);
  expect(either.isRight(fast), what).to.equal(plain.ok);
  if (either.isRight(fast) && plain.ok) {
    expect(fast.right.event.data, what).to.deep.equal(plain.data);
    expect(fast.right.metadata, what).to.deep.equal(plain.metadata);
  }
  if (either.isLeft(fast) && !plain.ok) expect(fast.left.errors, what).to.deep.equal(plain.errors);
  return plain.ok;
};

describe('decodeEvent agrees with io-ts decode (fast path, seeded property)', () => {
  for (const e of EVENTS)
    it(`${e.type}: the valid event and every broken copy of its data and metadata`, () => {
      expect(agree(e.type, e.data, metadata, 'valid')).to.equal(true);
      let refused = 0;
      let cases = 0;
      for (const [target, value] of [
        ['data', e.data],
        ['metadata', metadata],
      ] as const)
        for (const path of pathsOf(value))
          for (let b = 0; b <= BREAKAGES.length; b++) {
            const v = broken(value, path, b);
            const ok = agree(e.type, target === 'data' ? v : e.data, target === 'metadata' ? v : metadata, `${target}.${path.join('.')} breakage ${b}`);
            cases++;
            if (!ok) refused++;
          }
      // Most breakages must be refusals, or the property says little.
      expect(refused).to.be.greaterThan(cases / 2);
    });
});
