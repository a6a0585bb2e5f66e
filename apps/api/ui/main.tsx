// The operator's console: asks for an API key on first visit (kept in sessionStorage), finds the key's role, and
// routes between the views. Live notices from /api/stream refresh what is on screen.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, session, type ApiFailure } from './api.js';
import { Link } from './components.js';
import { onStatus, startLive } from './live.js';
import { WhoContext, type Role, type Who } from './role.js';
import { PipelineView } from './views/pipeline.js';
import { StrategiesView } from './views/strategies.js';
import { StrategyView } from './views/strategy.js';
import { AuditView } from './views/audit.js';
import { PositionsView } from './views/positions.js';
import { MarketsView } from './views/markets.js';
import { LearningView } from './views/learning.js';
import { SystemView } from './views/system.js';

const NAV = [
  ['/', 'Pipeline'],
  ['/strategies', 'Strategies'],
  ['/audit', 'Activation audit'],
  ['/positions', 'Positions & P&L'],
  ['/markets', 'Markets'],
  ['/learning', 'Learning'],
  ['/system', 'System'],
] as const;

const usePath = () => {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
};

const Route = ({ path }: { path: string }) => {
  const strategy = /^\/strategies\/([^/]+)$/.exec(path);
  if (strategy) return <StrategyView id={decodeURIComponent(strategy[1]!)} />;
  switch (path) {
    case '/':
    case '/pipeline':
      return <PipelineView />;
    case '/strategies':
      return <StrategiesView />;
    case '/audit':
      return <AuditView />;
    case '/positions':
      return <PositionsView />;
    case '/markets':
      return <MarketsView />;
    case '/learning':
      return <LearningView />;
    case '/system':
      return <SystemView />;
    default:
      return (
        <div class="view" data-view="unknown">
          <h1>No such page</h1>
          <div class="panel failure" role="alert">
            There is no view at <code>{path}</code>. Choose one above.
          </div>
        </div>
      );
  }
};

const SignIn = ({ problem, onSignedIn }: { problem: string | undefined; onSignedIn: () => void }) => {
  const [key, setKey] = useState('');
  return (
    <div class="signin" data-view="signin">
      <h1>MasterTrade console</h1>
      {problem ? (
        <div class="panel failure" role="alert" data-signin-problem>
          {problem}
        </div>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          session.signIn(key.trim());
          onSignedIn();
        }}
      >
        <label>
          API key
          <input name="apiKey" type="password" autoComplete="off" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Sign in</button>
        <p class="muted">
          An admin creates keys with <code>npm run keys -- create</code> (doc/operator-console.md). What you do is recorded as{' '}
          <code>operator:&lt;the key&apos;s name&gt;</code>. The key stays in this tab only (sessionStorage) and is sent as a Bearer token.
        </p>
      </form>
    </div>
  );
};

interface WhoAmI {
  readonly role: Role;
  readonly actor: string;
  readonly name: string;
}

const App = () => {
  const path = usePath();
  const [who, setWho] = useState<Who | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [signedIn, setSignedIn] = useState(session.key() !== undefined);
  const [live, setLive] = useState(false);
  const [down, setDown] = useState<ApiFailure | undefined>();

  useEffect(() => onStatus(setLive), []);
  useEffect(() => {
    if (!signedIn) return;
    void call<WhoAmI>('GET', '/api/auth/me').then((r) => {
      if (r.ok) {
        setWho({ role: r.value.role, actor: r.value.actor, name: r.value.name });
        startLive();
      } else if (r.failure.kind === 'unauthorized' || r.failure.kind === 'forbidden') {
        session.signOut();
        setProblem(r.failure.message);
        setSignedIn(false);
      } else if (r.failure.kind === 'unreachable') {
        setDown(r.failure);
        setTimeout(() => setSignedIn((s) => s), 0);
      } else setProblem(r.failure.message);
    });
  }, [signedIn, down === undefined]);
  useEffect(() => {
    if (!down) return;
    const t = setTimeout(() => setDown(undefined), 5000);
    return () => clearTimeout(t);
  }, [down]);

  if (!signedIn) return <SignIn problem={problem} onSignedIn={() => setSignedIn(true)} />;
  return (
    <WhoContext.Provider value={who ?? { role: undefined, actor: '' }}>
      <header>
        <span class="brand">MasterTrade</span>
        <nav>
          {NAV.map(([to, label]) => (
            <span key={to} class={path === to || (to !== '/' && path.startsWith(to)) ? 'active' : ''}>
              <Link to={to}>{label}</Link>
            </span>
          ))}
        </nav>
        <span class={`live ${live ? 'on' : 'off'}`} data-live={live ? 'on' : 'off'} title="live updates">
          {live ? '● live' : '○ offline'}
        </span>
        <span class="badge who" data-role={who?.role ?? 'unknown'}>
          {who === undefined ? 'signing in…' : `signed in as ${who.role} (${who.name ?? who.actor})`}
        </span>
        <button
          class="link"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
            setWho(undefined);
          }}
        >
          Sign out
        </button>
      </header>
      {down ? (
        <div class="panel failure" role="alert" data-failure="unreachable">
          <strong>The API is unreachable</strong>
          <p>{down.message}</p>
        </div>
      ) : null}
      {problem ? (
        <div class="panel failure" role="alert">
          {problem}
        </div>
      ) : null}
      <main>
        <Route path={path} />
      </main>
    </WhoContext.Provider>
  );
};

render(<App />, document.getElementById('app')!);
