/**
 * Constants of the two capture formats (libpcap's classic format and pcapng,
 * draft-ietf-opsawg-pcapng) and the link-layer types the decoder reads
 * (tcpdump.org/linktypes.html).
 */

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_PB = 0x00000002; // obsolete Packet Block, still written by old tools
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** libpcap refuses records above this (MAXIMUM_SNAPLEN); so do we. */
export const MAX_RECORD_LEN = 262_144;
/** A pcapng block larger than this is hostile or corrupt; no real capture needs more. */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD: 12,
  RAW_OPENBSD: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const SUPPORTED = new Set<number>(Object.values(LINKTYPE));

export function isSupportedLinkType(linkType: number): boolean {
  return SUPPORTED.has(linkType);
}

export type CaptureFormat = 'pcap' | 'pcapng';
