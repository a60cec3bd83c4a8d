/** Verifies a CMS / CAdES seal (detached with `content`, or enveloping). */
import { isMamoriError } from '@mamori/core';
import { OID } from '../asn1/oids.js';
import { parseSignedData } from '../cms/parse.js';
import { checkSignerInfo, signatureTimeStamps } from '../cms/verify.js';
import { finishVerdict, type SealVerdict, type SealVerifyOptions } from './verdict.js';

export interface CadesVerifyOptions extends SealVerifyOptions {
  /** The detached content; required when the signature does not envelope it. */
  content?: Uint8Array;
}

const invalid = (reason: string): SealVerdict => ({
  valid: false, format: 'CMS', level: 'B', contentUnchanged: false, signatureValid: false, chainTrusted: false, reasons: [reason],
});

export function verifyCades(signature: Uint8Array, options: CadesVerifyOptions): SealVerdict {
  try {
    const sd = parseSignedData(signature, 'signature');
    if (sd.signerInfos.length !== 1) return invalid(`expected one signer, found ${sd.signerInfos.length}`);
    if (sd.contentType !== OID.data) return invalid(`content type ${sd.contentType} is not id-data`);
    if (sd.content && options.content && !Buffer.from(sd.content).equals(Buffer.from(options.content))) {
      return invalid('the given file differs from the content enveloped in the signature');
    }
    const content = sd.content ?? options.content;
    if (!content) return invalid('detached signature: the signed content must be given');
    const si = sd.signerInfos[0];
    const check = checkSignerInfo(sd, si, content, options.certificates);
    const reasons = [...check.reasons];
    const cades = check.essCertId !== 'none' && !!check.signingTime;
    return finishVerdict(
      {
        format: cades ? 'CAdES' : 'CMS',
        claimedSigningTime: check.signingTime,
        signer: check.signer,
        reasons,
        contentUnchanged: check.contentOk && check.signatureOk,
        signatureValid: check.signatureOk,
      },
      signatureTimeStamps(si),
      si.signature,
      [...sd.certificates, ...(options.certificates ?? [])],
      options,
    );
  } catch (e) {
    return invalid(`malformed signature: ${isMamoriError(e) ? e.message : (e as Error)?.message}`);
  }
}
