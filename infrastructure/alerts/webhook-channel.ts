// The generic webhook channel (doc/alerts.md): the alert as JSON, POSTed to ALERT_WEBHOOK_URL, signed with
// HMAC-SHA256 of `<timestamp>.<body>` under ALERT_WEBHOOK_SECRET, so the receiver can check who sent it and when.
import { createHmac } from 'node:crypto';
import type { AlertChannel, AlertMessage } from '../../application/alerts/channel.js';
import type { Clock } from '../../application/ports/clock.js';
import { postJson, type RetryPolicy } from './post-json.js';

export const SIGNATURE_HEADER = 'x-mastertrade-signature';
export const TIMESTAMP_HEADER = 'x-mastertrade-timestamp';
export const DELIVERY_HEADER = 'x-mastertrade-delivery';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export const signPayload = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
}

export const webhookChannel = (o: WebhookOptions): AlertChannel => ({
  name: 'webhook',
  send: (message: AlertMessage) => {
    const body = JSON.stringify(message);
    // Unix seconds: the receiver refuses a signature older than a few minutes (a replayed request).
    const timestamp = String(Math.floor(o.clock.now().getTime() / 1000));
    return postJson(
      o.url,
      body,
      { [SIGNATURE_HEADER]: signPayload(o.secret, timestamp, body), [TIMESTAMP_HEADER]: timestamp, [DELIVERY_HEADER]: message.deliveryId },
      o.retry,
    );
  },
});
