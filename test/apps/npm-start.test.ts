// `npm start` for real, as a person runs it: where it listens, the CLI beside it, and how it stops.
// The old start script (npm → sh → tsx → node) left the server running as an orphan on SIGTERM to npm; the
// embedded PostgreSQL shared the terminal's process group, so a Ctrl-C took it down under the running services
// (warnings, no final line); and a CLI beside a running server printed `undefined` and exited 1.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';
import { sharedDataFile } from '../support/shared-data.js';
import { accepts, freePort, isAlive, npmStart, processTree, type LogLine, type NpmStart } from '../support/npm-start.js';

const START_MS = 60_000;
/** A stop that takes longer than this counts as hung. */
const STOP_BOUND_MS = 20_000;

const isListening = (l: LogLine) => l.msg.startsWith('API listening on');

/** An address of this machine other than loopback, if it has one. */
const externalAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

/** The embedded server's process id, from the first line of its postmaster.pid. */
const postmasterPid = (dataDir: string): number => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

const waitUntil = async (what: string, ok: () => boolean | Promise<boolean>, ms: number) => {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Sends the signal, then checks the stop: exit 0 within the bound, no process of the tree left, the final line. */
const stopAndCheck = async (run: NpmStart, signal: NodeJS.Signals, target: 'npm' | 'group', port: number, also: readonly number[] = []) => {
  const tree = processTree(run.child.pid!);
  expect(tree.length, 'npm and the node process under it').to.be.at.least(2);
  const sentAt = Date.now();
  process.kill(target === 'group' ? -run.child.pid! : run.child.pid!, signal);
  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`npm start still running ${STOP_BOUND_MS} ms after ${signal}:\n${run.output()}`)), STOP_BOUND_MS),
    ),
  ]);
  expect(exit, run.output()).to.deep.include({ code: 0, signal: null });
  expect(exit.at - sentAt).to.be.below(STOP_BOUND_MS);
  await waitUntil(`no process of the tree ${[...tree, ...also].join(', ')} is left`, () => [...tree, ...also].every((pid) => !isAlive(pid)), 5_000);
  expect(await accepts('127.0.0.1', port), 'the API port is free').to.equal(false);

  const lines = run.logLines();
  const last = lines[lines.length - 1]!;
  expect(last, run.output()).to.include({ msg: 'mastertrade stopped', signal });
  expect(lines.filter((l) => l.msg === 'mastertrade stopped')).to.have.length(1);
  // An empty database's how-to (test/apps/npm-start-no-data.test.ts) and the first admin key's (test/auth/first-start.test.ts)
  // are the warnings a first start may give.
  const warnings = lines.filter((l) => l.level >= 40 && !l.msg.startsWith('no market data stored yet') && !l.msg.startsWith('no admin API key yet'));
  expect(warnings, JSON.stringify(warnings)).to.deep.equal([]);
  // Nothing but npm's banner outside the JSON log (no stack trace, no npm error).
  const other = run
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('{') && !l.startsWith('> '));
  expect(other, run.output()).to.deep.equal([]);
};

describe('npm start, for real', function () {
  this.timeout(120_000);

  describe('on a PostgreSQL server (DATABASE_URL)', () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase('npm_start');
    });
    after(() => db.drop());

    it('listens on 127.0.0.1 only, says so, and stops in order on SIGTERM to npm: exit 0, no orphan, one final line, no warning', async () => {
      const run = npmStart({ MARKET_DATA_SOURCE: 'none', DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'info' });
      try {
        const listening = await run.waitForLine(isListening, START_MS);
        const port = listening['port'] as number;
        expect(listening).to.include({ host: '127.0.0.1', url: `http://127.0.0.1:${port}`, msg: `API listening on http://127.0.0.1:${port}` });
        expect(await accepts('127.0.0.1', port)).to.equal(true);
        const external = externalAddress();
        // A machine with loopback only has no other interface to be reached on; the address check above still holds.
        if (external !== undefined) expect(await accepts(external, port), `not reachable on ${external}`).to.equal(false);
        await stopAndCheck(run, 'SIGTERM', 'npm', port);
      } finally {
        if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      }
    });

    it('stops the same way on SIGINT to npm', async () => {
      const run = npmStart({ MARKET_DATA_SOURCE: 'none', DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'info' });
      try {
        const port = (await run.waitForLine(isListening, START_MS))['port'] as number;
        await stopAndCheck(run, 'SIGINT', 'npm', port);
      } finally {
        if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      }
    });
  });

  describe('on the embedded PostgreSQL', () => {
    let dataDir: string;
    let pgPort: number;
    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'mt-npm-start-'));
      chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the folder
      pgPort = await freePort();
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    it('lets the CLI use the running server and leaves it running; refuses a second service; SIGTERM to npm stops the server too', async () => {
      const env = { MARKET_DATA_SOURCE: 'none', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: '0', LOG_LEVEL: 'info' };
      const run = npmStart(env);
      try {
        const port = (await run.waitForLine(isListening, START_MS))['port'] as number;
        const postgresPid = postmasterPid(dataDir);
        expect(isAlive(postgresPid)).to.equal(true);

        // The commands beside it: they use the server npm start runs.
        const replay = await runCli('apps/cli/replay.ts', ['strategies'], env);
        expect(replay.code, replay.stderr).to.equal(0);
        expect(replay.stdout).to.match(/^rebuilt strategies \(version \d+\) from 0 events/m);
        const owner = Number(/using the embedded PostgreSQL that npm start \(pid (\d+)\) runs/.exec(replay.stdout)?.[1]);
        expect(processTree(run.child.pid!), 'the owner is the node process under npm').to.include(owner);
        // The first hours of the real BTCUSDT file (importing all of it would only take longer).
        const csv = path.join(dataDir, 'binance_BTCUSDT_1h.csv');
        writeFileSync(
          csv,
          `${gunzipSync(readFileSync(sharedDataFile('binance_BTCUSDT_1h.csv.gz')))
            .toString('utf8')
            .split('\n')
            .slice(0, 4)
            .join('\n')}\n`,
        );
        const imported = await runCli('apps/cli/import.ts', [csv], env);
        expect(imported.code, imported.stderr).to.equal(0);
        expect(imported.stdout).to.include('rows read 3, inserted 3');
        // ... and left it running for npm start, which still answers.
        expect(isAlive(postgresPid)).to.equal(true);
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        expect(health.status).to.equal(200);

        // A second service on the same data folder says what to do instead of failing with `undefined`.
        const second = await runCli('apps/main.ts', [], { ...env, PORT: '0' });
        expect(second.code).to.equal(1);
        expect(second.stderr).to.include(`already running (pid ${postgresPid}, port ${pgPort}), started by npm start (pid ${owner})`);
        expect(second.stderr).to.include('Stop that process first');
        expect(second.stderr).not.to.include('undefined');

        await stopAndCheck(run, 'SIGTERM', 'npm', port, [postgresPid]);
        expect(await accepts('127.0.0.1', pgPort), 'the embedded PostgreSQL port is free').to.equal(false);
        expect(existsSync(path.join(dataDir, 'postgres.owner.json')), 'the owner record is gone').to.equal(false);
      } finally {
        if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      }
    });

    it('stops in order on a Ctrl-C (SIGINT to the whole process group, as a terminal sends it)', async () => {
      const run = npmStart({ MARKET_DATA_SOURCE: 'none', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: '0', LOG_LEVEL: 'info' });
      try {
        const port = (await run.waitForLine(isListening, START_MS))['port'] as number;
        const postgresPid = postmasterPid(dataDir);
        await stopAndCheck(run, 'SIGINT', 'group', port, [postgresPid]);
      } finally {
        if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      }
    });
  });
});
