// Shared by the sentiment tests: the real daily files of ../shared/data, the API answers built from their rows
// (alternative.me JSON, FRED CSV and JSON), and a throw-away local HTTP server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sharedDataFile } from '../support/shared-data.js';

export const readSharedText = (name: string): string => gunzipSync(readFileSync(sharedDataFile(name))).toString('utf8');

/** The data rows of a shared CSV, split on commas (the daily files have no quoted fields). */
export const sharedRows = (name: string): string[][] =>
  readSharedText(name)
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

export const FNG_FILE = 'fear_greed_index_daily.csv.gz';
export const SP500_FILE = 'sp500_daily.csv.gz';
export const NASDAQ_FILE = 'nasdaq_composite_daily.csv.gz';
export const VIX_FILE = 'vix_daily.csv.gz';

export const epochSecondsOfDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * alternative.me's answer to /fng/?limit=0&format=json for these `date,value,classification` rows: newest first,
 * value and timestamp as strings, `time_until_update` only on the newest entry, `metadata.error` null.
 */
export const fngApiAnswer = (rows: readonly string[][], timeUntilUpdate = '43200') => ({
  name: 'Fear and Greed Index',
  data: [...rows]
    .sort((a, b) => (a[0]! < b[0]! ? 1 : -1))
    .map(([date, value, classification], i) => ({
      value: value!,
      value_classification: classification!,
      timestamp: String(epochSecondsOfDay(date!)),
      ...(i === 0 && { time_until_update: timeUntilUpdate }),
    })),
  metadata: { error: null },
});

/** fredgraph.csv for these `date,close` rows, with the days in `missing` written as `.` (FRED's holiday rows). */
export const fredCsv = (fredId: string, rows: readonly string[][], missing: readonly string[] = [], missingAs = '.'): string => {
  const lines = [`observation_date,${fredId}`];
  const all = [...rows.map(([d, v]) => [d!, v!] as const), ...missing.map((d) => [d, missingAs] as const)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [d, v] of all) lines.push(`${d},${v}`);
  return `${lines.join('\n')}\n`;
};

/** FRED's series/observations JSON answer for these rows (missing days as "."). */
export const fredJson = (rows: readonly string[][], missing: readonly string[] = []) => {
  const obs = [...rows.map(([d, v]) => ({ date: d!, value: v! })), ...missing.map((d) => ({ date: d, value: '.' }))].sort((a, b) => (a.date < b.date ? -1 : 1));
  return {
    realtime_start: '2025-05-07',
    realtime_end: '2025-05-07',
    observation_start: '1600-01-01',
    observation_end: '9999-12-31',
    units: 'lin',
    output_type: 1,
    file_type: 'json',
    order_by: 'observation_date',
    sort_order: 'asc',
    count: obs.length,
    offset: 0,
    limit: 100000,
    observations: obs.map((o) => ({ realtime_start: '2025-05-07', realtime_end: '2025-05-07', ...o })),
  };
};

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LocalServer {
  readonly base: string;
  /** Requests seen, as path + query. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with a random port, answering each path with its handler (404 otherwise). */
export const startServer = async (routes: Record<string, Handler>): Promise<LocalServer> => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const handler = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export const json =
  (body: unknown, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

export const text =
  (body: string, status = 200, contentType = 'text/csv'): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': contentType }).end(body);
  };
