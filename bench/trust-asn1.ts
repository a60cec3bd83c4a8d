/**
 * Why @mamori/trust reads and writes its RFC 3161 / CMS DER itself instead of through
 * pkijs/asn1js (the brief's preference), measured on the same token and the same machine:
 *   1. reading a TimeStampResp down to its TSTInfo (mamori's strict DER reader vs asn1js+pkijs),
 *   2. verifying a token end to end (imprint, signed attributes, signature, chain to the root)
 *      with mamori's verifyTimeStampToken vs pkijs TimeStampResp.verify,
 *   3. issuing a token (mamori's SignerTemplate vs building pkijs SignedData + TSTInfo and
 *      signing through pkijs's WebCrypto engine),
 *   4. strictness: BER-only and malformed variants of a valid reply that a DER verifier must
 *      refuse (RFC 5652 signed attributes are DER; RFC 3161 tokens are DER): how many each
 *      reader accepts.
 *
 *   npm run bench -- bench/trust-asn1.ts [--ms 2000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  CounterSerialSource, initTrust, loadIdentity, loadTrustAnchors, parseSignedData, parseTimeStampResp, parseTstInfo, TimeStampAuthority,
  verifyTimeStampToken, encodeTimeStampReq,
} from '@mamori/trust';

const msArg = process.argv.indexOf('--ms');
const ms = msArg > 0 ? Number(process.argv[msArg + 1]) : 2000;
pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: webcrypto as unknown as Crypto }));
const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-asn1-'));
await initTrust({ dir, organisation: 'Bench' });
const identity = loadIdentity(dir, 'tsa');
const anchors = loadTrustAnchors(dir);
const tsa = new TimeStampAuthority({ identity, policy: '1.2.3.4.1', serials: new CounterSerialSource(), accuracy: { seconds: 1 } });
const data = Buffer.from('benchmark payload\n');
const hash = createHash('sha256').update(data).digest();
const { der: query } = encodeTimeStampReq(hash, { nonce: 12345n });
const reply = await tsa.respond(query);
const token = parseTimeStampResp(reply).token!;

async function rate(f: () => unknown): Promise<number> {
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    for (let i = 0; i < 20; i++) await f();
    n += 20;
  }
  return n / ((performance.now() - t) / 1000);
}
const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

// 1. reading
const mamoriRead = () => parseTstInfo(parseSignedData(parseTimeStampResp(reply).token!).content!);
const pkijsRead = () => {
  const resp = pkijs.TimeStampResp.fromBER(ab(reply));
  const sd = new pkijs.SignedData({ schema: resp.timeStampToken!.content });
  return pkijs.TSTInfo.fromBER(sd.encapContentInfo.eContent!.valueBlock.valueHexView.slice().buffer);
};
if (mamoriRead().serialNumber !== BigInt(`0x${Buffer.from(pkijsRead().serialNumber.valueBlock.valueHexView).toString('hex')}`)) throw new Error('readers disagree');
const readMamori = await rate(mamoriRead);
const readPkijs = await rate(pkijsRead);
const readLoad = loadAverage();

// 2. verifying
const rootDer = anchors[0].der;
const pkijsRoot = pkijs.Certificate.fromBER(ab(rootDer));
const mamoriVerify = () => {
  if (!verifyTimeStampToken(token, { data, trustAnchors: anchors }).valid) throw new Error('mamori: invalid');
};
const pkijsVerify = async () => {
  const resp = pkijs.TimeStampResp.fromBER(ab(reply));
  if (!(await resp.verify({ signer: 0, data: ab(data), trustedCerts: [pkijsRoot] }))) throw new Error('pkijs: invalid');
};
mamoriVerify();
let pkijsVerifies = true;
let pkijsVerifyError = '';
try {
  await pkijsVerify();
} catch (e) {
  pkijsVerifies = false;
  pkijsVerifyError = (e as Error).message ?? String(e);
}
const verifyMamori = await rate(mamoriVerify);
const verifyPkijs = pkijsVerifies ? await rate(pkijsVerify) : 0;
const verifyLoad = loadAverage();

// 3. issuing
const signMamori = await rate(() => tsa.respond(query));
const cryptoKey = await webcrypto.subtle.importKey('pkcs8', identity.key.export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const pkijsCert = pkijs.Certificate.fromBER(ab(identity.cert.der));
let serial = 1;
const pkijsIssue = async (): Promise<ArrayBuffer> => {
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: '1.2.3.4.1',
    messageImprint: new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }), hashedMessage: new asn1js.OctetString({ valueHex: ab(hash) }) }),
    serialNumber: new asn1js.Integer({ value: serial++ }),
    genTime: new Date(),
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    nonce: new asn1js.Integer({ value: 12345 }),
  });
  const content = tst.toSchema().toBER();
  const sd = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.9.16.1.4', eContent: new asn1js.OctetString({ valueHex: content }) }),
    signerInfos: [new pkijs.SignerInfo({ version: 1, sid: new pkijs.IssuerAndSerialNumber({ issuer: pkijsCert.issuer, serialNumber: pkijsCert.serialNumber }) })],
    certificates: [pkijsCert],
  });
  const digest = await webcrypto.subtle.digest('SHA-256', content);
  sd.signerInfos[0].signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.9.16.1.4' })] }),
      new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
    ],
  });
  await sd.sign(cryptoKey, 0, 'SHA-256');
  return new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) }).toSchema().toBER();
};
const sample = new Uint8Array(await pkijsIssue());
// pkijs writes eContent as a constructed OCTET STRING (BER); say whether a DER reader takes it
let pkijsTokenReadable = 'yes';
try {
  parseTstInfo(parseSignedData(sample).content!);
} catch (e) {
  pkijsTokenReadable = `no: ${(e as { details?: { reason?: string; field?: string } }).details?.reason} at ${(e as { details?: { field?: string } }).details?.field}`;
}
const signPkijs = await rate(pkijsIssue);
const signLoad = loadAverage();

// 4. strictness: variants of the reply that are not DER (or not even well-formed)
function variants(der: Buffer): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  // the outer SEQUENCE's length in a longer form than needed (BER allows, DER forbids)
  const hdr = der[1] & 0x7f;
  const len = der.readUIntBE(2, hdr);
  out['non-minimal outer length'] = Buffer.concat([Buffer.from([0x30, 0x84]), Buffer.from([0, 0, len >> 8, len & 0xff]), der.subarray(2 + hdr)]);
  // indefinite length (BER only) on the outer SEQUENCE
  out['indefinite outer length'] = Buffer.concat([Buffer.from([0x30, 0x80]), der.subarray(2 + hdr), Buffer.from([0, 0])]);
  out['trailing garbage'] = Buffer.concat([der, Buffer.from([0x00])]);
  // PKIStatus INTEGER 0 with a redundant leading zero octet (not minimal)
  const status = der.indexOf(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]));
  const inner = Buffer.concat([Buffer.from([0x30, 0x04, 0x02, 0x02, 0x00, 0x00]), der.subarray(status + 5)]);
  out['non-minimal INTEGER status'] = Buffer.concat([Buffer.from([0x30, 0x82, inner.length >> 8, inner.length & 0xff]), inner]);
  out['truncated by one octet'] = der.subarray(0, der.length - 1);
  return out;
}
const strict: { name: string; mamori: boolean; pkijs: boolean }[] = [];
for (const [name, v] of Object.entries(variants(reply))) {
  let m = false;
  try {
    m = parseTimeStampResp(v).token !== undefined;
  } catch {
    m = false;
  }
  let p = false;
  try {
    const parsed = asn1js.fromBER(ab(v));
    p = parsed.offset !== -1 && (pkijs.TimeStampResp.fromBER(ab(v)).timeStampToken !== undefined);
  } catch {
    p = false;
  }
  strict.push({ name, mamori: m, pkijs: p });
}
rmSync(dir, { recursive: true, force: true });

const r = (x: number): string => x.toFixed(0).padStart(7);
console.log(`RFC 3161 / CMS: mamori's DER code vs pkijs ${JSON.parse(readFileSync(join(import.meta.dirname, '../node_modules/pkijs/package.json'), 'utf8')).version} + asn1js (${ms} ms per figure, Node ${process.version})`);
console.log(`  read TimeStampResp -> TSTInfo (/s):     mamori ${r(readMamori)}   pkijs ${r(readPkijs)}   (${(readMamori / readPkijs).toFixed(1)}x)   [load ${readLoad}]`);
console.log(`  verify token, chain to root (/s):       mamori ${r(verifyMamori)}   pkijs ${pkijsVerifies ? r(verifyPkijs) : `failed: ${pkijsVerifyError}`}${pkijsVerifies ? `   (${(verifyMamori / verifyPkijs).toFixed(1)}x)` : ''}   [load ${verifyLoad}]`);
console.log(`  issue a token (/s, ECDSA P-256):        mamori ${r(signMamori)}   pkijs ${r(signPkijs)}   (${(signMamori / signPkijs).toFixed(1)}x; pkijs's token read by mamori's DER reader: ${pkijsTokenReadable})   [load ${signLoad}]`);
console.log('  non-DER variants of a valid reply accepted as a reply with a token (should be none):');
for (const s of strict) console.log(`    ${s.name.padEnd(30)} mamori ${s.mamori ? 'ACCEPTS' : 'refuses'}   asn1js/pkijs ${s.pkijs ? 'ACCEPTS' : 'refuses'}`);
