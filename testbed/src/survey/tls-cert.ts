/**
 * Self-signed certificates for the farm's HTTPS devices, made at test time by the openssl
 * command (node:crypto makes keys but not X.509 certificates). Like a camera's factory
 * certificate, the subject and issuer name the product and nothing signs it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface DeviceCertificate {
  /** PEM private key (P-256). */
  key: string;
  /** PEM certificate, self-signed: issuer = subject. */
  cert: string;
}

export function selfSignedCertificate(commonName: string): DeviceCertificate {
  if (!/^[\w .:-]{1,64}$/.test(commonName)) throw new Error(`certificate CN not usable: ${commonName}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'mamori-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '3650', '-subj', `/CN=${commonName}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
