/**
 * Dispatch by the version field every format starts with, then sequence accounting and
 * counters. `decodePacket` never throws: a malformed packet is counted against its exporter
 * (with the error's code and offset) and whatever records decoded before the fault are kept.
 */
import { MamoriError } from '@mamori/core';
import type { FlowColumns } from '../columns.js';
import type { FlowRecord } from '../record.js';
import { u16 } from './bytes.js';
import type { FlowDecoder, PacketSummary } from './decoder.js';
import { ipfixDecoder } from './ipfix.js';
import type { ExporterSession } from './session.js';
import { v5Decoder } from './v5.js';
import { v9Decoder } from './v9.js';

export const decoders: Readonly<Record<5 | 9 | 10, FlowDecoder>> = { 5: v5Decoder, 9: v9Decoder, 10: ipfixDecoder };

export function decoderFor(packet: Uint8Array): FlowDecoder {
  if (packet.length < 2) throw new MamoriError('MAMORI_FLOWS_TRUNCATED', { offset: 0, what: 'version field', need: 2, have: packet.length });
  const version = u16(packet, 0);
  const d = decoders[version as 5 | 9 | 10];
  if (!d) throw new MamoriError('MAMORI_FLOWS_VERSION', { offset: 0, field: 'version', version });
  return d;
}

/** Decodes one datagram into `out`; returns the header summary, or null when the packet was rejected (and counted). */
export function decodePacket(packet: Uint8Array, session: ExporterSession, out: FlowRecord[], now = Date.now()): PacketSummary | null {
  return decodeInto(packet, session, out, undefined, now);
}

/** The same into columns (no object per record): the path for counting and rollups at line rate. */
export function decodePacketColumns(packet: Uint8Array, session: ExporterSession, columns: FlowColumns, now = Date.now()): PacketSummary | null {
  if (!columns.exporter) columns.exporter = session.key;
  return decodeInto(packet, session, [], columns, now);
}

function decodeInto(packet: Uint8Array, session: ExporterSession, out: FlowRecord[], columns: FlowColumns | undefined, now: number): PacketSummary | null {
  const c = session.counters;
  c.packets++;
  c.bytes += packet.length;
  c.lastSeen = now;
  const before = columns ? columns.length : out.length;
  try {
    const d = decoderFor(packet);
    const s = d.decode(packet, { session, now, out, columns });
    session.account(session.domain(s.domain), s.sequence, d.sequenceUnit === 'packets' ? 1 : s.records, d.sequenceUnit);
    c.records += s.records;
    c.optionsRecords += s.optionsRecords;
    c.missingTemplateSets += s.missingTemplateSets;
    return s;
  } catch (e) {
    c.records += (columns ? columns.length : out.length) - before;
    session.countError(e);
    return null;
  }
}

export { v5Decoder, v9Decoder, ipfixDecoder };
export type { FlowDecoder, PacketSummary, DecodeContext } from './decoder.js';
export { ExporterSession, DEFAULT_LIMITS, type SessionLimits, type ExporterCounters, type DomainState } from './session.js';
