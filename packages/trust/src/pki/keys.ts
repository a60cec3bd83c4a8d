/**
 * Keys and certificates on disk under `<dataDir>/trust/`: private keys as PKCS#8 PEM in 0600
 * files (never in the database, never logged), certificates and chains as PEM, the trust
 * anchors verifiers use in `trust-anchors.pem`.
 *
 *   root.key.pem  root.cert.pem                 the development root CA
 *   tsa.key.pem   tsa.cert.pem   tsa.chain.pem  the time-stamp unit
 *   seal.key.pem  seal.cert.pem  seal.chain.pem the organisation's e-seal
 *   ocsp.key.pem  ocsp.cert.pem  ocsp.chain.pem the root's delegated OCSP responder
 *   trust-anchors.pem                           roots verification trusts
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import type { SigningIdentity } from '../cms/sign.js';
import { certificateToPem, certificatesFromPem, type Certificate } from './certificate.js';

export type Role = 'root' | 'tsa' | 'seal' | 'ocsp';

export const trustFiles = (dir: string, role: Role) => ({
  key: join(dir, `${role}.key.pem`),
  cert: join(dir, `${role}.cert.pem`),
  chain: join(dir, `${role}.chain.pem`),
});

export const anchorsFile = (dir: string): string => join(dir, 'trust-anchors.pem');

/** Writes a secret: created 0600, and re-tightened if the file already existed. */
export function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${what} not readable at ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run \`mamori trust init\`` });
  }
}

export function loadPrivateKey(path: string): KeyObject {
  const text = readText(path, 'private key');
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0) throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${path} is readable by group or others (mode ${(statSync(path).mode & 0o777).toString(8)}); chmod 600 it` });
  try {
    return createPrivateKey(text);
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${path}: ${(e as Error).message}` });
  }
}

export function keyMatchesCertificate(key: KeyObject, cert: Certificate): boolean {
  const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return Buffer.compare(pub, cert.publicKey.export({ type: 'spki', format: 'der' })) === 0;
}

/** Loads the signing identity of a role (key, certificate, chain), checking they belong together. */
export function loadIdentity(dir: string, role: Exclude<Role, 'root'>): SigningIdentity {
  const files = trustFiles(dir, role);
  const key = loadPrivateKey(files.key);
  const [cert] = certificatesFromPem(readText(files.cert, `${role} certificate`));
  if (!cert) throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${files.cert} holds no certificate` });
  if (!keyMatchesCertificate(key, cert)) throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${files.key} does not match ${files.cert}` });
  const chain = existsSync(files.chain) ? certificatesFromPem(readFileSync(files.chain, 'utf8')) : [];
  return { key, cert, chain };
}

export function loadTrustAnchors(dir: string): Certificate[] {
  const path = anchorsFile(dir);
  return existsSync(path) ? certificatesFromPem(readFileSync(path, 'utf8')) : [];
}

export function saveIdentity(dir: string, role: Role, keyPem: string, cert: Certificate, chain: Certificate[]): void {
  ensureDir(dir);
  const files = trustFiles(dir, role);
  writeSecret(files.key, keyPem);
  writeFileSync(files.cert, certificateToPem(cert));
  if (role !== 'root') writeFileSync(files.chain, chain.map((c) => certificateToPem(c)).join(''));
}

export function addTrustAnchors(dir: string, anchors: Certificate[]): void {
  ensureDir(dir);
  const existing = loadTrustAnchors(dir);
  const prints = new Set(existing.map((c) => c.fingerprint256));
  const all = [...existing, ...anchors.filter((a) => !prints.has(a.fingerprint256))];
  writeFileSync(anchorsFile(dir), all.map((c) => certificateToPem(c)).join(''));
}
