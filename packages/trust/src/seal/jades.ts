/**
 * JAdES (ETSI TS 119 182-1) baseline seals over JSON documents: a JWS whose protected header
 * carries the certificate chain (x5c), its SHA-256 thumbprint (x5t#S256) and the claimed
 * signing time (sigT, listed in crit). Level T adds, in the unprotected header, an etsiU
 * entry {sigTst: {tstTokens: [{val}]}} time-stamping the base64url signature value.
 * Compact serialisation has no unprotected header, so level T needs the JSON serialisation.
 */
import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { MamoriError, isMamoriError } from '@mamori/core';
import type { SigningIdentity } from '../cms/sign.js';
import { parseCertificate, type Certificate } from '../pki/certificate.js';
import type { TimeStamper } from '../tsp/client.js';
import { finishVerdict, type SealVerdict, type SealVerifyOptions } from './verdict.js';
import { addArchiveTimeStamp, addValidationData, readUnsigned, type JadesLevel, type ValidationDataSource } from './jades-lt.js';
import { verifyTimeStampToken } from '../tsp/verify.js';

export interface JwsFlattened {
  payload: string;
  protected: string;
  header?: { etsiU?: unknown[] };
  signature: string;
}

export interface JadesOptions {
  serialization?: 'compact' | 'json';
  level?: JadesLevel;
  timeStamper?: TimeStamper;
  signingTime?: Date;
  /** LT/LTA: where the CRLs and OCSP responses for the chains come from. */
  validationData?: ValidationDataSource;
}

const b64u = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

function algFor(key: KeyObject): { alg: string; digest: string; dsaEncoding?: 'ieee-p1363' } {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { alg: 'ES256', digest: 'sha256', dsaEncoding: 'ieee-p1363' };
    if (curve === 'secp384r1') return { alg: 'ES384', digest: 'sha384', dsaEncoding: 'ieee-p1363' };
    if (curve === 'secp521r1') return { alg: 'ES512', digest: 'sha512', dsaEncoding: 'ieee-p1363' };
  }
  if (key.asymmetricKeyType === 'rsa') return { alg: 'RS256', digest: 'sha256' };
  throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `JWS with a ${key.asymmetricKeyType} key` });
}

const ALGS: Record<string, { digest: string; key: string; dsaEncoding?: 'ieee-p1363' }> = {
  ES256: { digest: 'sha256', key: 'ec', dsaEncoding: 'ieee-p1363' },
  ES384: { digest: 'sha384', key: 'ec', dsaEncoding: 'ieee-p1363' },
  ES512: { digest: 'sha512', key: 'ec', dsaEncoding: 'ieee-p1363' },
  RS256: { digest: 'sha256', key: 'rsa' },
  RS384: { digest: 'sha384', key: 'rsa' },
  RS512: { digest: 'sha512', key: 'rsa' },
};

/** Seals JSON bytes (kept exactly as given) as a JWS. */
export async function sealJws(identity: SigningIdentity, payload: Uint8Array, options: JadesOptions = {}): Promise<string | JwsFlattened> {
  const level = options.level ?? 'B';
  const serialization = options.serialization ?? (level === 'B' ? 'compact' : 'json');
  if (level !== 'B' && serialization === 'compact') throw new MamoriError('MAMORI_USAGE', { reason: `a level-${level} JWS needs the JSON serialisation (compact has no unprotected header)` });
  if ((level === 'LT' || level === 'LTA') && !options.validationData) throw new MamoriError('MAMORI_USAGE', { reason: `level ${level} needs a source of CRLs/OCSP responses` });
  const { alg, digest, dsaEncoding } = algFor(identity.key);
  const sigT = (options.signingTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const header = {
    alg,
    cty: 'json',
    x5c: [identity.cert, ...identity.chain].map((c) => c.der.toString('base64')),
    'x5t#S256': b64u(createHash('sha256').update(identity.cert.der).digest()),
    sigT,
    crit: ['sigT'],
  };
  const protectedB64 = b64u(JSON.stringify(header));
  const payloadB64 = b64u(payload);
  const signature = b64u(cryptoSign(digest, Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'), dsaEncoding ? { key: identity.key, dsaEncoding } : identity.key));
  if (serialization === 'compact') return `${protectedB64}.${payloadB64}.${signature}`;
  const out: JwsFlattened = { payload: payloadB64, protected: protectedB64, signature };
  if (level === 'B') return out;
  if (!options.timeStamper) throw new MamoriError('MAMORI_USAGE', { reason: `level ${level} needs a time-stamp authority` });
  const token = await options.timeStamper(createHash('sha256').update(signature, 'ascii').digest(), 'sha256');
  out.header = { etsiU: [{ sigTst: { tstTokens: [{ val: Buffer.from(token).toString('base64') }] } }] };
  if (level === 'T') return out;
  const lt = await addValidationData(out, options.validationData!);
  return level === 'LT' ? lt : addArchiveTimeStamp(lt, options.timeStamper);
}

/** Seals a JSON value: serialised once with JSON.stringify, and those bytes are what is signed. */
export function sealJson(identity: SigningIdentity, doc: unknown, options: JadesOptions = {}): Promise<string | JwsFlattened> {
  return sealJws(identity, Buffer.from(JSON.stringify(doc), 'utf8'), options);
}

const invalid = (reason: string): SealVerdict => ({
  valid: false, format: 'JAdES', level: 'B', contentUnchanged: false, signatureValid: false, chainTrusted: false, reasons: [reason],
});

function parseJws(input: string | JwsFlattened): JwsFlattened {
  if (typeof input !== 'string') return input;
  const text = input.trim();
  if (text.startsWith('{')) {
    let obj: any;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `JWS JSON: ${(e as Error).message}`, field: 'jws' });
    }
    if (Array.isArray(obj?.signatures)) {
      if (obj.signatures.length !== 1) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: 'exactly one signature expected', field: 'signatures' });
      obj = { payload: obj.payload, ...obj.signatures[0] };
    }
    for (const k of ['payload', 'protected', 'signature']) {
      if (typeof obj?.[k] !== 'string') throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `JWS member ${k} missing or not a string`, field: k });
    }
    return obj as JwsFlattened;
  }
  const parts = text.split('.');
  if (parts.length !== 3) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `compact JWS has ${parts.length} parts, expected 3`, field: 'jws' });
  return { protected: parts[0], payload: parts[1], signature: parts[2] };
}

const B64U = /^[A-Za-z0-9_-]*$/;

/** Verifies a JAdES/JWS seal; `payload` supplies a detached payload (empty payload member). */
export function verifyJws(input: string | JwsFlattened, options: SealVerifyOptions & { payload?: Uint8Array }): SealVerdict {
  try {
    const jws = parseJws(input);
    for (const k of ['protected', 'payload', 'signature'] as const) {
      if (!B64U.test(jws[k])) return invalid(`${k} is not base64url`);
    }
    let header: any;
    try {
      header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8'));
    } catch {
      return invalid('protected header is not JSON');
    }
    if (typeof header !== 'object' || header === null) return invalid('protected header is not a JSON object');
    const alg = ALGS[header.alg];
    if (!alg) return invalid(`algorithm ${String(header.alg)} is not accepted`);
    const crit: unknown[] = Array.isArray(header.crit) ? header.crit : [];
    const unknownCrit = crit.filter((c) => c !== 'sigT' && c !== 'b64');
    if (unknownCrit.length) return invalid(`unknown critical header(s) ${unknownCrit.join(', ')}`);
    if (header.b64 === false) return invalid('unencoded payloads (b64=false) are not supported');
    if (!Array.isArray(header.x5c) || header.x5c.length === 0 || header.x5c.length > 10) return invalid('x5c certificate chain missing');
    const certs: Certificate[] = header.x5c.map((c: unknown) => {
      if (typeof c !== 'string') throw new MamoriError('MAMORI_TRUST_INPUT', { reason: 'x5c entry is not a string', field: 'x5c' });
      return parseCertificate(Buffer.from(c, 'base64'));
    });
    const signer = certs[0];
    const reasons: string[] = [];
    if (header['x5t#S256'] !== undefined && header['x5t#S256'] !== b64u(createHash('sha256').update(signer.der).digest())) {
      reasons.push('x5t#S256 does not match the signing certificate');
    }
    if (signer.publicKey.asymmetricKeyType !== alg.key) reasons.push(`alg ${header.alg} does not fit a ${signer.publicKey.asymmetricKeyType} key`);
    const detached = jws.payload === '' && options.payload !== undefined;
    const payloadB64 = detached ? b64u(options.payload!) : jws.payload;
    let signatureValid = false;
    if (reasons.length === 0) {
      try {
        const sig = Buffer.from(jws.signature, 'base64url');
        signatureValid = cryptoVerify(alg.digest, Buffer.from(`${jws.protected}.${payloadB64}`, 'ascii'), alg.dsaEncoding ? { key: signer.publicKey, dsaEncoding: alg.dsaEncoding } : signer.publicKey, sig);
      } catch {
        signatureValid = false;
      }
      if (!signatureValid) reasons.push('signature does not verify: the payload or header changed, or another key signed');
    }
    if (options.payload && !detached && !Buffer.from(jws.payload, 'base64url').equals(Buffer.from(options.payload))) {
      reasons.push('the given document differs from the sealed payload');
    }
    let claimed: Date | undefined;
    if (header.sigT !== undefined) {
      claimed = new Date(String(header.sigT));
      if (Number.isNaN(claimed.getTime())) {
        reasons.push('sigT is not a time');
        claimed = undefined; // an Invalid Date would break every consumer that prints it
      }
    }
    let unsigned;
    try {
      unsigned = readUnsigned(jws);
    } catch (e) {
      return invalid(`unsigned header: ${isMamoriError(e) ? e.message : (e as Error)?.message}`);
    }
    const embedded = unsigned.crls.length || unsigned.ocsp.length ? { crls: unsigned.crls, ocsp: unsigned.ocsp } : undefined;
    const withData: SealVerifyOptions = {
      ...options,
      certificates: [...(options.certificates ?? []), ...unsigned.certificates],
      archivedRevocation: embedded,
    };
    const verdict = finishVerdict(
      { format: 'JAdES', claimedSigningTime: claimed, signer, reasons, contentUnchanged: signatureValid && !reasons.some((r) => r.includes('differs')), signatureValid },
      unsigned.sigTst,
      Buffer.from(jws.signature, 'ascii'),
      [...certs.slice(1), ...unsigned.certificates, ...(options.certificates ?? [])],
      withData,
    );
    return withLongTerm(verdict, unsigned.level, unsigned.archive, withData);
  } catch (e) {
    return invalid(`malformed JWS: ${isMamoriError(e) ? e.message : (e as Error)?.message}`);
  }
}

/** LT/LTA: the embedded data must cover the sealing certificate; each archive time stamp must verify. */
function withLongTerm(v: SealVerdict, level: JadesLevel, archive: { token: Uint8Array; imprint: Buffer }[], options: SealVerifyOptions): SealVerdict {
  if (level === 'B' || level === 'T') return v;
  const reasons = [...v.reasons];
  if (v.signer && (!v.revocation || v.revocation.status === 'unchecked')) reasons.push(`level ${level}: the seal carries no revocation data for its sealing certificate`);
  const archiveTimeStamps = archive.map(({ token, imprint }) => {
    const a = verifyTimeStampToken(token, {
      digest: { algorithm: 'sha256', value: imprint }, trustAnchors: options.trustAnchors, certificates: options.certificates,
      crls: options.crls, ocsp: options.ocsp, archivedRevocation: options.archivedRevocation,
    });
    if (!a.valid) reasons.push(...a.reasons.map((r) => `archive time stamp: ${r}`));
    return { genTime: a.genTime, tsa: a.tsa, valid: a.valid, reasons: a.reasons };
  });
  return { ...v, level, valid: reasons.length === 0, reasons, archiveTimeStamps: archiveTimeStamps.length ? archiveTimeStamps : undefined };
}

/** The payload of a JWS as bytes (after verification, for callers that want the document). */
export function jwsPayload(input: string | JwsFlattened): Buffer {
  return Buffer.from(parseJws(input).payload, 'base64url');
}
