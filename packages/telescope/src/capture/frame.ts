/**
 * One captured frame as the reader hands it over. The reader reuses a single instance and
 * its buffer for every frame (no allocation per packet): `data` is valid only during the
 * callback; copy what must outlive it.
 */
export interface CaptureFrame {
  /** Capture time in epoch milliseconds (fractional: µs and ns survive as fractions). */
  tsMs: number;
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** The reader's buffer; the frame is data[offset, offset + caplen). */
  data: Uint8Array;
  offset: number;
  caplen: number;
  /** Length on the wire (may exceed caplen when the snap length cut the packet). */
  origLen: number;
  /** Byte offset of this record's header in the (decompressed) capture stream. */
  recordOffset: number;
}

export function newFrame(): CaptureFrame {
  return { tsMs: 0, linkType: 0, interfaceId: 0, data: new Uint8Array(0), offset: 0, caplen: 0, origLen: 0, recordOffset: 0 };
}
