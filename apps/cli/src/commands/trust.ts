/**
 * `mamori trust ...`: keys and certificates, RFC 3161 time stamps, e-seals and their
 * verification. Verification verbs print a verdict and exit 1 when it is not valid.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MamoriError } from '@mamori/core';
import {
  certificatesFromPem, installIdentity, initTrust, isJwsText, openTrust, readPem, sealVerdictJson, stampVerdictJson, timeStampTokenOf, readPkcs12, requestTimeStamp,
  sealCades, sealJws, verifyCades, verifyJws, verifyTimeStampToken, readTimeStampToken, loadIdentity, httpTimeStamper, localTimeStamper,
  createDeliveryEvidence, verifyDeliveryEvidence, crlsFromPem, loadCrls, issueCrl, crlFile, trustFiles, CRL_REASONS,
  parseOcspResponse, requestOcsp, ocspUrlsOf, revocationUrls, type OcspResponse,
  type Certificate, type Crl, type DigestName, type SealVerdict, type StampVerdict, type TrustServices, type Role, type DeliveryEvent, type DeliveryEvidence,
} from '@mamori/trust';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

const read = (file: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
};

async function services(ctx: CliContext, needStore: boolean): Promise<TrustServices> {
  if (!needStore) return openTrust({ config: ctx.config() });
  const platform = await ctx.platform();
  return openTrust({ config: platform.config, store: platform.store });
}

function anchorsFrom(trust: TrustServices, caFile?: string): Certificate[] {
  const anchors = caFile ? certificatesFromPem(read(caFile).toString('utf8')) : trust.trustAnchors;
  if (anchors.length === 0) throw new MamoriError('MAMORI_USAGE', { reason: 'no trust anchors: run `mamori trust init` or pass --ca FILE' });
  return anchors;
}

/** CRLs to check chains against: --crl FILE, else the root's CRL in the trust directory (if any). */
const crlsFrom = (trust: TrustServices, file?: string): Crl[] => (file ? crlsFromPem(read(file).toString('utf8')) : loadCrls(trust.config.dir));

/** OCSP responses (DER files, e.g. from `mamori trust ocsp --out` or `openssl ocsp -respout`). */
const ocspFrom = (files?: string[]): OcspResponse[] => (files ?? []).map((f) => {
  try {
    return parseOcspResponse(read(f));
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `${f}: ${(e as Error).message}` });
  }
});

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `tsa`, `seal`, `ocsp` (the trust directory's certificates) or a hex serial number. */
function serialOf(dir: string, what: string): bigint {
  if (what === 'tsa' || what === 'seal' || what === 'ocsp') {
    const [cert] = certificatesFromPem(read(trustFiles(dir, what).cert).toString('utf8'));
    if (!cert) throw new MamoriError('MAMORI_USAGE', { reason: `no ${what} certificate in ${dir}` });
    return cert.serial;
  }
  if (!/^(0x)?[0-9a-f]+$/i.test(what)) throw new MamoriError('MAMORI_USAGE', { reason: 'give tsa, seal, ocsp or a hex serial number' });
  return BigInt(what.startsWith('0x') ? what : `0x${what}`);
}

function checkReason(reason?: string): void {
  if (reason && !(CRL_REASONS as readonly string[]).includes(reason)) throw new MamoriError('MAMORI_USAGE', { reason: `--reason must be one of ${CRL_REASONS.filter(Boolean).join(', ')}` });
}

function crlText(r: { crl: string; crlNumber?: string; nextUpdate?: Date; revoked: { serial: string; revokedAt: Date; reason?: string }[] }): string {
  return [`${r.crl}: CRL number ${r.crlNumber}, next update ${iso(r.nextUpdate)}, ${r.revoked.length} revoked`, ...r.revoked.map((x) => `  ${x.serial}  ${iso(x.revokedAt)}  ${x.reason ?? ''}`)].join('\n');
}

const crlSummary = (dir: string, crl: Crl) => ({
  crl: crlFile(dir), crlNumber: crl.crlNumber?.toString(), nextUpdate: crl.nextUpdate,
  revoked: [...crl.revoked.values()].map((r) => ({ serial: r.serial.toString(16), revokedAt: r.revokedAt, reason: r.reason })),
});

/** A token file may hold a TimeStampResp (openssl ts -reply) or the bare token. */
const iso = (d?: Date): string => (d ? d.toISOString() : '-');

function stampText(v: StampVerdict): string {
  return [
    v.valid ? 'VALID time stamp' : 'INVALID time stamp',
    `  time:    ${iso(v.genTime)}`,
    `  TSA:     ${v.tsa ?? '-'}`,
    `  serial:  ${v.serialNumber !== undefined ? `0x${v.serialNumber.toString(16)}` : '-'}`,
    `  policy:  ${v.policy ?? '-'}`,
    ...(v.revocation ? [`  revocation: ${v.revocation.summary}`] : []),
    ...v.reasons.map((r) => `  reason:  ${r}`),
  ].join('\n');
}

function sealText(v: SealVerdict): string {
  const yes = (b: boolean): string => (b ? 'yes' : 'NO');
  return [
    v.valid ? `VALID ${v.format} seal (level ${v.level})` : `INVALID ${v.format} seal`,
    `  sealed by:          ${v.sealedBy ?? '-'}${v.organisation ? ` (organisation: ${v.organisation})` : ''}`,
    `  when:               ${v.timeStamp?.valid ? `${iso(v.timeStamp.genTime)} (time stamp by ${v.timeStamp.tsa})` : `${iso(v.claimedSigningTime)} (claimed by the signer, not time-stamped)`}`,
    `  content unchanged:  ${yes(v.contentUnchanged)}`,
    `  signature valid:    ${yes(v.signatureValid)}`,
    `  trusted chain:      ${yes(v.chainTrusted)}`,
    `  revocation:         ${v.revocation?.summary ?? 'not checked (no CRL or OCSP response from its CA)'}`,
    ...(v.archiveTimeStamps ?? []).map((a) => `  archive time stamp: ${a.valid ? 'valid' : 'INVALID'}, ${iso(a.genTime)} by ${a.tsa ?? '-'}`),
    ...v.reasons.map((r) => `  reason:             ${r}`),
  ].join('\n');
}


export function registerTrust(program: Command, ctx: CliContext): void {
  const trust = program.command('trust').description('time stamps (RFC 3161), e-seals (CAdES, JAdES) and their verification');

  trust
    .command('init')
    .description('create a root CA, a TSA certificate and an e-seal certificate in <data>/trust')
    .requiredOption('--org <name>', 'organisation named in the certificates')
    .option('--rsa', 'RSA-3072 keys instead of ECDSA P-256')
    .option('--days <n>', 'validity of the TSA and seal certificates', (v) => Number(v), 825)
    .option('--force', 'replace existing keys')
    .option('--url <base>', 'base URL of the mamori server (default: [trust] publicUrl): certificates point at <base>/crl and <base>/ocsp')
    .action(async (opts: { org: string; rsa?: boolean; days: number; force?: boolean; url?: string }) => {
      const { dir, publicUrl } = openTrust({ config: ctx.config() }).config;
      const baseUrl = opts.url ?? publicUrl;
      if (baseUrl && !/^https?:\/\/[^\s]+$/.test(baseUrl)) throw new MamoriError('MAMORI_USAGE', { reason: '--url must be an http(s) URL' });
      const r = await initTrust({ dir, organisation: opts.org, algorithm: opts.rsa ? 'rsa-3072' : 'ec-p256', days: opts.days, force: opts.force, baseUrl });
      ctx.print(
        { dir, root: r.root.subject, tsa: r.tsa.subject, seal: r.seal.subject, ocsp: r.ocsp.subject, algorithm: opts.rsa ? 'rsa-3072' : 'ec-p256', revocation: baseUrl ? revocationUrls(baseUrl) : undefined },
        (v) => `trust keys in ${v.dir} (${v.algorithm}, keys mode 0600)\n  root: ${v.root}\n  tsa:  ${v.tsa}\n  seal: ${v.seal}\n  ocsp: ${v.ocsp}\n`
          + (v.revocation ? `  CRL at ${v.revocation.crl}, OCSP at ${v.revocation.ocsp}` : '  no CRL/OCSP URLs in the certificates (give --url or [trust] publicUrl)'),
      );
    });

  trust
    .command('import')
    .description('install an existing key and chain (PEM or PKCS#12) as the TSA, seal or root identity')
    .requiredOption('--role <role>', 'tsa | seal | root')
    .option('--key <file>', 'private key (PEM)')
    .option('--cert <file>', 'certificate (PEM)')
    .option('--chain <file>', 'intermediate and root certificates (PEM)')
    .option('--p12 <file>', 'PKCS#12 file instead of --key/--cert')
    .option('--password-env <var>', 'environment variable holding the PKCS#12 password', 'MAMORI_P12_PASSWORD')
    .option('--anchor <file>', 'root certificate(s) to trust (PEM)')
    .action(async (opts: { role: string; key?: string; cert?: string; chain?: string; p12?: string; passwordEnv: string; anchor?: string }) => {
      if (!['tsa', 'seal', 'root'].includes(opts.role)) throw new MamoriError('MAMORI_USAGE', { reason: '--role must be tsa, seal or root' });
      let material;
      if (opts.p12) material = await readPkcs12(read(opts.p12), process.env[opts.passwordEnv] ?? '', opts.p12);
      else if (opts.key && opts.cert) material = readPem(opts.key, opts.cert, opts.chain);
      else throw new MamoriError('MAMORI_USAGE', { reason: 'give --key and --cert, or --p12' });
      const anchors = opts.anchor ? certificatesFromPem(read(opts.anchor).toString('utf8')) : [];
      const dir = openTrust({ config: ctx.config() }).config.dir;
      const r = installIdentity(dir, opts.role as Role, material, anchors);
      ctx.print({ role: r.role, subject: r.certificate.subject, chain: r.chain.map((c) => c.subject) }, (v) => `${v.role}: ${v.subject} (${v.chain.length} chain certificate(s))`);
    });

  trust
    .command('stamp <file>')
    .description('time-stamp a file (RFC 3161); writes the token to FILE.tst')
    .option('--tsa <url>', 'remote TSA (default: [trust] tsaUrl, else the local TSA)')
    .option('--digest <alg>', 'sha256 | sha384 | sha512', 'sha256')
    .option('--out <file>', 'where to write the token')
    .action(async (file: string, opts: { tsa?: string; digest: string; out?: string }) => {
      if (!['sha256', 'sha384', 'sha512'].includes(opts.digest)) throw new MamoriError('MAMORI_USAGE', { reason: '--digest must be sha256, sha384 or sha512' });
      const digest = opts.digest as DigestName;
      const hash = createHash(digest).update(read(file)).digest();
      const url = opts.tsa ?? openTrust({ config: ctx.config() }).config.tsaUrl;
      let token: Uint8Array;
      if (url) token = await requestTimeStamp(url, hash, digest);
      else token = await (await (await services(ctx, true)).authority()).stampDigest(hash, { digest });
      const out = opts.out ?? `${file}.tst`;
      writeFileSync(out, token);
      const { tstInfo, certificates } = readTimeStampToken(token);
      const tsa = certificates[0]?.subject ?? url ?? 'local TSA';
      ctx.print({ file, token: out, genTime: tstInfo.genTime, serialNumber: tstInfo.serialNumber.toString(), tsa }, (r) => `stamped ${r.file} at ${iso(r.genTime)} by ${r.tsa} (serial ${r.serialNumber}) -> ${r.token}`);
    });

  trust
    .command('verify-stamp <file> <token>')
    .description('verify a time-stamp token (or an openssl ts -reply response) for a file')
    .option('--ca <file>', 'trusted root certificate(s) (default: <data>/trust/trust-anchors.pem)')
    .option('--untrusted <file>', 'TSA and intermediate certificates when the token carries none')
    .option('--crl <file>', 'CRL(s) to check the chain against (default: <data>/trust/root.crl.pem when present)')
    .option('--ocsp <file>', 'an OCSP response (DER) to check the chain against; repeatable', collect)
    .action(async (file: string, tokenFile: string, opts: { ca?: string; untrusted?: string; crl?: string; ocsp?: string[] }) => {
      const t = await services(ctx, false);
      const v = verifyTimeStampToken(timeStampTokenOf(read(tokenFile)), {
        data: read(file),
        trustAnchors: anchorsFrom(t, opts.ca),
        certificates: opts.untrusted ? certificatesFromPem(read(opts.untrusted).toString('utf8')) : [],
        crls: crlsFrom(t, opts.crl),
        ocsp: ocspFrom(opts.ocsp),
      });
      ctx.print(stampVerdictJson(v), () => stampText(v));
      if (!v.valid) process.exitCode = EXIT.FAILURE;
    });

  trust
    .command('seal <file>')
    .description("seal a file with the organisation's e-seal: CAdES (FILE.p7s) or, with --jws, JAdES (FILE.jws)")
    .option('--jws', 'JAdES/JWS for a JSON document')
    .option('--json-serialization', 'JWS JSON serialisation (implied by --level T, LT, LTA)')
    .option('--enveloping', 'CAdES: embed the content (FILE.p7m)')
    .option('--level <level>', 'B (baseline), T (with a signature time stamp); JAdES also LT (+ certificates, CRL and OCSP) and LTA (+ archive time stamp)', 'B')
    .option('--tsa <url>', 'TSA for level T (default: [trust] tsaUrl, else the local TSA)')
    .option('--out <file>', 'where to write the seal')
    .action(async (file: string, opts: { jws?: boolean; jsonSerialization?: boolean; enveloping?: boolean; level: string; tsa?: string; out?: string }) => {
      const level = opts.level.toUpperCase();
      const levels = opts.jws ? ['B', 'T', 'LT', 'LTA'] : ['B', 'T'];
      if (!levels.includes(level)) throw new MamoriError('MAMORI_USAGE', { reason: `--level must be ${levels.join(', ')}${opts.jws ? '' : ' (LT and LTA: JAdES, with --jws)'}` });
      const content = read(file);
      const url = opts.tsa ?? openTrust({ config: ctx.config() }).config.tsaUrl;
      const t = await services(ctx, level !== 'B' && !url);
      const identity = loadIdentity(t.config.dir, 'seal');
      const timeStamper = level !== 'B' ? (url ? httpTimeStamper(url) : localTimeStamper(await t.authority())) : undefined;
      let out: string;
      if (opts.jws) {
        try {
          JSON.parse(content.toString('utf8'));
        } catch (e) {
          throw new MamoriError('MAMORI_USAGE', { reason: `--jws seals JSON documents; ${file}: ${(e as Error).message}` });
        }
        const jws = await sealJws(identity, content, {
          level: level as 'B' | 'T' | 'LT' | 'LTA', timeStamper, validationData: t.validationData, serialization: opts.jsonSerialization || level !== 'B' ? 'json' : 'compact',
        });
        out = opts.out ?? `${file}.jws`;
        writeFileSync(out, typeof jws === 'string' ? `${jws}\n` : `${JSON.stringify(jws, null, 2)}\n`);
      } else {
        const sig = await sealCades(identity, content, { detached: !opts.enveloping, level: level as 'B' | 'T', timeStamper });
        out = opts.out ?? `${file}.${opts.enveloping ? 'p7m' : 'p7s'}`;
        writeFileSync(out, sig);
      }
      ctx.print({ file, seal: out, level, format: opts.jws ? 'JAdES' : 'CAdES' }, (r) => `sealed ${r.file} (${r.format} level ${r.level}) -> ${r.seal}`);
    });

  trust
    .command('verify <file> <signature>')
    .description('verify a seal (CAdES/CMS or JAdES/JWS) on a file: who sealed it, when, unchanged, trusted')
    .option('--ca <file>', 'trusted root certificate(s) (default: <data>/trust/trust-anchors.pem)')
    .option('--crl <file>', 'CRL(s) to check the chains against (default: <data>/trust/root.crl.pem when present)')
    .option('--ocsp <file>', 'an OCSP response (DER) to check the chains against; repeatable', collect)
    .action(async (file: string, sigFile: string, opts: { ca?: string; crl?: string; ocsp?: string[] }) => {
      const t = await services(ctx, false);
      const trustAnchors = anchorsFrom(t, opts.ca);
      const crls = crlsFrom(t, opts.crl);
      const ocsp = ocspFrom(opts.ocsp);
      const content = read(file);
      const sig = read(sigFile);
      const v = isJwsText(sig) ? verifyJws(sig.toString('utf8'), { trustAnchors, payload: content, crls, ocsp }) : verifyCades(sig, { trustAnchors, content, crls, ocsp });
      ctx.print(sealVerdictJson(v), () => sealText(v));
      if (!v.valid) process.exitCode = EXIT.FAILURE;
    });

  /** `trust revoke X` and `trust crl [--revoke X]`: one path that checks the options, revokes and reissues the CRL. */
  async function reissueCrl(what: string | undefined, opts: { reason?: string; days: number }) {
    checkReason(opts.reason);
    if (!Number.isInteger(opts.days) || opts.days < 1) throw new MamoriError('MAMORI_USAGE', { reason: '--days must be a whole number of days, at least 1' });
    const dir = openTrust({ config: ctx.config() }).config.dir;
    const serial = what !== undefined ? serialOf(dir, what) : undefined;
    const crl = await issueCrl({ dir, days: opts.days, revoke: serial !== undefined ? [{ serial, reason: opts.reason }] : [] });
    return { serial: serial?.toString(16), summary: crlSummary(dir, crl) };
  }

  trust
    .command('revoke <what>')
    .description("revoke a certificate of this CA (tsa, seal, ocsp or a hex serial) and reissue its CRL; the OCSP responder answers revoked at once")
    .option('--reason <reason>', `CRL reason: ${CRL_REASONS.filter(Boolean).join(', ')}`, 'unspecified')
    .option('--days <n>', 'days until the next update', (v) => Number(v), 365)
    .action(async (what: string, opts: { reason: string; days: number }) => {
      const r = await reissueCrl(what, opts);
      ctx.print({ serial: r.serial, reason: opts.reason, ...r.summary }, (x) => `revoked ${x.serial} (${x.reason})\n${crlText(x)}`);
    });

  trust
    .command('crl')
    .description("reissue the root's CRL (<data>/trust/root.crl.pem), optionally revoking a certificate; openssl crl reads it")
    .option('--revoke <what>', 'tsa, seal, ocsp, or a certificate serial number in hex')
    .option('--reason <reason>', `CRL reason: ${CRL_REASONS.filter(Boolean).join(', ')}`)
    .option('--days <n>', 'days until the next update', (v) => Number(v), 365)
    .action(async (opts: { revoke?: string; reason?: string; days: number }) => ctx.print((await reissueCrl(opts.revoke, opts)).summary, crlText));

  trust
    .command('ocsp <cert>')
    .description("ask the certificate's OCSP responder (its AIA, or --url) for its status; --out keeps the signed answer for offline verification")
    .option('--issuer <file>', 'the issuing CA certificate (default: <data>/trust/root.cert.pem)')
    .option('--url <url>', 'responder URL (default: from the certificate)')
    .option('--out <file>', 'write the DER OCSP response here')
    .action(async (certFile: string, opts: { issuer?: string; url?: string; out?: string }) => {
      const [cert] = certificatesFromPem(read(certFile).toString('utf8'));
      const [issuer] = certificatesFromPem(read(opts.issuer ?? trustFiles(openTrust({ config: ctx.config() }).config.dir, 'root').cert).toString('utf8'));
      if (!cert || !issuer) throw new MamoriError('MAMORI_USAGE', { reason: 'certificate or issuer file holds no PEM certificate' });
      const url = opts.url ?? ocspUrlsOf(cert)[0];
      if (!url) throw new MamoriError('MAMORI_USAGE', { reason: 'the certificate names no OCSP responder; give --url' });
      const a = await requestOcsp(url, cert, issuer);
      if (opts.out) writeFileSync(opts.out, a.response.der);
      ctx.print(
        { certificate: cert.subject, status: a.single.status, revokedAt: a.single.revokedAt, reason: a.single.reason, thisUpdate: a.single.thisUpdate, nextUpdate: a.single.nextUpdate, signer: a.signer.subject, url, out: opts.out },
        (r) => `${r.certificate}: ${r.status}${r.revokedAt ? ` at ${iso(r.revokedAt)}${r.reason ? ` (${r.reason})` : ''}` : ''}\n  answered by ${r.signer} (${r.url}), this update ${iso(r.thisUpdate)}, next ${iso(r.nextUpdate)}${r.out ? `\n  response -> ${r.out}` : ''}`,
      );
      if (a.single.status !== 'good') process.exitCode = EXIT.FAILURE;
    });

  const evidence = trust.command('evidence').description('e-delivery evidence (submission, acceptance, retrieval), sealed and time-stamped');

  evidence
    .command('create <file>')
    .description('issue evidence of one delivery event for FILE; writes JSON (JAdES level T)')
    .requiredOption('--event <event>', 'submission | acceptance | retrieval')
    .requiredOption('--message-id <id>', 'the message the evidence is about')
    .requiredOption('--sender <id>', 'sender identifier')
    .requiredOption('--recipient <id>', 'recipient identifier')
    .option('--previous <file>', 'the evidence of the previous event (links the set)')
    .option('--tsa <url>', 'TSA (default: [trust] tsaUrl, else the local TSA)')
    .requiredOption('--out <file>', 'where to write the evidence')
    .option('--level <level>', 'T, or LT / LTA to embed the validation data (certificates, CRL, OCSP) and an archive time stamp', 'T')
    .action(async (file: string, opts: { event: string; messageId: string; sender: string; recipient: string; previous?: string; tsa?: string; out: string; level: string }) => {
      if (!['submission', 'acceptance', 'retrieval'].includes(opts.event)) throw new MamoriError('MAMORI_USAGE', { reason: '--event must be submission, acceptance or retrieval' });
      const level = opts.level.toUpperCase();
      if (level !== 'T' && level !== 'LT' && level !== 'LTA') throw new MamoriError('MAMORI_USAGE', { reason: '--level must be T, LT or LTA' });
      const url = opts.tsa ?? openTrust({ config: ctx.config() }).config.tsaUrl;
      const t = await services(ctx, !url);
      const previous = opts.previous ? (JSON.parse(read(opts.previous).toString('utf8')) as DeliveryEvidence) : undefined;
      const ev = await createDeliveryEvidence(
        { identity: loadIdentity(t.config.dir, 'seal'), timeStamper: url ? httpTimeStamper(url) : localTimeStamper(await t.authority()), level, validationData: t.validationData },
        { event: opts.event as DeliveryEvent, messageId: opts.messageId, sender: opts.sender, recipient: opts.recipient, content: read(file), previous },
      );
      writeFileSync(opts.out, `${JSON.stringify(ev, null, 2)}\n`);
      ctx.print({ event: opts.event, messageId: opts.messageId, evidence: opts.out }, (r) => `${r.event} evidence for ${r.messageId} -> ${r.evidence}`);
    });

  evidence
    .command('verify <file> <evidence...>')
    .description('verify an evidence set for FILE offline; exit 1 unless every evidence is valid')
    .option('--ca <file>', 'trusted root certificate(s) (default: <data>/trust/trust-anchors.pem)')
    .option('--crl <file>', 'CRL(s) to check the chains against (default: <data>/trust/root.crl.pem when present)')
    .option('--ocsp <file>', 'an OCSP response (DER) to check the chains against; repeatable', collect)
    .action(async (file: string, files: string[], opts: { ca?: string; crl?: string; ocsp?: string[] }) => {
      const t = await services(ctx, false);
      const set = files.map((f) => {
        try {
          return JSON.parse(read(f).toString('utf8')) as DeliveryEvidence;
        } catch (e) {
          throw new MamoriError('MAMORI_USAGE', { reason: `${f}: ${(e as Error).message}` });
        }
      });
      const v = verifyDeliveryEvidence(set, { trustAnchors: anchorsFrom(t, opts.ca), content: read(file), crls: crlsFrom(t, opts.crl), ocsp: ocspFrom(opts.ocsp) });
      ctx.print(v, (r) => [
        `${r.valid ? 'VALID' : 'INVALID'} evidence set for message ${r.messageId ?? '?'}${r.complete ? ' (submission, acceptance and retrieval proven)' : ' (incomplete)'}`,
        ...r.events.map((e) => `  ${e.event.padEnd(11)} ${iso(e.time)}  ${e.valid ? 'ok' : 'INVALID'}  ${e.sealedBy ?? ''}${e.revocation ? `  (${e.revocation})` : ''}`),
        ...r.reasons.map((x) => `  reason: ${x}`),
      ].join('\n'));
      if (!v.valid) process.exitCode = EXIT.FAILURE;
    });
}
