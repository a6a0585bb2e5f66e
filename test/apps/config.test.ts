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
