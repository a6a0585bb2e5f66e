// `npm start -- --replay` on bad input, for real: exit 2 and a message saying what is wrong and, for a range with no
// stored candles, how to import data.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freshDatabase, type TestDatabase } from '../support/database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const npmStart = (args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'AMQP_URL'));
    const child = spawn('npm', ['start', '--', ...args], { cwd: ROOT, env: { ...base, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, output }));
  });

describe('npm start -- --replay: bad input', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase('replay_cli');
  });
  after(async () => {
    await db?.drop();
  });

  it('a malformed day, a day that does not exist and <to> before <from>: exit 2 with the usage', async () => {
    for (const [args, message] of [
      [['--replay', '2023-09', '2023-10-31'], /<from> "2023-09" is not a day/],
      [['--replay', '2023-09-01', '2023-09-31'], /<to> "2023-09-31" is not a day/],
      [['--replay', '2023-10-31', '2023-09-01'], /<to> must come after <from>/],
      [['--replay', '2023-10-31'], /--replay takes two days, got 1/],
    ] as const) {
      const run = await npmStart(args, { DATABASE_URL: db.url });
      expect(run.code, run.output).to.equal(2);
      expect(run.output).to.match(message);
      expect(run.output).to.include('usage: npm start -- --replay <from> <to>');
    }
  });

  it('a range with no stored candles: exit 2, saying what is stored and how to import data', async () => {
    const run = await npmStart(['--replay', '2023-09-01', '2023-09-11'], { DATABASE_URL: db.url });
    expect(run.code, run.output).to.equal(2);
    expect(run.output).to.include('replay 2023-09-01 → 2023-09-11: no stored hourly candle lies in that range (no hourly candles are stored)');
    expect(run.output).to.include('npm run import -- ../shared/data');
  });
});
