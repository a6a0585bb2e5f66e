import { expect } from 'chai';
import { either } from 'fp-ts';
import { loadConfig } from '../../infrastructure/config/config.js';

describe('configuration from the environment', () => {
  it('has working defaults: embedded PostgreSQL, in-process bus, port 8080', () => {
    const c = loadConfig({});
    expect(either.isRight(c) && c.right).to.deep.include({ databaseUrl: undefined, amqpUrl: undefined, port: 8080, eventStore: 'postgres' });
  });

  it('reads the servers and the port', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', AMQP_URL: 'amqp://g:g@h:5672', PORT: '9000' });
    expect(either.isRight(c) && c.right).to.deep.include({ databaseUrl: 'postgres://u@h:5432/db', amqpUrl: 'amqp://g:g@h:5672', port: 9000 });
  });

  it('listens on 127.0.0.1 unless HOST says otherwise (the API has no authentication yet)', () => {
    const d = loadConfig({});
    expect(either.isRight(d) && d.right.host).to.equal('127.0.0.1');
    for (const host of ['0.0.0.0', '::', '::1', '192.168.1.20', 'localhost']) {
      const c = loadConfig({ HOST: host });
      expect(either.isRight(c) && c.right.host, host).to.equal(host);
    }
  });

  it('reads the learning timeframes (default 1h)', () => {
    const d = loadConfig({});
    expect(either.isRight(d) && d.right.learning).to.deep.equal({ timeframes: ['1h'] });
    const c = loadConfig({ LEARNING_TIMEFRAMES: '1h, 4h,4h' });
    expect(either.isRight(c) && c.right.learning).to.deep.equal({ timeframes: ['1h', '4h'] });
  });

  it('reads every request limit, with defaults that match doc/api.md', () => {
    const d = loadConfig({});
    expect(either.isRight(d) && d.right.limits).to.deep.equal({
      http: { maxBodyBytes: 262_144, maxJsonDepth: 32, maxQueryBytes: 2048, maxQueryParams: 20 },
      backtest: { maxGridCells: 1000, maxWalkForwardWindows: 100, maxBacktestsPerJob: 2000, maxCandlesPerJob: 100_000 },
      genomeMaxSymbols: 20,
    });
    const c = loadConfig({
      API_MAX_BODY_BYTES: '65536',
      API_MAX_JSON_DEPTH: '12',
      API_MAX_QUERY_BYTES: '512',
      API_MAX_QUERY_PARAMS: '8',
      BACKTEST_MAX_GRID_CELLS: '200',
      BACKTEST_MAX_WALK_FORWARD_WINDOWS: '30',
      BACKTEST_MAX_BACKTESTS_PER_JOB: '500',
      BACKTEST_MAX_CANDLES_PER_JOB: '100000',
      GENOME_MAX_SYMBOLS: '5',
    });
    expect(either.isRight(c) && c.right.limits).to.deep.equal({
      http: { maxBodyBytes: 65_536, maxJsonDepth: 12, maxQueryBytes: 512, maxQueryParams: 8 },
      backtest: { maxGridCells: 200, maxWalkForwardWindows: 30, maxBacktestsPerJob: 500, maxCandlesPerJob: 100_000 },
      genomeMaxSymbols: 5,
    });
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ DATABASE_URL: '', PORT: '' });
    expect(either.isRight(c) && c.right).to.deep.include({ databaseUrl: undefined, port: 8080 });
  });

  for (const [name, value, words] of [
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['DATABASE_URL', 'mysql://x@y/z', 'DATABASE_URL'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL'],
    ['AMQP_URL', 'http://broker', 'AMQP_URL'],
    ['EVENT_STORE', 'kafka', 'EVENT_STORE'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ['LEARNING_TIMEFRAMES', '1h,2h', 'LEARNING_TIMEFRAMES'],
    ['API_MAX_BODY_BYTES', '1mb', 'API_MAX_BODY_BYTES'],
    ['API_MAX_JSON_DEPTH', '4', 'API_MAX_JSON_DEPTH'],
    ['API_MAX_QUERY_BYTES', '-1', 'API_MAX_QUERY_BYTES'],
    ['API_MAX_QUERY_PARAMS', '0', 'API_MAX_QUERY_PARAMS'],
    ['BACKTEST_MAX_GRID_CELLS', '20000', 'BACKTEST_MAX_GRID_CELLS'],
    ['BACKTEST_MAX_WALK_FORWARD_WINDOWS', 'many', 'BACKTEST_MAX_WALK_FORWARD_WINDOWS'],
    ['BACKTEST_MAX_BACKTESTS_PER_JOB', '1e6', 'BACKTEST_MAX_BACKTESTS_PER_JOB'],
    ['BACKTEST_MAX_CANDLES_PER_JOB', '0', 'BACKTEST_MAX_CANDLES_PER_JOB'],
    ['GENOME_MAX_SYMBOLS', '51', 'GENOME_MAX_SYMBOLS'],
    ['HOST', 'every interface', 'HOST'],
    ['HOST', '256.1.1.1', 'HOST'],
    ['HOST', 'http://0.0.0.0', 'HOST'],
  ] as const)
    it(`names ${name} when it is "${value}"`, () => {
      const c = loadConfig({ [name]: value });
      expect(either.isLeft(c) && c.left).to.include(words);
    });

  it('needs EVENTSTORE_CONNECTION_STRING with EVENT_STORE=eventstoredb', () => {
    const c = loadConfig({ EVENT_STORE: 'eventstoredb' });
    expect(either.isLeft(c) && c.left).to.include('EVENTSTORE_CONNECTION_STRING');
    expect(either.isRight(loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' }))).to.equal(true);
  });
});
