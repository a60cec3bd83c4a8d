/**
 * Importing existing keys and chains: PEM (PKCS#8 or traditional key, certificates) or
 * PKCS#12 (decrypted with pkijs over WebCrypto: PBES2/PBKDF2 as OpenSSL 3 writes by default).
 * The key must match the certificate; a TSA certificate must carry the sole, critical
 * id-kp-timeStamping EKU before it is accepted.
 */
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import { MamoriError } from '@mamori/core';
import { certificatesFromPem, parseCertificate, type Certificate } from './certificate.js';
import { addTrustAnchors, keyMatchesCertificate, saveIdentity, type Role } from './keys.js';
import { timeStampingEkuProblems } from './path.js';

pkijs.setEngine('mamori', new pkijs.CryptoEngine({ name: 'mamori', crypto: webcrypto as any }));

export interface KeyMaterial {
  key: KeyObject;
  certificates: Certificate[];
}

const BAG = { key: '1.2.840.113549.1.12.10.1.1', shroudedKey: '1.2.840.113549.1.12.10.1.2', cert: '1.2.840.113549.1.12.10.1.3' };

/** Reads a PKCS#12 file: the private key and every certificate in it. */
export async function readPkcs12(der: Uint8Array, password: string, file = 'PKCS#12'): Promise<KeyMaterial> {
  const fail = (reason: string): MamoriError => new MamoriError('MAMORI_TRUST_IMPORT', { file, reason });
  const pwd = new TextEncoder().encode(password).buffer as ArrayBuffer;
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(new Uint8Array(der).buffer as ArrayBuffer);
  } catch (e) {
    throw fail(`not PKCS#12: ${(e as Error).message}`);
  }
  try {
    await pfx.parseInternalValues({ password: pwd, checkIntegrity: true });
  } catch (e) {
    throw fail(`integrity check failed (wrong password?): ${(e as Error).message}`);
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw fail('no authenticated safe');
  try {
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pwd })) });
  } catch (e) {
    throw fail(`cannot decrypt (legacy RC2/3DES files need \`openssl pkcs12 -legacy\` to re-export): ${(e as Error).message}`);
  }
  let keyDer: ArrayBuffer | undefined;
  const certificates: Certificate[] = [];
  for (const contents of safe.parsedValue?.safeContents ?? []) {
    for (const bag of (contents.value as pkijs.SafeContents).safeBags) {
      if (bag.bagId === BAG.cert) {
        const parsed = (bag.bagValue as pkijs.CertBag).parsedValue;
        if (parsed instanceof pkijs.Certificate) certificates.push(parseCertificate(new Uint8Array(parsed.toSchema().toBER())));
      } else if (bag.bagId === BAG.shroudedKey) {
        const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
        // Public in pkijs's JavaScript, marked protected in its typings.
        await (shrouded as any).parseInternalValues({ password: pwd });
        keyDer = shrouded.parsedValue?.toSchema().toBER();
      } else if (bag.bagId === BAG.key) {
        keyDer = (bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER();
      }
    }
  }
  if (!keyDer) throw fail('no private key inside');
  return { key: createPrivateKey({ key: Buffer.from(keyDer), format: 'der', type: 'pkcs8' }), certificates };
}

export function readPem(keyFile: string, certFile: string, chainFile?: string): KeyMaterial {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(keyFile, 'utf8'));
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_IMPORT', { file: keyFile, reason: (e as Error).message });
  }
  const certificates = [...certificatesFromPem(readFileSync(certFile, 'utf8')), ...(chainFile ? certificatesFromPem(readFileSync(chainFile, 'utf8')) : [])];
  return { key, certificates };
}

export interface ImportResult {
  role: Role;
  certificate: Certificate;
  chain: Certificate[];
}

/** Installs imported material as the TSA or seal identity (or the root); `anchors` become trusted roots. */
export function installIdentity(dir: string, role: Role, material: KeyMaterial, anchors: Certificate[] = []): ImportResult {
  const leaf = material.certificates.find((c) => keyMatchesCertificate(material.key, c));
  if (!leaf) throw new MamoriError('MAMORI_TRUST_IMPORT', { file: role, reason: 'no certificate matches the private key' });
  if (role === 'tsa') {
    const problems = timeStampingEkuProblems(leaf);
    if (problems.length) throw new MamoriError('MAMORI_TRUST_IMPORT', { file: role, reason: problems.join('; ') });
  }
  const chain = material.certificates.filter((c) => c !== leaf);
  const pem = material.key.export({ type: 'pkcs8', format: 'pem' }).toString();
  saveIdentity(dir, role, pem, leaf, chain);
  const selfSigned = [...chain, ...(role === 'root' ? [leaf] : [])].filter((c) => c.issuerDer.equals(c.subjectDer));
  addTrustAnchors(dir, [...anchors, ...selfSigned]);
  return { role, certificate: leaf, chain };
}
