// Hostile requests for every route of the HTTP API, generated with fast-check (seeded, so a failure can be replayed):
// the valid example bodies mutated (a field set to a hostile value, removed, added, wrapped; numbers beyond doubles;
// repeated keys; truncated or deeply nested text; escapes PostgreSQL cannot store), sent with wrong or missing content
// types and encodings, oversize, with odd Idempotency-Keys, path segments and query strings — and the issue's own
// cases, which every run sends. Used by `npm run fuzz:api` (bench/fuzz-api.ts) and its CI test.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LIFECYCLE_ROUTE_NAMES } from '../../apps/api/command-bodies.js';
import { exampleCommands, exampleGenerate } from '../../apps/api/examples.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { SETTING_NAMES } from '../../domain/settings/definitions.js';

export interface HostileRequest {
  /** The route it aims at, as the report groups it: `POST /api/backtests`. */
  readonly route: string;
  readonly method: string;
  /** Path and query string, already encoded. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** What was done to it, for the report. */
  readonly note: string;
}

/** What the running API holds, so requests can also aim at real ids. */
export interface FuzzContext {
  readonly strategyIds: readonly string[];
  readonly jobIds: readonly string[];
  readonly maxBodyBytes: number;
}

const te = new TextEncoder();

// ---- hostile values ---------------------------------------------------------------------------------------------

const DATES = [
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00.000Z',
  '2023-02-29T00:00:00.000Z',
  '2023-13-01T00:00:00.000Z',
  '2023-01-01T24:00:00.000Z',
  '2023-01-01',
  '2023-01-01T00:00:00+02:00',
  '2100-01-01T00:00:00.000Z',
  '2021-04-04T20:00:00.000Z',
  '2023-12-30T19:00:00.000Z',
];
const STRINGS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  `operator:${'a'.repeat(101)}`,
  'operator:alice',
  'system:api',
  'BTCUSDT',
  'ETHUSDT',
  'FAKEFAKE',
  'binance',
  'kraken',
  'sharpe',
  'profit',
  'fast.period',
  '__proto__.polluted',
  'constructor.prototype.polluted',
  '../../etc/passwd',
  "'; DROP TABLE events; --",
  '<script>alert(1)</script>',
  '\u202eevil',
  '\ufeff',
];
const NUMBERS = [0, -0, -1, 0.5, 1, 1e308, -1e308, 5e-324, 2 ** 53 + 2, -(2 ** 63), 1e21, 123456789.123456789];

/** Nested arrays n deep around a number. */
const nested = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, ...NUMBERS),
  fc.integer(),
  fc.double(), // NaN and the infinities become null in JSON
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udc00', '\u202e', '\u200b', '\ufeff', 'é', '😀', '"', '\\', '[', '{', '\n'), maxLength: 12 }),
  fc.constantFrom(...DATES, ...STRINGS),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 100, max: 30_000 }).map((n) => Array.from({ length: n }, (_, i) => i % 7)),
  fc.constant([]),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.integer(), { maxKeys: 5 }),
  fc.integer({ min: 2, max: 60 }).map(nested),
);

// ---- body mutations ---------------------------------------------------------------------------------------------

type Json = unknown;
type Path = readonly (string | number)[];

/** Every path to a node of the value, the root included. */
const pathsOf = (v: Json, at: Path = [], out: Path[] = []): Path[] => {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
};

/** An own, enumerable property (a key `__proto__` too, as JSON.parse makes it). */
const put = (o: Record<string | number, unknown>, k: string | number, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

interface Op {
  readonly kind: 'set' | 'delete' | 'add' | 'wrap';
  readonly at: number;
  readonly key: string;
  readonly value: unknown;
}

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('set', 'set', 'set', 'delete', 'add', 'wrap'),
  at: fc.nat(),
  key: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'genome', 'period', 'symbols', 'gridSearch', 'walkForward', 'correlationId'),
  ),
  value: hostileValue,
});

const applyOp = (root: Json, op: Op): { root: Json; note: string } => {
  // A value of its own: fast-check may hand two operations the same object, and putting one instance twice into the
  // body (inside itself) would make it circular.
  const o = typeof op.value === 'object' && op.value !== null ? { ...op, value: structuredClone(op.value) } : op;
  const paths = pathsOf(root);
  const path = paths[o.at % paths.length]!;
  const where = path.length === 0 ? '(root)' : path.join('.');
  const parentOf = (p: Path) => p.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 40 ? `${s.slice(0, 37)}… (${s.length} chars)` : s;
  };
  switch (o.kind) {
    case 'set':
      if (path.length === 0) return { root: o.value, note: `body = ${show(o.value)}` };
      put(parentOf(path), path[path.length - 1]!, o.value);
      return { root, note: `${where} = ${show(o.value)}` };
    case 'delete':
      if (path.length === 0) return { root: undefined, note: 'no body' };
      if (Array.isArray(parentOf(path))) (parentOf(path) as unknown as unknown[]).splice(Number(path[path.length - 1]), 1);
      else delete parentOf(path)[path[path.length - 1]!];
      return { root, note: `${where} removed` };
    case 'add': {
      const node = path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root);
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return applyOp(root, { ...o, kind: 'set' });
      put(node as Record<string, unknown>, o.key, o.value);
      return { root, note: `${where}.${o.key} added = ${show(o.value)}` };
    }
    case 'wrap': {
      const node = path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root);
      const wrapped = o.at % 2 === 0 ? [node] : { value: node };
      if (path.length === 0) return { root: wrapped, note: 'body wrapped' };
      put(parentOf(path), path[path.length - 1]!, wrapped);
      return { root, note: `${where} wrapped` };
    }
  }
};

/** Changes to the JSON text itself, after the value is serialised. */
const textOp: fc.Arbitrary<{ readonly apply: (s: string) => string; readonly note: string }> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ apply: (s: string) => s, note: '' }) },
  fc.nat().map((n) => ({ apply: (s: string) => s.slice(0, n % (s.length + 1)), note: `truncated at ${n}` })),
  fc
    .tuple(fc.constantFrom('1e999', '-1e999', '1'.repeat(400), '-0', '1E+308', '0.000000000000000000000000001', '9007199254740993'), fc.nat(20))
    .map(([lit, nth]) => ({
      apply: (s: string) => {
        let k = 0;
        return s.replace(/(?<=[:[,])-?\d+(\.\d+)?([eE][+-]?\d+)?/g, (m) => (k++ === nth % 5 ? lit : m));
      },
      note: `a number written ${lit.slice(0, 20)}`,
    })),
  hostileValue.map((v) => ({
    apply: (s: string) => {
      const first = /^\{"((?:[^"\\]|\\.)*)":/.exec(s);
      return first ? `{"${first[1]}":${JSON.stringify(v) ?? 'null'},${s.slice(1)}` : s;
    },
    note: 'the first key repeated before it',
  })),
  hostileValue.map((v) => ({
    apply: (s: string) => {
      const first = /^\{"((?:[^"\\]|\\.)*)":/.exec(s);
      return first && s.endsWith('}') ? `${s.slice(0, -1)},"${first[1]}":${JSON.stringify(v) ?? 'null'}}` : s;
    },
    note: 'the first key repeated after it',
  })),
  fc
    .constantFrom(31, 32, 33, 64, 1000, 200_000)
    .map((n) => ({ apply: (s: string) => `${'['.repeat(n)}${s}${']'.repeat(n)}`, note: `wrapped in ${n} brackets` })),
  fc.constantFrom('\\u0000', '\\ud800', '\\udfff', '\\ud83d\\ude00', '\\u202e').map((esc) => ({
    apply: (s: string) => s.replace(/"(?=[^"]*":)/, `"${esc}`),
    note: `a key escaped with ${esc}`,
  })),
  fc.constantFrom('\\u0000', '\\ud800', '\\udc00x').map((esc) => ({
    apply: (s: string) => s.replace(/:"/, `:"${esc}`),
    note: `a string value escaped with ${esc}`,
  })),
  fc
    .constantFrom('\ufeff', ' \n\t', 'x', '}', ',')
    .map((extra) => ({ apply: (s: string) => (extra === '\ufeff' ? extra + s : s + extra), note: `${JSON.stringify(extra)} added` })),
);

// ---- transport ----------------------------------------------------------------------------------------------------

interface Transport {
  readonly contentType?: string;
  readonly encoding?: 'gzip' | 'gzip-invalid' | 'br' | 'compress';
  readonly oversize?: boolean;
}

const transport: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ contentType: 'application/json' }) },
  fc.constantFrom<Transport>(
    { contentType: 'text/plain' },
    {},
    { contentType: 'application/x-www-form-urlencoded' },
    { contentType: 'multipart/form-data; boundary=xyz' },
    { contentType: 'application/json; charset=latin1' },
    { contentType: 'application/json; charset=utf-16' },
    { contentType: 'application/JSON' },
    { contentType: 'application/json;charset="utf-8"' },
    { contentType: 'application/json, text/plain' },
    { contentType: 'application/merge-patch+json' },
    { contentType: ';;;' },
    { contentType: 'application/json', encoding: 'gzip' },
    { contentType: 'application/json', encoding: 'gzip-invalid' },
    { contentType: 'application/json', encoding: 'br' },
    { contentType: 'application/json', encoding: 'compress' },
    { contentType: 'application/json', oversize: true },
  ),
);

/** Header values fetch can send: printable ASCII. */
const headerText = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  fc.uuid(),
  fc.constantFrom('', ' ', 'k'.repeat(200), 'k'.repeat(201), 'same-key'),
  headerText(60),
);

const bodyRequest = (
  route: string,
  method: string,
  path: string,
  value: Json,
  ops: readonly Op[],
  text: { apply: (s: string) => string; note: string },
  t: Transport,
  key: string | undefined,
  ctx: FuzzContext,
): HostileRequest => {
  let root: Json = structuredClone(value);
  const notes: string[] = [];
  for (const o of ops) {
    const r = applyOp(root, o);
    root = r.root;
    notes.push(r.note);
  }
  let json = root === undefined ? '' : text.apply(JSON.stringify(root) ?? '');
  if (text.note) notes.push(text.note);
  if (t.oversize) {
    json = `${json}${' '.repeat(ctx.maxBodyBytes + 1)}`;
    notes.push(`padded past ${ctx.maxBodyBytes} bytes`);
  }
  let body: Uint8Array = te.encode(json);
  const headers: Record<string, string> = {};
  if (t.contentType !== undefined) headers['content-type'] = t.contentType;
  if (t.encoding === 'gzip') body = gzipSync(body);
  if (t.encoding !== undefined) headers['content-encoding'] = t.encoding === 'gzip-invalid' ? 'gzip' : t.encoding;
  if (key !== undefined) headers['idempotency-key'] = key;
  notes.push(
    `content-type ${t.contentType ?? '(none)'}${t.encoding ? `, encoding ${t.encoding}` : ''}${key === undefined ? '' : `, Idempotency-Key ${JSON.stringify(key.slice(0, 30))}`}`,
  );
  return { route, method, path, headers, ...(json === '' && root === undefined ? {} : { body }), note: notes.join('; ') };
};

const bodyArb = (route: string, method: string, path: fc.Arbitrary<string>, examples: fc.Arbitrary<Json>, ctx: FuzzContext): fc.Arbitrary<HostileRequest> =>
  fc
    .tuple(path, examples, fc.array(op, { minLength: 0, maxLength: 3 }), textOp, transport, idempotencyKey)
    .map(([p, value, ops, text, t, key]) => bodyRequest(route, method, p, value, ops, text, t, key, ctx));

// ---- paths and query strings ------------------------------------------------------------------------------------

/** Percent-encodes any string, unpaired surrogates included (as the UTF-8 of U+FFFD, like a browser would). */
const encode = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%00', '%2e%2e', '..', '%2F', 'a%20b', '%F0%9F%98%80', '%ED%A0%80'];

const segment = (real: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    ...(real.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...real) }] : []),
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 3, arbitrary: hostileValue.map((v) => encode(typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined')).slice(0, 12_000)) },
  );

const queryString = (names: readonly string[], values: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    {
      weight: 8,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })),
            fc.oneof(
              fc.constantFrom(...values, ...STRINGS, ...DATES),
              hostileValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
            ),
          ),
          { maxLength: 6 },
        )
        .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v.slice(0, 3000))}`).join('&')),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz=1',
        'a[b]=c',
        'limit[]=1&limit[]=2',
        `${names[0]}=1&${names[0]}=2`,
        '&&&&',
        '=',
        `x=${'y'.repeat(5000)}`,
        Array.from({ length: 40 }, (_, i) => `p${i}=${i}`).join('&'),
      ),
    },
  );

const withQuery = (path: string, q: string) => (q === '' ? path : `${path}?${q}`);

const getArb = (route: string, path: fc.Arbitrary<string>, query: fc.Arbitrary<string>): fc.Arbitrary<HostileRequest> =>
  fc
    .tuple(path, query, fc.constantFrom('GET', 'GET', 'GET', 'GET', 'HEAD', 'DELETE', 'PUT'), fc.option(headerText(40), { nil: undefined }))
    .map(([p, q, method, accept]): HostileRequest => ({
      route,
      method,
      path: withQuery(p, q),
      headers: accept === undefined ? {} : { accept },
      note: `${method}${accept === undefined ? '' : `, Accept ${JSON.stringify(accept)}`}`,
    }));

// ---- the routes ---------------------------------------------------------------------------------------------------

/** A backtest body that is valid against the fuzz's candles (BTCUSDT and ETHUSDT 1h), over one week. */
export const validBacktestBodies = (): Json[] => {
  const period = { from: '2023-11-01T00:00:00.000Z', to: '2023-11-08T00:00:00.000Z' };
  return [
    { genome: smaCrossoverGenome(), period },
    {
      genome: smaCrossoverGenome(5, 20, ['BTCUSDT', 'ETHUSDT']),
      period,
      symbols: ['ETHUSDT'],
      interval: '1h',
      exchange: 'binance',
      actor: 'operator:alice',
      correlationId: 'fuzz',
    },
    { genome: smaCrossoverGenome(), period, gridSearch: { grid: { 'fast.period': [5, 10], 'slow.period': [30, 40] }, metric: 'sharpe' } },
    {
      genome: smaCrossoverGenome(),
      period,
      settings: { takerFee: 0, makerFee: 0, slippage: 0.0005, initialCapital: 1e6, sizing: { mode: 'lot', lotSize: 0.001 } },
    },
    {
      genome: smaCrossoverGenome(),
      period,
      settings: { sizing: { mode: 'whole' }, barsPerYear: 8760 },
      kind: 'walk_forward',
      walkForward: { inSample: 48, outOfSample: 24, step: 24, anchored: false, grid: { 'fast.period': [5, 8] }, metric: 'totalReturn' },
    },
  ];
};

export const routes = (ctx: FuzzContext): Readonly<Record<string, fc.Arbitrary<HostileRequest>>> => {
  const strategy = segment(ctx.strategyIds);
  const job = segment(ctx.jobIds);
  const day = fc.oneof(fc.constantFrom('2023-12-30', '2024-02-30', '2023-1-1', '99999-01-01', '0000-00-00', '2023-12-30T00:00:00Z'), segment([]));
  const names = [...LIFECYCLE_ROUTE_NAMES];
  const account = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('live-fuzz', 'paper-fuzz', 'a'.repeat(200), 'a'.repeat(201)) },
    { weight: 2, arbitrary: segment([]) },
  );
  const index = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('0', '1', '3', '-1', '1.5', '1e3', '999999999999999999999', '00') },
    { weight: 1, arbitrary: segment([]) },
  );
  return {
    'POST /api/strategies': bodyArb(
      'POST /api/strategies',
      'POST',
      fc.constant('/api/strategies'),
      fc.constantFrom<Json>(exampleGenerate, { genome: smaCrossoverGenome(), correlationId: 'c-1' }),
      ctx,
    ),
    'POST /api/strategies/:id/:command': fc
      .tuple(strategy, fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: segment([]) }))
      .chain(([id, command]) =>
        bodyArb(
          'POST /api/strategies/:id/:command',
          'POST',
          fc.constant(`/api/strategies/${id}/${command}`),
          fc.constant<Json>(exampleCommands[command as (typeof names)[number]] ?? {}),
          ctx,
        ),
      ),
    'GET /api/strategies': getArb(
      'GET /api/strategies',
      fc.constant('/api/strategies'),
      queryString(['state', 'limit', 'offset'], ['Live', 'Generated', '0', '10', '1000', '1001', '-1', '1e3']),
    ),
    'GET /api/strategies/:id': getArb(
      'GET /api/strategies/:id',
      strategy.map((id) => `/api/strategies/${id}`),
      queryString(['x'], ['1']),
    ),
    'GET /api/strategies/:id/events': getArb(
      'GET /api/strategies/:id/events',
      strategy.map((id) => `/api/strategies/${id}/events`),
      queryString(['x'], ['1']),
    ),
    'GET /api/audit/activations': getArb(
      'GET /api/audit/activations',
      fc.constant('/api/audit/activations'),
      queryString(['strategyId', 'limit'], [...ctx.strategyIds, '5000', '5001']),
    ),
    'GET /api/market-data/status': getArb(
      'GET /api/market-data/status',
      fc.constant('/api/market-data/status'),
      queryString(['source', 'symbol'], ['csv:binance_BTCUSDT_1h.csv.gz', 'BTCUSDT', 'x'.repeat(65)]),
    ),
    'GET /api/market-data/selections/:day': getArb(
      'GET /api/market-data/selections/:day',
      day.map((d) => `/api/market-data/selections/${d}`),
      queryString(['x'], ['1']),
    ),
    'POST /api/backtests': bodyArb('POST /api/backtests', 'POST', fc.constant('/api/backtests'), fc.constantFrom(...validBacktestBodies()), ctx),
    'GET /api/backtests': getArb(
      'GET /api/backtests',
      fc.constant('/api/backtests'),
      queryString(['strategyId', 'status', 'limit'], ['completed', 'failed', 'requested', '10', '1001', ...ctx.strategyIds]),
    ),
    'GET /api/backtests/:id': getArb(
      'GET /api/backtests/:id',
      job.map((id) => `/api/backtests/${id}`),
      queryString(['x'], ['1']),
    ),
    'GET /api/backtests/:id/cells': getArb(
      'GET /api/backtests/:id/cells',
      job.map((id) => `/api/backtests/${id}/cells`),
      queryString(
        ['offset', 'limit', 'sort'],
        ['0', '1', '10', '1000', '1001', '-1', '1e3', 'rank', '-rank', 'score', '-sharpe', 'totalReturn', 'params', '__proto__'],
      ),
    ),
    'GET /api/backtests/:id/windows': getArb(
      'GET /api/backtests/:id/windows',
      job.map((id) => `/api/backtests/${id}/windows`),
      queryString(['offset', 'limit', 'sort'], ['0', '1', '10', '1000', '1001', '-1', 'index', '-index', '-oosSharpe', 'constructor']),
    ),
    'GET /api/backtests/:id/cells/:index/backtest-request': getArb(
      'GET /api/backtests/:id/cells/:index/backtest-request',
      fc.tuple(job, index).map(([id, i]) => `/api/backtests/${id}/cells/${i}/backtest-request`),
      queryString(['x'], ['1']),
    ),
    'GET /api/backtests/:id/windows/:index/backtest-request': getArb(
      'GET /api/backtests/:id/windows/:index/backtest-request',
      fc.tuple(job, index).map(([id, i]) => `/api/backtests/${id}/windows/${i}/backtest-request`),
      queryString(['x'], ['1']),
    ),
    'GET /api/learning/cycles': getArb(
      'GET /api/learning/cycles',
      fc.constant('/api/learning/cycles'),
      queryString(['limit', 'before'], ['1', '500', '501', '2023-06-02', '2023-02-30']),
    ),
    'GET /api/learning/cycles/:cycleId': getArb(
      'GET /api/learning/cycles/:cycleId',
      day.map((d) => `/api/learning/cycles/${d}`),
      queryString(['x'], ['1']),
    ),
    'GET /api/learning/policy': getArb('GET /api/learning/policy', fc.constant('/api/learning/policy'), queryString(['x'], ['1'])),
    'GET /api/cycles': getArb(
      'GET /api/cycles',
      fc.constant('/api/cycles'),
      queryString(['limit', 'before'], ['1', '500', '501', '0', '2023-06-02', '2023-02-30']),
    ),
    'GET /api/cycles/:cycleId': getArb(
      'GET /api/cycles/:cycleId',
      day.map((d) => `/api/cycles/${d}`),
      queryString(['x'], ['1']),
    ),
    'GET /api/ranking': getArb(
      'GET /api/ranking',
      fc.constant('/api/ranking'),
      queryString(
        ['state', 'limit', 'offset', 'sort'],
        ['Paper', 'Live', 'Retired', 'Filtered', 'live', '', '0', '1', '1000', '1001', '-1', '1e3', '99999999999'],
      ),
    ),
    'GET /api/orders': getArb(
      'GET /api/orders',
      fc.constant('/api/orders'),
      queryString(
        ['account', 'strategyId', 'exchange', 'symbol', 'status', 'from', 'to', 'limit', 'offset'],
        ['paper-1', 'binance', 'BTCUSDT', 'filled', 'cancelled', '2023-06-02', '2023-06-02T12:00:00Z', '2023-02-30', '1', '1000', '1001', '-1'],
      ),
    ),
    'GET /api/positions': getArb(
      'GET /api/positions',
      fc.constant('/api/positions'),
      queryString(
        ['account', 'strategyId', 'exchange', 'symbol', 'status', 'limit', 'offset'],
        ['paper-1', 'binance', 'BTCUSDT', 'open', 'closed', 'all', '1', '1001'],
      ),
    ),
    'GET /api/pnl': getArb(
      'GET /api/pnl',
      fc.constant('/api/pnl'),
      queryString(
        ['groupBy', 'account', 'strategyId', 'exchange', 'symbol', 'from', 'to', 'limit', 'offset'],
        ['total', 'day', 'strategy', 'symbol', 'account', 'week', 'binance', 'BTCUSDT', '2023-06-02', '2023-06-01T00:00:00Z', '1', '1001'],
      ),
    ),
    'GET /api/alerts': getArb(
      'GET /api/alerts',
      fc.constant('/api/alerts'),
      queryString(
        ['state', 'severity', 'rule', 'limit', 'cursor'],
        ['open', 'resolved', 'closed', 'critical', 'kill-switch', 'data-stale', '1', '500', '501', '0', 'eyJ0IjoieCJ9', '%00'],
      ),
    ),
    'POST /api/alerts/:id/acknowledge': segment([]).chain((id) =>
      bodyArb(
        'POST /api/alerts/:id/acknowledge',
        'POST',
        fc.constant(`/api/alerts/${id}/acknowledge`),
        fc.constantFrom<Json>({ actor: 'operator:alice', reason: 'looked at it' }, { reason: 'looked at it' }, { actor: 'operator:someone-else', reason: 'x' }),
        ctx,
      ),
    ),
    // The console's reads (console-routes.ts).
    'GET /api/candles': getArb(
      'GET /api/candles',
      fc.constant('/api/candles'),
      queryString(
        ['symbol', 'interval', 'from', 'to', 'exchange'],
        ['BTCUSDT', 'ETHUSDT', '1h', '4h', '2h', '2023-11-01', '2023-11-03', '2023-11-01T00:00:00Z', '2015-01-01', 'binance'],
      ),
    ),
    'GET /api/strategies/:id/backtest-trace': getArb(
      'GET /api/strategies/:id/backtest-trace',
      strategy.map((id) => `/api/strategies/${id}/backtest-trace`),
      queryString(['symbol', 'from', 'to'], ['BTCUSDT', 'DOGEUSDT', '2023-11-01', '2023-11-08']),
    ),
    'GET /api/strategies/:id/record': getArb(
      'GET /api/strategies/:id/record',
      strategy.map((id) => `/api/strategies/${id}/record`),
      queryString(['x'], ['1']),
    ),
    'GET /api/market-data/daily': getArb(
      'GET /api/market-data/daily',
      fc.constant('/api/market-data/daily'),
      queryString(['from', 'to', 'series'], ['2023-09-01', '2023-09-03', '2015-01-01', 'fear_greed', 'vix', 'sp500', 'nope']),
    ),
    'GET /api/pipeline/schedule': getArb('GET /api/pipeline/schedule', fc.constant('/api/pipeline/schedule'), queryString(['x'], ['1'])),
    // The live stream answers a valid request with a stream that never ends: the fuzz sends it only Last-Event-IDs
    // that are not a position (each must be a 400 at once) and the other methods.
    'GET /api/stream': getArb('GET /api/stream', fc.constant('/api/stream'), queryString(['x'], ['1'])).chain((r) =>
      fc
        .oneof(fc.constantFrom('yesterday', '1', '1.2.3', '-1.0', '.', '1.', 'x'.repeat(5000), '1.0; 2.0', '0x10.1', '1e3.0'), headerText(60))
        .filter((id) => id.trim() !== '' && !/^\s*\d+\.\d+\s*$/.test(id))
        .map((id): HostileRequest => ({
          ...r,
          headers: { ...r.headers, 'last-event-id': id },
          note: `${r.note}, Last-Event-ID ${JSON.stringify(id.slice(0, 40))}`,
        })),
    ),
    // Who the key is; the admin overrides (override-routes.ts); logs and metrics.
    'GET /api/auth/me': getArb('GET /api/auth/me', fc.constant('/api/auth/me'), queryString(['x'], ['1'])),
    'GET /api/settings': getArb('GET /api/settings', fc.constant('/api/settings'), queryString(['x'], ['1'])),
    'POST /api/settings/:name': fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SETTING_NAMES) }, { weight: 1, arbitrary: segment([]) }).chain((name) =>
      bodyArb(
        'POST /api/settings/:name',
        'POST',
        fc.constant(`/api/settings/${name}`),
        // 0.1 is in the range of the fractional settings (activation.replacementMargin); 2 and 3 of the integer ones
        fc.constantFrom<Json>(
          { value: 2, reason: 'fuzz' },
          { value: 0.1, reason: 'fuzz' },
          { value: 1e308, reason: 'fuzz' },
          { value: 3, reason: 'fuzz', actor: 'operator:alice' },
        ),
        ctx,
      ),
    ),
    'GET /api/risk/:account': getArb(
      'GET /api/risk/:account',
      account.map((a) => `/api/risk/${a}`),
      queryString(['x'], ['1']),
    ),
    'POST /api/risk/:account/kill': account.chain((a) =>
      bodyArb('POST /api/risk/:account/kill', 'POST', fc.constant(`/api/risk/${a}/kill`), fc.constant<Json>({ reason: 'fuzz' }), ctx),
    ),
    'POST /api/risk/:account/release': account.chain((a) =>
      bodyArb(
        'POST /api/risk/:account/release',
        'POST',
        fc.constant(`/api/risk/${a}/release`),
        fc.constantFrom<Json>({ trigger: 'manual', reason: 'fuzz' }, { trigger: 'max_drawdown', reason: 'fuzz' }),
        ctx,
      ),
    ),
    'POST /api/risk/:account/limits': account.chain((a) =>
      bodyArb(
        'POST /api/risk/:account/limits',
        'POST',
        fc.constant(`/api/risk/${a}/limits`),
        fc.constantFrom<Json>({ reason: 'fuzz', limits: { maxOpenPositions: 3 } }, { reason: 'fuzz', limits: { dailyLossLimit: 0.05, maxSymbolExposure: 1 } }),
        ctx,
      ),
    ),
    'GET /api/logs': getArb(
      'GET /api/logs',
      fc.constant('/api/logs'),
      queryString(
        ['service', 'level', 'from', 'to', 'q', 'limit', 'cursor'],
        [
          'api',
          'fuzz',
          'warn',
          'error',
          'loud',
          '2023-11-01T00:00:00Z',
          '2024-01-01T00:00:00Z',
          'binance or timeout',
          '"unterminated',
          '-',
          '1',
          '500',
          '501',
          'eyJ0IjoieCJ9',
        ],
      ),
    ),
    'GET /api/predictions/latest': getArb(
      'GET /api/predictions/latest',
      fc.constant('/api/predictions/latest'),
      queryString(['model', 'x'], ['btc-1h', 'BTC 1H', '-', 'a'.repeat(61), '1']),
    ),
    'GET /api/predictions': getArb(
      'GET /api/predictions',
      fc.constant('/api/predictions'),
      queryString(
        ['from', 'to', 'model', 'limit', 'x'],
        [
          '2023-11-01T00:00:00Z',
          '2024-01-01T00:00:00Z',
          '1970-01-01T00:00:00Z',
          '9999-12-31T23:59:59Z',
          'yesterday',
          'btc-1h',
          '0',
          '1',
          '1000',
          '100001',
          '-1',
        ],
      ),
    ),
    'GET /metrics': getArb('GET /metrics', fc.constant('/metrics'), queryString(['x', 'name[]'], ['1'])),
    'GET /openapi.json': getArb('GET /openapi.json', fc.constant('/openapi.json'), queryString(['x'], ['1'])),
    'GET /health': getArb('GET /health', fc.constant('/health'), queryString(['x'], ['1'])),
    '(no route)': fc.oneof(
      getArb(
        '(no route)',
        segment([]).map((s) => `/${s}`),
        queryString(['x'], ['1']),
      ),
      bodyArb(
        '(no route)',
        'POST',
        segment([]).map((s) => `/api/${s}`),
        fc.constant<Json>({ a: 1 }),
        ctx,
      ),
      bodyArb(
        '(no route)',
        'PATCH',
        strategy.map((id) => `/api/strategies/${id}`),
        fc.constant<Json>(exampleGenerate),
        ctx,
      ),
    ),
  };
};

const json = (
  route: string,
  path: string,
  value: unknown,
  note: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): HostileRequest => ({
  route,
  method: 'POST',
  path,
  headers,
  body: te.encode(typeof value === 'string' ? value : JSON.stringify(value)),
  note,
});

/** The cases the issue reports, sent on every run. */
export const issueCases = (): HostileRequest[] => {
  const period = { from: '2023-01-01T00:00:00.000Z', to: '2023-03-01T00:00:00.000Z' };
  const genome = smaCrossoverGenome();
  const bt = (extra: Record<string, unknown>, note: string) => json('POST /api/backtests', '/api/backtests', { genome, period, ...extra }, `issue: ${note}`);
  const madeUp = Array.from({ length: 50_000 }, (_, i) => `MADE${String(i).padStart(6, '0')}`);
  return [
    bt({ period: { from: '1969-12-01T00:00:00.000Z', to: '2023-01-01T00:00:00.000Z' } }, 'a period that starts before 1970'),
    bt(
      {
        walkForward: {
          inSample: 24,
          outOfSample: 24,
          grid: { 'fast.period': Array.from({ length: 99 }, (_, i) => i + 2), 'slow.period': Array.from({ length: 101 }, (_, i) => i + 100) },
        },
      },
      'walk-forward of 24-bar windows with a 9,999-cell grid',
    ),
    json('POST /api/backtests', '/api/backtests', '['.repeat(200_000), 'issue: 200,000 nested brackets'),
    json('POST /api/strategies', '/api/strategies', '['.repeat(200_000), 'issue: 200,000 nested brackets'),
    json('POST /api/strategies', '/api/strategies', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'issue: 100,000 closed brackets with an Idempotency-Key', {
      'content-type': 'application/json',
      'idempotency-key': 'deep',
    }),
    json('POST /api/strategies', '/api/strategies', exampleGenerate, 'issue: a wrong content type', { 'content-type': 'text/plain' }),
    json('POST /api/backtests', '/api/backtests', { genome, period }, 'issue: a wrong content type', { 'content-type': 'application/x-www-form-urlencoded' }),
    json('POST /api/strategies', '/api/strategies', { ...exampleGenerate, correlationId: 'c'.repeat(90_000) }, 'issue: a 90 KB correlationId'),
    bt({ correlationId: 'c'.repeat(90_000) }, 'a 90 KB correlationId'),
    json('POST /api/strategies', '/api/strategies', { genome: { ...genome, symbols: madeUp } }, 'issue: a genome with 50,000 made-up symbols'),
    json(
      'POST /api/strategies',
      '/api/strategies',
      { genome: { ...genome, symbols: madeUp.slice(0, 20_000) } },
      'issue: a genome with 20,000 made-up symbols (under the body limit)',
    ),
    bt({ symbols: ['BTCUSDT', 'NOPEUSDT'] }, 'an unknown symbol'),
    bt({ exchange: 'kraken' }, 'an unknown exchange'),
    bt({ period: { from: '2030-01-01T00:00:00.000Z', to: '2031-01-01T00:00:00.000Z' } }, 'a future period'),
    bt({ gridSearch: { grid: { 'fast.nope': [1, 2] } } }, 'an unknown grid path'),
    bt({ gridSearch: { grid: { '__proto__.polluted': [1, 2] } } }, 'a grid path into the prototype'),
    bt({ gridSearch: { grid: { 'fast.period': [5, 10] }, metric: 'profit' } }, 'an unknown metric'),
    bt({ walkForward: { inSample: 5000, outOfSample: 5000 } }, 'windows longer than the range'),
    json('POST /api/strategies', '/api/strategies', { ...exampleGenerate, correlationId: 'nul\u0000' }, 'a NUL in a stored string'),
    json('POST /api/strategies', '/api/strategies', { ...exampleGenerate, correlationId: '\ud800' }, 'an unpaired surrogate in a stored string'),
  ];
};
