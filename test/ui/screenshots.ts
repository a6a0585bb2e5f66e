// `npm run ui:screenshots`: PNG screenshots of every view into doc/ui/, from the same replay fixture the browser
// tests use (a fresh database filled by a real replay of ../shared/data, dropped at the end).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildTemplate, dropAllTestDatabases } from '../support/database.js';
import { hasChromium, launchBrowser, openSignedIn, CHROMIUM } from './support/browser.js';
import { replayFixture } from './support/replay-fixture.js';
import { startConsoleServer } from './support/console-server.js';

const OUT = fileURLToPath(new URL('../../doc/ui/', import.meta.url));

if (!hasChromium()) {
  process.stderr.write(`${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium)\n`);
  process.exit(2);
}
await mkdir(OUT, { recursive: true });
await buildTemplate();
try {
  process.stderr.write('replaying ../shared/data into a fresh database (about two minutes)…\n');
  const db = await replayFixture('screenshots');
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const live = (await sql.query<{ id: string }>(`SELECT id::text AS id FROM strategies WHERE state = 'Live' ORDER BY id LIMIT 1`)).rows[0]?.id;
  await sql.end();
  // The API's own records go into the logs table, as with LOG_STORE=on in production: the System view's log search.
  process.env['LOG_STORE'] = 'on';
  const server = await startConsoleServer(db.url);
  // A real admin key in the fixture database, signed in through the console's key prompt (admin: every panel shows).
  const admin = await server.key('admin', 'screenshots');
  // An operator's kill switch on the live account: the alerts service raises its alert (the System view lists it).
  if (live)
    await fetch(`${server.url}/api/risk/live-${live}/kill`, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'a manual stop before the screenshots' }),
    });
  const browser = await launchBrowser();
  try {
    const views: [string, string][] = [
      ['pipeline', '/'],
      ['strategies', '/strategies'],
      ...(live ? ([['strategy', `/strategies/${live}`]] as [string, string][]) : []),
      ['audit', '/audit'],
      ['positions', '/positions'],
      ['markets', '/markets'],
      ['learning', '/learning'],
      ['system', '/system'],
      ['strategy-not-found', '/strategies/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [name, path] of views) {
      const s = await openSignedIn(browser, server.url, path, admin.key);
      await s.page.locator('[data-view]').first().waitFor();
      await s.page.waitForLoadState('networkidle').catch(() => undefined);
      await s.page.waitForTimeout(1500);
      await s.page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
      process.stdout.write(`doc/ui/${name}.png\n`);
      await s.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
} finally {
  await dropAllTestDatabases();
}
