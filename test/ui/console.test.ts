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
import { writeLogs } from './support/log-records.js';

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
    // The trace re-ran the cycle's two windows and got the metrics the cycle recorded.
    expect(await page.locator('[data-trace-reproduced]').getAttribute('data-trace-reproduced')).to.equal('true');
    expect(
      await page.locator('[data-trace-run]').evaluateAll((xs) => xs.map((x) => [x.getAttribute('data-trace-run'), x.getAttribute('data-reproduced')])),
    ).to.deep.equal([
      ['in-sample', 'true'],
      ['out-of-sample', 'true'],
    ]);
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

  it('Positions and P&L: the paper and live accounts with their equity, the desk’s open positions and orders', async () => {
    await open('/positions');
    const accounts = await one<{ n: string }>(
      `SELECT (SELECT count(*) FROM ranking WHERE paper IS NOT NULL) + (SELECT count(*) FROM ranking WHERE live IS NOT NULL) AS n`,
    );
    await page.locator('[data-table=accounts] tbody tr').first().waitFor();
    expect(await page.locator('[data-table=accounts] .table-tools .muted').textContent()).to.equal(`${accounts[0]!.n} of ${accounts[0]!.n}`);
    // The desk's paper orders are on the record (doc/paper-trading.md): the replay's trades fill these tables.
    const [counts] = await one<{ orders: string; open: string }>(
      `SELECT (SELECT count(*) FROM trading_orders WHERE account LIKE 'paper-%' OR account LIKE 'live-%') AS orders,
              (SELECT count(*) FROM trading_positions WHERE quantity <> 0) AS open`,
    );
    const orders = Math.min(1000, Number(counts!.orders));
    const open_ = Math.min(1000, Number(counts!.open));
    expect(orders, 'paper orders after the replay').to.be.greaterThan(0);
    expect(open_, 'open paper positions after the replay').to.be.greaterThan(0);
    await page.locator('[data-table=orders] tbody tr').first().waitFor();
    expect(await page.locator('[data-table=orders] .table-tools .muted').textContent()).to.equal(`${orders} of ${orders}`);
    await page.locator('[data-table=positions] tbody tr').first().waitFor();
    expect(await page.locator('[data-table=positions] .table-tools .muted').textContent()).to.equal(`${open_} of ${open_}`);
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
    // The predictor (a ridge model the fixture trained before the replayed range): its latest forecast next to the
    // baselines and the realised return, from the read model and the candles, never from the API the panel calls.
    const [p] = await one<{
      for_hour: Date;
      model_version: number;
      kind: string;
      expected_return: number;
      persistence: number;
      ridge: number;
      realised: number | null;
    }>(
      `SELECT p.for_hour, p.model_version, p.kind, p.expected_return, p.persistence, p.ridge, c1.close / c0.close - 1 AS realised
         FROM predictions p
         LEFT JOIN candles c1 ON c1.exchange = p.exchange AND c1.symbol = p.symbol AND c1.interval = '1h' AND c1.open_time = extract(epoch FROM p.for_hour)::bigint * 1000
         LEFT JOIN candles c0 ON c0.exchange = p.exchange AND c0.symbol = p.symbol AND c0.interval = '1h' AND c0.open_time = extract(epoch FROM p.for_hour)::bigint * 1000 - 3600000
        WHERE p.model = 'btc-1h' ORDER BY p.for_hour DESC LIMIT 1`,
    );
    expect(p, 'the replay recorded forecasts').to.not.equal(undefined);
    const bp = (r: number) => `${(r * 10_000).toFixed(1)} bp`;
    const latest = page.locator('[data-latest-prediction]');
    await latest.waitFor();
    expect(await latest.locator('th').first().textContent()).to.equal(
      `btc-1h (${p!.kind}, version ${p!.model_version}) · BTCUSDT · for ${p!.for_hour.toISOString().replace('T', ' ').replace('.000Z', 'Z')}`,
    );
    const cell = (row: string) => latest.locator(`[data-forecast=${row}] td`).nth(1).textContent();
    expect(await cell('model')).to.match(new RegExp(`^${bp(p!.expected_return)} · up \\d+% · confidence \\d\\.\\d\\d$`));
    expect(await cell('persistence')).to.equal(bp(p!.persistence));
    expect(await cell('ridge')).to.equal(bp(p!.ridge));
    expect(p!.realised, 'the candles hold the forecast hour').to.not.equal(null);
    expect(await cell('realised')).to.equal(bp(p!.realised!));
    // The week before it: each forecaster's MAE, RMSE and direction over the hours whose return is known, in SQL.
    const errors = await one<{ name: string; n: string; known: string; mae: number; rmse: number; hits: number }>(
      `WITH w AS (
         SELECT p.expected_return, p.persistence, p.ridge, c1.close / c0.close - 1 AS r
           FROM predictions p
           LEFT JOIN candles c1 ON c1.exchange = p.exchange AND c1.symbol = p.symbol AND c1.interval = '1h' AND c1.open_time = extract(epoch FROM p.for_hour)::bigint * 1000
           LEFT JOIN candles c0 ON c0.exchange = p.exchange AND c0.symbol = p.symbol AND c0.interval = '1h' AND c0.open_time = extract(epoch FROM p.for_hour)::bigint * 1000 - 3600000
          WHERE p.model = 'btc-1h' AND p.for_hour > $1::timestamptz - interval '7 days' AND p.for_hour <= $1::timestamptz)
       SELECT name, count(*) AS n, count(r) AS known, avg(abs(f - r)) AS mae, sqrt(avg((f - r) ^ 2)) AS rmse,
              avg(CASE WHEN r IS NULL THEN NULL WHEN (f > 0) = (r > 0) THEN 1.0 ELSE 0.0 END)::float8 AS hits
         FROM w, LATERAL (VALUES ('model', w.expected_return), ('persistence', w.persistence), ('ridge', w.ridge)) AS v(name, f)
        GROUP BY name`,
      [p!.for_hour],
    );
    expect(errors).to.have.length(3);
    const table = page.locator('[data-prediction-errors]');
    await table.waitFor();
    expect(await page.locator('[data-predictions] h3').textContent()).to.contain(`${errors[0]!.n} forecasts, ${errors[0]!.known} with a known return`);
    for (const e of errors) {
      const tds = table.locator(`[data-errors-of=${e.name}] td`);
      expect(await tds.allTextContents(), e.name).to.deep.equal([
        e.name[0]!.toUpperCase() + e.name.slice(1),
        bp(e.mae),
        bp(e.rmse),
        `${(e.hits * 100).toFixed(1)}%`,
      ]);
    }
    await page.locator('[data-predictions] [data-chart=predictions]').waitFor();
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

  it('System: an alert raised by the alerts service is listed, filtered, and an operator acknowledges it with a reason', async () => {
    // A kill switch engaged through the API (admin): the alerts service's event rule raises a critical alert.
    const account = 'ui-alert-account';
    const admin = await server.key('admin', 'ui-alert-admin');
    const engaged = await fetch(`${server.url}/api/risk/${account}/kill`, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'alert test in the console' }),
    });
    expect(engaged.status).to.equal(200);
    await open('/system');
    const row = page.locator('[data-table=alerts] tr', { hasText: account });
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.first().locator('[data-rule]').textContent()).to.equal('kill-switch');
    expect(await row.first().locator('[data-severity]').textContent()).to.equal('critical');
    // The filters go to the API: only critical alerts, then only resolved ones (which this open one is not).
    const counts = await one<{ severity: string; state: string; n: string }>(`SELECT severity, state, count(*) AS n FROM alerts GROUP BY severity, state`);
    const count = (f: (r: { severity: string; state: string }) => boolean) => counts.filter(f).reduce((a, r) => a + Number(r.n), 0);
    await page.locator('select[name=alert-severity]').selectOption('critical');
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('[data-table=alerts] [data-severity]').length === n &&
        [...document.querySelectorAll('[data-table=alerts] [data-severity]')].every((e) => e.textContent === 'critical'),
      Math.min(
        20,
        count((r) => r.severity === 'critical'),
      ),
    );
    await page.locator('select[name=alert-state]').selectOption('resolved');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-table=alerts] [data-severity]').length === n,
      Math.min(
        20,
        count((r) => r.severity === 'critical' && r.state === 'resolved'),
      ),
    );
    expect(await page.locator('[data-table=alerts] tr', { hasText: account }).count()).to.equal(0);
    await page.locator('select[name=alert-state]').selectOption('open');
    await row.first().waitFor();

    await row.first().locator('button[data-acknowledge]').click();
    await row.first().locator('textarea[name=ack-reason]').fill('seen from the console');
    await row.first().locator('[data-ack-dialog] button[type=submit]').click();
    await row.first().locator('[data-acknowledged-by="operator:ui-test"]').waitFor({ timeout: 20_000 });
    const [ack] = await one<{ data: { acknowledgedBy: string; reason: string } }>(
      `SELECT data FROM events WHERE event_type = 'AlertAcknowledged' ORDER BY global_position DESC LIMIT 1`,
    );
    expect(ack!.data).to.deep.include({ acknowledgedBy: 'operator:ui-test', reason: 'seen from the console' });
  });

  it('System: the stored logs by service, level, range and full text, paged', async () => {
    // 60 records of one service written through the real log tee into the fixture database, a minute apart.
    const T0 = Date.UTC(2024, 2, 1, 10);
    const records = Array.from({ length: 60 }, (_, i) => ({
      time: T0 + i * 60_000,
      level: i % 10 === 0 || i === 7 ? 50 : 30,
      msg: i === 7 ? 'exchange unreachable: binance timeout' : `fixture record ${i}`,
    }));
    await writeLogs(db.url, 'console-fixture', records);
    await open('/system');
    await page.locator('[data-logs] [data-table=logs]').waitFor();
    await page.locator('input[name=log-service]').fill('console-fixture');
    await page.locator('select[name=log-level]').selectOption('');
    await page.locator('input[name=log-from]').fill('2024-03-01T10:00');
    await page.locator('input[name=log-to]').fill('2024-03-01T12:00');
    await page.locator('[data-action=search-logs]').click();
    const shown = () => page.locator('[data-table=logs] [data-log-msg]').allTextContents();
    const newestFirst = [...records].sort((a, b) => b.time - a.time).map((r) => r.msg);
    await page.waitForFunction(() => document.querySelectorAll('[data-table=logs] [data-log-service="console-fixture"]').length === 50);
    expect(await shown()).to.deep.equal(newestFirst.slice(0, 50));
    // One pager only: the server's (the table shows the page the server gave, whole).
    expect(await page.locator('[data-table=logs] .pager').count()).to.equal(0);
    await page.locator('[data-pager=logs] [data-page=next]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-table=logs] [data-log-msg]').length === 10);
    expect(await shown()).to.deep.equal(newestFirst.slice(50));
    expect(await page.locator('[data-pager=logs] [data-page=next]').isDisabled()).to.equal(true);
    // Errors only, from 10:00 to 10:30 (both ends included, as the API reads a range).
    await page.locator('select[name=log-level]').selectOption('error');
    await page.locator('input[name=log-to]').fill('2024-03-01T10:30');
    await page.locator('[data-action=search-logs]').click();
    const errorsFirstHalfHour = [...records]
      .sort((a, b) => b.time - a.time)
      .filter((r) => r.level >= 50 && r.time <= T0 + 30 * 60_000)
      .map((r) => r.msg);
    await page.waitForFunction((n) => document.querySelectorAll('[data-table=logs] [data-log-msg]').length === n, errorsFirstHalfHour.length);
    expect(await shown()).to.deep.equal(errorsFirstHalfHour);
    // Full text.
    await page.locator('select[name=log-level]').selectOption('');
    await page.locator('input[name=log-q]').fill('binance');
    await page.locator('[data-action=search-logs]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-table=logs] [data-log-msg]').length === 1);
    expect(await shown()).to.deep.equal(['exchange unreachable: binance timeout']);
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
