// The API fuzz of `npm run fuzz:api` with fewer cases, so CI runs it: the real API on a database of its own, every
// route, the cases; no 5xx, no hang, every stored event decodes. Also: every route the OpenAPI document
// lists has a generator, so a new route cannot escape the fuzz.
import { expect } from 'chai';
import { openApiDocument } from '../../apps/api/openapi.js';
import { serverUrl } from '../support/database.js';
import { formatReport, runApiFuzz } from './api-fuzz.js';
import { routes } from './hostile-requests.js';

describe('API fuzz (npm run fuzz:api, fewer cases)', () => {
  it('every documented route has a generator', () => {
    const generated = Object.keys(routes({ strategyIds: [], jobIds: [], maxBodyBytes: 1024 }));
    for (const [path, operations] of Object.entries(openApiDocument().paths))
      for (const method of Object.keys(operations)) {
        const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`.replace(
          /^POST \/api\/strategies\/:id\/[a-z-]+$/,
          'POST /api/strategies/:id/:command',
        );
        expect(generated, route).to.include(route);
      }
  });

  it('hostile requests to every route: no 5xx, no hang, nothing stored that does not decode', async function () {
    this.timeout(300_000);
    const casesPerRoute = 15;
    const report = await runApiFuzz({ casesPerRoute, seed: 20261122, timeoutMs: 15_000, serverUrl: serverUrl(), logLevel: 'fatal' });
    const printed = formatReport(report);
    expect(report.failures, printed).to.deep.equal([]);
    for (const [route, s] of report.routes) expect(s.requests, route).to.be.at.least(casesPerRoute);
    expect(report.health.requests, printed).to.be.greaterThan(0);
    expect(report.events, printed).to.be.greaterThan(0);
    expect(report.decoded).to.equal(report.events);
  });
});
