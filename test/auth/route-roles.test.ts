// The route-role table is complete: every route the app registers (the backtest routes included) has its line, so a
// new route cannot be left to the default by accident; and the table's matching gives each request its route's role.
import { expect } from 'chai';
import type { Router } from 'express';
import { requiredAccess, ROUTE_ROLES } from '../../apps/api/route-roles.js';
import { openAuthApi, type AuthApi } from './fixture.js';

interface Layer {
  readonly route?: { readonly path: string | RegExp; readonly methods: Record<string, boolean> };
  readonly handle?: Router & { readonly stack?: readonly Layer[] };
}

/**
 * The console's view paths (apps/api/ui/main.tsx's Route), written out by hand: the UI router serves its page on one
 * regular expression, which stands in the enumeration for these; the table must have a line for each.
 */
const CONSOLE_VIEWS = ['/', '/pipeline', '/strategies', '/strategies/:id', '/audit', '/positions', '/markets', '/learning', '/system'];
/** Paths the page's expression must not answer: they stay 404s for API clients and scanners. */
const NOT_VIEWS = ['/api/strategies', '/strategies/a/b', '/admin', '/system/x', '/ui', '/.env', '/metrics'];

/** Every `METHOD path` registered on a router, nested routers included; a RegExp route stands for the views it serves. */
const registered = (stack: readonly Layer[]): string[] =>
  stack.flatMap((layer) => {
    const route = layer.route;
    if (route) {
      const paths =
        route.path instanceof RegExp
          ? (() => {
              const pattern = route.path;
              const served = CONSOLE_VIEWS.filter((v) => pattern.test(v.replace(':id', '0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10')));
              // A RegExp route that is not the console's page, or one that serves more or less than its views, fails here.
              expect(served, `${String(pattern)} serves the console's views`).to.deep.equal(CONSOLE_VIEWS);
              expect(
                NOT_VIEWS.filter((p) => pattern.test(p)),
                `${String(pattern)} answers only views`,
              ).to.deep.equal([]);
              return served;
            })()
          : [route.path];
      return Object.keys(route.methods).flatMap((m) => paths.map((p) => `${m.toUpperCase()} ${p}`));
    }
    return layer.handle?.stack ? registered(layer.handle.stack) : [];
  });

describe('the route-role table', () => {
  let api: AuthApi;
  before(async () => {
    api = await openAuthApi('auth_route_roles');
  });
  after(() => api.close());

  it('has a line for every route the app registers', () => {
    const routes = registered((api.app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(routes.length).to.be.above(30);
    const missing = routes.filter((r) => !(r in ROUTE_ROLES));
    expect(missing, 'routes without a role in apps/api/route-roles.ts').to.deep.equal([]);
    // The merged parts are all there: the console's page and reads, its live stream, logs, alerts, metrics, who-am-I.
    for (const r of [
      'GET /system',
      'GET /ui/app.js',
      'GET /api/candles',
      'GET /api/stream',
      'GET /api/logs',
      'GET /api/alerts',
      'POST /api/alerts/:id/acknowledge',
      'GET /metrics',
      'GET /api/auth/me',
    ])
      expect(routes, r).to.include(r);
  });

  it('gives each request its route’s role (written out by hand here)', () => {
    const cases: [string, string, string][] = [
      ['GET', '/health', 'public'],
      ['GET', '/openapi.json', 'public'],
      ['GET', '/api/strategies', 'viewer'],
      ['HEAD', '/api/strategies', 'viewer'],
      ['GET', '/api/strategies/0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10/events', 'viewer'],
      ['GET', '/api/backtests/x/windows/3/backtest-request', 'viewer'],
      ['POST', '/api/strategies', 'operator'],
      ['POST', '/api/strategies/0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10/pin', 'operator'],
      ['POST', '/api/strategies/0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10/activate', 'operator'],
      ['POST', '/api/backtests', 'operator'],
      ['POST', '/api/settings/maxActiveStrategies', 'admin'],
      ['POST', '/api/risk/live-1/kill', 'admin'],
      ['POST', '/api/risk/live-1/release', 'admin'],
      ['POST', '/api/risk/live-1/limits', 'admin'],
      ['GET', '/', 'public'],
      ['GET', '/strategies/0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10', 'public'],
      ['GET', '/ui/app.js', 'public'],
      ['GET', '/api/stream', 'viewer'],
      ['GET', '/api/logs', 'viewer'],
      ['GET', '/api/alerts', 'viewer'],
      ['GET', '/metrics', 'viewer'],
      ['GET', '/api/auth/me', 'viewer'],
      ['POST', '/api/alerts/x/acknowledge', 'operator'],
      // Not in the table: a read needs viewer, anything else admin.
      ['GET', '/api/some/new/read', 'viewer'],
      ['POST', '/api/some/new/command', 'admin'],
      ['DELETE', '/api/strategies/x', 'admin'],
      ['PUT', '/health', 'admin'],
    ];
    for (const [method, path, role] of cases) expect(requiredAccess(method, path), `${method} ${path}`).to.equal(role);
  });
});
