/**
 * How alerts leave the hub: signed webhooks (HMAC-SHA256 over `timestamp.body`, as Stripe
 * and GitHub receivers expect) and e-mail through the configured SMTP relay (nodemailer).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import nodemailer from 'nodemailer';
import { MamoriError } from '@mamori/core';
import type { HubConfig } from '../context.js';

export const SIGNATURE_HEADER = 'x-mamori-signature';
export const TIMESTAMP_HEADER = 'x-mamori-timestamp';
export const DELIVERY_HEADER = 'x-mamori-delivery';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: checks the signature and that the timestamp is within `toleranceMs` of now. */
export function verifyWebhookSignature(secret: string, timestamp: string | number, body: string, signature: string, options: { now?: number; toleranceMs?: number } = {}): boolean {
  const ts = Number(timestamp);
  if (!Number.isSafeInteger(ts)) return false;
  if (Math.abs((options.now ?? Date.now()) - ts) > (options.toleranceMs ?? 5 * 60_000)) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(String(signature));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POSTs a JSON body, signed when a secret is given; any non-2xx answer, redirect or timeout is a failure. */
export async function postWebhook(url: string, body: string, options: { secret?: string | null; deliveryId: string; now: number; timeoutMs: number }): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mamori-hub', [DELIVERY_HEADER]: options.deliveryId, [TIMESTAMP_HEADER]: String(options.now) };
  if (options.secret) headers[SIGNATURE_HEADER] = signWebhook(options.secret, options.now, body);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (e) {
    throw new MamoriError('MAMORI_HUB_DELIVERY', { target: url, reason: (e as Error).message });
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new MamoriError('MAMORI_HUB_DELIVERY', { target: url, reason: `HTTP ${res.status}` });
}

export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** A mailer over the configured SMTP relay. */
export function smtpMailer(smtp: HubConfig['alerts']['smtp']): Mailer {
  const transport = nodemailer.createTransport({
    host: smtp.host, port: smtp.port, secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
    // A relay on loopback usually has no certificate for its name; STARTTLS is still used when offered.
    tls: { rejectUnauthorized: smtp.host !== '127.0.0.1' && smtp.host !== 'localhost' && smtp.host !== '::1' },
  });
  return {
    async send(m) {
      try {
        await transport.sendMail({ from: smtp.from, to: m.to, subject: m.subject, text: m.text });
      } catch (e) {
        throw new MamoriError('MAMORI_HUB_DELIVERY', { target: `smtp://${smtp.host}:${smtp.port} for ${m.to}`, reason: (e as Error).message });
      }
    },
    close: () => transport.close(),
  };
}
