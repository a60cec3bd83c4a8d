/**
 * How alerts leave the hub: signed webhooks (HMAC-SHA256 over `timestamp.body`, as Stripe
 * and GitHub receivers expect) and e-mail through the configured SMTP relay (nodemailer).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import nodemailer from 'nodemailer';
import { MamoriError } from '@mamori/core';
import type { HubConfig } from '../context.js';
import { resolveDeliveryAddress, type HostResolver } from './targets.js';

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

export interface WebhookOptions {
  secret?: string | null;
  deliveryId: string;
  now: number;
  timeoutMs: number;
  /** Deliver to loopback/private addresses too (hub.alerts.allowInternalTargets). */
  allowInternal: boolean;
  resolve?: HostResolver;
}

const MAX_ANSWER = 64 * 1024;

/**
 * POSTs a JSON body, signed when a secret is given, to the address the target's name
 * resolved to when it was checked (the connection's own lookup is pinned to it; TLS still
 * verifies the certificate against the name). Any non-2xx answer, redirect or timeout is a
 * failure; the answer body is read (up to 64 KiB) and dropped.
 */
export async function postWebhook(url: string, body: string, options: WebhookOptions): Promise<void> {
  const target = new URL(url);
  const pinned = await resolveDeliveryAddress(target, options.allowInternal, options.resolve);
  const headers: Record<string, string> = {
    'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'mamori-hub',
    [DELIVERY_HEADER]: options.deliveryId, [TIMESTAMP_HEADER]: String(options.now),
  };
  if (options.secret) headers[SIGNATURE_HEADER] = signWebhook(options.secret, options.now, body);
  const pinnedLookup = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void): void => {
    if (opts.all) cb(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
  const status = await new Promise<number>((resolve, reject) => {
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      // No pooled connection: each delivery connects to the address it has just checked.
      method: 'POST', headers, lookup: pinnedLookup, agent: false, signal: AbortSignal.timeout(options.timeoutMs),
    }, (res) => {
      let seen = 0;
      res.on('data', (d: Buffer) => { seen += d.length; if (seen > MAX_ANSWER) res.destroy(); });
      res.on('close', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  }).catch((e: Error) => {
    throw new MamoriError('MAMORI_HUB_DELIVERY', { target: url, reason: `${pinned.address}: ${e.message}` });
  });
  if (status < 200 || status > 299) throw new MamoriError('MAMORI_HUB_DELIVERY', { target: url, reason: `HTTP ${status}` });
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
