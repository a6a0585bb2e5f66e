// `npm run fuzz:api`: hostile requests against the real API (test/fuzz/api-fuzz.ts). Prints per route how many
// requests, their statuses and the slowest answer; exits 1, printing each offending request, on any 5xx, any answer
// slower than FUZZ_TIMEOUT_MS, or a stored event that does not decode.
// FUZZ_CASES (generated requests per route, default 300), FUZZ_SEED (default 1), FUZZ_TIMEOUT_MS (default 15000),
// TEST_DATABASE_URL or DATABASE_URL (the PostgreSQL server; default postgres://postgres@127.0.0.1:5432/postgres).
import { formatReport, runApiFuzz } from '../test/fuzz/api-fuzz.js';

const int = (name: string, dflt: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw)) {
    process.stderr.write(`${name} must be a whole number, got "${raw}"\n`);
    process.exit(2);
  }
  return Number(raw);
};

const t0 = performance.now();
const report = await runApiFuzz({
  casesPerRoute: int('FUZZ_CASES', 300),
  seed: int('FUZZ_SEED', 1),
  timeoutMs: int('FUZZ_TIMEOUT_MS', 15_000),
  serverUrl: process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  logLevel: 'error',
  progress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatReport(report)}\n`);
process.stdout.write(
  `${report.failures.length === 0 ? 'fuzz passed' : `fuzz FAILED: ${report.failures.length} problem(s)`} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
);
process.exit(report.failures.length === 0 ? 0 : 1);
