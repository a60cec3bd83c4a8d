/**
 * NetFlow v5: a 24-byte header and fixed 48-byte records (Cisco's published layout). No
 * templates; the engine (type, id) plays the observation domain's part.
 */
import { MamoriError } from '@mamori/core';
import { emptyRecord } from '../record.js';
import { upTime } from './uptime.js';
import { need, u16, u32 } from './bytes.js';
import type { DecodeContext, FlowDecoder, PacketSummary } from './decoder.js';

export const V5_HEADER = 24;
export const V5_RECORD = 48;

export const v5Decoder: FlowDecoder = {
  version: 5,
  name: 'netflow-v5',
  sequenceUnit: 'records',
  decode(b: Uint8Array, ctx: DecodeContext): PacketSummary {
    need(b.length, 0, V5_HEADER, 'NetFlow v5 header');
    const count = u16(b, 2);
    if (count === 0) throw new MamoriError('MAMORI_FLOWS_HEADER', { offset: 2, field: 'count', reason: 'v5 packet with zero records' });
    need(b.length, V5_HEADER, count * V5_RECORD, `${count} NetFlow v5 records`);
    const sysUptime = u32(b, 4);
    const exportMs = u32(b, 8) * 1000 + Math.floor(u32(b, 12) / 1e6);
    const bootMs = exportMs - sysUptime;
    const sequence = u32(b, 16);
    const domainId = u16(b, 20); // engine_type << 8 | engine_id
    const sampling = u16(b, 22) & 0x3fff;
    const domain = ctx.session.domain(domainId);
    if (sampling > 0) domain.samplingInterval = sampling;
    const exporter = ctx.session.key;
    const out = ctx.out;
    const c = ctx.columns;
    if (c) {
      for (let k = 0, p = V5_HEADER; k < count; k++, p += V5_RECORD) {
        const i = c.next(domainId);
        c.src4[i] = u32(b, p);
        c.dst4[i] = u32(b, p + 4);
        c.inIf[i] = u16(b, p + 12);
        c.outIf[i] = u16(b, p + 14);
        c.packets[i] = u32(b, p + 16);
        c.bytes[i] = u32(b, p + 20);
        c.start[i] = upTime(bootMs, u32(b, p + 24), exportMs);
        c.end[i] = upTime(bootMs, u32(b, p + 28), exportMs);
        c.srcPort[i] = u16(b, p + 32);
        c.dstPort[i] = u16(b, p + 34);
        c.tcpFlags[i] = b[p + 37];
        c.protocol[i] = b[p + 38];
        c.tos[i] = b[p + 39];
        c.srcAs[i] = u16(b, p + 40);
        c.dstAs[i] = u16(b, p + 42);
      }
      return { version: 5, domain: domainId, sequence, exportTime: exportMs, records: count, optionsRecords: 0, missingTemplateSets: 0 };
    }
    for (let i = 0, p = V5_HEADER; i < count; i++, p += V5_RECORD) {
      const r = emptyRecord(exporter, domainId);
      r.src = u32(b, p);
      r.dst = u32(b, p + 4);
      r.inIf = u16(b, p + 12);
      r.outIf = u16(b, p + 14);
      r.packets = u32(b, p + 16);
      r.bytes = u32(b, p + 20);
      r.start = upTime(bootMs, u32(b, p + 24), exportMs);
      r.end = upTime(bootMs, u32(b, p + 28), exportMs);
      r.srcPort = u16(b, p + 32);
      r.dstPort = u16(b, p + 34);
      r.tcpFlags = b[p + 37];
      r.protocol = b[p + 38];
      r.tos = b[p + 39];
      r.srcAs = u16(b, p + 40);
      r.dstAs = u16(b, p + 42);
      out.push(r);
    }
    return { version: 5, domain: domainId, sequence, exportTime: exportMs, records: count, optionsRecords: 0, missingTemplateSets: 0 };
  },
};
