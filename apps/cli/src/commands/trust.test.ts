/**
 * `mamori trust` as a user runs it (in-process: a process start costs seconds on a busy
 * machine): init, stamp, verify-stamp, seal, verify, with exit 1 for invalid verdicts and
 * OpenSSL accepting what the CLI wrote.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { OcspResponder } from '@mamori/trust';
import { run } from '../program.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-trust-cli-'));
  writeFileSync(join(dir, 'report.txt'), 'incident report\n');
  writeFileSync(join(dir, 'advisory.json'), '{"id":"advisory-1","tlp":"green"}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mamori = async (...args: string[]): Promise<{ code: number; out: any }> => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await run(['node', 'mamori', '--data', join(dir, 'data'), '--quiet', '--json', 'trust', ...args]);
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
  return { code, out: out.length ? JSON.parse(out.join('')) : undefined };
};

const f = (name: string): string => join(dir, name);
const trustDir = (): string => join(dir, 'data', 'trust');

describe('mamori trust', () => {
  it('init writes 0600 keys; a second init without --force fails', async () => {
    const r = await mamori('init', '--org', 'Example CSIRT');
    expect(r.code).toBe(0);
    expect(r.out.seal).toContain('O=Example CSIRT');
    expect(r.out.revocation).toBeUndefined();
    const other = await mamori('init', '--org', 'URL CSIRT', '--url', 'https://mamori.example.jp/', '--force');
    expect(other.out.revocation).toEqual({ crl: 'https://mamori.example.jp/crl', ocsp: 'https://mamori.example.jp/ocsp' });
    expect((await mamori('init', '--org', 'Bad', '--url', 'ftp://x', '--force')).code).toBe(2);
    expect((await mamori('init', '--org', 'Example CSIRT', '--force')).code).toBe(0);
    for (const role of ['root', 'tsa', 'seal']) expect(statSync(join(trustDir(), `${role}.key.pem`)).mode & 0o777).toBe(0o600);
    expect((await mamori('init', '--org', 'Again')).code).toBe(1);
  });

  it('stamp and verify-stamp; openssl ts -verify accepts the token; changed data exits 1', async () => {
    const s = await mamori('stamp', f('report.txt'));
    expect(s.code).toBe(0);
    const v = await mamori('verify-stamp', f('report.txt'), f('report.txt.tst'));
    expect(v).toMatchObject({ code: 0, out: { valid: true } });
    const o = spawnSync('openssl', ['ts', '-verify', '-data', f('report.txt'), '-in', f('report.txt.tst'), '-token_in',
      '-CAfile', join(trustDir(), 'root.cert.pem'), '-untrusted', join(trustDir(), 'tsa.cert.pem')], { encoding: 'utf8' });
    expect(`${o.stdout}${o.stderr}`).toContain('Verification: OK');
    writeFileSync(f('copy.txt'), 'incident report, edited\n');
    expect((await mamori('verify-stamp', f('copy.txt'), f('report.txt.tst'))).code).toBe(1);
  });

  it('seal and verify (CAdES and JAdES level T); a changed file exits 1', async () => {
    expect((await mamori('seal', f('report.txt'))).code).toBe(0);
    const ok = await mamori('verify', f('report.txt'), f('report.txt.p7s'));
    expect(ok).toMatchObject({ code: 0, out: { valid: true, organisation: 'Example CSIRT', contentUnchanged: true, chainTrusted: true } });
    const o = spawnSync('openssl', ['cms', '-verify', '-binary', '-content', f('report.txt'), '-in', f('report.txt.p7s'), '-inform', 'DER', '-CAfile', join(trustDir(), 'root.cert.pem'), '-out', '/dev/null'], { encoding: 'utf8' });
    expect(o.stderr).toContain('Verification successful');

    expect((await mamori('seal', f('advisory.json'), '--jws', '--level', 'T')).code).toBe(0);
    const j = await mamori('verify', f('advisory.json'), f('advisory.json.jws'));
    expect(j).toMatchObject({ code: 0, out: { valid: true, format: 'JAdES', level: 'T' } });

    appendFileSync(f('report.txt'), 'tampered\n');
    const bad = await mamori('verify', f('report.txt'), f('report.txt.p7s'));
    expect(bad).toMatchObject({ code: 1, out: { valid: false, contentUnchanged: false } });
    expect((await mamori('seal', f('report.txt'), '--jws')).code).toBe(2); // not JSON: a usage error
  });

  it('evidence create and verify: a full set verifies, another file does not', async () => {
    writeFileSync(f('msg.bin'), 'delivered advisory\n');
    const common = ['--message-id', 'm-1', '--sender', 'org:a', '--recipient', 'org:b'];
    expect((await mamori('evidence', 'create', f('msg.bin'), '--event', 'submission', ...common, '--out', f('e1.json'))).code).toBe(0);
    expect((await mamori('evidence', 'create', f('msg.bin'), '--event', 'acceptance', ...common, '--previous', f('e1.json'), '--out', f('e2.json'))).code).toBe(0);
    expect((await mamori('evidence', 'create', f('msg.bin'), '--event', 'retrieval', ...common, '--previous', f('e2.json'), '--out', f('e3.json'))).code).toBe(0);
    const v = await mamori('evidence', 'verify', f('msg.bin'), f('e1.json'), f('e2.json'), f('e3.json'));
    expect(v).toMatchObject({ code: 0, out: { valid: true, complete: true, messageId: 'm-1' } });
    expect((await mamori('evidence', 'verify', f('advisory.json'), f('e1.json'), f('e2.json'), f('e3.json'))).code).toBe(1);
  });

  it('seal --jws --level LTA embeds certificates, CRL and OCSP and an archive time stamp; verify says LTA', async () => {
    expect((await mamori('seal', f('advisory.json'), '--jws', '--level', 'LTA', '--out', f('advisory.lta.json'))).code).toBe(0);
    const v = await mamori('verify', f('advisory.json'), f('advisory.lta.json'));
    expect(v).toMatchObject({ code: 0, out: { valid: true, level: 'LTA', revocation: { status: 'good' }, archiveTimeStamps: [{ valid: true }] } });
    expect((await mamori('seal', f('report.txt'), '--level', 'LTA')).code).toBe(2); // CAdES: B or T only
  });

  // Last: it revokes the e-seal.
  it('crl --revoke seal: a level-B seal then fails (exit 1), a seal time-stamped before the revocation still verifies; openssl crl verifies the CRL', async () => {
    writeFileSync(f('note.txt'), 'sealed at level B\n');
    expect((await mamori('seal', f('note.txt'))).code).toBe(0);
    expect((await mamori('verify', f('note.txt'), f('note.txt.p7s'))).code).toBe(0);
    // CRL times have whole seconds: a revocation in the same second as the level-T stamp below counts as before it.
    await new Promise((r) => setTimeout(r, 1100));
    const c = await mamori('crl', '--revoke', 'seal', '--reason', 'keyCompromise');
    expect(c).toMatchObject({ code: 0, out: { crlNumber: '2', revoked: [{ reason: 'keyCompromise' }] } });
    const v = await mamori('verify', f('note.txt'), f('note.txt.p7s'));
    expect(v).toMatchObject({ code: 1, out: { valid: false, chainTrusted: false } });
    // level T: the chain is judged at the time stamp's genTime, before the revocation
    expect((await mamori('verify', f('advisory.json'), f('advisory.json.jws'))).code).toBe(0);
    expect((await mamori('verify', f('advisory.json'), f('advisory.lta.json'))).out).toMatchObject({ valid: true, level: 'LTA', revocation: { status: 'revoked' } });
    const o = spawnSync('openssl', ['crl', '-in', join(trustDir(), 'root.crl.pem'), '-CAfile', join(trustDir(), 'root.cert.pem'), '-noout'], { encoding: 'utf8' });
    expect(`${o.stdout}${o.stderr}`).toContain('verify OK');
    expect((await mamori('crl', '--reason', 'bogus')).code).toBe(2);
    expect((await mamori('crl', '--revoke', 'not-hex!')).code).toBe(2);
  });

  it('revoke and ocsp: evidence and a level-T seal made before stay valid at signing time; the OCSP answer is kept and used offline', async () => {
    const r = await mamori('revoke', 'tsa', '--reason', 'superseded');
    expect(r).toMatchObject({ code: 0, out: { reason: 'superseded', crlNumber: '3' } });
    expect(r.out.revoked).toHaveLength(2);
    expect((await mamori('revoke', 'nobody')).code).toBe(2);
    expect((await mamori('revoke', 'seal', '--reason', 'bogus')).code).toBe(2);

    const ev = await mamori('evidence', 'verify', f('msg.bin'), f('e1.json'), f('e2.json'), f('e3.json'));
    expect(ev.code).toBe(0);
    for (const e of ev.out.events) expect(e.revocation).toMatch(/revoked at .*valid at signing time/);

    // a loopback responder over this trust directory, as `mamori serve` runs it
    const server = createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(new OcspResponder({ dir: trustDir() }).respond(Buffer.concat(body))));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ocsp`;
      const o = await mamori('ocsp', join(trustDir(), 'seal.cert.pem'), '--url', url, '--out', f('seal.ocsp'));
      expect(o).toMatchObject({ code: 1, out: { status: 'revoked', reason: 'keyCompromise' } });
    } finally {
      server.close();
    }
    writeFileSync(f('empty.crl.pem'), '');
    const v = await mamori('verify', f('advisory.json'), f('advisory.json.jws'), '--crl', f('empty.crl.pem'), '--ocsp', f('seal.ocsp'));
    expect(v).toMatchObject({ code: 0, out: { valid: true, revocation: { status: 'revoked', source: 'ocsp', reason: 'keyCompromise' } } });
    expect(v.out.revocation.summary).toMatch(/after the time stamp of .*valid at signing time/);
    expect((await mamori('verify', f('note.txt'), f('note.txt.p7s'), '--crl', f('empty.crl.pem'), '--ocsp', f('seal.ocsp'))).out.revocation.summary).toMatch(/REVOKED/);
  });
});
