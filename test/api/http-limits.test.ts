// The HTTP transport limits over the real API and a real PostgreSQL, with limits set below their defaults to show
// they are the configured ones: 413 naming the limit, 415 naming the expected type, JSON nested too deep refused
// before parsing, bounded query strings and free-form query values, symbols per genome — and nothing stored for any
// refused request.
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { DatabasePool } from 'slonik';
import { START } from '../../application/ports/event-store.js';
import { createApi } from '../../apps/api/server.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';

const LIMITS = { maxBodyBytes: 800_000, maxJsonDepth: 16, maxQueryBytes: 256, maxQueryParams: 5 };
const MAX_SYMBOLS = 3;

describe('HTTP transport limits', () => {
  let apiKey: TestKey;
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;

  before(async () => {
    db = await freshDatabase('http_limits');
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    pool = await createReadModelPool(db.url);
    const clock = fixedClock(new Date('2024-03-01T12:00:00.000Z'));
    const app = createApi({
      store,
      pool,
      log: createLogger('silent'),
      clock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
      limits: { http: LIMITS, genomeMaxSymbols: MAX_SYMBOLS },
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await store.close();
    await pool.end();
    await db.drop();
  });

  const send = async (method: string, path: string, body: string | Uint8Array | ReadableStream | undefined, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...apiKey.headers, ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const json = { 'content-type': 'application/json' };
  const events = () => store.countAfter(START);
  /** The request is refused with `status` and the log holds as many events as before. */
  const refused = async (status: number, request: () => Promise<{ status: number; body: { errors?: unknown } & Record<string, unknown> }>) => {
    const before = await events();
    const r = await request();
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).to.equal(status);
    expect(await events(), 'events stored by a refused request').to.equal(before);
    return r.body;
  };
  const genomeBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ genome: smaCrossoverGenome(), ...extra });

  it('accepts a valid body within every limit (the limits refuse only what they should)', async () => {
    const before = await events();
    const r = await send('POST', '/api/strategies', genomeBody(), json);
    expect(r.status).to.equal(201);
    expect(await events()).to.equal(before + 1);
  });

  it('413 naming API_MAX_BODY_BYTES for a body over the configured size, from Content-Length or while streaming', async () => {
    const big = genomeBody({ correlationId: 'x'.repeat(LIMITS.maxBodyBytes) });
    const body = await refused(413, () => send('POST', '/api/strategies', big, json));
    expect(body).to.deep.include({ error: 'PayloadTooLarge', limit: { name: 'API_MAX_BODY_BYTES', bytes: LIMITS.maxBodyBytes } });
    expect(body['message']).to.contain(String(LIMITS.maxBodyBytes));
    // Chunked, without a Content-Length: refused once the stream passes the limit.
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode(i === 0 ? '{"correlationId":"' : 'y'.repeat(100_000)));
        c.close();
      },
    });
    expect((await refused(413, () => send('POST', '/api/strategies', chunks, json))).error).to.equal('PayloadTooLarge');
    // A compressed body is limited by its inflated size.
    const bomb = gzipSync(Buffer.from(big));
    expect(bomb.length).to.be.below(LIMITS.maxBodyBytes / 10);
    expect((await refused(413, () => send('POST', '/api/strategies', bomb, { ...json, 'content-encoding': 'gzip' }))).error).to.equal('PayloadTooLarge');
  });

  it('415 naming application/json for a body of another content type, or none, or another charset', async () => {
    const types: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
      { 'content-type': 'application/json; charset=utf-16' },
    ];
    for (const headers of types) {
      const body = await refused(415, () => send('POST', '/api/strategies', new TextEncoder().encode(genomeBody()), headers));
      expect(body, JSON.stringify(headers)).to.include({ error: 'UnsupportedMediaType', expected: 'application/json' });
      if (headers['content-type'] === undefined) expect(body['message']).to.contain('no Content-Type');
    }
    const lifecycle = await refused(415, () =>
      send('POST', `/api/strategies/${uuidIds.newId()}/retire`, '{"actor":"operator:a","reason":"r"}', { 'content-type': 'text/plain' }),
    );
    expect(lifecycle['error']).to.equal('UnsupportedMediaType');
    // A charset spelled in upper case is still UTF-8.
    expect((await send('POST', '/api/strategies', genomeBody(), { 'content-type': 'application/json; charset=UTF-8' })).status).to.equal(201);
  });

  it('400 at (root) for JSON nested deeper than API_MAX_JSON_DEPTH, even 200,000 brackets; brackets inside strings do not count', async () => {
    const deep = await refused(400, () => send('POST', '/api/strategies', '['.repeat(200_000), json));
    expect(deep['errors']).to.deep.equal([{ path: '(root)', message: `nested deeper than ${LIMITS.maxJsonDepth} (API_MAX_JSON_DEPTH)` }]);
    // The case: closed brackets parse, and a keyed request fingerprints the body (a stack overflow was a 500).
    const closed = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const headers of [json, { ...json, 'Idempotency-Key': 'deep-1' }])
      expect((await refused(400, () => send('POST', '/api/strategies', closed, headers)))['errors']).to.deep.equal(deep['errors']);
    const balanced = `{"genome":${'['.repeat(LIMITS.maxJsonDepth)}${']'.repeat(LIMITS.maxJsonDepth)}}`;
    expect((await refused(400, () => send('POST', '/api/strategies', balanced, json)))['errors']).to.deep.equal(deep['errors']);
    // At the limit it is parsed, and the codec says what is wrong.
    const atLimit = `{"genome":${'['.repeat(LIMITS.maxJsonDepth - 1)}${']'.repeat(LIMITS.maxJsonDepth - 1)}}`;
    const decoded = await refused(400, () => send('POST', '/api/strategies', atLimit, json));
    expect((decoded['errors'] as { path: string }[]).map((e) => e.path)).to.include('genome');
    // Brackets and escaped quotes inside a string are text.
    const inString = await send('POST', '/api/strategies', genomeBody({ correlationId: `\\"${'['.repeat(150)}{{{` }), json);
    expect(inString.status).to.equal(201);
  });

  it('400 naming the field for a string PostgreSQL cannot store (\\u0000, an unpaired surrogate), wherever it is', async () => {
    for (const hostile of ['a\u0000b', '\ud800', 'x\udfffy']) {
      const body = await refused(400, () => send('POST', '/api/strategies', genomeBody({ correlationId: hostile }), json));
      expect(
        (body['errors'] as { path: string }[]).map((e) => e.path),
        JSON.stringify(hostile),
      ).to.deep.equal(['correlationId']);
    }
    // A pair is one character: stored.
    expect((await send('POST', '/api/strategies', genomeBody({ correlationId: 'rocket \ud83d\ude80' }), json)).status).to.equal(201);
    // In a query value: 400 naming the parameter, not a database error.
    const q = await send('GET', '/api/market-data/status?source=%00', undefined);
    expect(q.status).to.equal(400);
    expect(q.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['source']);
  });

  it('malformed JSON stays a 400 MalformedJson', async () => {
    for (const text of ['{"genome": ', '{"a":1,}', '[1, 2', 'NaN', '{"x": Infinity}']) {
      const body = await refused(400, () => send('POST', '/api/strategies', text, json));
      expect(body['error'], text).to.equal('MalformedJson');
    }
  });

  it('400 for a query string over API_MAX_QUERY_BYTES or with more than API_MAX_QUERY_PARAMS parameters', async () => {
    const long = await send('GET', `/api/strategies?state=${'x'.repeat(LIMITS.maxQueryBytes)}`, undefined);
    expect(long.status).to.equal(400);
    expect(long.body.errors).to.deep.equal([{ path: '(query)', message: `longer than ${LIMITS.maxQueryBytes} bytes (API_MAX_QUERY_BYTES)` }]);
    const many = await send('GET', '/api/strategies?a=1&b=2&c=3&d=4&e=5&f=6', undefined);
    expect(many.status).to.equal(400);
    expect(many.body.errors).to.deep.equal([{ path: '(query)', message: `6 parameters, at most ${LIMITS.maxQueryParams} (API_MAX_QUERY_PARAMS)` }]);
    expect((await send('GET', '/api/strategies?limit=10&offset=0', undefined)).status).to.equal(200);
  });

  it('400 naming the parameter for a free-form query value over 64 characters', async () => {
    const r = await send('GET', `/api/market-data/status?symbol=${'A'.repeat(65)}`, undefined);
    expect(r.status).to.equal(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['symbol']);
    expect((await send('GET', `/api/market-data/status?symbol=${'A'.repeat(64)}`, undefined)).status).to.equal(200);
  });

  it("400 at genome.symbols for more symbols than GENOME_MAX_SYMBOLS, the issue's 50,000 made-up symbols as one problem", async () => {
    const symbols = Array.from({ length: 50_000 }, (_, i) => `FAKE${String(i).padStart(5, '0')}`);
    const body = await refused(400, () => send('POST', '/api/strategies', JSON.stringify({ genome: { ...smaCrossoverGenome(), symbols } }), json));
    expect(body['errors']).to.deep.equal([{ path: 'genome.symbols', message: `50000 symbols, at most ${MAX_SYMBOLS} per genome (GENOME_MAX_SYMBOLS)` }]);
    const four = await refused(400, () =>
      send('POST', '/api/strategies', JSON.stringify({ genome: smaCrossoverGenome(10, 30, ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'XRPUSDT']) }), json),
    );
    expect((four['errors'] as { path: string }[]).map((e) => e.path)).to.deep.equal(['genome.symbols']);
    expect(
      (await send('POST', '/api/strategies', JSON.stringify({ genome: smaCrossoverGenome(10, 30, ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']) }), json)).status,
    ).to.equal(201);
  });

  it('a body that fails on each of thousands of elements lists the first 50 problems and counts the rest', async () => {
    const genome = {
      ...smaCrossoverGenome(),
      symbols: ['BTCUSDT'],
      lineage: { generation: 0, parentIds: Array.from({ length: 3000 }, (_, i) => `not-a-uuid-${i}`), origin: 'manual' },
    };
    const body = await refused(400, () => send('POST', '/api/strategies', JSON.stringify({ genome }), json));
    expect(body['errors']).to.have.length(50);
    expect(body['moreErrors']).to.equal(2950);
  });
});
