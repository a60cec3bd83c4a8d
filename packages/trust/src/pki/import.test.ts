import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { installIdentity, readPem, readPkcs12 } from './import.js';
import { loadIdentity, loadTrustAnchors, trustFiles } from './keys.js';
import { createTestTrust, type TestTrust } from '../testing.js';

const openssl = (args: string[], cwd: string) => {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(r.stderr);
};

let work: string;
let trust: TestTrust;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mamori-import-'));
  trust = await createTestTrust();
  // an existing TSA: openssl makes a CA and a TSA certificate with the right EKU
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/O=Imported/CN=Imported CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign'], work);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  trust.remove();
});

describe('importing keys', () => {
  it('PKCS#12 from openssl: key and certificate installed with 0600 key file', async () => {
    openssl(['pkcs12', '-export', '-inkey', 'ca.key', '-in', 'ca.pem', '-out', 'ca.p12', '-passout', 'pass:s3cret'], work);
    const material = await readPkcs12(readFileSync(join(work, 'ca.p12')), 's3cret');
    const dir = join(work, 'trust-p12');
    installIdentity(dir, 'seal', material);
    expect(statSync(trustFiles(dir, 'seal').key).mode & 0o777).toBe(0o600);
    expect(loadIdentity(dir, 'seal').cert.subject).toContain('Imported CA');
    expect(loadTrustAnchors(dir)).toHaveLength(0); // a self-signed seal is not trusted by being imported
    await expect(readPkcs12(readFileSync(join(work, 'ca.p12')), 'wrong')).rejects.toThrow(/integrity/);
  });

  it('a TSA certificate without the timeStamping EKU is refused on import', () => {
    const f = trustFiles(trust.dir, 'seal');
    try {
      installIdentity(join(work, 'trust-bad'), 'tsa', readPem(f.key, f.cert, f.chain));
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_TRUST_IMPORT')).toBe(true);
      expect((e as Error).message).toMatch(/extendedKeyUsage/);
    }
    const ok = trustFiles(trust.dir, 'tsa');
    expect(installIdentity(join(work, 'trust-ok'), 'tsa', readPem(ok.key, ok.cert, ok.chain)).chain).toHaveLength(1);
  });

  it('a key that matches none of the certificates is refused', () => {
    const f = trustFiles(trust.dir, 'seal');
    expect(() => installIdentity(join(work, 'trust-x'), 'seal', readPem(join(work, 'ca.key'), f.cert))).toThrow(/no certificate matches/);
  });
});
