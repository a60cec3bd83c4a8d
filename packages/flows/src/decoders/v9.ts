/**
 * NetFlow v9 (RFC 3954): a 20-byte header, then FlowSets: 0 = templates, 1 = options
 * templates, ≥256 = data against a template of this source id. The header's sequence
 * number counts export packets, so gaps are lost packets, not lost records.
 */
import { MamoriError } from '@mamori/core';
import { need, u16, u32 } from './bytes.js';
import { decodeDataSetInto } from './data-set.js';
import type { DecodeContext, FlowDecoder, PacketSummary } from './decoder.js';
import type { DomainState, ExporterSession } from './session.js';
import { compileTemplate, type TemplateField } from './template.js';

const HEADER = 20;

export const v9Decoder: FlowDecoder = {
  version: 9,
  name: 'netflow-v9',
  sequenceUnit: 'packets',
  decode(b: Uint8Array, ctx: DecodeContext): PacketSummary {
    need(b.length, 0, HEADER, 'NetFlow v9 header');
    const sysUptime = u32(b, 4);
    const exportMs = u32(b, 8) * 1000;
    const sequence = u32(b, 12);
    const domainId = u32(b, 16);
    const session = ctx.session;
    const domain = session.domain(domainId);
    const anchor = { exportMs, bootMs: exportMs - sysUptime };
    const summary: PacketSummary = { version: 9, domain: domainId, sequence, exportTime: exportMs, records: 0, optionsRecords: 0, missingTemplateSets: 0 };
    let p = HEADER;
    while (p < b.length) {
      // Fewer than 4 bytes cannot be a FlowSet header: trailing padding.
      if (b.length - p < 4) break;
      const setId = u16(b, p);
      const setLen = u16(b, p + 2);
      if (setLen < 4) throw new MamoriError('MAMORI_FLOWS_SET', { offset: p + 2, field: 'length', reason: `FlowSet length ${setLen} is below 4` });
      need(b.length, p, setLen, `FlowSet ${setId}`);
      const end = p + setLen;
      if (setId === 0) readTemplates(b, p + 4, end, session, domain, ctx.now);
      else if (setId === 1) readOptionsTemplates(b, p + 4, end, session, domain, ctx.now);
      else if (setId >= 256) decodeDataSetInto(summary, b, p + 4, end, setId, domain, anchor, domainId, ctx);
      else {
        throw new MamoriError('MAMORI_FLOWS_SET', { offset: p, field: 'flowset_id', reason: `reserved FlowSet id ${setId}` });
      }
      p = end;
    }
    return summary;
  },
};

function readFields(b: Uint8Array, p: number, end: number, count: number, what: string): TemplateField[] {
  need(end, p, count * 4, what);
  const fields: TemplateField[] = new Array(count);
  for (let i = 0; i < count; i++, p += 4) {
    const length = u16(b, p + 2);
    // v9 has no variable-length encoding: 65535 would be read as a 64 KiB field.
    fields[i] = { id: u16(b, p), length, enterprise: 0 };
  }
  return fields;
}

function readTemplates(b: Uint8Array, p: number, end: number, session: ExporterSession, domain: DomainState, now: number): void {
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (count === 0) throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: p + 2, field: 'field_count', reason: `template ${id} has no fields` });
    if (count > session.limits.maxTemplateFields) {
      throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: p + 2, field: 'field_count', reason: `template ${id} has ${count} fields (limit ${session.limits.maxTemplateFields})` });
    }
    const fields = readFields(b, p + 4, end, count, `template ${id} fields`);
    session.learn(domain, compileTemplate(id, fields, { options: false, scopeCount: 0, now, offset: p }), p);
    p += 4 + count * 4;
  }
}

function readOptionsTemplates(b: Uint8Array, p: number, end: number, session: ExporterSession, domain: DomainState, now: number): void {
  while (end - p >= 6) {
    const id = u16(b, p);
    const scopeLen = u16(b, p + 2);
    const optionLen = u16(b, p + 4);
    if (scopeLen % 4 !== 0 || optionLen % 4 !== 0) {
      throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: p + 2, reason: `options template ${id} scope/option lengths ${scopeLen}/${optionLen} are not multiples of 4` });
    }
    const count = (scopeLen + optionLen) / 4;
    if (count === 0 || count > session.limits.maxTemplateFields) {
      throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: p + 2, reason: `options template ${id} has ${count} fields` });
    }
    const fields = readFields(b, p + 6, end, count, `options template ${id} fields`);
    session.learn(domain, compileTemplate(id, fields, { options: true, scopeCount: scopeLen / 4, now, offset: p }), p);
    p += 6 + count * 4;
  }
}
