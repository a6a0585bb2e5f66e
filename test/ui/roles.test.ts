// The console's role boundaries in Debian's chromium against the real API: real keys made in the replay fixture's
// database (as `npm run keys -- create` makes them), signed in through the console's key prompt. The page hides what a
// role may not do, but the server is the judge: a request forced past the page is refused with 403 and the page says
// why. Expected actors and events are read from the database with SQL, not from the API the page calls.
import { expect } from 'chai';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import type { TestDatabase } from '../support/database.js';
import type { TestKey } from '../support/api-keys.js';
import { hasChromium, launchBrowser, openSignedIn, go, CHROMIUM } from './support/browser.js';
import { sharedReplayFixture } from './support/replay-fixture.js';
import { startConsoleServer, type ConsoleServer } from './support/console-server.js';

describe('operator console: roles (real keys, real API, replayed history)', function () {
  this.timeout(5 * 60_000);
  let db: TestDatabase;
  let server: ConsoleServer;
  let browser: Browser;
  let sql: pg.Client;
  let viewer: TestKey;
  let operator: TestKey;
  let admin: TestKey;
  const sessions: { close: () => Promise<void>; errors: string[] }[] = [];

  before(async function () {
    if (!hasChromium()) {
      process.stdout.write(`      skipped: ${CHROMIUM} is absent (.ci/run installs Debian's chromium with apt-get)\n`);
      this.skip();
    }
    db = await sharedReplayFixture();
    server = await startConsoleServer(db.url);
    viewer = await server.key('viewer', 'role-viewer');
    operator = await server.key('operator', 'role-operator');
    admin = await server.key('admin', 'role-admin');
    browser = await launchBrowser();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await browser?.close();
    await server?.stop();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) {
      expect(s.errors, 'no script error on the page').to.deep.equal([]);
      await s.close();
    }
  });
  const open = async (path: string, key: string, options: { expectSignedIn?: boolean } = {}, base = server.url) => {
    const s = await openSignedIn(browser, base, path, key, options);
    sessions.push(s);
    return s.page;
  };
  const rows = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await sql.query<T>(text, values)).rows;
  const strategyIn = async (state: string) =>
    (await rows<{ id: string }>(`SELECT id::text AS id FROM strategies WHERE state = $1 ORDER BY id DESC LIMIT 1`, [state]))[0]!.id;
  const eventCount = async (stream: string) => Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM events WHERE stream_name = $1`, [stream]))[0]!.n);

  it('a viewer key sees the views but no override, and a request forced past the page is refused with 403, said clearly', async () => {
    const id = await strategyIn('Paper');
    const page = await open(`/strategies/${id}`, viewer.key);
    expect(await page.locator('header .who').getAttribute('data-role')).to.equal('viewer');
    await page.locator('[data-timeline] li').first().waitFor();
    await page.locator('[data-overrides=hidden]').waitFor();
    expect(await page.locator('button[data-command]').count()).to.equal(0);
    await go(page, '/');
    await page.locator('[data-section=operator-settings]').waitFor();
    expect(await page.locator('[data-section=operator-settings]').textContent()).to.contain('needs the admin role');
    expect(await page.locator('[data-action=kill-switch]').count()).to.equal(0);

    // The page as an operator opened it, then the tab's key swapped for the viewer's (another tab, a stale page):
    // the server judges the request by the key it carries.
    const forced = await open(`/strategies/${id}`, operator.key);
    await forced.locator('button[data-command=pin]').click();
    await forced.locator('[data-dialog=pin] textarea').fill('forced by a viewer');
    await forced.evaluate((k) => sessionStorage.setItem('mastertrade.apiKey', k), viewer.key);
    const before = await eventCount(`strategy-${id}`);
    await forced.locator('[data-dialog=pin] button[type=submit]').click();
    await forced.locator('[data-outcome=failed]').waitFor();
    const said = await forced.locator('[data-outcome=failed]').textContent();
    expect(said).to.contain("Your key's role may not do this");
    expect(said).to.contain('needs the operator role');
    expect(await eventCount(`strategy-${id}`)).to.equal(before);
  });

  it('an operator key overrides with a reason and the audit shows operator:<key name>; settings and the kill switch need admin', async () => {
    const id = await strategyIn('Live');
    const page = await open(`/strategies/${id}`, operator.key);
    expect(await page.locator('header .who').getAttribute('data-role')).to.equal('operator');
    await page.locator('button[data-command=deactivate]').click();
    await page.locator('[data-dialog=deactivate] textarea').fill('operator role test');
    await page.locator('[data-dialog=deactivate] button[type=submit]').click();
    await page.locator('[data-outcome=ok]').waitFor();
    const [event] = await rows<{ data: { decidedBy: string; reason: string } }>(
      `SELECT data FROM events WHERE stream_name = $1 AND event_type = 'StrategyDeactivated' ORDER BY stream_revision DESC LIMIT 1`,
      [`strategy-${id}`],
    );
    expect(event!.data).to.deep.include({ decidedBy: 'operator:role-operator', reason: 'operator role test' });
    await go(page, '/audit');
    const row = page.locator('[data-table=audit] tr', { has: page.locator('[data-actor="operator:role-operator"]') });
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.first().textContent()).to.contain('operator role test');

    // Settings and the kill switch: the page says admin is needed, and the server refuses the operator's key anyway.
    await go(page, '/');
    await page.locator('[data-section=operator-settings]').waitFor();
    expect(await page.locator('[data-section=operator-settings]').textContent()).to.contain('needs the admin role; you are signed in as operator');
    const settingsBefore = await eventCount('settings');
    const refused = await fetch(`${server.url}/api/settings/maxActiveStrategies`, {
      method: 'POST',
      headers: { ...operator.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 3, reason: 'an operator tries' }),
    });
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { message: string }).message).to.contain('needs the admin role');
    expect(await eventCount('settings')).to.equal(settingsBefore);

    // An admin changes the setting from the same panel, with a reason; the settings stream records the admin's actor.
    const adminPage = await open('/', admin.key);
    await adminPage.locator('input[name=settings-reason]').fill('admin role test');
    await adminPage.locator('input[name=max-active]').fill('3');
    await adminPage.locator('[data-action=set-max-active]').click();
    await adminPage.locator('[data-section=operator-settings] .outcome.ok').waitFor();
    const [changed] = await rows<{ data: { actor: string; reason: string; value: number } }>(
      `SELECT data FROM events WHERE stream_name = 'settings' ORDER BY stream_revision DESC LIMIT 1`,
    );
    expect(changed!.data).to.deep.include({ actor: 'operator:role-admin', reason: 'admin role test', value: 3 });
    await adminPage.locator('input[name=settings-reason]').fill('back to two');
    await adminPage.locator('input[name=max-active]').fill('2');
    await adminPage.locator('[data-action=set-max-active]').click();
    await adminPage.locator('[data-section=operator-settings] .outcome.ok').waitFor();
  });

  it('an unknown or revoked key is sent back to the sign-in page with the 401 message, never a blank page', async () => {
    const unknown = await open('/system', 'mt_this-key-was-never-made', { expectSignedIn: false });
    await unknown.locator('[data-signin-problem]').waitFor();
    expect(await unknown.locator('[data-signin-problem]').textContent()).to.contain('Your API key was refused');
    expect(await unknown.locator('input[name=apiKey]').count()).to.equal(1);

    const doomed = await server.key('viewer', 'role-doomed');
    const page = await open('/system', doomed.key);
    await page.locator('[data-health]').waitFor();
    await server.revoke(doomed);
    // The next read with the revoked key is refused: the page says so and asks for a key again.
    await page.reload();
    await page.locator('[data-signin-problem]').waitFor({ timeout: 20_000 });
    const said = await page.locator('[data-signin-problem]').textContent();
    expect(said).to.contain('Your API key was refused');
    expect(said).to.match(/revoked/i);
  });

  it('a rate-limited key sees "Too many requests"', async () => {
    const limited = await startConsoleServer(db.url, {}, { perIp: 10_000, perKey: 5, windowMs: 60_000 });
    try {
      const key = await limited.key('viewer', 'role-limited');
      for (let i = 0; i < 5; i++) await (await fetch(`${limited.url}/api/auth/me`, { headers: key.headers })).text();
      const page = await open('/', key.key, { expectSignedIn: false }, limited.url);
      const problem = page.locator('[role=alert]', { hasText: 'Too many requests' });
      await problem.first().waitFor({ timeout: 20_000 });
      expect(await problem.first().textContent()).to.contain('requests in 60 s from this API key');
    } finally {
      await limited.stop();
    }
  });
});
