// Every role boundary of the API over real HTTP and a real PostgreSQL: what a viewer, an operator and an admin may
// do, what is recorded as theirs, and the 401/403 answers for keys that are missing, malformed, unknown or revoked.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { sql } from 'slonik';
import { exampleCommands } from '../../apps/api/examples.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { createTestKey, revokeTestKey, type TestKey } from '../support/api-keys.js';
import { call, openAuthApi, type Answer, type AuthApi } from './fixture.js';

describe('API roles', () => {
  let api: AuthApi;
  let base: string;
  let viewer: TestKey;
  let operator: TestKey;
  let admin: TestKey;

  before(async () => {
    api = await openAuthApi('auth_roles');
    base = await api.listen();
    viewer = await createTestKey(api.store, api.pool, { role: 'viewer', name: 'vera' });
    operator = await createTestKey(api.store, api.pool, { role: 'operator', name: 'otto' });
    admin = await createTestKey(api.store, api.pool, { role: 'admin', name: 'ada' });
  });
  after(() => api.close());

  const as = (key: TestKey | undefined, method: string, path: string, body?: unknown) => call(base, method, path, key?.headers ?? {}, body);
  const events = async (stream: string) => (await api.store.readStream(stream)).map((e) => ({ type: e.type, data: e.data, metadata: e.metadata }));
  /** A strategy in paper trading, brought there by the operator's key. */
  const paperStrategy = async (): Promise<string> => {
    const created = await as(operator, 'POST', '/api/strategies', { genome: smaCrossoverGenome() });
    expect(created.status, created.text).to.equal(201);
    const id = created.body.id as string;
    const result = (exampleCommands['record-backtest'] as { result: unknown }).result;
    for (const [command, body] of [
      ['record-backtest', { result }],
      ['filter', { verdict: { outcome: 'passed', reasons: ['ok'], thresholds: { minSharpe: 0.5 } } }],
      ['start-paper', { reason: 'passed the filter' }],
    ] as const) {
      const r = await as(operator, 'POST', `/api/strategies/${id}/${command}`, body);
      expect(r.status, `${command}: ${r.text}`).to.equal(200);
    }
    return id;
  };
  const problem = (r: Answer, status: number, error: string) => {
    expect(r.status, r.text).to.equal(status);
    expect(r.headers.get('content-type')).to.match(/^application\/json/);
    expect(r.body.error).to.equal(error);
    expect(r.body.message).to.be.a('string');
    expect(r.text).not.to.match(/\bat .+\.ts:\d+/); // no stack trace
  };

  describe('viewer', () => {
    it('reads: strategies, ranking, audit, orders, settings, risk, backtests, cycles', async () => {
      for (const path of [
        '/api/strategies',
        '/api/ranking',
        '/api/audit/activations',
        '/api/orders',
        '/api/settings',
        '/api/risk/paper-main',
        '/api/backtests',
        '/api/cycles',
      ]) {
        const r = await as(viewer, 'GET', path);
        expect(r.status, `${path}: ${r.text}`).to.equal(200);
      }
    });
    it('cannot command: generate, a lifecycle override, a backtest — 403 naming the role needed, nothing stored', async () => {
      const id = await paperStrategy();
      const before = await events(`strategy-${id}`);
      const attempts: [string, string, unknown][] = [
        ['POST', '/api/strategies', { genome: smaCrossoverGenome() }],
        ['POST', `/api/strategies/${id}/pin`, { reason: 'because' }],
        ['POST', `/api/strategies/${id}/retire`, { reason: 'because' }],
        ['POST', '/api/backtests', { strategyId: id }],
        ['POST', '/api/settings/maxActiveStrategies', { value: 3, reason: 'because' }],
        ['POST', '/api/risk/paper-main/kill', { reason: 'because' }],
      ];
      for (const [method, path, body] of attempts) {
        const r = await as(viewer, method, path, body);
        problem(r, 403, 'Forbidden');
        expect(r.body.role).to.equal('viewer');
        expect(r.body.required).to.equal(path.startsWith('/api/settings') || path.startsWith('/api/risk') ? 'admin' : 'operator');
      }
      expect(await events(`strategy-${id}`)).to.deep.equal(before);
      expect(await events('settings')).to.deep.equal([]);
      expect(await events('risk-paper-main')).to.deep.equal([]);
    });
    it('cannot raise its rights by naming an operator in the body', async () => {
      const id = await paperStrategy();
      const r = await as(viewer, 'POST', `/api/strategies/${id}/pin`, { actor: operator.actor, reason: 'I am otto' });
      problem(r, 403, 'Forbidden');
      expect((await events(`strategy-${id}`)).map((e) => e.type)).not.to.include('StrategyPinned');
    });
  });

  describe('operator', () => {
    it('commands and overrides: pin and unpin with a reason, recorded as the key’s actor with that reason', async () => {
      const id = await paperStrategy();
      const pin = await as(operator, 'POST', `/api/strategies/${id}/pin`, { reason: 'keep it through the FOMC week' });
      expect(pin.status, pin.text).to.equal(200);
      const unpin = await as(operator, 'POST', `/api/strategies/${id}/unpin`, { actor: 'operator:otto', reason: 'back to the policy' });
      expect(unpin.status, unpin.text).to.equal(200);
      const recorded = (await events(`strategy-${id}`)).filter((e) => e.type === 'StrategyPinned' || e.type === 'StrategyUnpinned');
      expect(recorded.map((e) => [e.type, (e.data as { decidedBy: string }).decidedBy, (e.data as { reason: string }).reason])).to.deep.equal([
        ['StrategyPinned', 'operator:otto', 'keep it through the FOMC week'],
        ['StrategyUnpinned', 'operator:otto', 'back to the policy'],
      ]);
      expect(recorded.map((e) => (e.metadata as { actor: string }).actor)).to.deep.equal(['operator:otto', 'operator:otto']);
    });
    it('cannot record its command as another operator’s: 403 ActorMismatch naming the field, nothing stored', async () => {
      const id = await paperStrategy();
      const before = await events(`strategy-${id}`);
      const r = await as(operator, 'POST', `/api/strategies/${id}/retire`, { actor: 'operator:ada', reason: 'not mine to sign' });
      problem(r, 403, 'ActorMismatch');
      expect(r.body.errors).to.deep.equal([{ path: 'actor', message: "must be operator:otto (the key's actor) or left out" }]);
      expect(await events(`strategy-${id}`)).to.deep.equal(before);
    });
    it('an override without a reason, or with a blank one, is a 400 naming `reason`; nothing stored', async () => {
      const id = await paperStrategy();
      const before = await events(`strategy-${id}`);
      for (const command of ['pin', 'retire', 'deactivate', 'activate']) {
        for (const body of [{}, { reason: '   ' }, { reason: '' }]) {
          const r = await as(operator, 'POST', `/api/strategies/${id}/${command}`, body);
          problem(r, 400, 'InvalidRequest');
          expect(
            r.body.errors.map((e: { path: string }) => e.path),
            `${command} ${JSON.stringify(body)}`,
          ).to.include('reason');
        }
      }
      expect(await events(`strategy-${id}`)).to.deep.equal(before);
    });
    it('activates by the policy without a decision in the body (as `npm run operator -- activate`), with the reason on record', async () => {
      const id = await paperStrategy();
      const r = await as(operator, 'POST', `/api/strategies/${id}/activate`, { reason: 'the best paper record this month' });
      expect(r.status, r.text).to.equal(200);
      expect(r.body).to.include({ id, state: 'Live', activated: id });
      const activated = (await events(`strategy-${id}`)).find((e) => e.type === 'StrategyActivated')!;
      expect(activated.data).to.include({ decidedBy: 'operator:otto', reason: 'the best paper record this month' });
      expect((activated.metadata as { actor: string }).actor).to.equal('operator:otto');
    });
    it('cannot change a setting, the risk limits or a kill switch: 403, nothing stored', async () => {
      for (const [path, body] of [
        ['/api/settings/maxActiveStrategies', { value: 4, reason: 'more room' }],
        ['/api/risk/paper-main/kill', { reason: 'stop' }],
        ['/api/risk/paper-main/release', { trigger: 'manual', reason: 'go' }],
        ['/api/risk/paper-main/limits', { reason: 'tighter', limits: { maxDrawdown: 0.1 } }],
      ] as const) {
        const r = await as(operator, 'POST', path, body);
        problem(r, 403, 'Forbidden');
        expect(r.body).to.include({ required: 'admin', role: 'operator' });
      }
      expect(await events('settings')).to.deep.equal([]);
      expect(await events('risk-paper-main')).to.deep.equal([]);
    });
  });

  describe('admin', () => {
    it('reads and commands as the others do', async () => {
      expect((await as(admin, 'GET', '/api/strategies')).status).to.equal(200);
      expect((await as(admin, 'POST', '/api/strategies', { genome: smaCrossoverGenome() })).status).to.equal(201);
    });
    it('changes MAX_ACTIVE_STRATEGIES with a reason: SettingChanged with the key’s actor and the reason', async () => {
      const missing = await as(admin, 'POST', '/api/settings/maxActiveStrategies', { value: 4 });
      problem(missing, 400, 'InvalidRequest');
      expect(missing.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['reason']);
      const blank = await as(admin, 'POST', '/api/settings/maxActiveStrategies', { value: 4, reason: ' \t' });
      expect(blank.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['reason']);
      const r = await as(admin, 'POST', '/api/settings/maxActiveStrategies', { value: 4, reason: 'a fourth passed its paper weeks' });
      expect(r.status, r.text).to.equal(200);
      expect(await events('settings')).to.have.length(1);
      const [changed] = await events('settings');
      expect(changed!.data).to.deep.include({ name: 'maxActiveStrategies', value: 4, actor: 'operator:ada', reason: 'a fourth passed its paper weeks' });
      const shown = await as(viewer, 'GET', '/api/settings');
      expect(shown.body.settings.find((s: { name: string }) => s.name === 'maxActiveStrategies')).to.include({ value: 4, set: true });
      const outOfRange = await as(admin, 'POST', '/api/settings/maxActiveStrategies', { value: -1, reason: 'x' });
      problem(outOfRange, 400, 'InvalidRequest');
      expect(outOfRange.body.errors).to.deep.equal([{ path: 'value', message: 'maxActiveStrategies must be an integer from 1 to 10, not -1' }]);
      const unknown = await as(admin, 'POST', '/api/settings/noSuchThing', { value: 1, reason: 'x' });
      problem(unknown, 404, 'UnknownSetting');
    });
    it('engages and releases the kill switch with a reason, on the risk stream with the key’s actor', async () => {
      const missing = await as(admin, 'POST', '/api/risk/live-x/kill', {});
      problem(missing, 400, 'InvalidRequest');
      expect(missing.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['reason']);
      const kill = await as(admin, 'POST', '/api/risk/live-x/kill', { reason: 'exchange incident' });
      expect(kill.status, kill.text).to.equal(200);
      const status = await as(viewer, 'GET', '/api/risk/live-x');
      expect(status.body.engaged.map((e: { trigger: string; decidedBy: string; reason: string }) => [e.trigger, e.decidedBy, e.reason])).to.deep.equal([
        ['manual', 'operator:ada', 'exchange incident'],
      ]);
      const release = await as(admin, 'POST', '/api/risk/live-x/release', { trigger: 'manual', reason: 'incident over' });
      expect(release.status, release.text).to.equal(200);
      expect((await events('risk-live-x')).map((e) => [e.type, (e.metadata as { actor: string }).actor])).to.deep.equal([
        ['KillSwitchEngaged', 'operator:ada'],
        ['KillSwitchReleased', 'operator:ada'],
      ]);
      const again = await as(admin, 'POST', '/api/risk/live-x/release', { trigger: 'manual', reason: 'twice' });
      problem(again, 409, 'NotEngaged');
    });
    it('sets risk limits field by field, the rest kept; an out-of-range limit is a 400 naming it', async () => {
      const bad = await as(admin, 'POST', '/api/risk/live-y/limits', { reason: 'tighter', limits: { maxDrawdown: 7 } });
      problem(bad, 400, 'InvalidRequest');
      expect(bad.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['limits.maxDrawdown']);
      const r = await as(admin, 'POST', '/api/risk/live-y/limits', { reason: 'tighter', limits: { maxDrawdown: 0.1 } });
      expect(r.status, r.text).to.equal(200);
      expect((await as(viewer, 'GET', '/api/risk/live-y')).body).to.deep.include({ limitsFrom: 'stream' });
      expect((await as(viewer, 'GET', '/api/risk/live-y')).body.limits.maxDrawdown).to.equal(0.1);
    });
  });

  describe('keys that do not authenticate', () => {
    const secretShaped = () => `mt_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    it('no key: 401 with a challenge and how to get one; /health and /openapi.json need none', async () => {
      const r = await as(undefined, 'GET', '/api/strategies');
      problem(r, 401, 'Unauthenticated');
      expect(r.headers.get('www-authenticate')).to.equal('Bearer realm="mastertrade"');
      expect(r.body.how).to.include('npm run keys -- create');
      expect((await as(undefined, 'GET', '/health')).status).to.equal(200);
      expect((await as(undefined, 'GET', '/openapi.json')).status).to.equal(200);
      // An unknown route is not told apart from a known one without a key.
      problem(await as(undefined, 'GET', '/api/nothing-here'), 401, 'Unauthenticated');
      problem(await as(undefined, 'POST', '/api/nothing-here', {}), 401, 'Unauthenticated');
    });
    it('an unknown key, well formed or not: 401 InvalidApiKey, never echoed', async () => {
      for (const key of [secretShaped(), `mt_${viewer.keyId}_${randomBytes(32).toString('base64url')}`, 'hunter2', 'mt_zz_zz']) {
        const r = await call(base, 'GET', '/api/strategies', { authorization: `Bearer ${key}` });
        problem(r, 401, 'InvalidApiKey');
        expect(r.text).not.to.include(key);
        const x = await call(base, 'GET', '/api/strategies', { 'x-api-key': key });
        problem(x, 401, 'InvalidApiKey');
      }
    });
    it('a malformed Authorization header: 401 MalformedCredentials', async () => {
      for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', viewer.key, `Token ${viewer.key}`]) {
        const r = await call(base, 'GET', '/api/strategies', { authorization: header });
        problem(r, 401, 'MalformedCredentials');
        expect(r.text).not.to.include(viewer.key);
      }
      const two = await call(base, 'GET', '/api/strategies', { authorization: viewer.headers.authorization, 'x-api-key': operator.key });
      problem(two, 401, 'MalformedCredentials');
    });
    it('X-API-Key works as Bearer does; the scheme is case-insensitive', async () => {
      expect((await call(base, 'GET', '/api/strategies', { 'x-api-key': viewer.key })).status).to.equal(200);
      expect((await call(base, 'GET', '/api/strategies', { authorization: `bearer ${viewer.key}` })).status).to.equal(200);
    });
    it('a revoked key is refused from the very next request', async () => {
      const doomed = await createTestKey(api.store, api.pool, { role: 'admin', name: 'doomed' });
      expect((await as(doomed, 'GET', '/api/strategies')).status).to.equal(200);
      await revokeTestKey(api.store, api.pool, doomed.keyId, 'left the team');
      const r = await as(doomed, 'GET', '/api/strategies');
      problem(r, 401, 'RevokedApiKey');
      expect(r.text).not.to.include(doomed.key);
      problem(await as(doomed, 'POST', '/api/settings/maxActiveStrategies', { value: 5, reason: 'x' }), 401, 'RevokedApiKey');
    });
  });

  describe('last use', () => {
    it('is recorded at most once a minute per key, not at each request', async () => {
      const k = await createTestKey(api.store, api.pool, { role: 'viewer', name: 'lu' });
      for (let i = 0; i < 5; i++) expect((await as(k, 'GET', '/api/strategies')).status).to.equal(200);
      await api.app.authentication.flush();
      const lastUsed = () => api.pool.oneFirst(sql.unsafe`SELECT last_used_at FROM api_keys WHERE id = ${k.keyId}`);
      // The app's clock is fixed at 2024-03-01T12:00:00Z: the time recorded is the clock's.
      expect(new Date((await lastUsed()) as number).toISOString()).to.equal('2024-03-01T12:00:00.000Z');
      // Within the minute (the clock stands still) more requests write nothing: a cleared value stays cleared.
      await api.pool.query(sql.unsafe`UPDATE api_keys SET last_used_at = NULL WHERE id = ${k.keyId}`);
      for (let i = 0; i < 5; i++) expect((await as(k, 'GET', '/api/strategies')).status).to.equal(200);
      await api.app.authentication.flush();
      expect(await lastUsed()).to.equal(null);
    });
  });
});
