/**
 * Certification path validation (RFC 5280 §6, the parts a closed trust list needs): build a
 * path from the leaf through the given intermediates to a trust anchor, checking each
 * signature, validity at the time that matters, CA constraints, key usage and path length.
 * Loops and over-long paths end the search with a reason, never a hang.
 */
import type { Certificate } from './certificate.js';
import { KEY_USAGE, signedBy } from './certificate.js';
import { OID } from '../asn1/oids.js';
import type { Crl } from './crl.js';
import type { OcspResponse } from '../ocsp/response.js';
import { checkRevocation, type CertRevocation, type RevocationData } from './revocation.js';

export interface PathOptions {
  /** The time the path must be valid at (a time stamp's genTime, or now). */
  at: Date;
  /** Longest path, leaf and anchor included. */
  maxLength?: number;
  /** CRLs to check the path against (each applies to the certificates its signer issued). */
  crls?: Crl[];
  /** OCSP responses to check the path against (each applies to the certificates of the CA that authorised its signer). */
  ocsp?: OcspResponse[];
  /** CRLs/OCSP responses that came with the signature (JAdES LT): no staleness check against now. */
  archivedRevocation?: RevocationData['archived'];
}

export interface PathResult {
  ok: boolean;
  /** Leaf first, anchor last (when ok). */
  path: Certificate[];
  reasons: string[];
  /** Revocation status of each path certificate below the anchor (when the path was built). */
  revocation?: CertRevocation[];
}

const UNDERSTOOD = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier,
  '2.5.29.17', // subjectAltName
  '2.5.29.32', // certificatePolicies (no policy processing: any policy is acceptable)
]);

function certProblems(cert: Certificate, at: Date, role: 'leaf' | 'ca'): string[] {
  const out: string[] = [];
  if (at < cert.notBefore) out.push(`${cert.subject}: not valid before ${cert.notBefore.toISOString()}`);
  if (at > cert.notAfter) out.push(`${cert.subject}: expired at ${cert.notAfter.toISOString()}`);
  for (const [id, ext] of cert.extensions) if (ext.critical && !UNDERSTOOD.has(id)) out.push(`${cert.subject}: unknown critical extension ${id}`);
  if (role === 'ca') {
    if (!cert.basicConstraints?.ca) out.push(`${cert.subject}: not a CA (basicConstraints cA is not set)`);
    if (cert.keyUsage !== undefined && !(cert.keyUsage & KEY_USAGE.keyCertSign)) out.push(`${cert.subject}: keyUsage lacks keyCertSign`);
  }
  return out;
}

export function validatePath(leaf: Certificate, intermediates: Certificate[], anchors: Certificate[], options: PathOptions): PathResult {
  const maxLength = options.maxLength ?? 8;
  const anchorPrints = new Set(anchors.map((a) => a.fingerprint256));
  const reasons: string[] = [];
  const leafProblems = certProblems(leaf, options.at, 'leaf');

  // Depth-first over candidate issuers; `seen` stops loops, `maxLength` stops long chains.
  const search = (path: Certificate[], seen: Set<string>): Certificate[] | null => {
    const current = path[path.length - 1];
    if (anchorPrints.has(current.fingerprint256)) return path;
    if (path.length >= maxLength) {
      reasons.push(`path longer than ${maxLength} certificates without reaching a trusted root`);
      return null;
    }
    const candidates = [...anchors, ...intermediates].filter((c) => !seen.has(c.fingerprint256) && signedBy(current, c));
    if (candidates.length === 0) {
      const selfSigned = current.issuerDer.equals(current.subjectDer);
      reasons.push(selfSigned ? `${current.subject}: self-signed and not a trusted root` : `${current.subject}: no trusted issuer found for "${current.issuer}"`);
      return null;
    }
    for (const issuer of candidates) {
      const problems = certProblems(issuer, options.at, 'ca');
      // pathLenConstraint: the number of non-self-issued intermediates below this CA.
      const below = path.length - 1;
      const pl = issuer.basicConstraints?.pathLen;
      if (pl !== undefined && below > pl) problems.push(`${issuer.subject}: pathLenConstraint ${pl} exceeded`);
      if (problems.length) {
        reasons.push(...problems);
        continue;
      }
      const found = search([...path, issuer], new Set([...seen, issuer.fingerprint256]));
      if (found) return found;
    }
    return null;
  };

  const path = search([leaf], new Set([leaf.fingerprint256]));
  if (leafProblems.length || !path) {
    return { ok: false, path: path ?? [leaf], reasons: [...leafProblems, ...new Set(reasons)] };
  }
  const r = checkRevocation(path, { crls: options.crls, ocsp: options.ocsp, archived: options.archivedRevocation }, options.at);
  return { ok: r.problems.length === 0, path, reasons: r.problems, revocation: r.certificates };
}

/** RFC 3161 §2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, marked critical. */
export function timeStampingEkuProblems(cert: Certificate): string[] {
  const eku = cert.extKeyUsage;
  if (!eku) return ['TSA certificate has no extendedKeyUsage extension'];
  const out: string[] = [];
  if (!eku.critical) out.push('TSA certificate extendedKeyUsage is not critical');
  if (eku.oids.length !== 1 || eku.oids[0] !== OID.kpTimeStamping) out.push(`TSA certificate extendedKeyUsage must be exactly id-kp-timeStamping (found ${eku.oids.join(', ') || 'none'})`);
  return out;
}
