// One data folder, one embedded server: who starts it owns and stops it, a command shares a server another live
// process owns, a service refuses it, and a server whose owner was killed is adopted and stopped.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { runningServer, startEmbeddedPostgres } from '../../infrastructure/db/embedded-postgres.js';
import { freePort, isAlive } from '../support/npm-start.js';

const ownerFile = (dataDir: string) => path.join(dataDir, 'postgres.owner.json');
const recordOwner = (dataDir: string, pid: number, command: string) =>
  writeFileSync(ownerFile(dataDir), JSON.stringify({ pid, command, startedAt: new Date().toISOString() }));

const selectOne = async (url: string) => {
  const c = new pg.Client({ connectionString: url.replace(/\/mastertrade$/, '/postgres') });
  await c.connect();
  try {
    return (await c.query('SELECT 1 AS one')).rows[0];
  } finally {
    await c.end();
  }
};

describe('the embedded PostgreSQL and its owner', function () {
  this.timeout(60_000);
  let dataDir: string;
  let port: number;
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mt-embedded-owner-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the folder
    port = await freePort();
  });
  after(async () => {
    // Whatever a failed assertion left running.
    const left = runningServer(path.join(dataDir, 'postgres'));
    if (left) process.kill(left.pid, 'SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the starter owns it: recorded as owner, stopped by stop(), the record removed', async () => {
    const db = await startEmbeddedPostgres({ dataDir, port });
    expect(db).to.include({ owned: true, port });
    expect(JSON.parse(readFileSync(ownerFile(dataDir), 'utf8'))).to.include({ pid: process.pid });
    expect(await selectOne(db.url)).to.deep.equal({ one: 1 });
    await db.stop();
    expect(isAlive(db.pid)).to.equal(false);
    expect(existsSync(ownerFile(dataDir))).to.equal(false);
  });

  it('a command shares the server another live process owns and leaves it running; a service refuses it, naming the owner', async () => {
    const first = await startEmbeddedPostgres({ dataDir, port });
    // Another live process is the recorded owner (as `npm start` would be).
    const other = spawn('sleep', ['60']);
    try {
      recordOwner(dataDir, other.pid!, 'npm start');
      const shared = await startEmbeddedPostgres({ dataDir, port: port + 1, whenRunning: 'share' });
      expect(shared).to.include({ owned: false, pid: first.pid, port, ownerDescription: `npm start (pid ${other.pid})` });
      expect(await selectOne(shared.url)).to.deep.equal({ one: 1 });
      await shared.stop();
      expect(isAlive(first.pid), 'still running for its owner').to.equal(true);

      let refusal: unknown;
      await startEmbeddedPostgres({ dataDir, port, whenRunning: 'refuse' }).catch((e: unknown) => (refusal = e));
      expect(refusal).to.be.instanceOf(Error);
      expect((refusal as Error).message).to.include(`is already running (pid ${first.pid}, port ${port}), started by npm start (pid ${other.pid})`);
      expect((refusal as Error).message).to.include('Stop that process first');
    } finally {
      other.kill();
      recordOwner(dataDir, process.pid, 'test');
      await first.stop();
    }
  });

  it('a server whose recorded owner is gone is adopted, used and stopped; one nobody recorded is refused with the command that stops it', async () => {
    const first = await startEmbeddedPostgres({ dataDir, port });
    const gone = spawnSync('true').pid; // a process that has ended
    recordOwner(dataDir, gone, 'npm start');
    const adopted = await startEmbeddedPostgres({ dataDir, port, whenRunning: 'refuse' });
    expect(adopted).to.include({ owned: true, pid: first.pid });
    expect(await selectOne(adopted.url)).to.deep.equal({ one: 1 });

    rmSync(ownerFile(dataDir));
    let refusal: unknown;
    await startEmbeddedPostgres({ dataDir, port, whenRunning: 'refuse' }).catch((e: unknown) => (refusal = e));
    expect((refusal as Error).message).to.include('started by a process that did not record itself');
    expect((refusal as Error).message).to.match(/stop it with: \S*pg_ctl stop -D \S+postgres$/);

    await adopted.stop();
    expect(isAlive(first.pid)).to.equal(false);
  });

  it("a server that cannot start says why, in PostgreSQL's words (the package rejected with undefined)", async () => {
    // Another program holds the port.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      let failure: unknown;
      await startEmbeddedPostgres({ dataDir, port }).catch((e: unknown) => (failure = e));
      expect(failure).to.be.instanceOf(Error);
      expect((failure as Error).message).to.include(`did not start on port ${port}`);
      expect((failure as Error).message).to.match(/could not (bind|create listen socket)/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(runningServer(path.join(dataDir, 'postgres'))).to.equal(undefined);
  });
});
