// `npm run replay -- <projection>`: rebuilds one read model from position zero, in one transaction
// (readers keep the old rows until it commits). `npm run replay -- --list` names the projections.
import { ALL_PROJECTIONS, findProjection } from '../../projections/all.js';
import { rebuildProjection } from '../../projections/rebuild.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { describeFailure } from '../failure.js';

const known = ALL_PROJECTIONS.map((p) => p.name);
const name = process.argv[2];
if (name === '--list') {
  console.log(known.join('\n'));
  process.exit(0);
}
const projection = name === undefined ? undefined : findProjection(name);
if (!projection) {
  console.error(
    name === undefined
      ? `usage: npm run replay -- <projection>\nknown projections: ${known.join(', ')}`
      : `unknown projection "${name}"; known projections: ${known.join(', ')}`,
  );
  process.exit(2);
}

await runCommand('replay', async () => {
  const config = configOrExit();
  const platform = await openPlatform(config, 'replay', { role: 'command' });
  try {
    const { events, skipped, ms } = await rebuildProjection({ pool: platform.pool, store: platform.store, projection, log: platform.log });
    const seconds = ms / 1000;
    console.log(
      `rebuilt ${projection.name} (version ${projection.version}) from ${events} events in ${seconds.toFixed(2)} s` +
        (events > 0 ? ` (${Math.round(events / seconds)} events/s)` : ''),
    );
    if (skipped.length > 0) {
      console.log(`passed over ${skipped.length} quarantined event(s) (npm run quarantine -- list):`);
      for (const s of skipped) console.log(`  ${s.streamName}@${s.revision} (${s.eventType}): ${s.reason}`);
    }
  } catch (err) {
    console.error(`replay of ${projection.name} failed, its rows are unchanged: ${describeFailure(err)}`);
    process.exitCode = 1;
  } finally {
    await platform.close();
  }
});
