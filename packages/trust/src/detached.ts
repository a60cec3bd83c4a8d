/**
 * A file and "its signature", whatever the user has: a JAdES/JWS seal (JSON or compact), a
 * CAdES/CMS seal, an RFC 3161 time-stamp token or a whole TimeStampResp (`openssl ts
 * -reply` output, a `.tsr`). Tells them apart by their bytes and verifies accordingly, and
 * turns verdicts into plain JSON for the CLI and the server.
 */
import { createHash } from 'node:crypto';
import { OID } from './asn1/oids.js';
import { parseSignedData } from './cms/parse.js';
import type { SealVerdict } from './seal/verdict.js';
import type { TrustServices } from './service.js';
import { parseTimeStampResp } from './tsp/response.js';
import { readTimeStampToken, type StampVerdict } from './tsp/verify.js';

export type DetachedKind = 'JAdES' | 'CAdES' | 'TimeStamp';

/** The token inside a TimeStampResp, or the bytes unchanged when they are not one. */
export function timeStampTokenOf(bytes: Uint8Array): Uint8Array {
  try {
    const reply = parseTimeStampResp(bytes);
    if (reply.token) return reply.token;
  } catch {
    // not a TimeStampResp: treat as a token
  }
  return bytes;
}

export function isJwsText(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.subarray(0, 4096)).toString('latin1').trimStart();
  return text.startsWith('{') || /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\s*$/.test(Buffer.from(bytes).toString('latin1'));
}

export function detachedKind(signature: Uint8Array): DetachedKind {
  if (isJwsText(signature)) return 'JAdES';
  try {
    return parseSignedData(timeStampTokenOf(signature)).contentType === OID.tstInfo ? 'TimeStamp' : 'CAdES';
  } catch {
    return 'CAdES'; // the seal verifier names what is wrong with it
  }
}

const revocationJson = (r: StampVerdict['revocation']) => r && { ...r, serial: r.serial.toString(16), revokedAt: r.revokedAt?.toISOString() };

export const stampVerdictJson = (v: StampVerdict) => ({
  valid: v.valid, genTime: v.genTime?.toISOString(), tsa: v.tsa, serialNumber: v.serialNumber?.toString(), policy: v.policy, reasons: v.reasons,
  revocation: revocationJson(v.revocation),
});

export const sealVerdictJson = (v: SealVerdict) => ({
  ...v, signer: undefined, claimedSigningTime: v.claimedSigningTime?.toISOString(),
  timeStamp: v.timeStamp && { ...v.timeStamp, genTime: v.timeStamp.genTime?.toISOString() },
  revocation: revocationJson(v.revocation),
});

export type DetachedVerdict =
  | ({ kind: 'TimeStamp'; contentUnchanged: boolean; chainTrusted: boolean } & ReturnType<typeof stampVerdictJson>)
  | ({ kind: 'JAdES' | 'CAdES' } & ReturnType<typeof sealVerdictJson>);

/** Whether the token's message imprint is the content's digest (the seal verdict's "unchanged"). */
function imprintMatches(token: Uint8Array, content: Uint8Array): boolean {
  try {
    const { tstInfo } = readTimeStampToken(token);
    return createHash(tstInfo.digest).update(content).digest().equals(Buffer.from(tstInfo.hashedMessage));
  } catch {
    return false;
  }
}

/** Verifies `signature` over `content` with the installation's trust anchors. */
export function verifyDetached(trust: Pick<TrustServices, 'verifyStampToken' | 'verifyJws' | 'verifyCades'>, content: Uint8Array, signature: Uint8Array): DetachedVerdict {
  const kind = detachedKind(signature);
  if (kind === 'TimeStamp') {
    const token = timeStampTokenOf(signature);
    const v = trust.verifyStampToken(token, { data: content });
    return { kind, ...stampVerdictJson(v), contentUnchanged: imprintMatches(token, content), chainTrusted: v.tsaCertificate !== undefined && !v.reasons.some((r) => r.startsWith('TSA chain')) };
  }
  const v = kind === 'JAdES' ? trust.verifyJws(Buffer.from(signature).toString('utf8'), content) : trust.verifyCades(signature, content);
  return { kind, ...sealVerdictJson(v) };
}
