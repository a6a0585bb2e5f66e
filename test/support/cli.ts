// Runs one of the project's CLIs (apps/cli/*.ts) as a child process, the way `npm run <name>` does, and collects
// its exit code and output.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `script` relative to the project root (e.g. `apps/cli/cycle.ts`); `env` is added to this process's. */
export const runCli = (script: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliRun> =>
  new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
