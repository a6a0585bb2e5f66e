// `npm run import -- <file or folder>…`: imports candle CSV files (`<exchange>_<SYMBOL>_<interval>.csv[.gz]`,
// header `open_time_ms,open,high,low,close,volume[,quote_volume,trades]`) into the candle store, printing per
// file what was read, inserted, unchanged, completed, in conflict and rejected (with line numbers), and the gaps.
// Importing the same files again changes nothing. A file cut short or damaged keeps the rows read before the damage;
// the collection status then holds the error next to what is stored. Exit code 1 when a file could not be read (or
// names no valid series) or a line was rejected or in conflict, 2 on wrong arguments (an --exchange or --symbol that
// is not one included).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isInterval } from '../../domain/market/candle-file-name.js';
import { checkExchange, checkSymbol } from '../../domain/market/market-symbol.js';
import type { SeriesKey } from '../../domain/market/candles.js';
import { importCandleFiles, type CandleFileReport } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { recordImportStatus } from '../../infrastructure/market-data/candle-import-status.js';
import { collectionStatusRecorder } from '../../infrastructure/market-data/collection-status-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { describeFailure } from '../failure.js';

const USAGE = `usage: npm run import -- [--exchange <id>] [--symbol <SYMBOL>] [--interval <1m|5m|15m|1h|4h|1d>] <file or folder>...`;
const SHOWN = 20;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { exchange: { type: 'string' }, symbol: { type: 'string' }, interval: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
})();
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (parsed.positionals.length === 0) usage('no file or folder given');
for (const p of parsed.positionals) if (!existsSync(p)) usage(`${p}: no such file or folder`);
const { interval } = parsed.values;
const exchange = parsed.values.exchange?.toLowerCase();
const symbol = parsed.values.symbol?.toUpperCase();
if (interval !== undefined && !isInterval(interval)) usage(`--interval "${interval}" is not one of 1m, 5m, 15m, 1h, 4h, 1d`);
const exchangeChecked = exchange === undefined ? undefined : checkExchange(exchange);
if (exchangeChecked?._tag === 'Left') usage(`--exchange: ${exchangeChecked.left}`);
const symbolChecked = symbol === undefined ? undefined : checkSymbol(symbol, exchange);
if (symbolChecked?._tag === 'Left') usage(`--symbol: ${symbolChecked.left}`);
const override: Partial<SeriesKey> = {
  ...(exchange !== undefined ? { exchange } : {}),
  ...(symbol !== undefined ? { symbol } : {}),
  ...(interval !== undefined && isInterval(interval) ? { interval } : {}),
};

const time = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const some = <T>(items: readonly T[], line: (item: T) => string): string[] => [
  ...items.slice(0, SHOWN).map(line),
  ...(items.length > SHOWN ? [`    … and ${items.length - SHOWN} more`] : []),
];

const describe = (r: CandleFileReport): string => {
  if (r.skipped !== undefined) return `${r.file}: skipped, ${r.skipped}`;
  if (r.key === undefined) return `${r.file}: ERROR ${r.error}`;
  const head = `${r.file} (${r.key.exchange} ${r.key.symbol} ${r.key.interval})`;
  const counts =
    `  rows read ${r.rowsRead}, inserted ${r.inserted}, unchanged ${r.unchanged}, completed ${r.completed}, ` +
    `conflicts ${r.conflicts.length}, rejected lines ${r.rejected.length}, gaps ${r.gaps.length} (${r.missing} missing candles` +
    (r.calendar?.slots !== undefined ? `; ${r.key.exchange} ${r.calendar.description})` : ')');
  return [
    head,
    ...(r.error !== undefined ? [`  ${r.file}: ERROR ${r.error}`] : []),
    counts,
    ...some(r.rejected, (x) => `  ${r.file}:${x.line}: rejected: ${x.reason}`),
    ...some(r.conflicts, (x) => `  ${r.file}:${x.line}: conflict at ${time(x.openTime)}: ${x.reason}`),
    ...some(r.gaps, (g) => `  gap ${time(g.after)} -> ${time(g.before)} (${g.missing} missing)`),
  ].join('\n');
};

await runCommand('import', async () => {
  const platform = await openPlatform(configOrExit(), 'import', { role: 'command' });
  const store = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 4 });
  const status = collectionStatusRecorder(platform.pool);
  const total = { files: 0, skipped: 0, failed: 0, rows: 0, inserted: 0, unchanged: 0, completed: 0, conflicts: 0, rejected: 0 };
  try {
    for await (const r of importCandleFiles(store, parsed.positionals, { override, concurrency: 2 })) {
      process.stdout.write(`${describe(r)}\n`);
      // The data page shows imports like any other source: what is stored now, with the gaps and any error.
      const recorded = await recordImportStatus(status, store, r, platform.clock.now());
      if (recorded?.error !== undefined)
        process.stdout.write(
          `  collection status: the error, and what is stored: ${recorded.observations} ${r.key!.exchange} ${r.key!.symbol} ${r.key!.interval} candles` +
            `${recorded.lastObservationAt === undefined ? '' : `, the newest opening at ${time(recorded.lastObservationAt)}`}\n`,
        );
      total.files++;
      if (r.skipped !== undefined) total.skipped++;
      if (r.error !== undefined) total.failed++;
      total.rows += r.rowsRead;
      total.inserted += r.inserted;
      total.unchanged += r.unchanged;
      total.completed += r.completed;
      total.conflicts += r.conflicts.length;
      total.rejected += r.rejected.length;
    }
    process.stdout.write(
      `${total.files} files (${total.skipped} skipped, ${total.failed} unreadable): rows read ${total.rows}, inserted ${total.inserted}, ` +
        `unchanged ${total.unchanged}, completed ${total.completed}, conflicts ${total.conflicts}, rejected lines ${total.rejected}\n`,
    );
    if (total.failed + total.conflicts + total.rejected > 0) process.exitCode = 1;
  } catch (err) {
    process.stderr.write(`import failed: ${describeFailure(err)}\n`);
    platform.log.error({ err }, 'import failed');
    process.exitCode = 1;
  } finally {
    await store.close();
    await platform.close();
  }
});
