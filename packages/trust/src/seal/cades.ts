/**
 * CAdES baseline signatures (ETSI EN 319 122-1) as e-seals: B-B is CMS SignedData with
 * signing-certificate-v2 and signing-time in the signed attributes, detached or enveloping;
 * B-T adds a signature time stamp (id-aa-signatureTimeStampToken) over the signature value.
 */
import { createHash } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { OID } from '../asn1/oids.js';
import { SignerTemplate, attribute, type SigningIdentity } from '../cms/sign.js';
import { readRoot } from '../asn1/der.js';
import type { TimeStamper } from '../tsp/client.js';

export type SealLevel = 'B' | 'T';

export interface CadesOptions {
  /** Detached (default): the signature file stands beside the content. */
  detached?: boolean;
  level?: SealLevel;
  timeStamper?: TimeStamper;
  signingTime?: Date;
}

export async function sealCades(identity: SigningIdentity, content: Uint8Array, options: CadesOptions = {}): Promise<Buffer> {
  const template = new SignerTemplate(identity);
  const prepared = template.prepare({
    contentType: OID.data,
    content,
    detached: options.detached !== false,
    signedAttributes: [SignerTemplate.signingTime(options.signingTime ?? new Date())],
  });
  if ((options.level ?? 'B') === 'B') return prepared.assemble();
  if (!options.timeStamper) throw new MamoriError('MAMORI_USAGE', { reason: 'level T needs a time-stamp authority' });
  const token = await options.timeStamper(createHash('sha256').update(prepared.signature).digest(), 'sha256');
  readRoot(token, 'signatureTimeStampToken'); // a reply we cannot even frame is not embedded
  return prepared.assemble([attribute(OID.signatureTimeStampToken, Buffer.from(token))]);
}
