/** What a darknet packet is (one class per packet) and which scanner fingerprints it bears (bits). */
export const PacketClass = {
  SYN_SCAN: 0,
  TCP_OTHER: 1,
  UDP_PROBE: 2,
  ICMP_PROBE: 3,
  BACKSCATTER: 4,
  /** IP that is none of the above: later fragments, GRE, ESP, malformed transport headers. */
  OTHER: 5,
} as const;
export type PacketClassCode = (typeof PacketClass)[keyof typeof PacketClass];
export const PACKET_CLASS_NAMES = ['syn-scan', 'tcp-other', 'udp-probe', 'icmp-probe', 'backscatter', 'other'] as const;
export type PacketClassName = (typeof PACKET_CLASS_NAMES)[number];

export const Fingerprint = {
  MIRAI: 1,
  ZMAP: 2,
  MASSCAN: 4,
  RESEARCH: 8,
} as const;

export function fingerprintNames(bits: number): string[] {
  const names: string[] = [];
  if (bits & Fingerprint.MIRAI) names.push('mirai');
  if (bits & Fingerprint.ZMAP) names.push('zmap');
  if (bits & Fingerprint.MASSCAN) names.push('masscan');
  if (bits & Fingerprint.RESEARCH) names.push('research');
  return names;
}

/**
 * UDP services abused for reflection/amplification (US-CERT TA14-017A and later additions):
 * a probe to one of them is someone looking for reflectors.
 */
export const AMPLIFICATION_PORTS: ReadonlyMap<number, string> = new Map([
  [7, 'echo'], [17, 'qotd'], [19, 'chargen'], [53, 'dns'], [69, 'tftp'], [111, 'portmap'], [123, 'ntp'],
  [137, 'netbios'], [161, 'snmp'], [389, 'cldap'], [1900, 'ssdp'], [3283, 'ard'], [3702, 'ws-discovery'],
  [5353, 'mdns'], [5683, 'coap'], [10001, 'ubiquiti'], [11211, 'memcached'], [27015, 'steam'], [37810, 'dvr'],
]);
