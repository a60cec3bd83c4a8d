/**
 * The trust services of one installation, ready for other parts (the hub) and the edges
 * (CLI, server): the TSA with persistent serials and the clock policy, stamping, sealing and
 * verification against the installation's trust anchors.
 */
import { createHash } from 'node:crypto';
import type { MamoriConfig, Store } from '@mamori/core';
import { trustConfig, type TrustConfig } from './config.js';
import type { Certificate } from './pki/certificate.js';
import { loadIdentity, loadTrustAnchors } from './pki/keys.js';
import { statSync } from 'node:fs';
import { loadCrls, type Crl } from './pki/crl.js';
import { OcspResponder } from './ocsp/responder.js';
import type { ValidationDataSource } from './seal/jades-lt.js';
import { trustFiles } from './pki/keys.js';
import type { SigningIdentity } from './cms/sign.js';
import { TimeStampAuthority } from './tsp/authority.js';
import { NtpClockPolicy, systemClock, type ClockPolicy } from './tsp/clock.js';
import { StoreSerialSource } from './tsp/serials.js';
import { httpTimeStamper, localTimeStamper, type TimeStamper } from './tsp/client.js';
import { verifyTimeStampToken, type StampVerdict } from './tsp/verify.js';
import { sealJson, verifyJws, type JadesOptions, type JwsFlattened } from './seal/jades.js';
import { sealCades, type CadesOptions } from './seal/cades.js';
import { verifyCades } from './seal/verify-cades.js';
import type { SealVerdict } from './seal/verdict.js';
import type { DigestName } from './asn1/oids.js';
import { createDeliveryEvidence, verifyDeliveryEvidence, type DeliveryEvidence, type EvidenceInput, type EvidenceVerdict } from './delivery/evidence.js';

export interface TrustServices {
  readonly config: TrustConfig & { dir: string };
  readonly trustAnchors: Certificate[];
  /** The local TSA (keys from `<dir>/tsa.*`, serials from the store). */
  authority(): Promise<TimeStampAuthority>;
  /** The configured time stamper: the remote `tsaUrl`, else the local TSA. */
  timeStamper(): TimeStamper;
  stampDigest(hash: Uint8Array, digest?: DigestName): Promise<Buffer | Uint8Array>;
  stampData(data: Uint8Array): Promise<Buffer | Uint8Array>;
  verifyStampToken(token: Uint8Array, subject: { data?: Uint8Array; digest?: { algorithm: DigestName; value: Uint8Array } }): StampVerdict;
  sealJson(doc: unknown, options?: Omit<JadesOptions, 'timeStamper'>): Promise<string | JwsFlattened>;
  sealFile(content: Uint8Array, options?: Omit<CadesOptions, 'timeStamper'>): Promise<Buffer>;
  verifyJws(jws: string | JwsFlattened, payload?: Uint8Array): SealVerdict;
  verifyCades(signature: Uint8Array, content?: Uint8Array): SealVerdict;
  /** The CA's OCSP responder (rebuilt when `trust init` replaced the keys). */
  ocspResponder(): OcspResponder;
  /** JAdES LT/LTA validation data from this CA: its CRL and its responder's answers for the certificates it issued. */
  validationData: ValidationDataSource;
  /** The CA's current CRL, if it publishes one. */
  caCrl(): Crl | undefined;
  deliveryEvidence(input: EvidenceInput): Promise<DeliveryEvidence>;
  verifyDeliveryEvidence(set: DeliveryEvidence[], content?: Uint8Array): EvidenceVerdict;
  close(): Promise<void>;
}

export interface OpenTrustOptions {
  config: MamoriConfig;
  /** Where TSA serial numbers persist; required for the local TSA. */
  store?: Store;
  /** Override the clock policy (tests). */
  clock?: ClockPolicy;
}

export function openTrust(options: OpenTrustOptions): TrustServices {
  const config = trustConfig(options.config);
  let anchors: Certificate[] | null = null;
  let tsaPromise: Promise<TimeStampAuthority> | null = null;
  let sealIdentity: SigningIdentity | null = null;
  let ntp: NtpClockPolicy | null = null;
  const trustAnchors = (): Certificate[] => (anchors ??= loadTrustAnchors(config.dir));
  // Read at every verification: `mamori trust revoke` may have reissued the CRL meanwhile.
  const crls = (): Crl[] => loadCrls(config.dir);
  const seal = (): SigningIdentity => (sealIdentity ??= loadIdentity(config.dir, 'seal'));

  const authority = (): Promise<TimeStampAuthority> => {
    tsaPromise ??= (async () => {
      if (!options.store) throw new Error('the local TSA needs a store for its serial numbers');
      let clock = options.clock ?? systemClock;
      if (!options.clock && config.clock.ntpServer) {
        ntp = await new NtpClockPolicy({ host: config.clock.ntpServer, port: config.clock.ntpPort, maxOffsetMs: config.clock.maxOffsetMs, intervalMs: config.clock.intervalMs }).start();
        clock = ntp;
      }
      const ms = config.tsa.accuracyMs;
      return new TimeStampAuthority({
        identity: loadIdentity(config.dir, 'tsa'),
        policy: config.tsa.policy,
        acceptedPolicies: config.tsa.acceptedPolicies,
        accuracy: ms ? { seconds: Math.floor(ms / 1000) || undefined, millis: ms % 1000 || undefined } : undefined,
        serials: new StoreSerialSource(options.store, 'tsa', config.tsa.serialBlock),
        clock,
        signOn: config.tsa.signOn,
      });
    })();
    tsaPromise.catch(() => {
      tsaPromise = null; // keys may appear later (`mamori trust init` while the server runs)
    });
    return tsaPromise;
  };

  let responder: { key: string; value: OcspResponder } | null = null;
  const ocspResponder = (): OcspResponder => {
    // Keyed by the certificates' change times: `trust init --force` or `trust import` replace them.
    const key = (['root', 'ocsp', 'tsa', 'seal'] as const).map((r) => {
      try {
        return statSync(trustFiles(config.dir, r).cert).mtimeMs;
      } catch {
        return 0;
      }
    }).join(':');
    if (responder?.key !== key) responder = { key, value: new OcspResponder({ dir: config.dir }) };
    return responder.value;
  };

  const validationData: ValidationDataSource = async (certs) => {
    let responder: OcspResponder;
    try {
      responder = ocspResponder();
    } catch {
      return { crls: crls(), ocsp: [] }; // no CA of our own (imported identities): CRLs only
    }
    const answer = responder.answerFor(certs);
    return { crls: crls(), ocsp: answer ? [answer] : [] };
  };

  const timeStamper = (): TimeStamper =>
    config.tsaUrl ? httpTimeStamper(config.tsaUrl) : async (hash, digest) => localTimeStamper(await authority())(hash, digest);

  return {
    config,
    get trustAnchors() {
      return trustAnchors();
    },
    authority,
    timeStamper,
    stampDigest: (hash, digest = 'sha256') => timeStamper()(hash, digest),
    stampData: (data) => timeStamper()(createHash('sha256').update(data).digest(), 'sha256'),
    verifyStampToken: (token, subject) => verifyTimeStampToken(token, { ...subject, trustAnchors: trustAnchors(), crls: crls() }),
    sealJson: (doc, o = {}) => sealJson(seal(), doc, { validationData, ...o, timeStamper: timeStamper() }),
    sealFile: (content, o = {}) => sealCades(seal(), content, { ...o, timeStamper: timeStamper() }),
    verifyJws: (jws, payload) => verifyJws(jws, { trustAnchors: trustAnchors(), payload, crls: crls() }),
    verifyCades: (signature, content) => verifyCades(signature, { trustAnchors: trustAnchors(), content, crls: crls() }),
    ocspResponder,
    validationData,
    caCrl: () => ocspResponder().currentCrl(),
    deliveryEvidence: (input) => createDeliveryEvidence({ identity: seal(), timeStamper: timeStamper() }, input),
    verifyDeliveryEvidence: (set, content) => verifyDeliveryEvidence(set, { trustAnchors: trustAnchors(), content, crls: crls() }),
    async close() {
      (ntp as NtpClockPolicy | null)?.close();
    },
  };
}
