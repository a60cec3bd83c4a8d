import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/telescope. Add new codes here, prefixed MAMORI_TELESCOPE_. */
export const telescopeErrors = {
  MAMORI_TELESCOPE_INPUT: { message: '{reason}', status: 400 },
  /** The first bytes are no pcap/pcapng magic we know (or a gzip member that does not inflate). */
  MAMORI_TELESCOPE_FORMAT: { message: 'not a pcap or pcapng capture: {reason}', status: 400 },
  /** A record or block header claims a length the format forbids. */
  MAMORI_TELESCOPE_RECORD: { message: 'malformed capture record: {reason}', status: 400 },
  /** The capture ends in the middle of a header or record. */
  MAMORI_TELESCOPE_TRUNCATED: { message: 'capture truncated: {reason}', status: 400 },
  /** A link-layer type the decoder does not read. */
  MAMORI_TELESCOPE_LINKTYPE: { message: 'unsupported link type {linkType}', status: 400 },
  /** A packet whose headers are inconsistent (decodeOrThrow; ingest counts these instead). */
  MAMORI_TELESCOPE_PACKET: { message: 'malformed packet: {reason}', status: 400 },
  /** The caller lacks the role the darknet views need (they name infected hosts). */
  MAMORI_TELESCOPE_FORBIDDEN: { message: '{reason}', status: 403 },
  /** The configured IP-to-country table has a line it cannot read. */
  MAMORI_TELESCOPE_COUNTRY_TABLE: { message: 'country table line {line}: {reason}', status: 500 },
} as const satisfies Record<string, ErrorSpec>;
