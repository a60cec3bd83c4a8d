/**
 * The Time-Stamp Authority: TimeStampReq in, TimeStampResp out (RFC 3161 with RFC 5816's
 * ESSCertIDv2). Client faults become rejections with the right PKIFailureInfo, never
 * exceptions; the TSA refuses (timeNotAvailable) when its clock policy says the time cannot
 * be trusted.
 */
import { isMamoriError, MamoriError } from '@mamori/core';
import { OID, digestOid, type DigestName } from '../asn1/oids.js';
import { TAG } from '../asn1/der.js';
import { plan, writePlan, type DerPlan } from '../asn1/layout.js';
import { integer as integerDer, oid, octets, seq } from '../asn1/write.js';
import { SignerTemplate, type SigningIdentity } from '../cms/sign.js';
import { timeStampingEkuProblems } from '../pki/path.js';
import type { ClockPolicy } from './clock.js';
import { parseTimeStampReq, type FailInfo, type TimeStampRequest } from './request.js';
import { GRANTED_STATUS, encodeRejection } from './response.js';
import type { SerialSource } from './serials.js';
import { directoryName, encodeAccuracy, encodeTstInfo, type Accuracy } from './tst-info.js';

export interface TsaOptions {
  identity: SigningIdentity;
  /** The policy this TSA issues under (TSTInfo.policy when the request names none). */
  policy: string;
  /** Other policies a request may ask for. */
  acceptedPolicies?: string[];
  accuracy?: Accuracy;
  serials: SerialSource;
  clock?: ClockPolicy;
  /** Put the TSA's subject in TSTInfo.tsa. */
  includeTsaName?: boolean;
  now?: () => Date;
  /**
   * Where the ECDSA/RSA signature is computed: 'inline' on the calling thread (the least CPU
   * per token: the right choice with one TSA process per core), or 'thread-pool' (libuv's
   * workers: one process uses every core, at a higher CPU cost per token). Default 'inline'.
   */
  signOn?: 'inline' | 'thread-pool';
}

export interface StampOptions {
  digest?: DigestName;
  nonce?: bigint;
  certReq?: boolean;
  policy?: string;
}

export interface TsaStats {
  granted: number;
  rejected: Partial<Record<FailInfo, number>>;
}

export class TimeStampAuthority {
  private readonly template: SignerTemplate;
  private readonly policyDer: Buffer;
  private readonly accuracyDer?: Buffer;
  private readonly tsaNameDer?: Buffer;
  private readonly accepted: Set<string>;
  private readonly now: () => Date;
  readonly stats: TsaStats = { granted: 0, rejected: {} };

  constructor(private readonly options: TsaOptions) {
    const problems = timeStampingEkuProblems(options.identity.cert);
    if (problems.length) throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `not a TSA certificate: ${problems.join('; ')}` });
    this.template = new SignerTemplate(options.identity);
    this.policyDer = oid(options.policy);
    this.accuracyDer = options.accuracy ? encodeAccuracy(options.accuracy) : undefined;
    this.tsaNameDer = options.includeTsaName === false ? undefined : directoryName(options.identity.cert.subjectDer);
    this.accepted = new Set([options.policy, ...(options.acceptedPolicies ?? [])]);
    this.now = options.now ?? (() => new Date());
  }

  get certificate() {
    return this.options.identity.cert;
  }

  get chain() {
    return this.options.identity.chain;
  }

  /**
   * Answers one DER TimeStampReq with a DER TimeStampResp; never rejects for bad input. With a
   * serial at hand and inline signing the reply is made without a hop through the microtask
   * queue (the TSA listener answers many per turn of the event loop).
   */
  respond(requestDer: Uint8Array): Promise<Buffer> {
    let request: TimeStampRequest;
    try {
      request = parseTimeStampReq(requestDer);
    } catch (e) {
      if (isMamoriError(e) && e.details.failInfo) return Promise.resolve(this.reject(e.details.failInfo as FailInfo, e.message));
      return Promise.resolve(this.reject('badRequest', 'unreadable request'));
    }
    if (request.policy && !this.accepted.has(request.policy)) return Promise.resolve(this.reject('unacceptedPolicy', `policy ${request.policy} is not offered`));
    const granted = (token: DerPlan): Buffer => writePlan(plan(TAG.SEQUENCE, GRANTED_STATUS, token));
    const failed = (e: unknown): Buffer => (isMamoriError(e, 'MAMORI_TRUST_TSA_UNAVAILABLE')
      ? this.reject('timeNotAvailable', e.message)
      : this.reject('systemFailure', 'the TSA could not issue a token'));
    try {
      const token = this.issue(request);
      return token instanceof Promise ? token.then(granted, failed) : Promise.resolve(granted(token));
    } catch (e) {
      return Promise.resolve(failed(e));
    }
  }

  /** A token for a digest computed by the caller (the hub's audit checkpoints, level-T seals). */
  async stampDigest(hashedMessage: Uint8Array, options: StampOptions = {}): Promise<Buffer> {
    const digest = options.digest ?? 'sha256';
    if (options.policy && !this.accepted.has(options.policy)) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `policy ${options.policy} is not offered` });
    const imprint = seq(seq(oid(digestOid(digest))), octets(hashedMessage));
    return writePlan(await this.issue({
      digest,
      hashedMessage,
      messageImprintDer: imprint,
      policy: options.policy,
      nonce: options.nonce,
      nonceDer: options.nonce !== undefined ? integerDer(options.nonce) : undefined,
      certReq: options.certReq ?? true,
    }));
  }

  /** The token (ContentInfo) as a plan, so the reply around it is written in one allocation. */
  private issue(request: TimeStampRequest): DerPlan | Promise<DerPlan> {
    const now = this.now();
    const refusal = this.options.clock?.check(now);
    if (refusal) throw new MamoriError('MAMORI_TRUST_TSA_UNAVAILABLE', { reason: refusal });
    const serial = this.options.serials.next();
    return typeof serial === 'bigint' ? this.token(request, now, serial) : serial.then((s) => this.token(request, now, s));
  }

  private token(request: TimeStampRequest, now: Date, serialNumber: bigint): DerPlan | Promise<DerPlan> {
    const tstInfo = encodeTstInfo({
      policyDer: request.policy ? oid(request.policy) : this.policyDer,
      messageImprintDer: request.messageImprintDer,
      serialNumber,
      genTime: now,
      accuracyDer: this.accuracyDer,
      nonceDer: request.nonceDer,
      tsaNameDer: this.tsaNameDer,
    });
    const sign = { contentType: OID.tstInfo, content: tstInfo, certificates: request.certReq ? 'signer' : 'none' } as const;
    if (this.options.signOn === 'thread-pool') {
      return this.template.signPlanAsync(sign).then((token) => {
        this.stats.granted++;
        return token;
      });
    }
    const token = this.template.signPlan(sign);
    this.stats.granted++;
    return token;
  }

  private reject(failInfo: FailInfo, text: string): Buffer {
    this.stats.rejected[failInfo] = (this.stats.rejected[failInfo] ?? 0) + 1;
    return encodeRejection(failInfo, text);
  }
}
