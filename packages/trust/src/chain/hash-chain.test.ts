import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestTrust, type TestTrust } from '../testing.js';
import { chainHash, verifyChain, GENESIS_HASH, type ChainEntry, type Checkpoint } from './hash-chain.js';
import { canonicalJson } from './canonical.js';
import type { TimeStampAuthority } from '../tsp/authority.js';
import { issueCrl } from '../pki/generate.js';
import { loadCrls } from '../pki/crl.js';

let trust: TestTrust;
let tsa: TimeStampAuthority;
beforeAll(async () => {
  trust = await createTestTrust();
  tsa = trust.authority();
});
afterAll(() => trust.remove());

function log(n: number): ChainEntry[] {
  const out: ChainEntry[] = [];
  let prev: string | null = null;
  for (let i = 0; i < n; i++) {
    const entry = { seq: i, actor: `user-${i % 3}`, action: 'report.create', at: 1_700_000_000_000 + i };
    prev = chainHash(prev, entry);
    out.push({ entry, hash: prev });
  }
  return out;
}

const checkpoint = async (entries: ChainEntry[], index: number): Promise<Checkpoint> =>
  ({ index, hash: entries[index].hash, token: await tsa.stampDigest(Buffer.from(entries[index].hash, 'hex')) });

describe('hash chain', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 'x' }] })).toBe('{"a":[1,{"c":"x","d":2}],"b":1}');
    expect(chainHash(null, { a: 1, b: 2 })).toBe(chainHash(GENESIS_HASH, { b: 2, a: 1 }));
  });

  it('an untouched log with time-stamped checkpoints verifies', async () => {
    const entries = log(20);
    const cps = [await checkpoint(entries, 9), await checkpoint(entries, 19)];
    const v = verifyChain(entries, cps, { trustAnchors: [trust.root] });
    expect(v.reasons).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.checkpoints.every((c) => c.genTime instanceof Date)).toBe(true);
  });

  it('any change, removal or swap of an entry is found at that entry (fast-check)', async () => {
    const entries = log(12);
    const cps = [await checkpoint(entries, 11)];
    fc.assert(fc.property(fc.nat(11), fc.constantFrom('edit', 'remove', 'swap'), (i, how) => {
      const copy = entries.map((e) => ({ ...e }));
      if (how === 'edit') copy[i] = { ...copy[i], entry: { ...(copy[i].entry as object), actor: 'mallory' } };
      if (how === 'remove') copy.splice(i, 1);
      if (how === 'swap') {
        const j = i === 11 ? 10 : i + 1;
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      const v = verifyChain(copy, cps, { trustAnchors: [trust.root] });
      expect(v.valid).toBe(false);
      if (how !== 'remove' || i < 11) expect(v.brokenAt).toBe(how === 'swap' ? Math.min(i, i === 11 ? 10 : i + 1) : i);
    }), { numRuns: 60 });
  });

  it('a log rewritten with recomputed hashes still fails at the time-stamped checkpoint', async () => {
    const entries = log(10);
    const cps = [await checkpoint(entries, 9)];
    const rewritten: ChainEntry[] = [];
    let prev: string | null = null;
    for (const [i, e] of entries.entries()) {
      const entry = i === 3 ? { ...(e.entry as object), action: 'report.delete' } : e.entry;
      prev = chainHash(prev, entry);
      rewritten.push({ entry, hash: prev });
    }
    const v = verifyChain(rewritten, cps.map((c) => ({ ...c, hash: rewritten[9].hash })), { trustAnchors: [trust.root] });
    expect(v.valid).toBe(false);
    expect(v.reasons.join()).toMatch(/message imprint differs/);
  });

  // Last: it revokes the TSA.
  it('a TSA revoked after a checkpoint leaves it valid; checkpoints stamped after the revocation fail', async () => {
    const entries = log(6);
    const early = trust.authority({ now: () => new Date(Date.now() - 30_000) });
    const before = { index: 2, hash: entries[2].hash, token: await early.stampDigest(Buffer.from(entries[2].hash, 'hex')) };
    await issueCrl({ dir: trust.dir, revoke: [{ serial: trust.tsa.serial, reason: 'keyCompromise' }] });
    const crls = loadCrls(trust.dir);
    expect(verifyChain(entries, [before], { trustAnchors: [trust.root], crls }).valid).toBe(true);
    const after = await checkpoint(entries, 5);
    const v = verifyChain(entries, [before, after], { trustAnchors: [trust.root], crls });
    expect(v.valid).toBe(false);
    expect(v.checkpoints.map((c) => c.valid)).toEqual([true, false]);
    expect(v.reasons.join('\n')).toMatch(/checkpoint 5: TSA chain: .*Time-Stamp Authority: revoked at .*keyCompromise/);
    expect(verifyChain(entries, [before, after], { trustAnchors: [trust.root] }).valid).toBe(true); // the CRL's doing
  });
});
