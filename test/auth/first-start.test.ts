// The API's first start on a database without an admin key says, as a warning, how to create the first one; once
// an admin key exists it says nothing of the kind. `npm run start:api` for real.
import { expect } from 'chai';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { npmStart, type LogLine } from '../support/npm-start.js';

const HOW_TO =
  'no admin API key yet: every API route but /health and /openapi.json needs a key. Create the first admin key with ' +
  '`npm run keys -- create --name <your-name> --role admin` (the key is printed once; send it as "Authorization: Bearer <key>")';

describe('the API’s first start', function () {
  this.timeout(90_000);
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase('auth_first_start');
  });
  after(() => db.drop());

  const isHowTo = (l: LogLine) => l.msg.startsWith('no admin API key yet');
  const start = async () => {
    const run = npmStart({ DATABASE_URL: db.url, AMQP_URL: '', PORT: '0', LOG_LEVEL: 'info', MARKET_DATA_SOURCE: 'none' }, 'start:api');
    try {
      await run.waitForLine((l) => l.msg.startsWith('API listening'), 40_000);
      return run.logLines();
    } finally {
      process.kill(-run.child.pid!, 'SIGTERM');
      await run.exited;
    }
  };

  it('without an admin key: says how to create the first one, once, as a warning', async () => {
    const lines = await start();
    const said = lines.filter(isHowTo);
    expect(said).to.have.length(1);
    expect(said[0]!.level).to.equal(40);
    expect(said[0]!.msg).to.equal(HOW_TO);
  });

  it('with an admin key (a viewer key is not enough): says nothing of the kind', async () => {
    const env = { DATABASE_URL: db.url, AMQP_URL: '', LOG_LEVEL: 'silent' };
    expect((await runCli('apps/cli/keys.ts', ['create', '--name', 'v', '--role', 'viewer', '--actor', 'operator:root'], env)).code).to.equal(0);
    expect((await start()).filter(isHowTo)).to.have.length(1);
    expect((await runCli('apps/cli/keys.ts', ['create', '--name', 'a', '--role', 'admin', '--actor', 'operator:root'], env)).code).to.equal(0);
    expect((await start()).filter(isHowTo)).to.deep.equal([]);
  });
});
