// The operator's console in Debian's chromium (playwright-core) against the real API over a real replay of
// ../shared/data: every view shows values the database holds, a live update arrives without a reload, an override
// goes through and shows in the audit with its actor, an unknown strategy and a stopped API say so clearly.
// Expected values are read from the database with SQL, never from the API the page itself calls.
import { expect } from 'chai';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import type { TestDatabase } from '../support/database.js';
import { hasChromium, launchBrowser, openSignedIn, go, CHROMIUM } from './support/browser.js';
import { sharedReplayFixture } from './support/replay-fixture.js';
import { startConsoleServer, type ConsoleServer } from './support/console-server.js';
import type { TestKey } from '../support/api-keys.js';

describe('operator console in a browser (real API, replayed history)', function () {
  this.timeout(5 * 60_000);
  let db: TestDatabase;
  let server: ConsoleServer;
  let browser: Browser;
  let sql: pg.Client;
  // A real operator key in the fixture database: the page signs in with it through the console's key prompt.
  let operator: TestKey;
  let elsewhere: TestKey;

  before(async function () {
    if (!hasChromium()) {
      process.stdout.write(`      skipped: ${CHROMIUM} is absent (.ci/run installs Debian's chromium with apt-get)\n`);
      this.skip();
    }
    db = await sharedReplayFixture();
    server = await startConsoleServer(db.url);
    operator = await server.key('operator', 'ui-test');
    elsewhere = await server.key('operator', 'elsewhere');
    browser = await launchBrowser();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await browser?.close();
    await server?.stop();
  });

  const one = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await sql.query<T>(text, values)).rows;
  const strategyIn = async (state: string) =>
    (await one<{ id: string }>(`SELECT id::text AS id FROM strategies WHERE state = $1 ORDER BY id LIMIT 1`, [state]))[0]!.id;
  let page: Page;
  let errors: string[];
  let close: () => Promise<void>;
  const open = async (path: string) => {
    ({ page, errors, close } = await openSignedIn(browser, server.url, path, operator.key));
  };
  afterEach(async () => {
    expect(errors ?? [], 'no script error on the page').to.deep.equal([]);
    await close?.();
  });

  it('Pipeline: the latest cycle and its counts, live strategies, the next run', async () => {
    await open('/');
    const [latest] = await one<{ cycle_id: string; generated: number; backtested: number }>(
      `SELECT cycle_id, (stages->'generate'->'counts'->>'planned')::int AS generated, backtested FROM cycle_progress ORDER BY cycle_id DESC LIMIT 1`,
    );
    const [live] = await one<{ n: string }>(`SELECT count(*) AS n FROM strategies WHERE state = 'Live'`);
    await page.locator(`[data-cycle="${latest!.cycle_id}"]`).waitFor();
    expect(await page.locator('[data-stage=generated] .big').textContent()).to.equal(String(latest!.generated));
    expect(await page.locator('[data-stage=backtested] .big').textContent()).to.equal(String(latest!.backtested));
    await page.waitForFunction((n) => document.querySelector('[data-stage=live] .big')?.textContent === n, live!.n);
    expect(await page.locator('[data-next-run]').textContent()).to.match(/^\d{4}-\d{2}-\d{2} 03:00:00Z$/);
    const cycles = await one<{ n: string }>(`SELECT count(*) AS n FROM cycle_progress`);
    expect(await page.locator('[data-table=cycles] .table-tools .muted').textContent()).to.equal(`${cycles[0]!.n} of ${cycles[0]!.n}`);
  });

  it('Strategies: the ranking lists the live strategies with their state', async () => {
    await open('/strategies');
    const live = await one<{ id: string }>(`SELECT strategy_id::text AS id FROM ranking WHERE state = 'Live' ORDER BY strategy_id`);
    expect(live.length).to.be.greaterThan(0);
    for (const { id } of live) {
      const row = page.locator('[data-table=ranking] tr', { has: page.locator(`code[title="${id}"]`) });
      await row.waitFor();
      expect(await row.locator('.badge').first().textContent()).to.equal('Live');
    }
  });

  it('Strategy page: state, genome in words, lineage, the whole history, backtest charts, paper next to backtest', async () => {
    const id = await strategyIn('Live');
    await open(`/strategies/${id}`);
    await page.locator(`[data-strategy-state]`).waitFor();
    expect(await page.locator('[data-strategy-state]').textContent()).to.equal('Live');
    const [{ genome }] = (await one<{ genome: { symbols: string[]; lineage: { parentIds: string[] } } }>(`SELECT genome FROM strategies WHERE id = $1`, [
      id,
    ])) as [{ genome: { symbols: string[]; lineage: { parentIds: string[] } } }];
    expect(await page.locator('.words li').first().textContent()).to.contain(genome.symbols.join(', '));
    for (const p of genome.lineage.parentIds) expect(await page.locator(`[data-lineage] code[title="${p}"]`).count()).to.equal(1);
    const events = await one<{ event_type: string }>(`SELECT event_type FROM events WHERE stream_name = $1 ORDER BY stream_revision`, [`strategy-${id}`]);
    await page.waitForFunction((n) => document.querySelectorAll('[data-timeline] li').length === n, events.length);
    expect(await page.locator('[data-timeline] li strong').allTextContents()).to.deep.equal(events.map((e) => e.event_type));
    await page.locator('[data-chart=backtest-candles] canvas').first().waitFor();
    await page.locator('[data-chart=backtest-equity] canvas').first().waitFor();
    const days = await one<{ n: string }>(`SELECT count(*) AS n FROM trading_days WHERE strategy_id = $1 AND mode = 'paper'`, [id]);
    expect(await page.locator('[data-compare] tr:last-child td').nth(2).textContent()).to.equal(days[0]!.n);
  });

  it('Activation audit: every decision with its actor, score and the candidates weighed', async () => {
    await open('/audit');
    const rows = await one<{ strategy_id: string; decided_by: string; score: number }>(`SELECT strategy_id::text, decided_by, score FROM activation_audit`);
    await page.locator('[data-table=audit] tbody tr').first().waitFor();
    expect(await page.locator('[data-table=audit] .table-tools .muted').textContent()).to.equal(`${rows.length} of ${rows.length}`);
    expect(await page.locator('[data-table=audit] [data-actor="system:activation-policy"]').count()).to.equal(
      rows.filter((r) => r.decided_by === 'system:activation-policy').length,
    );
    expect(await page.locator('[data-table=audit] tbody').textContent()).to.contain(rows[0]!.score.toFixed(4));
  });

  it('Positions and P&L: the paper and live accounts with their equity', async () => {
    await open('/positions');
    const accounts = await one<{ n: string }>(
      `SELECT (SELECT count(*) FROM ranking WHERE paper IS NOT NULL) + (SELECT count(*) FROM ranking WHERE live IS NOT NULL) AS n`,
    );
    await page.locator('[data-table=accounts] tbody tr').first().waitFor();
    expect(await page.locator('[data-table=accounts] .table-tools .muted').textContent()).to.equal(`${accounts[0]!.n} of ${accounts[0]!.n}`);
    expect(await page.locator('[data-section="open-positions"]').textContent()).to.contain('No open position');
  });

  it('Markets: the pairs selected for the latest cycle, the sentiment and indices', async () => {
    await open('/markets');
    const [sel] = await one<{ data: { selected: string[] } }>(
      `SELECT data FROM events WHERE event_type = 'PairsSelected' ORDER BY global_position DESC LIMIT 1`,
    );
    await page.locator('[data-selected]').waitFor();
    expect(await page.locator('[data-selected]').textContent()).to.equal(sel!.data.selected.join(', '));
    const [fg] = await one<{ value: number }>(
      `SELECT value FROM daily_observations WHERE series = 'fear_greed' AND day < '2023-09-16' ORDER BY day DESC LIMIT 1`,
    );
    await page.locator('[data-series=fear_greed]').waitFor();
    expect(await page.locator('[data-series=fear_greed] td').nth(2).textContent()).to.equal(fg!.value.toFixed(2));
    // The predictor's endpoint comes with another branch: until then the panel says so.
    expect(await page.locator('[data-section=predictions]').textContent()).to.match(/not available|Loading|[0-9]/);
  });

  it('Learning: the cycles with insights, the policy, learning against random', async () => {
    await open('/learning');
    const [{ n }] = (await one<{ n: string }>(`SELECT count(*) AS n FROM learning_cycles`)) as [{ n: string }];
    await page.locator('[data-table=learning-cycles] tbody tr').first().waitFor();
    expect(await page.locator('[data-table=learning-cycles] .table-tools .muted').textContent()).to.equal(`${n} of ${n}`);
    await page.locator('[data-regime]').first().waitFor();
    const [random] = await one<{ n: string }>(`SELECT count(*) AS n FROM strategies WHERE genome_summary->>'origin' = 'random'`);
    expect(await page.locator('[data-origin=random] td').nth(1).textContent()).to.equal(random!.n);
  });

  it('System: health, and each projection with its lag', async () => {
    await open('/system');
    await page.locator('[data-health]').waitFor();
    expect(await page.locator('[data-health]').textContent()).to.equal('ok');
    const names = await one<{ projection: string }>(`SELECT projection FROM projection_checkpoints`);
    for (const { projection } of names) await page.locator(`[data-lag="${projection}"]`).waitFor();
  });

  it('a live update: an event appended while the page is open shows without a reload', async () => {
    const id = await strategyIn('Paper');
    await open(`/strategies/${id}`);
    await page.locator('[data-timeline] li').first().waitFor();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.locator('[data-live=on]').waitFor();
    const before = await page.locator('[data-timeline] li').count();
    const res = await fetch(`${server.url}/api/strategies/${id}/pin`, {
      method: 'POST',
      headers: { ...elsewhere.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'pinned from another console' }),
    });
    expect(res.status).to.equal(200);
    await page.waitForFunction((n) => document.querySelectorAll('[data-timeline] li').length === n + 1, before, { timeout: 20_000 });
    expect(await page.locator('[data-timeline] li').last().getAttribute('data-event-type')).to.equal('StrategyPinned');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).to.equal(true);
  });

  it('an override from the page: a reason is required, the deactivation goes through and the audit shows the actor', async () => {
    const id = await strategyIn('Live');
    await open(`/strategies/${id}`);
    await page.locator('button[data-command=deactivate]').click();
    // Without a reason the form does not submit (required field): nothing happens.
    await page.locator('[data-dialog=deactivate] button[type=submit]').click();
    expect(await page.locator('[data-outcome]').count()).to.equal(0);
    await page.locator('[data-dialog=deactivate] textarea').fill('drawdown beyond my comfort');
    await page.locator('[data-dialog=deactivate] button[type=submit]').click();
    await page.locator('[data-outcome=ok]').waitFor();
    const [row] = await one<{ state: string }>(`SELECT state FROM strategies WHERE id = $1`, [id]);
    const [event] = await one<{ data: { decidedBy: string; reason: string } }>(
      `SELECT data FROM events WHERE stream_name = $1 AND event_type = 'StrategyDeactivated' ORDER BY stream_revision DESC LIMIT 1`,
      [`strategy-${id}`],
    );
    expect(event!.data).to.deep.include({ decidedBy: 'operator:ui-test', reason: 'drawdown beyond my comfort' });
    expect(['Paper', 'Live']).to.include(row!.state); // the projection may lag a moment
    await go(page, '/audit');
    const actor = page.locator('[data-table=audit] tr', { has: page.locator('[data-actor="operator:ui-test"]') });
    await actor.first().waitFor({ timeout: 20_000 });
    expect(await actor.first().textContent()).to.contain('drawdown beyond my comfort');
    expect(await actor.first().locator(`code[title="${id}"]`).count()).to.be.greaterThan(0);

    // And back: once the ranking has it in paper, an activation from the page carries the policy's figures and passes
    // the decider's checks (score = Σ weights × parts, within the live maximum).
    for (let i = 0; i < 100 && (await one<{ state: string }>(`SELECT state FROM ranking WHERE strategy_id = $1`, [id]))[0]?.state !== 'Paper'; i++)
      await new Promise((r) => setTimeout(r, 200));
    await go(page, `/strategies/${id}`);
    await page.locator('button[data-command=activate]').click();
    await page.locator('[data-dialog=activate] textarea').fill('back after review');
    await page.locator('[data-dialog=activate] button[type=submit]').click();
    await page.locator('[data-outcome=ok]').waitFor();
    const [activated] = await one<{ data: { decidedBy: string; reason: string } }>(
      `SELECT data FROM events WHERE stream_name = $1 ORDER BY stream_revision DESC LIMIT 1`,
      [`strategy-${id}`],
    );
    expect(activated!.data).to.deep.include({ decidedBy: 'operator:ui-test', reason: 'back after review' });
  });

  it('a deep link to an unknown strategy says so, not a blank page', async () => {
    await open('/strategies/00000000-0000-4000-8000-000000000000');
    await page.locator('[data-not-found]').waitFor();
    expect(await page.locator('[data-not-found]').textContent()).to.contain('There is no strategy 00000000-0000-4000-8000-000000000000');
    await close();
    await open('/strategies/not-a-strategy-id');
    await page.locator('[data-not-found]').waitFor();
  });

  it('an API that is down: a clear message, not a blank page', async () => {
    const second = await startConsoleServer(db.url);
    ({ page, errors, close } = await openSignedIn(browser, second.url, '/strategies', operator.key));
    await page.locator('[data-table=ranking]').waitFor();
    await second.stop();
    await go(page, '/audit');
    await page.locator('[data-failure=unreachable]').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-failure=unreachable]').first().textContent()).to.contain('The API is unreachable');
    errors.length = 0; // the browser logs the refused connections themselves
  });
});
