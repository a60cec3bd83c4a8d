import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyRecord, formatAddress } from '../record.js';
import { AddressCounter } from './rollup.js';

describe('AddressCounter (ip/flows statistics)', () => {
  it('matches a plain Map count, through table growth and with IPv6', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(200_000), fc.nat(200_000), fc.boolean(), fc.nat(100)), { maxLength: 3000 }), (rows) => {
      const records = rows.map(([a, b, v6, n]) => {
        const r = emptyRecord('x', 0);
        if (v6) { r.src = BigInt(a) << 64n; r.dst = BigInt(b); r.ipVersion = 6; } else { r.src = (0xc0000000 + a) >>> 0; r.dst = b; }
        r.packets = n; r.bytes = n * 100;
        return r;
      });
      const naive = new Map<string, { flows: number; packets: number; bytes: number }>();
      for (const r of records) {
        for (const a of r.src === r.dst ? [r.src] : [r.src, r.dst]) {
          const k = formatAddress(a);
          const s = naive.get(k) ?? { flows: 0, packets: 0, bytes: 0 };
          s.flows++; s.packets += r.packets; s.bytes += r.bytes;
          naive.set(k, s);
        }
      }
      const c = new AddressCounter(3); // tiny table: exercises growth
      c.add(records.slice(0, records.length >> 1));
      c.add(records.slice(records.length >> 1));
      expect(c.size).toBe(naive.size);
      const all = c.top(1e9);
      expect(all).toHaveLength(naive.size);
      for (const s of all) expect(naive.get(s.address)).toEqual({ flows: s.flows, packets: s.packets, bytes: s.bytes });
      for (let i = 1; i < all.length; i++) expect(all[i - 1].flows).toBeGreaterThanOrEqual(all[i].flows);
    }), { numRuns: 60 });
  });
});
