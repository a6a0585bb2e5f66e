// The route-role table is complete: every route the app registers (the backtest routes included) has its line, so a
// new route cannot be left to the default by accident; and the table's matching gives each request its route's role.
import { expect } from 'chai';
import type { Router } from 'express';
import { requiredAccess, ROUTE_ROLES } from '../../apps/api/route-roles.js';
import { openAuthApi, type AuthApi } from './fixture.js';

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly handle?: Router & { readonly stack?: readonly Layer[] };
}

/** Every `METHOD path` registered on a router, nested routers included. */
const registered = (stack: readonly Layer[]): string[] =>
  stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`);
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
      // Not in the table: a read needs viewer, anything else admin.
      ['GET', '/api/some/new/read', 'viewer'],
      ['POST', '/api/some/new/command', 'admin'],
      ['DELETE', '/api/strategies/x', 'admin'],
      ['PUT', '/health', 'admin'],
    ];
    for (const [method, path, role] of cases) expect(requiredAccess(method, path), `${method} ${path}`).to.equal(role);
  });
});
