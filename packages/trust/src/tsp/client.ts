/**
 * RFC 3161 over HTTP (RFC 3161 §3.4): POST application/timestamp-query, expect
 * application/timestamp-reply. `TimeStamper` is what sealing and evidence need: a digest in,
 * a token out, from a remote TSA or an in-process one.
 */
import { MamoriError } from '@mamori/core';
import type { DigestName } from '../asn1/oids.js';
import type { TimeStampAuthority } from './authority.js';
import { encodeTimeStampReq } from './request.js';
import { PKIStatus, parseTimeStampResp } from './response.js';
import { parseTstInfo } from './tst-info.js';
import { parseSignedData } from '../cms/parse.js';

export type TimeStamper = (hashedMessage: Uint8Array, digest: DigestName) => Promise<Uint8Array>;

export interface HttpStampOptions {
  policy?: string;
  certReq?: boolean;
  timeoutMs?: number;
}

/** Asks a TSA over HTTP; checks status, the echoed nonce and the imprint before returning the token. */
export async function requestTimeStamp(url: string, hashedMessage: Uint8Array, digest: DigestName = 'sha256', options: HttpStampOptions = {}): Promise<Uint8Array> {
  const { der, nonce } = encodeTimeStampReq(hashedMessage, { digest, policy: options.policy, certReq: options.certReq ?? true });
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: der,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_TSA_REJECTED', { reason: `${url}: ${(e as Error).message}` });
  }
  const body = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok || !type.startsWith('application/timestamp-reply')) {
    throw new MamoriError('MAMORI_TRUST_TSA_REJECTED', { reason: `${url} answered HTTP ${res.status} ${type || '(no content type)'}` });
  }
  const reply = parseTimeStampResp(body);
  if (reply.status > PKIStatus.grantedWithMods || !reply.token) {
    throw new MamoriError('MAMORI_TRUST_TSA_REJECTED', { reason: `status ${PKIStatus[reply.status] ?? reply.status}${reply.failInfo ? ` (${reply.failInfo})` : ''}${reply.statusText ? `: ${reply.statusText}` : ''}`, failInfo: reply.failInfo });
  }
  const sd = parseSignedData(reply.token, 'timeStampToken');
  const tst = parseTstInfo(sd.content ?? new Uint8Array());
  if (tst.nonce !== nonce) throw new MamoriError('MAMORI_TRUST_TSA_REJECTED', { reason: 'the reply does not echo our nonce' });
  if (tst.digest !== digest || !Buffer.from(tst.hashedMessage).equals(Buffer.from(hashedMessage))) {
    throw new MamoriError('MAMORI_TRUST_TSA_REJECTED', { reason: 'the reply stamps a different imprint' });
  }
  return reply.token;
}

export const httpTimeStamper = (url: string, options: HttpStampOptions = {}): TimeStamper =>
  (hash, digest) => requestTimeStamp(url, hash, digest, options);

export const localTimeStamper = (tsa: TimeStampAuthority): TimeStamper =>
  (hash, digest) => tsa.stampDigest(hash, { digest });
