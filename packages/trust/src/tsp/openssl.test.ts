import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTrust, type TestTrust, runOpenssl } from '../testing.js';
import { parseTimeStampResp, PKIStatus } from './response.js';
import { verifyTimeStampToken } from './verify.js';
import { trustFiles } from '../pki/keys.js';
import { systemClock } from './clock.js';

const openssl = runOpenssl;

let trust: TestTrust;
let work: string;

beforeAll(async () => {
  trust = await createTestTrust();
  work = mkdtempSync(join(tmpdir(), 'mamori-tsp-'));
  writeFileSync(join(work, 'data.txt'), 'the report as submitted\n');
});
afterAll(() => {
  trust.remove();
  rmSync(work, { recursive: true, force: true });
});

describe('mamori TSA answering openssl ts -query', () => {
  for (const [hash, extra] of [['-sha256', ['-cert']], ['-sha384', []], ['-sha512', ['-cert', '-no_nonce']]] as const) {
    it(`grants ${hash} ${extra.join(' ')} and openssl ts -verify accepts the reply`, async () => {
      const q = openssl(['ts', '-query', '-data', 'data.txt', hash, ...extra, '-out', 'q.tsq'], work);
      expect(q.ok, q.out).toBe(true);
      const tsa = trust.authority();
      const reply = await tsa.respond(readFileSync(join(work, 'q.tsq')));
      writeFileSync(join(work, 'r.tsr'), reply);
      expect(parseTimeStampResp(reply).status).toBe(PKIStatus.granted);
      const v = openssl(['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'r.tsr', '-CAfile', trustFiles(trust.dir, 'root').cert, '-untrusted', trustFiles(trust.dir, 'tsa').cert], work);
      expect(v.out).toContain('Verification: OK');
      const text = openssl(['ts', '-reply', '-in', 'r.tsr', '-text'], work).out;
      expect(text).toContain('Status: Granted.');
      expect(text).toMatch(/Accuracy: 0x01 seconds/);
      // tampered data must fail the same openssl check
      writeFileSync(join(work, 'other.txt'), 'the report as altered\n');
      const bad = openssl(['ts', '-verify', '-data', 'other.txt', '-in', 'r.tsr', '-CAfile', trustFiles(trust.dir, 'root').cert, '-untrusted', trustFiles(trust.dir, 'tsa').cert], work);
      expect(bad.out).not.toContain('Verification: OK');
    });
  }

  it('rejects SHA-1 with badAlg, an unknown policy with unacceptedPolicy, garbage with badDataFormat', async () => {
    const tsa = trust.authority();
    openssl(['ts', '-query', '-data', 'data.txt', '-sha1', '-out', 'sha1.tsq'], work);
    openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-tspolicy', '1.2.3.4.5', '-out', 'pol.tsq'], work);
    const cases: [Buffer, string, string][] = [
      [readFileSync(join(work, 'sha1.tsq')), 'badAlg', 'unrecognized or unsupported algorithm identifier'],
      [readFileSync(join(work, 'pol.tsq')), 'unacceptedPolicy', 'the requested TSA policy is not supported by the TSA'],
      [Buffer.from('not DER at all'), 'badDataFormat', 'the data submitted has the wrong format'],
    ];
    for (const [req, fail, opensslText] of cases) {
      const reply = await tsa.respond(req);
      writeFileSync(join(work, 'rej.tsr'), reply);
      const parsed = parseTimeStampResp(reply);
      expect(parsed.status).toBe(PKIStatus.rejection);
      expect(parsed.failInfo).toBe(fail);
      // openssl reads our rejection and names the same failure
      expect(openssl(['ts', '-reply', '-in', 'rej.tsr', '-text'], work).out).toContain(opensslText);
    }
  });

  it('refuses with timeNotAvailable when the clock policy says so', async () => {
    const tsa = trust.authority({ clock: { check: () => 'clock offset 2500 ms exceeds the 1000 ms policy' } });
    openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-out', 'q.tsq'], work);
    const parsed = parseTimeStampResp(await tsa.respond(readFileSync(join(work, 'q.tsq'))));
    expect(parsed.status).toBe(PKIStatus.rejection);
    expect(parsed.failInfo).toBe('timeNotAvailable');
    expect(parsed.statusText).toContain('2500 ms');
    const ok = trust.authority({ clock: systemClock });
    expect(parseTimeStampResp(await ok.respond(readFileSync(join(work, 'q.tsq')))).status).toBe(PKIStatus.granted);
  });
});

describe('mamori verifying tokens from openssl ts -reply', () => {
  for (const essAlg of ['sha256', 'sha1']) {
    it(`accepts an openssl token with ess_cert_id_alg=${essAlg}, rejects it for other data`, () => {
      const files = trustFiles(trust.dir, 'tsa');
      writeFileSync(join(work, 'tsa.cnf'), `
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = ${join(work, 'serial')}
signer_cert = ${files.cert}
signer_key = ${files.key}
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = ${essAlg}
ess_cert_id_chain = no
`);
      writeFileSync(join(work, 'serial'), '1000\n');
      openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq'], work);
      const r = openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-out', 'o.tsr'], work);
      expect(r.ok, r.out).toBe(true);
      const reply = parseTimeStampResp(readFileSync(join(work, 'o.tsr')));
      expect(reply.status).toBe(PKIStatus.granted);
      const good = verifyTimeStampToken(reply.token!, { data: readFileSync(join(work, 'data.txt')), trustAnchors: [trust.root] });
      expect(good.reasons).toEqual([]);
      expect(good.valid).toBe(true);
      expect(good.serialNumber).toBe(0x1001n); // openssl increments the serial file before use
      expect(good.policy).toBe('1.2.3.4.1');
      const bad = verifyTimeStampToken(reply.token!, { data: Buffer.from('something else'), trustAnchors: [trust.root] });
      expect(bad.valid).toBe(false);
      expect(bad.reasons.join()).toContain('message imprint differs');
      const untrusted = verifyTimeStampToken(reply.token!, { data: readFileSync(join(work, 'data.txt')), trustAnchors: [] });
      expect(untrusted.valid).toBe(false);
    });
  }
});
