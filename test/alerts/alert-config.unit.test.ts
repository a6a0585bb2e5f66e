// The ALERT_* variables (infrastructure/alerts/alert-config.ts through loadConfig): defaults, a wrong value named
// with its variable, a channel half set up refused, and a secret never echoed.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { loadConfig } from '../../infrastructure/config/config.js';

const SECRET = 'a-test-secret-of-32-characters!!';

describe('alert configuration (ALERT_*)', () => {
  it('defaults: no channel, 300 s lag, 30 min staleness, repeats every 15 min, events up to 24 h old', () => {
    const c = loadConfig({});
    if (either.isLeft(c)) throw new Error(c.left);
    expect(c.right.alerts).to.deep.equal({
      webhook: undefined,
      telegram: undefined,
      thresholds: { lagSeconds: 300, staleMinutes: 30 },
      repeatAfterMs: 900_000,
      maxEventAgeMs: 86_400_000,
      retry: { attempts: 4, timeoutMs: 5000, backoffMs: 500 },
    });
  });

  it('reads the channels and thresholds', () => {
    const c = loadConfig({
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/mt',
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_TELEGRAM_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      ALERT_TELEGRAM_CHAT_ID: '-1001234',
      ALERT_LAG_SECONDS: '120',
      ALERT_STALE_MINUTES: '10',
      ALERT_REPEAT_MINUTES: '5',
    });
    if (either.isLeft(c)) throw new Error(c.left);
    expect(c.right.alerts.webhook).to.deep.equal({ url: 'https://hooks.example.com/mt', secret: SECRET });
    expect(c.right.alerts.telegram).to.deep.equal({ token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', chatId: '-1001234', apiUrl: 'https://api.telegram.org' });
    expect(c.right.alerts.thresholds).to.deep.equal({ lagSeconds: 120, staleMinutes: 10 });
    expect(c.right.alerts.repeatAfterMs).to.equal(300_000);
  });

  it('names the wrong variable, refuses a channel half set up, and never shows a secret', () => {
    const bad = (env: Record<string, string>) => {
      const c = loadConfig(env);
      return either.isLeft(c) ? c.left : 'accepted';
    };
    expect(bad({ ALERT_LAG_SECONDS: '0' })).to.match(/ALERT_LAG_SECONDS: must be an integer in \[1, 86400\]/);
    expect(bad({ ALERT_WEBHOOK_URL: 'ftp://x', ALERT_WEBHOOK_SECRET: SECRET })).to.match(/ALERT_WEBHOOK_URL: must be an http or https URL/);
    expect(bad({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/mt' })).to.match(/ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set/);
    expect(bad({ ALERT_TELEGRAM_CHAT_ID: '42' })).to.match(/ALERT_TELEGRAM_TOKEN: required when ALERT_TELEGRAM_CHAT_ID is set/);
    const short = bad({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/mt', ALERT_WEBHOOK_SECRET: 'tooshort-secret' });
    expect(short).to.match(/ALERT_WEBHOOK_SECRET: must be printable ASCII/);
    expect(short).not.to.contain('tooshort-secret');
  });
});
