/**
 * sysUpTime-relative milliseconds are 32-bit and wrap every 49.7 days; a time that lands
 * after the export (plus clock slack) began before the last wrap. softflowd replaying an
 * old pcap produces exactly this: flow times before its own boot. (nfcapd 1.7 does not
 * unwrap and files such flows 49.7 days in the future.)
 */
export function upTime(boot: number, up: number, exportMs: number): number {
  const t = boot + up;
  return t > exportMs + 60_000 ? t - 4294967296 : t;
}
