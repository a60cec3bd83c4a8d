import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeStampRequest, timeStampStatus } from './rfc3161.js';

const hasOpenssl = (() => { try { execFileSync('openssl', ['version']); return true; } catch { return false; } })();

describe('RFC 3161 request built in the browser', () => {
  it.skipIf(!hasOpenssl)('is what openssl ts -query reads back: SHA-256 imprint, nonce, certReq', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-tsq-'));
    try {
      const digest = createHash('sha256').update('mamori').digest();
      const nonce = Buffer.from('00f1e2d3c4b5a697', 'hex');
      writeFileSync(join(dir, 'q.tsq'), timeStampRequest(digest, nonce));
      const text = execFileSync('openssl', ['ts', '-query', '-in', join(dir, 'q.tsq'), '-text'], { encoding: 'utf8' });
      expect(text).toMatch(/Hash Algorithm: sha256/);
      expect(text).toMatch(/Nonce: 0xF1E2D3C4B5A697/i);
      expect(text).toMatch(/Certificate required: yes/);
      // Byte for byte what openssl itself sends for the same digest (without a nonce).
      const own = execFileSync('openssl', ['ts', '-query', '-digest', digest.toString('hex'), '-sha256', '-cert', '-no_nonce']);
      expect(Buffer.from(timeStampRequest(digest, null)).equals(own)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a digest that is not SHA-256 sized', () => {
    expect(() => timeStampRequest(new Uint8Array(20), randomBytes(8))).toThrow();
  });

  it('reads the PKIStatus of a reply and never throws on garbage', () => {
    // SEQUENCE { SEQUENCE { INTEGER 2 } } = rejection
    expect(timeStampStatus(Uint8Array.from([0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02]))).toBe(2);
    expect(timeStampStatus(Uint8Array.from([0x30, 0x81, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00]))).toBe(0);
    expect(timeStampStatus(new Uint8Array(0))).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const s = timeStampStatus(bytes);
      expect(s === null || (Number.isInteger(s) && s >= 0)).toBe(true);
    }));
  });
});
