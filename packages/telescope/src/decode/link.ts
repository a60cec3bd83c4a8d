/**
 * Link layers: find where the IP packet starts in a frame. Returns the IP header's offset
 * in `b`, or -1 when the frame carries no IP (ARP, LLDP, ...), or -2 when it is too short
 * for its own link header.
 */
import { LINKTYPE } from '../capture/formats.js';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
/** More stacked tags than this is not a real network. */
const MAX_VLAN_TAGS = 4;

export const NOT_IP = -1;
export const LINK_TRUNCATED = -2;

function ipByEtherType(type: number, at: number): number {
  return type === ETH_IPV4 || type === ETH_IPV6 ? at : NOT_IP;
}

export function ipOffset(b: Uint8Array, off: number, len: number, linkType: number): number {
  const end = off + len;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (len < 14) return LINK_TRUNCATED;
      let at = off + 12;
      let type = (b[at] << 8) | b[at + 1];
      let tags = 0;
      while (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) {
        if (++tags > MAX_VLAN_TAGS) return NOT_IP;
        at += 4;
        if (at + 2 > end) return LINK_TRUNCATED;
        type = (b[at] << 8) | b[at + 1];
      }
      return ipByEtherType(type, at + 2);
    }
    case LINKTYPE.LINUX_SLL:
      if (len < 16) return LINK_TRUNCATED;
      return ipByEtherType((b[off + 14] << 8) | b[off + 15], off + 16);
    case LINKTYPE.LINUX_SLL2:
      if (len < 20) return LINK_TRUNCATED;
      return ipByEtherType((b[off] << 8) | b[off + 1], off + 20);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_BSD:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return off;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (len < 4) return LINK_TRUNCATED;
      // NULL stores the address family in the writer's byte order, LOOP in network order;
      // the family is small, so whichever end holds the non-zero byte tells the order.
      const family = b[off] !== 0 || b[off + 1] !== 0 ? b[off] | (b[off + 1] << 8) : (b[off + 2] << 8) | b[off + 3];
      // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
      return family === 2 || family === 10 || family === 24 || family === 28 || family === 30 ? off + 4 : NOT_IP;
    }
    default:
      return NOT_IP;
  }
}
