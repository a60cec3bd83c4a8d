/**
 * The OCSP responder of the mamori CA (RFC 6960). Its revocation database is the CA's own
 * CRL file (what `mamori trust revoke` writes), read at every request so a revocation is
 * answered at once. A certificate the CA issued (the ones in its trust directory, or listed on
 * its CRL) is "good" or "revoked"; anything else — another CA, a serial the CA never issued —
 * is "unknown". Answers are signed by the delegated responder certificate `trust init`
 * creates (or by the CA key when there is none) and echo the request's nonce.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { MamoriError, isMamoriError } from '@mamori/core';
import { certificatesFromPem, type Certificate } from '../pki/certificate.js';
import { crlFile, crlSignedBy, loadCrls, type Crl } from '../pki/crl.js';
import { loadIdentity, loadPrivateKey, trustFiles } from '../pki/keys.js';
import type { SigningIdentity } from '../cms/sign.js';
import { certIdOf, type CertId } from './cert-id.js';
import { encodeOcspRequest, parseOcspRequest } from './request.js';
import { encodeOcspError, encodeOcspResponse, parseOcspResponse, responderKeyHash, type OcspResponse, type ResponseItem } from './response.js';

/**
 * How long an answer stays current: a day, or less when the CRL is due sooner. Not the CRL's
 * whole period (a year for the development root): answers come from live data, so relying
 * parties should come back soon enough to see a revocation.
 */
const VALIDITY_MS = 24 * 3600_000;
/** Certificate IDs per request: enough for any chain, small enough to bound the work. */
const MAX_REQUESTS = 32;

export interface OcspResponderOptions {
  dir: string;
  now?: () => Date;
}

export class OcspResponder {
  readonly issuer: Certificate;
  readonly signer: SigningIdentity;
  private readonly issued: Set<bigint>;
  private readonly now: () => Date;
  private readonly keyHash: Buffer;

  constructor(private readonly options: OcspResponderOptions) {
    const files = trustFiles(options.dir, 'root');
    const [root] = existsSync(files.cert) ? certificatesFromPem(readFileSync(files.cert, 'utf8')) : [];
    if (!root) throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `no CA certificate at ${files.cert}; run \`mamori trust init\`` });
    this.issuer = root;
    this.signer = existsSync(trustFiles(options.dir, 'ocsp').key)
      ? loadIdentity(options.dir, 'ocsp')
      : { key: loadPrivateKey(files.key), cert: root, chain: [] };
    // What this CA issued: the leaf certificates kept beside it.
    this.issued = new Set((['tsa', 'seal', 'ocsp'] as const)
      .map((role) => trustFiles(options.dir, role).cert)
      .filter(existsSync)
      .flatMap((f) => certificatesFromPem(readFileSync(f, 'utf8')))
      .filter((c) => c.issuerDer.equals(root.subjectDer))
      .map((c) => c.serial));
    this.now = options.now ?? (() => new Date());
    this.keyHash = responderKeyHash(this.signer.cert);
  }

  /** Answers a DER OCSPRequest with a DER OCSPResponse; a malformed request gets malformedRequest. */
  respond(requestDer: Uint8Array): Buffer {
    let request;
    try {
      request = parseOcspRequest(requestDer);
    } catch (e) {
      if (isMamoriError(e)) return encodeOcspError('malformedRequest');
      throw e;
    }
    if (request.requests.length > MAX_REQUESTS) return encodeOcspError('malformedRequest');
    const now = this.now();
    const crl = this.currentCrl();
    const dayAhead = new Date(now.getTime() + VALIDITY_MS);
    const nextUpdate = crl?.nextUpdate && crl.nextUpdate < dayAhead ? crl.nextUpdate : dayAhead;
    const items: ResponseItem[] = request.requests.map(({ certId, der }) => {
      // thisUpdate is now: the CRL file is the database itself, so its state is current.
      const base = { certIdDer: der, thisUpdate: now, nextUpdate };
      if (!this.issues(certId)) return { ...base, status: 'unknown' };
      const entry = crl?.revoked.get(certId.serial);
      if (entry && entry.revokedAt <= now) return { ...base, status: 'revoked', revokedAt: entry.revokedAt, reason: entry.reason };
      return { ...base, status: this.issued.has(certId.serial) ? 'good' : 'unknown' };
    });
    return encodeOcspResponse({ ...this.signer, keyHash: this.keyHash }, items, now, request.nonce);
  }

  private crlCache: { stamp: string; crl: Crl | undefined } | null = null;

  /** The CA's CRL, re-read (and its signature re-checked) only when the file changed; `GET /crl` serves it too. */
  currentCrl(): Crl | undefined {
    let stamp = 'none';
    try {
      const st = statSync(crlFile(this.options.dir));
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // no CRL file: nothing is revoked
    }
    if (this.crlCache?.stamp !== stamp) {
      this.crlCache = { stamp, crl: stamp === 'none' ? undefined : loadCrls(this.options.dir).find((c) => crlSignedBy(c, this.issuer)) };
    }
    return this.crlCache.crl;
  }

  private readonly issuerIds = new Map<string, CertId>();

  /** Whether a CertID names this CA (name and key hashes computed once per hash algorithm). */
  private issues(id: CertId): boolean {
    if (!id.digest) return false;
    let mine = this.issuerIds.get(id.digest);
    if (!mine) this.issuerIds.set(id.digest, (mine = certIdOf(this.issuer, this.issuer, id.digest)));
    return mine.issuerNameHash.equals(id.issuerNameHash) && mine.issuerKeyHash.equals(id.issuerKeyHash);
  }

  /** This responder's signed answer about every certificate of `certs` the CA issued (none: undefined). */
  answerFor(certs: Certificate[]): OcspResponse | undefined {
    const ids = certs.filter((c) => !c.subjectDer.equals(c.issuerDer) && c.issuerDer.equals(this.issuer.subjectDer)).map((c) => certIdOf(c, this.issuer));
    return ids.length ? parseOcspResponse(this.respond(encodeOcspRequest(ids).der)) : undefined;
  }
}
