// The one way every CLI ends: the body's exit code, or — whatever it threw or rejected with, before or after the
// platform opened — a line `<command> failed: <cause>` on stderr and exit code 1.
import { describeFailure } from '../failure.js';

export const runCommand = async (name: string, body: () => Promise<number | void>): Promise<never> => {
  // A rejection nobody awaited (a library's background promise) is a failure of the command too, with its cause.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${name} failed: ${describeFailure(reason)}\n`);
    process.exit(1);
  });
  let code: number;
  try {
    code = (await body()) ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (err) {
    process.stderr.write(`${name} failed: ${describeFailure(err)}\n`);
    code = 1;
  }
  // An explicit exit: a library's handle left open (a pool timer, a socket) must not keep a finished command alive.
  process.exit(code);
};
