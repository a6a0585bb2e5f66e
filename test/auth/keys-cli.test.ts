// `npm run keys`: a key is printed once, works against the API at once, is stored only as its SHA-256 (the key and
// its secret part are nowhere in the database), is listed without a secret, and is refused from the request after
// its revocation. Wrong arguments exit 2 naming the problem.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { runCli, type CliRun } from '../support/cli.js';
import { call, openAuthApi, type AuthApi } from './fixture.js';

describe('npm run keys', function () {
  this.timeout(240_000);
  let api: AuthApi;
  let base: string;
  before(async () => {
    api = await openAuthApi('auth_keys_cli');
    base = await api.listen();
  });
  after(() => api.close());

  const keys = (...args: string[]): Promise<CliRun> => runCli('apps/cli/keys.ts', args, { DATABASE_URL: api.db.url, AMQP_URL: '', LOG_LEVEL: 'silent' });
  /** Every value of every row of every table, as text: where a secret could hide. */
  const wholeDatabase = async (): Promise<string> => {
    const c = new pg.Client({ connectionString: api.db.url });
    await c.connect();
    try {
      const tables = await c.query<{ t: string }>(`SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS t FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`);
      let all = '';
      for (const { t } of tables.rows) for (const row of (await c.query<{ r: string }>(`SELECT x::text AS r FROM ${t} x`)).rows) all += `${row.r}\n`;
      return all;
    } finally {
      await c.end();
    }
  };

  it('create prints the key once; it works at once; only its SHA-256 is stored; list never shows a secret', async () => {
    const out = await keys('create', '--name', 'ada', '--role', 'admin', '--purpose', 'the first admin', '--actor', 'operator:root');
    expect(out.code, out.stderr).to.equal(0);
    const printed = out.stdout.match(/mt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g) ?? [];
    expect(printed).to.have.length(1);
    const key = printed[0]!;
    const [, id, secret] = /^mt_([0-9a-f]{16})_(.+)$/.exec(key)!;
    expect(out.stdout).to.include(`created API key ${id} "ada" (admin), by operator:root`);
    expect(out.stdout).to.include('shown once');
    // 256 random bits in the secret.
    expect(Buffer.from(secret!, 'base64url')).to.have.length(32);

    const r = await call(base, 'POST', '/api/settings/maxActiveStrategies', { authorization: `Bearer ${key}` }, { value: 3, reason: 'first admin at work' });
    expect(r.status, r.text).to.equal(200);

    const everything = await wholeDatabase();
    expect(everything).not.to.include(key);
    expect(everything).not.to.include(secret);
    expect(everything).to.include(createHash('sha256').update(key).digest('hex'));
    const created = (await api.store.readStream('api-keys')).map((e) => [e.type, e.data, (e.metadata as { actor: string }).actor]);
    expect(created).to.deep.equal([
      [
        'ApiKeyCreated',
        {
          keyId: id,
          name: 'ada',
          role: 'admin',
          keyHash: createHash('sha256').update(key).digest('hex'),
          createdBy: 'operator:root',
          purpose: 'the first admin',
        },
        'operator:root',
      ],
    ]);

    const list = await keys('list');
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(new RegExp(`^${id}\\s+ada\\s+admin\\s+created \\S+ by operator:root\\s+active\\s+last used \\S+`, 'm'));
    expect(list.stdout).not.to.include(secret);
    expect(list.stdout).not.to.match(/[0-9a-f]{64}/);
  });

  it('revoke needs a reason, records it, and the API refuses the key from the next request', async () => {
    const out = await keys('create', '--name', 'temp', '--role', 'operator', '--actor', 'operator:root');
    const key = /mt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/.exec(out.stdout)![0];
    const id = key.slice(3, 19);
    expect((await call(base, 'GET', '/api/strategies', { authorization: `Bearer ${key}` })).status).to.equal(200);
    const noReason = await keys('revoke', id, '--actor', 'operator:root');
    expect(noReason.code).to.equal(2);
    expect(noReason.stderr).to.include('--reason');
    const blank = await keys('revoke', id, '--reason', '  ');
    expect(blank.code).to.equal(2);
    const done = await keys('revoke', id, '--reason', 'contractor left', '--actor', 'operator:root');
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stdout).to.include(`revoked API key ${id}`);
    const r = await call(base, 'GET', '/api/strategies', { authorization: `Bearer ${key}` });
    expect(r.status).to.equal(401);
    expect(r.body.error).to.equal('RevokedApiKey');
    const again = await keys('revoke', id, '--reason', 'twice', '--actor', 'operator:root');
    expect(again.code).to.equal(0);
    expect(again.stdout).to.include('revoked already');
    const list = await keys('list');
    expect(list.stdout).to.match(new RegExp(`^${id}\\s+temp\\s+operator\\s+.*REVOKED \\S+ by operator:root: contractor left`, 'm'));
    const revoked = (await api.store.readStream('api-keys')).filter((e) => e.type === 'ApiKeyRevoked').map((e) => e.data);
    expect(revoked).to.deep.equal([{ keyId: id, name: 'temp', revokedBy: 'operator:root', reason: 'contractor left' }]);
  });

  it('refuses wrong arguments with exit 2 naming the problem, and a taken name with exit 1', async () => {
    const cases: [string[], string][] = [
      [[], 'say what to do'],
      [['make'], 'unknown command "make"'],
      [['create', '--role', 'admin'], '--name is required'],
      [['create', '--name', 'bad name', '--role', 'admin'], '"bad name" is not a name'],
      [['create', '--name', 'x', '--role', 'root'], '--role is required: one of viewer, operator, admin, not "root"'],
      [['create', '--name', 'x', '--role', 'admin', '--actor', 'system:me'], '--actor: "system:me" is not operator:<name>'],
      [['create', '--name', 'x', '--role', 'admin', '--reason', 'r'], 'create takes no --reason'],
      [['revoke', 'nope', '--reason', 'r'], 'name the key by its id'],
      [['list', 'extra'], 'unexpected arguments: extra'],
    ];
    for (const [args, message] of cases) {
      const out = await keys(...args);
      expect(out.code, args.join(' ')).to.equal(2);
      expect(out.stderr, args.join(' ')).to.include(message);
    }
    const taken = await keys('create', '--name', 'ada', '--role', 'viewer', '--actor', 'operator:root');
    expect(taken.code).to.equal(1);
    expect(taken.stderr).to.include('the name "ada" is taken');
    const unknown = await keys('revoke', '0123456789abcdef', '--reason', 'r', '--actor', 'operator:root');
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('no API key 0123456789abcdef');
  });
});
