/**
 * Longest-prefix match at BGP-table scale: build time, memory and lookup latency of core's
 * PrefixTable with ~1M IPv4 prefixes, against the usual straightforward approach (one Map
 * per prefix length, probed from /32 down to /0) run on the same prefixes and addresses.
 *
 *   npm run bench -- bench/core-prefix-table.ts [prefixes=1000000] [lookups=5000000]
 */
import { PrefixTable, ipv4Mask } from '@mamori/core';

const nPrefixes = Number(process.argv[2] ?? 1_000_000);
const nLookups = Number(process.argv[3] ?? 5_000_000);

// A BGP-like length mix: mostly /24, then /22–/23, /16–/21, a few short ones.
let seed = 0x9e3779b9;
const rand = (): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };
function randomBits(): number {
  const r = rand() % 100;
  if (r < 58) return 24;
  if (r < 75) return 23 - (rand() % 2);
  if (r < 95) return 16 + (rand() % 6);
  return 8 + (rand() % 8);
}

const starts = new Uint32Array(nPrefixes);
const bits = new Uint8Array(nPrefixes);
for (let i = 0; i < nPrefixes; i++) {
  bits[i] = randomBits();
  starts[i] = (rand() & ipv4Mask(bits[i])) >>> 0;
}
const probes = new Uint32Array(nLookups);
for (let i = 0; i < nLookups; i++) probes[i] = i % 2 ? rand() : (starts[rand() % nPrefixes] + (rand() & 0xff)) >>> 0;

const heap0 = process.memoryUsage().heapUsed;
let t = performance.now();
const table = new PrefixTable<number>();
for (let i = 0; i < nPrefixes; i++) table.set({ family: 4, start: starts[i], bits: bits[i] }, i);
table.lookupV4(0); // flatten
const buildMs = performance.now() - t;
const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;

t = performance.now();
let hits = 0;
for (let i = 0; i < nLookups; i++) if (table.lookupV4(probes[i]) !== undefined) hits++;
const tableNs = ((performance.now() - t) * 1e6) / nLookups;

// Peer: per-length hash maps probed longest first.
const maps: Map<number, number>[] = Array.from({ length: 33 }, () => new Map());
for (let i = 0; i < nPrefixes; i++) maps[bits[i]].set(starts[i], i);
const lengths = [...maps.keys()].filter((b) => maps[b].size > 0).sort((a, b) => b - a);
t = performance.now();
let peerHits = 0;
for (let i = 0; i < nLookups; i++) {
  const ip = probes[i];
  for (const b of lengths) {
    if (maps[b].get((ip & ipv4Mask(b)) >>> 0) !== undefined) { peerHits++; break; }
  }
}
const peerNs = ((performance.now() - t) * 1e6) / nLookups;

if (hits !== peerHits) throw new Error(`disagreement: ${hits} vs ${peerHits}`);
console.log(JSON.stringify({
  prefixes: table.size, lookups: nLookups, hits,
  buildSeconds: +(buildMs / 1000).toFixed(2), heapMiB: +heapMb.toFixed(0),
  prefixTableNsPerLookup: +tableNs.toFixed(1),
  perLengthMapsNsPerLookup: +peerNs.toFixed(1),
  speedup: +(peerNs / tableNs).toFixed(2),
}, null, 2));
