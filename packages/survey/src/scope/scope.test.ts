import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { isMamoriError } from '@mamori/core';
import { SurveyScope, parseScopeText } from './scope.js';
import { SurveyConnector } from './connector.js';
import { TokenBucket } from './token-bucket.js';

describe('SurveyScope', () => {
  it('requires a scope and lets the exclusion list win', () => {
    expect(() => new SurveyScope([])).toThrow(/authorised scope/);
    const s = SurveyScope.fromText('10.0.0.0/8\n192.0.2.0/24 # lab\n', '10.1.0.0/16\n192.0.2.7\n');
    expect(s.check('10.2.3.4')).toEqual({ allowed: true });
    expect(s.check('10.1.2.3')).toEqual({ allowed: false, reason: 'excluded' });
    expect(s.check('192.0.2.7')).toEqual({ allowed: false, reason: 'excluded' });
    expect(s.check('198.51.100.1')).toEqual({ allowed: false, reason: 'outside-scope' });
    expect(s.check('not-an-ip')).toEqual({ allowed: false, reason: 'not-an-address' });
  });

  it('names the line of a bad scope entry and refuses host bits', () => {
    expect(() => parseScopeText('10.0.0.0/8\n10.0.0.1/8\n')).toThrow(/line 2/);
    try {
      parseScopeText('# c\n\nbogus');
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_SURVEY_SCOPE_FILE')).toBe(true);
      expect((e as { details: { line: number } }).details.line).toBe(3);
    }
  });

  it('enumerates each allowed address once, merged over overlapping lines', () => {
    const s = SurveyScope.fromText('192.0.2.0/30\n192.0.2.0/29\n', '192.0.2.3\n');
    expect([...s.addresses()]).toEqual(['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.4', '192.0.2.5', '192.0.2.6', '192.0.2.7']);
    expect(s.count()).toBe(7);
  });

  it('property: every enumerated address is allowed, and exactly the allowed ones are enumerated', () => {
    const prefix = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 26, max: 32 })).map(([host, bits]) => {
      const start = ((0xc0000200 + host) & (bits === 0 ? 0 : (~0 << (32 - bits)))) >>> 0;
      return `${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}/${bits}`;
    });
    fc.assert(fc.property(fc.array(prefix, { minLength: 1, maxLength: 5 }), fc.array(prefix, { maxLength: 5 }), (inc, exc) => {
      const s = SurveyScope.fromText(inc.join('\n'), exc.join('\n'));
      const listed = [...s.addresses()];
      expect(new Set(listed).size).toBe(listed.length);
      expect(listed.length).toBe(s.count());
      for (const a of listed) expect(s.allows(a)).toBe(true);
      let allowed = 0;
      for (let h = 0; h < 256; h++) if (s.allows(`192.0.2.${h}`)) allowed++;
      expect(allowed).toBe(listed.length);
    }), { numRuns: 100 });
  });

  it('splits into aligned blocks that hold an allowed address (the work items of a distributed run)', () => {
    const s = SurveyScope.fromText('10.0.0.0/23\n10.0.4.7/32\n', '10.0.1.128/26\n10.0.1.0/25');
    expect(s.blocks(24)).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.4.0/24']);
    expect(s.blocks(26)).toEqual(['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26', '10.0.1.192/26', '10.0.4.0/26']);
    expect(() => s.blocks(33)).toThrow(/block size/);
  });

  it('property: the blocks cover exactly the enumerated addresses', () => {
    const prefix = fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 23, max: 32 })).map(([host, bits]) => {
      const start = ((0xc0000000 + host) & (~0 << (32 - bits))) >>> 0;
      return `${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}/${bits}`;
    });
    fc.assert(fc.property(fc.array(prefix, { minLength: 1, maxLength: 4 }), fc.array(prefix, { maxLength: 4 }), fc.integer({ min: 22, max: 30 }), (inc, exc, bits) => {
      const s = SurveyScope.fromText(inc.join('\n'), exc.join('\n'));
      const blocks = s.blocks(bits);
      expect(new Set(blocks).size).toBe(blocks.length);
      const perBlock = blocks.map((b) => [...new SurveyScope(parseScopeText(b), s.excludePrefixes).addresses()].filter((a) => s.allows(a)));
      for (const list of perBlock) expect(list.length).toBeGreaterThan(0);
      expect(perBlock.flat().sort()).toEqual([...s.addresses()].sort());
    }), { numRuns: 50 });
  });
});

describe('TokenBucket', () => {
  it('hands out the burst at once, then one token per 1/rate seconds', () => {
    let now = 0;
    const b = new TokenBucket(10, 2, () => now);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBeCloseTo(100);
    expect(b.reserve()).toBeCloseTo(200);
    now = 1000;
    expect(b.reserve()).toBe(0); // refilled (capped at the burst)
  });
});

describe('SurveyConnector', () => {
  it('refuses out-of-scope and excluded addresses before any socket exists', async () => {
    const dialed: string[] = [];
    const scope = SurveyScope.fromText('127.43.0.0/24', '127.43.0.9');
    const c = new SurveyConnector(scope, { connectTimeoutMs: 500 }, undefined, (o) => { dialed.push(o.host); return net.connect(o); });
    await expect(c.connect('127.43.1.1', 9)).rejects.toMatchObject({ code: 'MAMORI_SURVEY_OUT_OF_SCOPE' });
    await expect(c.connect('127.43.0.9', 9)).rejects.toMatchObject({ code: 'MAMORI_SURVEY_OUT_OF_SCOPE' });
    await expect(c.connect('127.43.0.10', 9)).rejects.toMatchObject({ code: 'MAMORI_SURVEY_CONNECT' });
    expect(dialed).toEqual(['127.43.0.10']);
    expect(c.stats.refused).toBe(2);
  });

  it('holds connections to one host to the per-host limit and enforces the attempt budget', async () => {
    const server = net.createServer((s) => setTimeout(() => s.destroy(), 50));
    await new Promise<void>((r) => server.listen(0, '127.43.0.5', r));
    const port = (server.address() as net.AddressInfo).port;
    let open = 0;
    let peak = 0;
    server.on('connection', (s) => { open++; peak = Math.max(peak, open); s.on('close', () => open--); });
    const c = new SurveyConnector(SurveyScope.fromText('127.43.0.0/24'), { perHostConnections: 2, maxAttemptsPerHost: 3 });
    await Promise.all(Array.from({ length: 8 }, async () => {
      const s = await c.connect('127.43.0.5', port);
      await new Promise((r) => s.once('close', r));
    }));
    expect(peak).toBeLessThanOrEqual(2);
    expect(c.stats.connected).toBe(8);
    expect([1, 2, 3, 4].map(() => c.spendAttempt('127.43.0.5'))).toEqual([true, true, true, false]);
    await new Promise((r) => server.close(r));
  });
});
