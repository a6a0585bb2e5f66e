// Rate limits per key and per IP (429 with a JSON body and Retry-After) and the security headers, over real HTTP.
import { expect } from 'chai';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { call, openAuthApi, type AuthApi } from './fixture.js';

describe('API protection', () => {
  let api: AuthApi;
  let base: string;
  let viewer: TestKey;
  let other: TestKey;

  before(async () => {
    api = await openAuthApi('auth_protection');
    base = await api.listen();
    viewer = await createTestKey(api.store, api.pool, { role: 'viewer', name: 'vera' });
    other = await createTestKey(api.store, api.pool, { role: 'viewer', name: 'olga' });
  });
  after(() => api.close());

  describe('rate limits', () => {
    it('per key: the request past the limit is a 429 with Retry-After and a clear body; another key is not held back', async () => {
      const limited = await api.listen({ perKey: 3, perIp: 1000, windowMs: 60_000 });
      for (let i = 0; i < 3; i++) expect((await call(limited, 'GET', '/api/strategies', viewer.headers)).status).to.equal(200);
      const r = await call(limited, 'GET', '/api/strategies', viewer.headers);
      expect(r.status).to.equal(429);
      expect(Number(r.headers.get('retry-after'))).to.be.within(1, 60);
      expect(r.body).to.deep.include({ error: 'TooManyRequests', limit: { per: 'API key', requests: 3, windowSeconds: 60 } });
      expect(r.body.message).to.match(/^more than 3 requests in 60 s from this API key; retry after \d+ s$/);
      expect(r.body.retryAfterSeconds).to.equal(Number(r.headers.get('retry-after')));
      // Every route counts against the key; the other key still goes through.
      expect((await call(limited, 'GET', '/api/ranking', viewer.headers)).status).to.equal(429);
      expect((await call(limited, 'GET', '/api/strategies', other.headers)).status).to.equal(200);
    });
    it('per IP: counts every request from the address, with or without a key (guessing keys is limited too)', async () => {
      const limited = await api.listen({ perKey: 1000, perIp: 4, windowMs: 60_000 });
      expect((await call(limited, 'GET', '/health')).status).to.equal(200);
      expect((await call(limited, 'GET', '/api/strategies', { authorization: 'Bearer mt_0000000000000000_guess' })).status).to.equal(401);
      expect((await call(limited, 'GET', '/api/strategies')).status).to.equal(401);
      expect((await call(limited, 'GET', '/api/strategies', viewer.headers)).status).to.equal(200);
      for (const headers of [{}, viewer.headers, other.headers]) {
        const r = await call(limited, 'GET', '/api/strategies', headers);
        expect(r.status).to.equal(429);
        expect(r.headers.get('retry-after')).to.match(/^\d+$/);
        expect(r.body).to.deep.include({ error: 'TooManyRequests', limit: { per: 'IP address', requests: 4, windowSeconds: 60 } });
      }
    });
  });

  describe('security headers', () => {
    it('on every answer — a read, a 401, a 404, a 400 — with a CSP that allows only the API’s own scripts', async () => {
      const answers = [
        await call(base, 'GET', '/api/strategies', viewer.headers),
        await call(base, 'GET', '/api/strategies'),
        await call(base, 'GET', '/api/nothing', viewer.headers),
        await call(base, 'GET', '/health'),
        await call(base, 'GET', '/api/strategies?limit=x', viewer.headers),
      ];
      expect(answers.map((a) => a.status)).to.deep.equal([200, 401, 404, 200, 400]);
      for (const a of answers) {
        const csp = a.headers.get('content-security-policy') ?? '';
        const directives = Object.fromEntries(
          csp
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .map(([k, ...v]) => [k, v]),
        );
        expect(directives['script-src'], csp).to.deep.equal(["'self'"]);
        expect(directives['default-src']).to.deep.equal(["'self'"]);
        expect(directives['frame-ancestors']).to.deep.equal(["'none'"]);
        expect(directives['object-src']).to.deep.equal(["'none'"]);
        expect(csp).not.to.match(/unsafe-eval/);
        expect(directives['script-src']).not.to.include("'unsafe-inline'");
        expect(a.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(a.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
        expect(a.headers.get('strict-transport-security')).to.match(/^max-age=\d+/);
        expect(a.headers.get('referrer-policy')).to.equal('no-referrer');
        expect(a.headers.get('cross-origin-resource-policy')).to.equal('same-origin');
        expect(a.headers.get('x-powered-by')).to.equal(null);
      }
    });
  });

  describe('request size limits', () => {
    it('cover the new override routes too: a body over the limit is a 413 before any route reads it', async () => {
      const admin = await createTestKey(api.store, api.pool, { role: 'admin', name: 'ada' });
      const big = { value: 3, reason: 'x'.repeat(300_000) };
      for (const path of ['/api/settings/maxActiveStrategies', '/api/risk/a/kill', '/api/strategies']) {
        const r = await call(base, 'POST', path, admin.headers, big);
        expect(r.status, path).to.equal(413);
        expect(r.body.error).to.equal('PayloadTooLarge');
      }
      expect(await api.store.readStream('settings')).to.deep.equal([]);
    });
  });
});
