// The Telegram channel (doc/alerts.md): the Bot API's sendMessage over HTTPS to ALERT_TELEGRAM_CHAT_ID with the bot
// token ALERT_TELEGRAM_TOKEN. The base URL is configurable (ALERT_TELEGRAM_API_URL) for a proxy, and for the tests,
// which stand a local HTTP server in for api.telegram.org.
import type { AlertChannel, AlertMessage } from '../../application/alerts/channel.js';
import { postJson, type RetryPolicy } from './post-json.js';

export const TELEGRAM_API_URL = 'https://api.telegram.org';
/** sendMessage's limit on the text. */
const MAX_TEXT = 4096;

export interface TelegramOptions {
  readonly token: string;
  readonly chatId: string;
  readonly apiUrl: string;
  readonly retry: RetryPolicy;
}

const ICON = { info: 'ℹ️', warning: '⚠️', critical: '🚨' } as const;

/** Plain text (no parse mode: an alert's message may hold characters Markdown would read as markup). */
export const telegramText = (m: AlertMessage): string => {
  const head =
    m.notification === 'resolved'
      ? `✅ RESOLVED ${m.rule} — ${m.subject}`
      : `${ICON[m.severity]} ${m.severity.toUpperCase()} ${m.rule} — ${m.subject}${m.count > 1 ? ` (×${m.count})` : ''}`;
  const lines = [head, m.message, ...(m.resolution ? [`resolution: ${m.resolution}`] : []), `since ${m.firstSeenAt} · alert ${m.alertId}`];
  const text = lines.join('\n');
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
};

export const telegramChannel = (o: TelegramOptions): AlertChannel => ({
  name: 'telegram',
  send: (message) =>
    postJson(
      `${o.apiUrl.replace(/\/+$/, '')}/bot${o.token}/sendMessage`,
      JSON.stringify({ chat_id: o.chatId, text: telegramText(message), disable_web_page_preview: true }),
      {},
      o.retry,
    ),
});
