/**
 * Asking an OCSP responder (RFC 6960 appendix A: POST application/ocsp-request) about one
 * certificate, and finding where to ask (the AIA extension). The answer is checked before it is
 * returned — signed for the issuer, our nonce echoed, the certificate answered for — so it can
 * be kept as offline evidence (`mamori trust ocsp --out`, JAdES LT).
 */
import { MamoriError } from '@mamori/core';
import { TAG, children, readOid, readRoot } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import type { Certificate } from '../pki/certificate.js';
import { certIdOf, sameCert } from './cert-id.js';
import { encodeOcspRequest } from './request.js';
import { ocspSignerFor, parseOcspResponse, type OcspResponse, type SingleResponse } from './response.js';

/** The OCSP URLs a certificate's authorityInfoAccess names (none when it has no AIA). */
export function ocspUrlsOf(cert: Certificate): string[] {
  const aia = cert.extensions.get(OID.authorityInfoAccess);
  if (!aia) return [];
  const out: string[] = [];
  const list = children(readRoot(aia.value, 'authorityInfoAccess', TAG.SEQUENCE));
  while (!list.done) {
    const ad = children(list.next('accessDescription', TAG.SEQUENCE));
    const method = readOid(ad.next('accessMethod', TAG.OID));
    const location = ad.next('accessLocation');
    if (method === '1.3.6.1.5.5.7.48.1' && location.tag === 0x86) out.push(Buffer.from(location.input.subarray(location.valueStart, location.end)).toString('latin1'));
  }
  return out;
}

export interface OcspAnswer {
  response: OcspResponse;
  single: SingleResponse;
  signer: Certificate;
}

const rejected = (reason: string): MamoriError => new MamoriError('MAMORI_TRUST_INVALID', { reason: `OCSP: ${reason}` });

/** Checks a response answers for `cert` under `issuer` (and echoes `nonce` when given). */
export function checkOcspAnswer(response: OcspResponse, cert: Certificate, issuer: Certificate, nonce?: Uint8Array): OcspAnswer {
  if (response.status !== 'successful') throw rejected(`the responder answered ${response.status}`);
  const { signer, reason } = ocspSignerFor(response, issuer);
  if (!signer) throw rejected(reason ?? 'unsigned');
  if (nonce && !(response.nonce && Buffer.from(response.nonce).equals(Buffer.from(nonce)))) throw rejected('the response does not echo our nonce');
  const single = response.responses.find((r) => r.certId.digest && sameCert(r.certId, certIdOf(cert, issuer, r.certId.digest)));
  if (!single) throw rejected(`no answer for ${cert.subject}`);
  return { response, single, signer };
}

export async function requestOcsp(url: string, cert: Certificate, issuer: Certificate, options: { timeoutMs?: number } = {}): Promise<OcspAnswer> {
  const { der, nonce } = encodeOcspRequest([certIdOf(cert, issuer)]);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' }, body: der, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (e) {
    throw rejected(`${url}: ${(e as Error).message}`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/ocsp-response')) throw rejected(`${url} answered HTTP ${res.status} ${type || '(no content type)'}`);
  return checkOcspAnswer(parseOcspResponse(new Uint8Array(await res.arrayBuffer())), cert, issuer, nonce);
}
