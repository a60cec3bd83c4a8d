/** TimeStampResp (RFC 3161 §2.4.2): PKIStatusInfo and the optional token. */
import { MamoriError } from '@mamori/core';
import { TAG, children, encodingOf, readBitString, readRoot, readSmallInt, readString } from '../asn1/der.js';
import { bitString, integer, seq, utf8 } from '../asn1/write.js';
import { FAIL_INFO_BIT, type FailInfo } from './request.js';

export enum PKIStatus {
  granted = 0,
  grantedWithMods = 1,
  rejection = 2,
  waiting = 3,
  revocationWarning = 4,
  revocationNotification = 5,
}

/** A named-bit BIT STRING in DER: trailing zero bits removed. */
export function failInfoBits(info: FailInfo): Buffer {
  const bit = FAIL_INFO_BIT[info];
  const bytes = Buffer.alloc((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  return bitString(bytes, 7 - (bit & 7));
}

/** PKIStatusInfo of a granted reply; the token follows it in the TimeStampResp. */
export const GRANTED_STATUS = seq(integer(PKIStatus.granted));

export function encodeRejection(failInfo: FailInfo, text: string): Buffer {
  return seq(seq(integer(PKIStatus.rejection), seq(utf8(text)), failInfoBits(failInfo)));
}

export interface TimeStampResponse {
  status: PKIStatus;
  statusText?: string;
  failInfo?: FailInfo;
  token?: Uint8Array;
}

export function parseTimeStampResp(der: Uint8Array): TimeStampResponse {
  const c = children(readRoot(der, 'timeStampResp', TAG.SEQUENCE));
  const si = children(c.next('status', TAG.SEQUENCE));
  const status = readSmallInt(si.next('status', TAG.INTEGER), 5) as PKIStatus;
  const textNode = si.optional('statusString', TAG.SEQUENCE);
  const statusText = textNode ? children(textNode).rest('text').map(readString).join('; ') : undefined;
  const bitsNode = si.optional('failInfo', TAG.BIT_STRING);
  si.end();
  let failInfo: FailInfo | undefined;
  if (bitsNode) {
    const bits = readBitString(bitsNode);
    failInfo = (Object.keys(FAIL_INFO_BIT) as FailInfo[]).find((k) => {
      const b = FAIL_INFO_BIT[k];
      return (bits[b >> 3] ?? 0) & (0x80 >> (b & 7));
    });
  }
  const tokenNode = c.optional('timeStampToken', TAG.SEQUENCE);
  c.end();
  if (status <= PKIStatus.grantedWithMods && !tokenNode) {
    throw new MamoriError('MAMORI_TRUST_DER', { reason: 'granted response without a token', field: 'timeStampResp.timeStampToken' });
  }
  return { status, statusText, failInfo, token: tokenNode ? encodingOf(tokenNode) : undefined };
}
