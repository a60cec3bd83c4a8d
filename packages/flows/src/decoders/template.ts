/**
 * Templates of NetFlow v9 and IPFIX, compiled once into a plan (one kind code and one
 * length per field) so decoding a data record is a tight loop with a switch — no lookups
 * by field id per record. Information element numbers 1–127 are shared by v9 and IPFIX.
 */
import { MamoriError } from '@mamori/core';

/** IPFIX variable-length marker (RFC 7011 §7). */
export const VARIABLE = 65535;

export const enum Kind {
  Skip, Src4, Dst4, Src6, Dst6, SrcPort, DstPort, Protocol, Tos, TcpFlags, Bytes, Packets,
  InIf, OutIf, SrcAs, DstAs, StartUp, EndUp, StartSec, EndSec, StartMs, EndMs, StartDeltaUs, EndDeltaUs,
  IcmpTypeCode, Sampling, SystemInitMs,
}

/** Kind of an IANA information element at a given length; anything we do not use is skipped. */
function kindOf(id: number, len: number): Kind {
  const intOk = len >= 1 && len <= 8;
  switch (id) {
    case 8: return len === 4 ? Kind.Src4 : Kind.Skip;
    case 12: return len === 4 ? Kind.Dst4 : Kind.Skip;
    case 27: return len === 16 ? Kind.Src6 : Kind.Skip;
    case 28: return len === 16 ? Kind.Dst6 : Kind.Skip;
    case 7: return intOk ? Kind.SrcPort : Kind.Skip;
    case 11: return intOk ? Kind.DstPort : Kind.Skip;
    case 4: return intOk ? Kind.Protocol : Kind.Skip;
    case 5: return intOk ? Kind.Tos : Kind.Skip;
    case 6: return intOk ? Kind.TcpFlags : Kind.Skip;
    case 1: case 85: return intOk ? Kind.Bytes : Kind.Skip; // octetDeltaCount, octetTotalCount
    case 2: case 86: return intOk ? Kind.Packets : Kind.Skip; // packetDeltaCount, packetTotalCount
    case 10: return intOk ? Kind.InIf : Kind.Skip;
    case 14: return intOk ? Kind.OutIf : Kind.Skip;
    case 16: return intOk ? Kind.SrcAs : Kind.Skip;
    case 17: return intOk ? Kind.DstAs : Kind.Skip;
    case 22: return intOk ? Kind.StartUp : Kind.Skip; // flowStartSysUpTime
    case 21: return intOk ? Kind.EndUp : Kind.Skip;
    case 150: return intOk ? Kind.StartSec : Kind.Skip;
    case 151: return intOk ? Kind.EndSec : Kind.Skip;
    case 152: return intOk ? Kind.StartMs : Kind.Skip;
    case 153: return intOk ? Kind.EndMs : Kind.Skip;
    case 158: return intOk ? Kind.StartDeltaUs : Kind.Skip;
    case 159: return intOk ? Kind.EndDeltaUs : Kind.Skip;
    case 32: case 139: return intOk ? Kind.IcmpTypeCode : Kind.Skip; // icmpTypeCodeIPv4 / IPv6
    case 34: case 305: case 50: return intOk ? Kind.Sampling : Kind.Skip;
    case 160: return intOk ? Kind.SystemInitMs : Kind.Skip;
    default: return Kind.Skip;
  }
}

export interface TemplateField {
  id: number;
  length: number;
  enterprise: number;
}

export interface Template {
  readonly id: number;
  readonly options: boolean;
  readonly scopeCount: number;
  readonly kinds: Uint8Array;
  readonly lengths: Uint16Array;
  /** Smallest encoded record (variable fields count their 1-byte length prefix). */
  readonly minLength: number;
  readonly variable: boolean;
  /** Identity of the definition, to tell a refresh from a change. */
  readonly signature: string;
  lastSeen: number;
  /** Generated decoder for fixed-length records; undefined until first used, null when not applicable. */
  fixed?: import('./compiled.js').FixedDecoder | null;
  fixedColumns?: import('./compiled.js').FixedColumnDecoder | null;
}

export function compileTemplate(
  id: number, fields: TemplateField[], options: { options: boolean; scopeCount: number; now: number; offset: number },
): Template {
  if (id < 256) throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: options.offset, reason: `template id ${id} is below 256` });
  const kinds = new Uint8Array(fields.length);
  const lengths = new Uint16Array(fields.length);
  let minLength = 0;
  let variable = false;
  const sig: string[] = [options.options ? `o${options.scopeCount}` : 'd'];
  fields.forEach((f, i) => {
    lengths[i] = f.length;
    // Enterprise-specific fields are carried through as opaque bytes: their meaning is the vendor's.
    kinds[i] = f.enterprise !== 0 ? Kind.Skip : f.length === VARIABLE ? Kind.Skip : kindOf(f.id, f.length);
    if (f.length === VARIABLE) { variable = true; minLength += 1; } else minLength += f.length;
    sig.push(`${f.enterprise}:${f.id}:${f.length}`);
  });
  if (minLength === 0) {
    // A record of zero bytes would let a data set "contain" infinitely many records.
    throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: options.offset, reason: `template ${id} describes zero-length records` });
  }
  return { id, options: options.options, scopeCount: options.scopeCount, kinds, lengths, minLength, variable, signature: sig.join(','), lastSeen: options.now };
}
