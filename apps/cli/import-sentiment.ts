// `npm run import:sentiment -- <file or folder>…`: imports Fear & Greed (`date,value,classification`) and macro
// close files (`date,close`, FRED's `observation_date,<SERIES>`; plain or .gz) into the daily series store.
// `--fetch <series>` reads one series from its HTTP source instead (alternative.me, FRED).
// Refused rows are printed as `<file>:<line>: <why>` and the rest imported; a stored value that differs is kept and
// reported. Exit code: 0 all clean, 1 imported with refused rows, conflicts or unreadable files, 2 wrong usage.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { either } from 'fp-ts';
import type { DailyWriteResult } from '../../application/ports/daily-series-store.js';
import { describeSourceError, type DailySeriesBatch, type DailySeriesSource } from '../../application/ports/sentiment-source.js';
import { MACRO_SERIES, type MacroSeries } from '../../domain/market/daily-series.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { alternativeMeFearGreedSource } from '../../infrastructure/market-data/fear-greed-source.js';
import { fredDailyCloseSource } from '../../infrastructure/market-data/fred-source.js';
import { parseSentimentFile } from '../../infrastructure/market-data/sentiment-files.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { describeFailure } from '../failure.js';

const USAGE = `usage: npm run import:sentiment -- [--series ${MACRO_SERIES.join('|')}] <file or folder>...
       npm run import:sentiment -- --fetch fear_greed|${MACRO_SERIES.join('|')} [--url <url>] [--timeout-ms <ms>]`;

const usageError = (message: string): never => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
};

interface Args {
  readonly paths: string[];
  readonly series?: MacroSeries;
  readonly fetch?: 'fear_greed' | MacroSeries;
  readonly url?: string;
  readonly timeoutMs?: number;
}

const isMacro = (s: string | undefined): s is MacroSeries => MACRO_SERIES.includes(s as MacroSeries);

const parseArgs = (argv: readonly string[]): Args => {
  const paths: string[] = [];
  let series: MacroSeries | undefined;
  let fetchSeries: Args['fetch'];
  let url: string | undefined;
  let timeoutMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i] ?? usageError(`${a} needs a value`);
    if (a === '--series') {
      const v = value();
      series = isMacro(v) ? v : usageError(`--series must be one of ${MACRO_SERIES.join(', ')}, got "${v}"`);
    } else if (a === '--fetch') {
      const v = value();
      fetchSeries = v === 'fear_greed' || isMacro(v) ? v : usageError(`--fetch must be fear_greed or one of ${MACRO_SERIES.join(', ')}, got "${v}"`);
    } else if (a === '--url') url = value();
    else if (a === '--timeout-ms') {
      const v = Number(value());
      timeoutMs = Number.isSafeInteger(v) && v > 0 ? v : usageError('--timeout-ms must be a positive integer');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) usageError(`unknown option ${a}`);
    else paths.push(a);
  }
  if (fetchSeries && paths.length > 0) usageError('give either --fetch or files, not both');
  if (!fetchSeries && paths.length === 0) usageError('nothing to import');
  if (!fetchSeries && (url || timeoutMs)) usageError('--url and --timeout-ms go with --fetch');
  return { paths, ...(series && { series }), ...(fetchSeries && { fetch: fetchSeries }), ...(url && { url }), ...(timeoutMs && { timeoutMs }) };
};

/** Files to import: each file given, and the .csv / .csv.gz files directly inside each folder given. */
const expand = async (paths: readonly string[]): Promise<{ file: string; explicit: boolean }[]> => {
  const out: { file: string; explicit: boolean }[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => usageError(`${p}: no such file or folder`));
    if (!s.isDirectory()) out.push({ file: p, explicit: true });
    else for (const name of (await readdir(p)).sort()) if (/\.csv(\.gz)?$/i.test(name)) out.push({ file: path.join(p, name), explicit: false });
  }
  return out;
};

const summary = (what: string, batch: DailySeriesBatch, w: DailyWriteResult): string =>
  `${what}: ${batch.series} ${batch.observations.length} values read, ${w.inserted} inserted, ${w.unchanged} unchanged, ` +
  `${w.conflicts.length} conflicts, ${batch.rejected.length} rows refused, ${batch.missing.length} days without a value`;

const args = parseArgs(process.argv.slice(2));
await runCommand('import:sentiment', async () => {
  const platform = await openPlatform(configOrExit(), 'import-sentiment', { role: 'command' });
  const store = new PostgresDailySeriesStore({ connectionString: platform.databaseUrl });
  let problems = 0;

  const importBatch = async (what: string, batch: DailySeriesBatch): Promise<void> => {
    for (const r of batch.rejected) process.stderr.write(`${what}:${r.line ?? r.where}: ${r.message}\n`);
    const written = await store.write(batch.observations);
    for (const c of written.conflicts) process.stderr.write(`${what}: conflict on ${c.series} ${c.day}: ${c.reason} (the stored row is kept)\n`);
    problems += batch.rejected.length + written.conflicts.length;
    process.stdout.write(`${summary(what, batch, written)}\n`);
    platform.log.info({ what, series: batch.series, ...written, conflicts: written.conflicts.length, refused: batch.rejected.length }, 'imported');
  };

  try {
    if (args.fetch) {
      const options = { ...(args.url && { url: args.url }), ...(args.timeoutMs && { timeoutMs: args.timeoutMs }) };
      const source: DailySeriesSource =
        args.fetch === 'fear_greed' ? alternativeMeFearGreedSource(options) : fredDailyCloseSource({ series: args.fetch, ...options });
      const fetched = await source.fetch()();
      if (either.isLeft(fetched)) {
        process.stderr.write(`${describeSourceError(fetched.left)}\n`);
        problems += 1;
      } else await importBatch(source.name, fetched.right);
    } else {
      const files = await expand(args.paths);
      if (files.length === 0) process.stderr.write('no .csv or .csv.gz files found\n');
      for (const { file, explicit } of files) {
        const parsed = await parseSentimentFile(file, args.series ? { series: args.series } : {}).catch((err: Error) =>
          either.left({ kind: 'invalid' as const, message: `cannot read: ${err.message}` }),
        );
        if (either.isRight(parsed)) await importBatch(file, parsed.right);
        else if (parsed.left.kind === 'unrecognized' && !explicit) process.stdout.write(`${file}: skipped, ${parsed.left.message}\n`);
        else {
          process.stderr.write(`${file}: not imported: ${parsed.left.message}\n`);
          problems += 1;
        }
      }
    }
  } catch (err) {
    process.stderr.write(`import failed: ${describeFailure(err)}\n`);
    problems += 1;
  } finally {
    await store.close();
    await platform.close();
  }
  return problems > 0 ? 1 : 0;
});
