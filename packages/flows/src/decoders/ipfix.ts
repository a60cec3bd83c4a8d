/**
 * IPFIX (RFC 7011): a 16-byte message header, then Sets: 2 = templates, 3 = options
 * templates, ≥256 = data. Field specifiers with the enterprise bit carry a 4-byte
 * enterprise number; such fields are kept in the template (their length matters) and
 * skipped when decoding. Template records with a field count of 0 withdraw templates
 * (§8.1). The sequence number counts data records per observation domain.
 */
import { MamoriError } from '@mamori/core';
import { need, u16, u32 } from './bytes.js';
import { decodeDataSetInto } from './data-set.js';
import type { DecodeContext, FlowDecoder, PacketSummary } from './decoder.js';
import type { DomainState, ExporterSession } from './session.js';
import { compileTemplate, type TemplateField } from './template.js';

const HEADER = 16;

export const ipfixDecoder: FlowDecoder = {
  version: 10,
  name: 'ipfix',
  sequenceUnit: 'records',
  decode(b: Uint8Array, ctx: DecodeContext): PacketSummary {
    need(b.length, 0, HEADER, 'IPFIX message header');
    const length = u16(b, 2);
    if (length < HEADER) throw new MamoriError('MAMORI_FLOWS_HEADER', { offset: 2, field: 'length', reason: `message length ${length} is below 16` });
    need(b.length, 0, length, 'IPFIX message');
    const exportMs = u32(b, 4) * 1000;
    const sequence = u32(b, 8);
    const domainId = u32(b, 12);
    const session = ctx.session;
    const domain = session.domain(domainId);
    const anchor = { exportMs, bootMs: null };
    const summary: PacketSummary = { version: 10, domain: domainId, sequence, exportTime: exportMs, records: 0, optionsRecords: 0, missingTemplateSets: 0 };
    let p = HEADER;
    // The message length, not the datagram length, bounds the sets (§3.1).
    while (p < length) {
      need(length, p, 4, 'set header');
      const setId = u16(b, p);
      const setLen = u16(b, p + 2);
      if (setLen < 4) throw new MamoriError('MAMORI_FLOWS_SET', { offset: p + 2, field: 'length', reason: `set length ${setLen} is below 4` });
      need(length, p, setLen, `set ${setId}`);
      const end = p + setLen;
      if (setId === 2 || setId === 3) readTemplates(b, p + 4, end, setId === 3, session, domain, ctx.now);
      else if (setId >= 256) decodeDataSetInto(summary, b, p + 4, end, setId, domain, anchor, domainId, ctx);
      else {
        throw new MamoriError('MAMORI_FLOWS_SET', { offset: p, field: 'set_id', reason: `reserved set id ${setId}` });
      }
      p = end;
    }
    return summary;
  },
};

function readTemplates(b: Uint8Array, p: number, end: number, options: boolean, session: ExporterSession, domain: DomainState, now: number): void {
  const headerLen = options ? 6 : 4;
  // Anything shorter than a template record header is padding (§3.3.1).
  while (end - p >= headerLen) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (count === 0) {
      // Withdrawal (§8.1): the set id itself withdraws every template of that kind.
      if (id === 2 || id === 3) {
        for (const [tid, t] of domain.templates) if (t.options === (id === 3)) session.withdraw(domain, tid);
      } else session.withdraw(domain, id);
      p += 4;
      continue;
    }
    if (count > session.limits.maxTemplateFields) {
      throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: p + 2, field: 'field_count', reason: `template ${id} has ${count} fields (limit ${session.limits.maxTemplateFields})` });
    }
    const scopeCount = options ? u16(b, p + 4) : 0;
    if (options && (scopeCount === 0 || scopeCount > count)) {
      throw new MamoriError('MAMORI_FLOWS_TEMPLATE', { offset: p + 4, field: 'scope_field_count', reason: `options template ${id} has scope count ${scopeCount} of ${count} fields` });
    }
    const start = p;
    p += headerLen;
    const fields: TemplateField[] = new Array(count);
    for (let i = 0; i < count; i++) {
      need(end, p, 4, `template ${id} field ${i}`);
      const raw = u16(b, p);
      const length = u16(b, p + 2);
      p += 4;
      let enterprise = 0;
      if (raw & 0x8000) {
        need(end, p, 4, `template ${id} field ${i} enterprise number`);
        enterprise = u32(b, p);
        p += 4;
      }
      fields[i] = { id: raw & 0x7fff, length, enterprise };
    }
    session.learn(domain, compileTemplate(id, fields, { options, scopeCount, now, offset: start }), start);
  }
}
