// The API fuzz: starts the real API as `npm start` wires it (routes, projector, mirror, in-process bus, backtests on
// the worker-thread pool) on a PostgreSQL database of its own, with the real BTCUSDT and ETHUSDT 1h candles of
// ../shared/data, then sends the generated hostile requests of hostile-requests.ts route by route while another loop
// keeps asking /health. A failure is any 5xx, any request or /health answer slower than the timeout (a hang), and, at
// the end, any stored event that does not decode. `npm run fuzz:api` (bench/fuzz-api.ts) and test/fuzz run it.
import { randomBytes } from 'node:crypto';
import { either } from 'fp-ts';
import fc from 'fast-check';
import { decodeEvent } from '../../application/events/decode-event.js';
import { openBacktesting } from '../../apps/backtesting.js';
import { openPlatform } from '../../apps/platform.js';
import { openBus, startApi, startMirrorService, startProjector } from '../../apps/services.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { dropDatabase, withDatabaseName } from '../../infrastructure/db/database.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { importCandleFile } from '../../infrastructure/market-data/candle-file-import.js';
import { sharedDataFile } from '../support/shared-data.js';
import { createTestKey, revokeTestKey } from '../support/api-keys.js';
import { requiredAccess } from '../../apps/api/route-roles.js';
import { issueCases, routes, validBacktestBodies, type FuzzContext, type HostileRequest } from './hostile-requests.js';

export interface FuzzOptions {
  /** Generated requests per route (the issue's cases come on top). */
  readonly casesPerRoute: number;
  readonly seed: number;
  /** An answer slower than this is a hang. */
  readonly timeoutMs: number;
  /** The PostgreSQL server; a database `mt_fuzz_<random>` is created on it and dropped at the end. */
  readonly serverUrl: string;
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'silent';
  /** Progress lines. */
  readonly progress?: (line: string) => void;
}

export interface RouteStats {
  requests: number;
  readonly statuses: Map<number, number>;
  slowestMs: number;
  slowest: string;
}

export interface FuzzFailure {
  readonly problem: string;
  readonly request?: HostileRequest;
}

export interface FuzzReport {
  readonly seed: number;
  readonly routes: ReadonlyMap<string, RouteStats>;
  readonly health: RouteStats;
  readonly failures: readonly FuzzFailure[];
  /** Events in the log at the end, and how many of them decoded. */
  readonly events: number;
  readonly decoded: number;
}

/** A request as the report prints it: method, path, headers and the start of the body. */
export const describeRequest = (r: HostileRequest): string => {
  const body = r.body === undefined ? '(no body)' : Buffer.from(r.body).toString('utf8');
  const shown = body.length > 400 ? `${body.slice(0, 400)}… (${r.body!.length} bytes)` : body;
  const path = r.path.length > 300 ? `${r.path.slice(0, 300)}… (${r.path.length} chars)` : r.path;
  return `${r.method} ${path}\n    headers: ${JSON.stringify(r.headers)}\n    ${r.note}\n    body: ${shown}`;
};

const stats = (): RouteStats => ({ requests: 0, statuses: new Map(), slowestMs: 0, slowest: '' });
const count = (s: RouteStats, status: number, ms: number, what: string) => {
  s.requests++;
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  if (ms > s.slowestMs) {
    s.slowestMs = ms;
    s.slowest = what;
  }
};

/** The admin key every request is sent with unless it brings its own credentials (set once the API runs). */
let authHeaders: Readonly<Record<string, string>> = {};
const bringsCredentials = (headers: Readonly<Record<string, string>>) => Object.keys(headers).some((h) => /^(authorization|x-api-key)$/i.test(h));

/** Sends one request; status 0 when it got no answer in time (or the connection failed). */
const send = async (
  base: string,
  r: HostileRequest,
  timeoutMs: number,
  credentials: 'admin' | 'as given' = 'admin',
): Promise<{ status: number; ms: number; error?: string; text?: string }> => {
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}${r.path}`, {
      method: r.method,
      headers: credentials === 'as given' || bringsCredentials(r.headers) ? r.headers : { ...authHeaders, ...r.headers },
      ...(r.body === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { body: r.body as Uint8Array<ArrayBuffer> }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - t0, text };
  } catch (e) {
    return { status: 0, ms: performance.now() - t0, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
};

const withTimeout = async <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
};

export const runApiFuzz = async (options: FuzzOptions): Promise<FuzzReport> => {
  const progress = options.progress ?? (() => undefined);
  const databaseUrl = withDatabaseName(options.serverUrl, `mt_fuzz_${randomBytes(4).toString('hex')}`);
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', MARKET_DATA_SOURCE: 'none', LOG_LEVEL: options.logLevel ?? 'error' });
  if (either.isLeft(config)) throw new Error(config.left);
  const failures: FuzzFailure[] = [];
  const routeStats = new Map<string, RouteStats>();
  const health = stats();
  let events: number;
  let decoded = 0;

  const platform = await openPlatform(config.right, 'fuzz');
  const bus = openBus(platform, 'mastertrade-fuzz');
  const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
  const projector = startProjector(platform);
  const mirror = startMirrorService(platform, bus, checkpoints);
  const backtesting = openBacktesting(platform);
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    for (const file of ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz']) await importCandleFile(backtesting.candles, sharedDataFile(file));
    // Limits far above what the fuzz sends: it aims at the routes, not at the rate limits (test/auth covers those).
    api = await startApi(platform, bus, checkpoints, backtesting, {}, { perIp: 1e9, perKey: 1e9, windowMs: 60_000 });
    const base = `http://127.0.0.1:${api.port}`;
    // Real keys: an admin named as the example bodies' actor (operator:alice), a viewer, and a revoked admin.
    authHeaders = (await createTestKey(platform.store, platform.pool, { name: 'alice', role: 'admin' })).headers;
    const viewerKey = await createTestKey(platform.store, platform.pool, { name: 'fuzz-viewer', role: 'viewer' });
    const revokedKey = await createTestKey(platform.store, platform.pool, { name: 'fuzz-revoked', role: 'admin' });
    await revokeTestKey(platform.store, platform.pool, revokedKey.keyId, 'the fuzz revokes it');
    progress(`API on ${base}, database ${platform.databaseUrl.replace(/^.*\//, '')}, seed ${options.seed}`);

    // Real ids to aim at: a few strategies and backtest jobs made by valid requests.
    const post = async (path: string, body: unknown) => {
      const r = await send(
        base,
        {
          route: path,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json' },
          body: new TextEncoder().encode(JSON.stringify(body)),
          note: 'setup',
        },
        options.timeoutMs,
      );
      if (r.status !== 201 && r.status !== 202) throw new Error(`setup: POST ${path} answered ${r.status} ${r.text ?? r.error}`);
      return JSON.parse(r.text!) as { id?: string; jobId?: string };
    };
    const strategyIds: string[] = [];
    for (let i = 0; i < 3; i++) strategyIds.push((await post('/api/strategies', { genome: validBacktestBodies()[0]!['genome' as never] })).id!);
    const jobIds: string[] = [];
    for (const body of validBacktestBodies()) jobIds.push((await post('/api/backtests', body)).jobId!);
    await withTimeout(backtesting.idle(), options.timeoutMs * 4, 'the setup backtests');
    const ctx: FuzzContext = { strategyIds, jobIds, maxBodyBytes: config.right.limits.http.maxBodyBytes };

    // /health keeps being asked while the fuzz runs: a request that blocks the event loop shows here.
    let fuzzing = true;
    const healthLoop = (async () => {
      while (fuzzing) {
        const r = await send(base, { route: 'GET /health', method: 'GET', path: '/health', headers: {}, note: '/health loop' }, options.timeoutMs);
        count(health, r.status, r.ms, 'GET /health');
        if (r.status === 0 || r.status >= 500)
          failures.push({
            problem:
              r.status === 0 ? `/health gave no answer within ${options.timeoutMs} ms (${r.error})` : `/health answered ${r.status}: ${r.text?.slice(0, 300)}`,
          });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const generators = routes(ctx);
    const fixed = issueCases();
    let routeIndex = 0;
    for (const [route, arbitrary] of Object.entries(generators)) {
      const requests = [
        ...fixed.filter((r) => r.route === route),
        ...fc.sample(arbitrary, { seed: options.seed + routeIndex++, numRuns: options.casesPerRoute }),
      ];
      const s = stats();
      routeStats.set(route, s);
      for (const r of requests) {
        const answer = await send(base, r, options.timeoutMs);
        count(s, answer.status, answer.ms, r.note);
        if (answer.status === 0) failures.push({ problem: `no answer within ${options.timeoutMs} ms (${answer.error})`, request: r });
        else if (answer.status >= 500) failures.push({ problem: `answered ${answer.status}: ${answer.text?.slice(0, 300)}`, request: r });
        else if (answer.ms > options.timeoutMs) failures.push({ problem: `answered after ${Math.round(answer.ms)} ms`, request: r });
      }
      progress(`${route}: ${s.requests} requests, slowest ${Math.round(s.slowestMs)} ms`);

      // The same requests without a key, with keys that are not keys, with a revoked key and with a viewer's key:
      // 401 (or the route's answer on a public route), 403 for a viewer below the route's role; never a 5xx, never
      // a command done, never the presented key in the answer.
      const a = stats();
      routeStats.set(`${route} (bad credentials)`, a);
      const badCredentials: [string, Readonly<Record<string, string>>][] = [
        ['no key', {}],
        ['an unknown key', { authorization: `Bearer mt_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}` }],
        ['a malformed header', { authorization: `Basic ${randomBytes(12).toString('base64')}` }],
        [
          'a key that is not one',
          {
            'x-api-key': randomBytes(40)
              .toString('latin1')
              .replace(/[^\x21-\x7e]/g, 'x'),
          },
        ],
        ['a revoked key', revokedKey.headers],
        ['a viewer key', viewerKey.headers],
      ];
      for (const r of requests.slice(0, Math.max(5, Math.ceil(requests.length / 5)))) {
        const need = requiredAccess(r.method, r.path.replace(/\?.*$/, ''));
        const others = Object.fromEntries(Object.entries(r.headers).filter(([h]) => !/^(authorization|x-api-key)$/i.test(h)));
        for (const [what, credentials] of badCredentials) {
          const sent = { ...r, headers: { ...others, ...credentials }, note: `${r.note}, with ${what}` };
          const answer = await send(base, sent, options.timeoutMs, 'as given');
          count(a, answer.status, answer.ms, sent.note);
          const viewerAllowed = what === 'a viewer key' && need === 'viewer';
          const expected = need === 'public' || viewerAllowed ? undefined : what === 'a viewer key' ? 403 : 401;
          const presented = Object.values(credentials)[0];
          if (answer.status === 0) failures.push({ problem: `no answer within ${options.timeoutMs} ms (${answer.error})`, request: sent });
          else if (answer.status >= 500) failures.push({ problem: `answered ${answer.status}: ${answer.text?.slice(0, 300)}`, request: sent });
          // 431: Node's HTTP parser refuses a request line or headers over its limit before the app sees it.
          else if (expected !== undefined && answer.status !== expected && answer.status !== 431)
            failures.push({
              problem: `with ${what} on a ${need} route: answered ${answer.status}, not ${expected}: ${answer.text?.slice(0, 300)}`,
              request: sent,
            });
          else if (presented !== undefined && presented.length > 8 && answer.text?.includes(presented.replace(/^(Bearer|Basic) /, '')))
            failures.push({ problem: `the answer repeats the presented credentials`, request: sent });
        }
      }
      progress(`${route} (bad credentials): ${a.requests} requests, slowest ${Math.round(a.slowestMs)} ms`);
    }
    fuzzing = false;
    await healthLoop;

    // The jobs the accepted requests started finish and are recorded; then every stored event must decode.
    await withTimeout(backtesting.idle(), Math.max(60_000, options.timeoutMs * 4), 'the accepted backtest jobs').catch((e: Error) =>
      failures.push({ problem: e.message }),
    );
    const log = await platform.store.readAll();
    events = log.length;
    for (const recorded of log) {
      const d = decodeEvent(recorded);
      if (either.isRight(d)) decoded++;
      else failures.push({ problem: `stored event does not decode: ${d.left.message.slice(0, 500)}` });
    }
  } finally {
    await api?.stop();
    await backtesting.close();
    await mirror.stop();
    await projector.stop();
    await bus.close();
    await checkpoints.close();
    await platform.close();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
  return { seed: options.seed, routes: routeStats, health, failures, events, decoded };
};

/** The report as printed: one line per route, then /health, the log, and every failure with its request. */
export const formatReport = (report: FuzzReport): string => {
  const statuses = (s: RouteStats) =>
    [...s.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status === 0 ? 'none' : status}×${n}`)
      .join(' ');
  const width = Math.max(...[...report.routes.keys()].map((r) => r.length), 10);
  const lines = [`${'route'.padEnd(width)}  requests  slowest ms  statuses`];
  for (const [route, s] of report.routes)
    lines.push(`${route.padEnd(width)}  ${String(s.requests).padStart(8)}  ${String(Math.round(s.slowestMs)).padStart(10)}  ${statuses(s)}`);
  lines.push(
    `${'/health loop'.padEnd(width)}  ${String(report.health.requests).padStart(8)}  ${String(Math.round(report.health.slowestMs)).padStart(10)}  ${statuses(report.health)}`,
  );
  const total = [...report.routes.values()].reduce((n, s) => n + s.requests, 0);
  lines.push(`${total} requests (seed ${report.seed}); ${report.events} events stored, ${report.decoded} decode`);
  for (const f of report.failures) lines.push(`FAILED: ${f.problem}${f.request ? `\n    ${describeRequest(f.request)}` : ''}`);
  return lines.join('\n');
};
