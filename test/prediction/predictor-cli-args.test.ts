// `npm run train:predictor` and `npm run predictions:backfill` read their shared arguments with one parser
// (apps/cli/predictor-args.ts): a bad value exits 2 naming the flag and printing the command's usage, before anything
// opens (no database is given here: a run that got past the arguments would fail otherwise).
import { expect } from 'chai';
import { runCli } from '../support/cli.js';

const NO_DATABASE = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };

const refused = async (script: string, args: readonly string[], message: string, usage: string) => {
  const r = await runCli(script, args, NO_DATABASE);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
  expect(r.stderr).to.include(message);
  expect(r.stderr).to.include(usage);
};

describe('the predictor CLIs refuse bad arguments with exit 2, naming the flag', () => {
  it('train:predictor', async () => {
    const usage = 'usage: npm run train:predictor';
    await refused('apps/cli/train-predictor.ts', ['--profile', 'huge'], '--profile "huge" is not one of small, full', usage);
    await refused('apps/cli/train-predictor.ts', ['--seed', '1.5'], '--seed "1.5" is not a non-negative integer', usage);
    await refused('apps/cli/train-predictor.ts', ['--from', '2024-02-30'], '--from "2024-02-30" is not a day like 2024-01-31', usage);
    await refused('apps/cli/train-predictor.ts', ['--from', '2024-03-01', '--to', '2024-02-01'], '--to must be after --from', usage);
    await refused('apps/cli/train-predictor.ts', ['--retrain-every', '7d'], "Unknown option '--retrain-every'", usage);
  });

  it('predictions:backfill', async () => {
    const usage = 'usage: npm run predictions:backfill';
    await refused('apps/cli/predictions-backfill.ts', ['--to', '2024-02-01'], '--from is required', usage);
    await refused('apps/cli/predictions-backfill.ts', ['--from', '2024-01-01', '--to', '2024-02-01', '--model', 'lstm'], '--model "lstm" is not one of', usage);
    await refused(
      'apps/cli/predictions-backfill.ts',
      ['--from', '2024-01-01', '--to', '2024-02-01', '--name', 'BTC 1h'],
      '--name "BTC 1h" must be lower-case',
      usage,
    );
    await refused(
      'apps/cli/predictions-backfill.ts',
      ['--from', '2024-01-01', '--to', '2024-02-01', '--retrain-every', '0d'],
      '--retrain-every "0d" is not a number of days',
      usage,
    );
    await refused('apps/cli/predictions-backfill.ts', ['--from', '2022-01-01', '--to', '2024-02-01'], 'spans more than 366 days', usage);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await runCli('apps/cli/predictions-backfill.ts', ['--help'], NO_DATABASE);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('usage: npm run predictions:backfill -- --from <YYYY-MM-DD> --to <YYYY-MM-DD>');
  });
});
