// As root, PostgreSQL runs as the `postgres` user. A checkout that user cannot enter (under /root, or any 0700 folder)
// made the embedded server fail with a bare `spawn …/initdb EACCES` that crashed the process. Reproduced for real: the
// module and its node_modules (hard links, instant) in a 0700 folder, run in a child process.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/npm-start.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SCRIPT = `
import pg from 'pg';
import { startEmbeddedPostgres } from './infrastructure/db/embedded-postgres.js';
const db = await startEmbeddedPostgres({ dataDir: process.argv[2], port: Number(process.argv[3]) });
const c = new pg.Client({ connectionString: db.url.replace(/mastertrade$/, 'postgres') });
await c.connect();
console.log('SELECT', (await c.query('SELECT 41 + 1 AS x')).rows[0].x);
await c.end();
await db.stop();
`;

describe('the embedded PostgreSQL, run as root from a checkout the postgres user cannot enter', function () {
  this.timeout(120_000);
  let hidden: string;
  let open: string;
  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    hidden = mkdtempSync(path.join(tmpdir(), 'mt-hidden-checkout-'));
    chmodSync(hidden, 0o700);
    open = mkdtempSync(path.join(tmpdir(), 'mt-open-data-'));
    chmodSync(open, 0o755);
    spawnSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(hidden, 'node_modules')]);
    mkdirSync(path.join(hidden, 'infrastructure', 'db'), { recursive: true });
    for (const f of ['embedded-postgres.ts', 'postgres-user-access.ts'])
      copyFileSync(path.join(ROOT, 'infrastructure', 'db', f), path.join(hidden, 'infrastructure', 'db', f));
    writeFileSync(path.join(hidden, 'package.json'), '{"type":"module"}\n');
    writeFileSync(path.join(hidden, 'run.ts'), SCRIPT);
  });
  after(() => {
    if (hidden) rmSync(hidden, { recursive: true, force: true });
    if (open) rmSync(open, { recursive: true, force: true });
  });

  const run = async (dataDir: string) => {
    const r = spawnSync('node', ['--import', 'tsx', 'run.ts', dataDir, String(await freePort())], { cwd: hidden, encoding: 'utf8', timeout: 100_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('data inside that checkout: refused before anything is spawned, naming the folder and what to do', async () => {
    const r = await run(path.join(hidden, '.data'));
    expect(r.status).to.not.equal(0);
    expect(r.out).to.not.include('EACCES');
    expect(r.out).to.include(`cannot keep its data in ${path.join(hidden, '.data', 'postgres')}`);
    expect(r.out).to.include(`cannot enter ${hidden} (mode 700, owner root)`);
    expect(r.out).to.include('DATA_DIR=/var/lib/mastertrade npm start');
    expect(r.out).to.include('DATABASE_URL=');
  });

  it('data where the postgres user can reach it: the server starts (its programs copied where that user can run them) and answers', async () => {
    const r = await run(path.join(open, 'data'));
    expect(r.out).to.include('SELECT 42');
    expect(r.status, r.out).to.equal(0);
  });
});
