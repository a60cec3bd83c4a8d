/** What a seal verification tells a human or a program: who, when, unchanged, trusted. */
import type { Certificate } from '../pki/certificate.js';
import { displayName } from '../pki/certificate.js';
import { validatePath } from '../pki/path.js';
import type { Crl } from '../pki/crl.js';
import type { OcspResponse } from '../ocsp/response.js';
import { describeRevocation, type CertRevocation, type RevocationData } from '../pki/revocation.js';
import { verifyTimeStampToken } from '../tsp/verify.js';

export interface SealTimeStamp {
  genTime?: Date;
  tsa?: string;
  valid: boolean;
  reasons: string[];
}

export interface SealVerdict {
  valid: boolean;
  format: 'CAdES' | 'CMS' | 'JAdES';
  level: 'B' | 'T' | 'LT' | 'LTA';
  /** Subject of the sealing certificate ("Org / CN"). */
  sealedBy?: string;
  organisation?: string;
  /** The signer's claimed time (signing-time / sigT): not proof. */
  claimedSigningTime?: Date;
  /** The signature time stamp (level T): proof the seal existed then. */
  timeStamp?: SealTimeStamp;
  /** JAdES LTA: archive time stamps over the seal and its validation data. */
  archiveTimeStamps?: SealTimeStamp[];
  contentUnchanged: boolean;
  signatureValid: boolean;
  chainTrusted: boolean;
  reasons: string[];
  /** The sealing certificate's revocation status and what it means for this seal. */
  revocation?: CertRevocation & { summary: string };
  signer?: Certificate;
}

export interface SealVerifyOptions {
  trustAnchors: Certificate[];
  /** Extra certificates (intermediates, or the signer's when the seal carries none). */
  certificates?: Certificate[];
  /** Verify the chain at this time instead of the time stamp's (or now). */
  at?: Date;
  /** CRLs the chains (the sealer's and the time stamp's) are checked against. */
  crls?: Crl[];
  /** OCSP responses the chains are checked against (the seal's own, for LT, are added). */
  ocsp?: OcspResponse[];
  /** Set when crls/ocsp came embedded in the seal (JAdES LT): not refused later for staleness. */
  archivedRevocation?: RevocationData['archived'];
}

export function organisationOf(cert: Certificate): string | undefined {
  const line = cert.x509.subject.split('\n').find((l) => l.startsWith('O='));
  return line?.slice(2);
}

/** The verdict parts shared by CAdES and JAdES once the signature itself has been checked. */
export function finishVerdict(
  base: Pick<SealVerdict, 'format' | 'claimedSigningTime' | 'signer'> & { reasons: string[]; contentUnchanged: boolean; signatureValid: boolean },
  tokens: Uint8Array[],
  stampedBytes: Uint8Array,
  chainCerts: Certificate[],
  options: SealVerifyOptions,
): SealVerdict {
  const reasons = [...base.reasons];
  let timeStamp: SealTimeStamp | undefined;
  if (tokens.length) {
    const v = verifyTimeStampToken(tokens[0], {
      data: stampedBytes, trustAnchors: options.trustAnchors, certificates: options.certificates, crls: options.crls, ocsp: options.ocsp, archivedRevocation: options.archivedRevocation,
    });
    timeStamp = { genTime: v.genTime, tsa: v.tsa, valid: v.valid, reasons: v.reasons };
    if (!v.valid) reasons.push(...v.reasons.map((r) => `signature time stamp: ${r}`));
  }
  let chainTrusted = false;
  let revocation: SealVerdict['revocation'];
  if (base.signer) {
    const stamped = timeStamp?.valid && timeStamp.genTime ? timeStamp.genTime : undefined;
    const at = options.at ?? stamped ?? new Date();
    const path = validatePath(base.signer, chainCerts, options.trustAnchors, { at, crls: options.crls, ocsp: options.ocsp, archivedRevocation: options.archivedRevocation });
    chainTrusted = path.ok;
    const leaf = path.revocation?.[0];
    if (leaf) revocation = { ...leaf, summary: describeRevocation(leaf, at, stamped && !options.at ? `the time stamp of ${stamped.toISOString()}` : undefined) };
    if (!path.ok) reasons.push(...path.reasons.map((r) => `chain: ${r}`));
    if (base.signer.extKeyUsage?.oids.length && base.signer.extKeyUsage.critical && !base.signer.extKeyUsage.oids.includes('2.5.29.37.0')) {
      // A critical EKU restricts the key to those purposes; a seal is none of the TLS/TSA ones.
      const allowed = ['1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.36', '1.3.6.1.4.1.311.10.3.12'];
      if (!base.signer.extKeyUsage.oids.some((o) => allowed.includes(o))) reasons.push(`chain: sealing certificate's critical EKU (${base.signer.extKeyUsage.oids.join(', ')}) does not allow document signing`);
    }
    if (base.signer.keyUsage !== undefined && !(base.signer.keyUsage & 0b11)) reasons.push('chain: sealing certificate keyUsage allows neither digitalSignature nor nonRepudiation');
  }
  return {
    valid: reasons.length === 0,
    format: base.format,
    level: tokens.length ? 'T' : 'B',
    sealedBy: base.signer ? displayName(base.signer) : undefined,
    organisation: base.signer ? organisationOf(base.signer) : undefined,
    claimedSigningTime: base.claimedSigningTime,
    timeStamp,
    contentUnchanged: base.contentUnchanged,
    signatureValid: base.signatureValid,
    chainTrusted,
    reasons,
    revocation,
    signer: base.signer,
  };
}
