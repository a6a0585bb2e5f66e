// Runs `npm start` for real, as a person does (npm → node), and watches its process tree, its output and its end.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface NpmStart {
  readonly child: ChildProcess;
  /** Everything written so far, stdout and stderr interleaved. */
  output(): string;
  /** The JSON log lines (pino) so far. */
  logLines(): LogLine[];
  /** Resolves with the first log line that matches, or rejects after `ms`. */
  waitForLine(match: (l: LogLine) => boolean, ms: number): Promise<LogLine>;
  /** Resolves with the exit code (or the signal's name) of the npm process. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** `npm start` with `env` added to this process's; in a process group of its own, so the group can get a Ctrl-C. */
export const npmStart = (env: Readonly<Record<string, string>>, script = 'start'): NpmStart => {
  // npm_* variables of the mocha run would make the child think it runs inside another npm script.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  const child = spawn('npm', ['run', script], { cwd: ROOT, env: { ...base, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const logLines = (): LogLine[] =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
  const waitForLine = (match: (l: LogLine) => boolean, ms: number) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logLines().find(match);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching log line within ${ms} ms; output:\n${text}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
      };
      waiters.push(check);
      check();
      void exited.then(() => {
        if (waiters.includes(check)) {
          cleanup();
          reject(new Error(`npm exited before the line appeared; output:\n${text}`));
        }
      });
    });
  return { child, output: () => text, logLines, waitForLine, exited };
};

/** Every process whose parent chain leads to `root` (from /proc), the root included. */
export const processTree = (root: number): number[] => {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(after[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree.filter((pid) => parent.has(pid));
};

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** True when something accepts TCP connections on host:port. */
export const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });

/** A port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
