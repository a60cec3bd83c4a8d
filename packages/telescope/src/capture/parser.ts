/**
 * An incremental parser for classic pcap and pcapng. The caller owns the bytes: it hands
 * over a window `buf[start, end)` and learns how far the parser got; whatever follows the
 * last complete record is the caller's to keep and present again with more bytes behind it.
 * That split lets one parser serve files read in large chunks, stdin, gzip streams and
 * files that are still growing, and it keeps the per-packet path free of allocation.
 */
import { MamoriError } from '@mamori/core';
import {
  LINKTYPE, MAX_BLOCK_LEN, MAX_RECORD_LEN, PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_PB,
  PCAPNG_SHB, PCAPNG_SPB, PCAP_HEADER_LEN, PCAP_MAGIC_NS, PCAP_MAGIC_US, PCAP_RECORD_HEADER_LEN,
  isSupportedLinkType, type CaptureFormat,
} from './formats.js';
import { newFrame, type CaptureFrame } from './frame.js';

export type FrameHandler = (frame: CaptureFrame) => void;

interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** Multiplier from timestamp units to milliseconds. */
  unitMs: number;
  offsetMs: number;
}

function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}
function u32be(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export class CaptureParser {
  /** Known once the first bytes have been seen. */
  format: CaptureFormat | null = null;
  /** Link type of classic pcap, or of the first pcapng interface. */
  linkType = -1;
  frames = 0;

  private readonly frame = newFrame();
  private le = true;
  // classic pcap
  private unitMs = 0.001;
  private snaplen = 0;
  // pcapng
  private interfaces: PcapngInterface[] = [];
  private lastTsMs = 0;

  constructor(private readonly onFrame: FrameHandler) {}

  private u32(b: Uint8Array, i: number): number {
    return this.le ? u32le(b, i) : u32be(b, i);
  }
  private u16(b: Uint8Array, i: number): number {
    return this.le ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1];
  }

  /**
   * Parses every complete record in `buf[start, end)`, whose first byte sits at
   * `streamOffset` in the capture stream; returns the index just past the last one parsed.
   */
  parse(buf: Uint8Array, start: number, end: number, streamOffset: number): number {
    let pos = start;
    if (this.format === null) {
      if (end - start < 4) return start;
      const be = u32be(buf, start);
      const le = u32le(buf, start);
      if (be === PCAPNG_SHB) this.format = 'pcapng';
      else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
        if (end - start < PCAP_HEADER_LEN) return start;
        pos = this.readPcapHeader(buf, start, streamOffset);
      } else {
        throw new MamoriError('MAMORI_TELESCOPE_FORMAT', { offset: streamOffset, reason: `unknown magic 0x${be.toString(16).padStart(8, '0')}` });
      }
    }
    return this.format === 'pcap'
      ? this.parsePcap(buf, pos, end, streamOffset - start)
      : this.parsePcapng(buf, pos, end, streamOffset - start);
  }

  /** Called when the input ends with `remaining` bytes that never made a full record. */
  finish(remaining: number, streamOffset: number): void {
    if (this.format === null) {
      throw new MamoriError('MAMORI_TELESCOPE_TRUNCATED', { offset: streamOffset, reason: remaining === 0 ? 'empty input' : 'input shorter than a capture header' });
    }
    if (remaining > 0) {
      throw new MamoriError('MAMORI_TELESCOPE_TRUNCATED', { offset: streamOffset, reason: `${remaining} byte(s) of an incomplete record at the end` });
    }
  }

  private readPcapHeader(buf: Uint8Array, start: number, offset: number): number {
    const le = u32le(buf, start);
    this.le = le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS;
    const magic = this.u32(buf, start);
    this.unitMs = magic === PCAP_MAGIC_NS ? 1e-6 : 1e-3;
    const major = this.u16(buf, start + 4);
    if (major !== 2) throw new MamoriError('MAMORI_TELESCOPE_FORMAT', { offset: offset + 4, reason: `pcap version ${major}` });
    this.snaplen = this.u32(buf, start + 16);
    // The upper bits carry FCS length flags (libpcap's LT_FCS_*); the type is the low 16.
    this.linkType = this.u32(buf, start + 20) & 0xffff;
    if (!isSupportedLinkType(this.linkType)) {
      throw new MamoriError('MAMORI_TELESCOPE_LINKTYPE', { offset: offset + 20, linkType: this.linkType });
    }
    this.format = 'pcap';
    return start + PCAP_HEADER_LEN;
  }

  private parsePcap(buf: Uint8Array, pos: number, end: number, base: number): number {
    const frame = this.frame;
    const limit = this.snaplen > MAX_RECORD_LEN ? this.snaplen : MAX_RECORD_LEN;
    const le = this.le;
    const unitMs = this.unitMs;
    frame.data = buf;
    frame.linkType = this.linkType;
    frame.interfaceId = 0;
    while (end - pos >= PCAP_RECORD_HEADER_LEN) {
      const sec = le ? u32le(buf, pos) : u32be(buf, pos);
      const frac = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      const incl = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
      if (incl > limit) {
        throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + 8, reason: `captured length ${incl} exceeds the limit ${limit}` });
      }
      if (end - pos - PCAP_RECORD_HEADER_LEN < incl) break;
      frame.tsMs = sec * 1000 + frac * unitMs;
      frame.caplen = incl;
      frame.origLen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
      frame.offset = pos + PCAP_RECORD_HEADER_LEN;
      frame.recordOffset = base + pos;
      this.frames++;
      this.onFrame(frame);
      pos += PCAP_RECORD_HEADER_LEN + incl;
    }
    return pos;
  }

  private parsePcapng(buf: Uint8Array, pos: number, end: number, base: number): number {
    while (end - pos >= 12) {
      const typeBe = u32be(buf, pos);
      if (typeBe === PCAPNG_SHB) {
        // The byte-order magic decides how to read everything in this section, this length included.
        const bom = u32le(buf, pos + 8);
        if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.le = true;
        else if (u32be(buf, pos + 8) === PCAPNG_BYTE_ORDER_MAGIC) this.le = false;
        else throw new MamoriError('MAMORI_TELESCOPE_FORMAT', { offset: base + pos + 8, reason: 'pcapng section header without byte-order magic' });
      }
      const type = this.u32(buf, pos);
      const len = this.u32(buf, pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_LEN) {
        throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + 4, reason: `pcapng block length ${len}` });
      }
      if (end - pos < len) break;
      if (this.u32(buf, pos + len - 4) !== len) {
        throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + len - 4, reason: 'pcapng trailing block length differs from the leading one' });
      }
      switch (type) {
        case PCAPNG_SHB: this.interfaces = []; break;
        case PCAPNG_IDB: this.readIdb(buf, pos, len, base); break;
        case PCAPNG_EPB: this.readEpb(buf, pos, len, base, false); break;
        case PCAPNG_PB: this.readEpb(buf, pos, len, base, true); break;
        case PCAPNG_SPB: this.readSpb(buf, pos, len, base); break;
        default: break; // name resolution, statistics, custom blocks: nothing to count
      }
      pos += len;
    }
    return pos;
  }

  private readIdb(buf: Uint8Array, pos: number, len: number, base: number): void {
    if (len < 20) throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + 4, reason: 'interface description block shorter than 20 bytes' });
    const linkType = this.u16(buf, pos + 8);
    if (!isSupportedLinkType(linkType)) {
      throw new MamoriError('MAMORI_TELESCOPE_LINKTYPE', { offset: base + pos + 8, linkType });
    }
    const iface: PcapngInterface = { linkType, snaplen: this.u32(buf, pos + 12), unitMs: 1e-3, offsetMs: 0 };
    // Options: code(2) length(2) value padded to 4, ending at opt_endofopt or the block end.
    let o = pos + 16;
    const optEnd = pos + len - 4;
    while (optEnd - o >= 4) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === 0) break;
      if (o + 4 + olen > optEnd) throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + o + 2, reason: `interface option ${code} overruns its block` });
      if (code === 9 && olen >= 1) { // if_tsresol: 10^-n, or 2^-n when the top bit is set
        const v = buf[o + 4];
        const seconds = v & 0x80 ? 2 ** -(v & 0x7f) : 10 ** -v;
        iface.unitMs = seconds * 1000;
      } else if (code === 14 && olen >= 8) { // if_tsoffset: seconds added to every timestamp
        const hi = this.u32(buf, o + 4 + (this.le ? 4 : 0));
        const lo = this.u32(buf, o + 4 + (this.le ? 0 : 4));
        iface.offsetMs = (hi * 4294967296 + lo) * 1000;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    if (this.interfaces.length === 0 && this.linkType < 0) this.linkType = linkType;
    this.interfaces.push(iface);
  }

  private iface(id: number, offset: number): PcapngInterface {
    const iface = this.interfaces[id];
    if (!iface) throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset, reason: `packet names interface ${id}, which no interface block described` });
    return iface;
  }

  private readEpb(buf: Uint8Array, pos: number, len: number, base: number, obsolete: boolean): void {
    if (len < 32) throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + 4, reason: 'packet block shorter than 32 bytes' });
    const id = obsolete ? this.u16(buf, pos + 8) : this.u32(buf, pos + 8);
    const iface = this.iface(id, base + pos + 8);
    const caplen = this.u32(buf, pos + 20);
    if (caplen > len - 32) {
      throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + 20, reason: `captured length ${caplen} overruns its ${len}-byte block` });
    }
    const frame = this.frame;
    const units = this.u32(buf, pos + 12) * 4294967296 + this.u32(buf, pos + 16);
    frame.tsMs = this.lastTsMs = units * iface.unitMs + iface.offsetMs;
    frame.data = buf;
    frame.linkType = iface.linkType;
    frame.interfaceId = id;
    frame.caplen = caplen;
    frame.origLen = this.u32(buf, pos + 24);
    frame.offset = pos + 28;
    frame.recordOffset = base + pos;
    this.frames++;
    this.onFrame(frame);
  }

  private readSpb(buf: Uint8Array, pos: number, len: number, base: number): void {
    if (len < 16) throw new MamoriError('MAMORI_TELESCOPE_RECORD', { offset: base + pos + 4, reason: 'simple packet block shorter than 16 bytes' });
    const iface = this.iface(0, base + pos);
    const origLen = this.u32(buf, pos + 8);
    // The SPB has no captured length: it is the smaller of the wire length, the snap length and the room in the block.
    let caplen = Math.min(origLen, len - 16);
    if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    const frame = this.frame;
    frame.tsMs = this.lastTsMs; // an SPB carries no time; the previous packet's is the best estimate
    frame.data = buf;
    frame.linkType = iface.linkType;
    frame.interfaceId = 0;
    frame.caplen = caplen;
    frame.origLen = origLen;
    frame.offset = pos + 12;
    frame.recordOffset = base + pos;
    this.frames++;
    this.onFrame(frame);
  }
}

export { LINKTYPE };
