// `npm run replay -- <projection>` rebuilds one read model from position zero, in one transaction (readers keep the
// old rows until it commits). `npm run replay -- --all` rebuilds every read model in one pass over the log and one
// transaction (projections/rebuild.ts says why), then prints a digest of each. `--check` also digests the read
// models before the rebuild and fails (exit 1) naming every table the rebuild changed: what the live projector had
// built must be what the log gives. `npm run replay -- --list` names the projections.
import { ALL_PROJECTIONS, findProjection } from '../../projections/all.js';
import { loadCheckpoints } from '../../projections/checkpoint.js';
import { differingTables, readModelDigest, type ReadModelDigest } from '../../projections/digest.js';
import type { Projection } from '../../projections/projection.js';
import { rebuildAll, type RebuildAllResult } from '../../projections/rebuild.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { describeFailure } from '../failure.js';

const known = ALL_PROJECTIONS.map((p) => p.name);
const USAGE = `usage: npm run replay -- <projection> [--check]
       npm run replay -- --all [--check]
       npm run replay -- --list
  --all    rebuild every read model from position zero (one pass over the log, one transaction)
  --check  digest the read models before and after; exit 1 naming each table the rebuild changed
known projections: ${known.join(', ')}`;

const usage = (why: string): never => {
  console.error(`${why}\n${USAGE}`);
  process.exit(2);
};

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('-')));
const names = args.filter((a) => !a.startsWith('-'));
for (const f of flags) if (!['--all', '--check', '--list'].includes(f)) usage(`unknown option ${f}`);
if (flags.has('--list')) {
  if (args.length > 1) usage('--list takes nothing else');
  console.log(known.join('\n'));
  process.exit(0);
}
if (flags.has('--all') && names.length > 0) usage('--all rebuilds every projection: name none');
if (!flags.has('--all') && names.length !== 1) usage(names.length === 0 ? 'name a projection or give --all' : 'one projection at a time (or --all)');
const projections: readonly Projection[] = flags.has('--all')
  ? ALL_PROJECTIONS
  : [findProjection(names[0]!) ?? usage(`unknown projection "${names[0]}"; known projections: ${known.join(', ')}`)];
const check = flags.has('--check');

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (events: number, ms: number) => (events > 0 && ms > 0 ? `${Math.round(events / (ms / 1000)).toLocaleString('en-US')} events/s` : '-');

const report = (r: RebuildAllResult) => {
  if (r.projections.length === 1) {
    const p = r.projections[0]!;
    console.log(`rebuilt ${p.name} (version ${p.version}) from ${p.events} events in ${seconds(r.ms)}` + (p.events > 0 ? ` (${rate(p.events, r.ms)})` : ''));
  } else {
    const width = Math.max(...r.projections.map((p) => p.name.length), 10);
    console.log(`${'projection'.padEnd(width)}  ${'events'.padStart(10)}  ${'writing'.padStart(9)}  ${'events/s of its writing'.padStart(24)}`);
    for (const p of r.projections)
      console.log(
        `${p.name.padEnd(width)}  ${p.events.toLocaleString('en-US').padStart(10)}  ${seconds(p.applyMs).padStart(9)}  ${rate(p.events, p.applyMs).padStart(24)}`,
      );
    const delivered = r.projections.reduce((n, p) => n + p.events, 0);
    console.log(
      `total: ${r.projections.length} read models rebuilt from ${r.read.toLocaleString('en-US')} events of the log in ${seconds(r.ms)} ` +
        `(${rate(r.read, r.ms)}; ${delivered.toLocaleString('en-US')} events applied over all read models, ${rate(delivered, r.ms)})`,
    );
  }
  for (const p of r.projections)
    if (p.skipped.length > 0) {
      console.log(`${p.name} passed over ${p.skipped.length} quarantined event(s) (npm run quarantine -- list):`);
      for (const s of p.skipped) console.log(`  ${s.streamName}@${s.revision} (${s.eventType}): ${s.reason}`);
    }
};

const printDigests = (digests: readonly ReadModelDigest[]) => {
  console.log("digests (md5 of each table's rows in a stable order; equal digests, equal read models):");
  for (const d of digests) {
    console.log(`  ${d.projection} ${d.digest}`);
    for (const t of d.tables) console.log(`    ${t.table} ${t.digest} (${t.rows} rows)`);
  }
};

await runCommand('replay', async () => {
  const config = configOrExit();
  const platform = await openPlatform(config, 'replay', { role: 'command' });
  const { pool, store, log } = platform;
  const what = projections.length === 1 ? projections[0]!.name : 'every read model';
  try {
    const digest = async () => {
      const out: ReadModelDigest[] = [];
      for (const p of projections) out.push(await readModelDigest(pool, p));
      return out;
    };
    const before = check ? await digest() : undefined;
    const live = check
      ? await loadCheckpoints(
          pool,
          projections.map((p) => p.name),
        )
      : undefined;
    let result: RebuildAllResult;
    try {
      result = await rebuildAll({ pool, store, projections, log });
    } catch (err) {
      console.error(`replay of ${what} failed, ${projections.length === 1 ? 'its' : 'their'} rows are unchanged: ${describeFailure(err)}`);
      return 1;
    }
    report(result);
    const after = await digest();
    if (projections.length > 1 || check) printDigests(after);
    if (!before || !live) return 0;
    const differ = differingTables(before, after);
    if (differ.length === 0) {
      console.log(
        `check: the rebuilt read models are identical to what the live projector had built (${after.reduce((n, d) => n + d.tables.length, 0)} tables)`,
      );
      return 0;
    }
    console.error(`check FAILED: the rebuild changed ${differ.length} table(s) the live projector had built:`);
    for (const d of differ)
      console.error(
        `  ${d.table}: ${d.before?.rows ?? 0} rows (${d.before?.digest ?? '-'}) before, ${d.after?.rows ?? 0} rows (${d.after?.digest ?? '-'}) rebuilt`,
      );
    const behind = result.projections.filter((p) => {
      const c = live.get(p.name);
      return c === undefined || c.position.commit !== p.position.commit || c.position.prepare !== p.position.prepare;
    });
    if (behind.length > 0)
      console.error(
        `  note: the live checkpoint of ${behind.map((p) => p.name).join(', ')} was not at the end of the log: a projector not caught up (or not run) differs for that reason`,
      );
    return 1;
  } finally {
    await platform.close();
  }
});
