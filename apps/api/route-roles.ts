// Which role each route needs: the one table the authentication reads (apps/api/authentication.ts) and doc/security.md
// describes. Reads need viewer; commands and overrides operator; settings, the risk kill switches and limits, and
// anything about live trading admin. `public` routes need no key. A route missing here is still guarded (GET/HEAD:
// viewer, anything else: admin), and a test (test/auth/route-roles.test.ts) fails for any route the app registers
// without a line here, so a new route is a conscious decision. Patterns are Express paths (`:name` = one segment).
import type { Role } from '../../domain/access/roles.js';
import { roleAllows } from '../../domain/access/roles.js';

export type Access = Role | 'public';

export const ROUTE_ROLES = {
  // Liveness for load balancers and docker-compose: no key (it names parts and their lag, no business data).
  'GET /health': 'public',
  // The API's shape is no secret.
  'GET /openapi.json': 'public',
  // The console's page and bundle carry no data: the page asks for a key before it reads anything.
  'GET /': 'public',
  'GET /pipeline': 'public',
  'GET /strategies': 'public',
  'GET /strategies/:id': 'public',
  'GET /audit': 'public',
  'GET /positions': 'public',
  'GET /markets': 'public',
  'GET /learning': 'public',
  'GET /system': 'public',
  'GET /ui/app.js': 'public',
  'GET /ui/app.css': 'public',
  // Prometheus sends a key (authorization.credentials_file in its scrape config).
  'GET /metrics': 'viewer',

  'GET /api/strategies': 'viewer',
  'GET /api/strategies/:id': 'viewer',
  'GET /api/strategies/:id/events': 'viewer',
  'GET /api/audit/activations': 'viewer',
  'GET /api/market-data/status': 'viewer',
  'GET /api/market-data/selections/:day': 'viewer',
  'GET /api/ranking': 'viewer',
  'GET /api/orders': 'viewer',
  'GET /api/positions': 'viewer',
  'GET /api/pnl': 'viewer',
  'GET /api/learning/cycles': 'viewer',
  'GET /api/learning/cycles/:cycleId': 'viewer',
  'GET /api/learning/policy': 'viewer',
  'GET /api/cycles': 'viewer',
  'GET /api/cycles/:cycleId': 'viewer',
  'GET /api/backtests': 'viewer',
  'GET /api/backtests/:id': 'viewer',
  'GET /api/backtests/:id/cells': 'viewer',
  'GET /api/backtests/:id/windows': 'viewer',
  'GET /api/backtests/:id/cells/:index/backtest-request': 'viewer',
  'GET /api/backtests/:id/windows/:index/backtest-request': 'viewer',
  'GET /api/settings': 'viewer',
  // Who the key is (the console shows its role and hides what it may not do; the server stays the judge).
  'GET /api/auth/me': 'viewer',
  // The console's reads (apps/api/console-routes.ts), its live notices, logs, alerts.
  'GET /api/candles': 'viewer',
  'GET /api/strategies/:id/backtest-trace': 'viewer',
  'GET /api/strategies/:id/record': 'viewer',
  'GET /api/market-data/daily': 'viewer',
  'GET /api/pipeline/schedule': 'viewer',
  'GET /api/stream': 'viewer',
  'GET /api/logs': 'viewer',
  'GET /api/alerts': 'viewer',
  'GET /api/predictions': 'viewer',
  'GET /api/predictions/latest': 'viewer',
  'GET /api/risk/:account': 'viewer',

  // Commands and overrides: generate, record-backtest, filter, start-paper, activate, deactivate, retire, pin, unpin.
  'POST /api/strategies': 'operator',
  'POST /api/strategies/:id/:command': 'operator',
  'POST /api/backtests': 'operator',
  'POST /api/alerts/:id/acknowledge': 'operator',

  // Settings (MAX_ACTIVE_STRATEGIES …), the risk limits and kill switches: what bounds live trading.
  'POST /api/settings/:name': 'admin',
  'POST /api/risk/:account/limits': 'admin',
  'POST /api/risk/:account/kill': 'admin',
  'POST /api/risk/:account/release': 'admin',
} as const satisfies Record<string, Access>;

export type RouteKey = keyof typeof ROUTE_ROLES;

interface CompiledRoute {
  readonly method: string;
  readonly segments: readonly string[];
  readonly access: Access;
}

const segmentsOf = (path: string) => path.split('/').filter((s) => s.length > 0);

const COMPILED: readonly CompiledRoute[] = Object.entries(ROUTE_ROLES).map(([key, access]) => {
  const [method, path] = key.split(' ') as [string, string];
  return { method, segments: segmentsOf(path), access };
});

const matches = (route: CompiledRoute, method: string, segments: readonly string[]) =>
  route.method === method && route.segments.length === segments.length && route.segments.every((s, i) => s.startsWith(':') || s === segments[i]);

const RANK: Readonly<Record<Access, number>> = { public: -1, viewer: 0, operator: 1, admin: 2 };

/** The access a request needs: its route's line (the strictest if two match), else viewer for a read, admin otherwise. */
export const requiredAccess = (method: string, path: string): Access => {
  const m = method === 'HEAD' ? 'GET' : method;
  const segments = segmentsOf(path);
  const found = COMPILED.filter((r) => matches(r, m, segments)).map((r) => r.access);
  if (found.length === 0) return m === 'GET' ? 'viewer' : 'admin';
  return found.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
};

export const accessAllows = (have: Role, need: Access): boolean => need === 'public' || roleAllows(have, need);
