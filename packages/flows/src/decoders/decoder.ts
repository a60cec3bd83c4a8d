/**
 * The one interface behind the three wire formats (in the manner of Kysely's dialect
 * folders: `v5.ts`, `v9.ts`, `ipfix.ts` each export a `FlowDecoder`). A decoder turns one
 * export packet into records and template state; it never classifies and never does I/O.
 */
import type { FlowColumns } from '../columns.js';
import type { FlowRecord } from '../record.js';
import type { ExporterSession } from './session.js';

export interface DecodeContext {
  /** The sender's state: templates per observation domain, sequence numbers, counters. */
  readonly session: ExporterSession;
  /** Arrival time (epoch ms): drives template expiry. */
  readonly now: number;
  /** Decoded records are appended here; records decoded before an error stay. */
  readonly out: FlowRecord[];
  /** When set, data records go here (as columns) instead of `out`. */
  readonly columns?: FlowColumns;
}

/** What a packet's header says, for sequence-gap accounting. */
export interface PacketSummary {
  version: 5 | 9 | 10;
  /** v5 engine (type<<8|id), v9 source id, IPFIX observation domain. */
  domain: number;
  sequence: number;
  /** Export time, epoch ms. */
  exportTime: number;
  /** Data records decoded (options records excluded). */
  records: number;
  /** Options data records decoded. */
  optionsRecords: number;
  /** Data sets skipped because their template is unknown (not yet received or expired). */
  missingTemplateSets: number;
}

export interface FlowDecoder {
  readonly version: 5 | 9 | 10;
  readonly name: string;
  /** How the header's sequence number counts: flows (v5), export packets (v9), data records (IPFIX). */
  readonly sequenceUnit: 'records' | 'packets';
  decode(packet: Uint8Array, ctx: DecodeContext): PacketSummary;
}
