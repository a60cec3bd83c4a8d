/**
 * Decodes the records of one v9 FlowSet / IPFIX Set against a compiled template. Shared by
 * `v9.ts` and `ipfix.ts`; the only difference between them here is how sysUpTime-relative
 * timestamps are anchored (v9: the header's sysUptime; IPFIX: systemInitTimeMilliseconds).
 */
import { ipv6FromBytes, MamoriError } from '@mamori/core';
import { emptyRecord, type FlowRecord } from '../record.js';
import { u16, u32, uint } from './bytes.js';
import type { DecodeContext, PacketSummary } from './decoder.js';
import type { DomainState } from './session.js';
import type { FlowColumns } from '../columns.js';
import { compileFixed, compileFixedColumns } from './compiled.js';
import { Kind, VARIABLE, type Template } from './template.js';
import { upTime } from './uptime.js';

export interface TimeAnchor {
  /** Export time from the packet header, epoch ms. */
  exportMs: number;
  /** v9: epoch ms at which the exporter's sysUpTime was zero; null for IPFIX (use systemInitMs). */
  bootMs: number | null;
}

/** Decodes records in [start, end) and returns how many; trailing bytes shorter than a record are padding. */
export function decodeDataSet(
  b: Uint8Array, start: number, end: number, t: Template, domain: DomainState, anchor: TimeAnchor,
  exporter: string, domainId: number, out: FlowRecord[], cols?: FlowColumns,
): number {
  if (cols && !t.variable && !t.options) {
    if (t.fixedColumns === undefined) t.fixedColumns = compileFixedColumns(t);
    const decode = t.fixedColumns;
    if (decode) {
      const len = t.minLength;
      let q = start, n = 0;
      for (; end - q >= len; q += len, n++) decode(b, q, cols, cols.next(domainId), domain, anchor.exportMs, anchor.bootMs);
      return n;
    }
  }
  if (!t.variable) {
    // Fixed-length records: the template's generated decoder, one record per minLength bytes.
    if (t.fixed === undefined) t.fixed = compileFixed(t);
    const decode = t.fixed;
    if (decode) {
      const len = t.minLength;
      let q = start, n = 0;
      for (; end - q >= len; q += len, n++) {
        const r = emptyRecord(exporter, domainId);
        decode(b, q, r, domain, anchor.exportMs, anchor.bootMs);
        if (t.options) continue;
        if (cols) cols.push(r);
        else out.push(r);
      }
      return n;
    }
  }
  const kinds = t.kinds;
  const lengths = t.lengths;
  const n = kinds.length;
  let p = start;
  let count = 0;
  while (end - p >= t.minLength) {
    const r = emptyRecord(exporter, domainId);
    let startUp = -1, endUp = -1, startAbs = -1, endAbs = -1, icmp = -1;
    for (let i = 0; i < n; i++) {
      let len = lengths[i];
      if (len === VARIABLE) {
        // RFC 7011 §7: one length byte, or 255 followed by a two-byte length.
        if (p >= end) throw truncated(p, 'variable-length field length', 1, end);
        len = b[p++];
        if (len === 255) {
          if (p + 2 > end) throw truncated(p, 'variable-length field length', 2, end);
          len = u16(b, p);
          p += 2;
        }
      }
      if (p + len > end) throw truncated(p, `field ${i} of template ${t.id}`, len, end);
      switch (kinds[i]) {
        case Kind.Skip: break;
        case Kind.Src4: r.src = u32(b, p); break;
        case Kind.Dst4: r.dst = u32(b, p); break;
        case Kind.Src6: r.src = ipv6FromBytes(b, p); r.ipVersion = 6; break;
        case Kind.Dst6: r.dst = ipv6FromBytes(b, p); r.ipVersion = 6; break;
        case Kind.SrcPort: r.srcPort = uint(b, p, len); break;
        case Kind.DstPort: r.dstPort = uint(b, p, len); break;
        case Kind.Protocol: r.protocol = uint(b, p, len); break;
        case Kind.Tos: r.tos = uint(b, p, len); break;
        case Kind.TcpFlags: r.tcpFlags = uint(b, p, len) & 0xff; break;
        case Kind.Bytes: r.bytes = uint(b, p, len); break;
        case Kind.Packets: r.packets = uint(b, p, len); break;
        case Kind.InIf: r.inIf = uint(b, p, len); break;
        case Kind.OutIf: r.outIf = uint(b, p, len); break;
        case Kind.SrcAs: r.srcAs = uint(b, p, len); break;
        case Kind.DstAs: r.dstAs = uint(b, p, len); break;
        case Kind.StartUp: startUp = uint(b, p, len); break;
        case Kind.EndUp: endUp = uint(b, p, len); break;
        case Kind.StartSec: startAbs = uint(b, p, len) * 1000; break;
        case Kind.EndSec: endAbs = uint(b, p, len) * 1000; break;
        case Kind.StartMs: startAbs = uint(b, p, len); break;
        case Kind.EndMs: endAbs = uint(b, p, len); break;
        case Kind.StartDeltaUs: startAbs = anchor.exportMs - Math.floor(uint(b, p, len) / 1000); break;
        case Kind.EndDeltaUs: endAbs = anchor.exportMs - Math.floor(uint(b, p, len) / 1000); break;
        case Kind.IcmpTypeCode: icmp = uint(b, p, len); break;
        case Kind.Sampling: { const v = uint(b, p, len); if (v > 0) domain.samplingInterval = v; break; }
        case Kind.SystemInitMs: domain.systemInitMs = uint(b, p, len); break;
      }
      p += len;
    }
    count++;
    if (t.options) continue;
    const boot = anchor.bootMs ?? domain.systemInitMs;
    r.start = startAbs >= 0 ? startAbs : startUp >= 0 && boot !== null ? upTime(boot, startUp, anchor.exportMs) : anchor.exportMs;
    r.end = endAbs >= 0 ? endAbs : endUp >= 0 && boot !== null ? upTime(boot, endUp, anchor.exportMs) : r.start;
    if (icmp >= 0 && r.dstPort === 0) r.dstPort = icmp;
    if (cols) cols.push(r);
    else out.push(r);
  }
  return count;
}

function truncated(offset: number, what: string, n: number, end: number): MamoriError {
  return new MamoriError('MAMORI_FLOWS_TRUNCATED', { offset, what, need: n, have: Math.max(0, end - offset) });
}

/**
 * One data set (id ≥ 256) of a v9 or IPFIX packet: decoded against its template and counted
 * into the packet's summary, or counted as missing its template (it may arrive later).
 */
export function decodeDataSetInto(
  summary: PacketSummary, b: Uint8Array, start: number, end: number, setId: number,
  domain: DomainState, anchor: TimeAnchor, domainId: number, ctx: DecodeContext,
): void {
  const t = ctx.session.template(domain, setId, ctx.now);
  if (!t) {
    summary.missingTemplateSets++;
    return;
  }
  const n = decodeDataSet(b, start, end, t, domain, anchor, ctx.session.key, domainId, ctx.out, ctx.columns);
  if (t.options) summary.optionsRecords += n;
  else summary.records += n;
}
