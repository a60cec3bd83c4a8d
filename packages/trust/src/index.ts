/**
 * @mamori/trust — RFC 3161 time stamps, e-seals (CAdES, JAdES) and e-delivery evidence,
 * with the keys and certificates to run them and the verification anyone can repeat.
 */
export { parseCertificate, certificatesFromPem, certificateToPem, displayName, type Certificate } from './pki/certificate.js';
export { validatePath, timeStampingEkuProblems, type PathResult, type PathOptions } from './pki/path.js';
export {
  loadIdentity, loadTrustAnchors, loadPrivateKey, addTrustAnchors, saveIdentity, trustFiles, anchorsFile, keyMatchesCertificate,
  type Role,
} from './pki/keys.js';
export { initTrust, issueCrl, revocationUrls, type InitOptions, type InitResult, type KeyAlgorithm, type CrlOptions } from './pki/generate.js';
export { parseCrl, crlsFromPem, crlToPem, loadCrls, crlFile, crlSignedBy, CRL_REASONS, type Crl, type RevokedCertificate } from './pki/crl.js';
export { checkRevocation, describeRevocation, type CertRevocation, type RevocationData, type RevocationResult } from './pki/revocation.js';
export { certIdOf, encodeCertId, type CertId } from './ocsp/cert-id.js';
export { parseOcspRequest, encodeOcspRequest, type OcspRequest } from './ocsp/request.js';
export {
  parseOcspResponse, encodeOcspResponse, encodeOcspError, ocspSignerFor, OCSP_STATUS,
  type OcspResponse, type OcspResponseStatus, type SingleResponse, type CertStatus,
} from './ocsp/response.js';
export { requestOcsp, checkOcspAnswer, ocspUrlsOf, type OcspAnswer } from './ocsp/client.js';
export { OcspResponder, type OcspResponderOptions } from './ocsp/responder.js';
export { SignerTemplate, type SigningIdentity } from './cms/sign.js';
export { parseSignedData, type SignedData, type SignerInfo } from './cms/parse.js';
export { parseTimeStampReq, encodeTimeStampReq, type TimeStampRequest, type FailInfo, type RequestOptions } from './tsp/request.js';
export { parseTimeStampResp, encodeRejection, PKIStatus, type TimeStampResponse } from './tsp/response.js';
export { parseTstInfo, type TstInfo, type Accuracy } from './tsp/tst-info.js';
export { TimeStampAuthority, type TsaOptions, type StampOptions } from './tsp/authority.js';
export { verifyTimeStampToken, readTimeStampToken, type StampVerdict, type StampVerifyOptions } from './tsp/verify.js';
export { StoreSerialSource, CounterSerialSource, trustMigrations, type SerialSource } from './tsp/serials.js';
export { NtpClockPolicy, querySntp, systemClock, type ClockPolicy, type NtpPolicyOptions, type NtpSample } from './tsp/clock.js';
export type { DigestName } from './asn1/oids.js';
export { createTsaListener, type TsaListener, type TsaListenerOptions, type TsaQueryHandler, type TsaAnswer } from './tsp/http-listener.js';
export { httpTimeStamper, localTimeStamper, requestTimeStamp, type TimeStamper, type HttpStampOptions } from './tsp/client.js';
export { sealCades, type CadesOptions, type SealLevel } from './seal/cades.js';
export { verifyCades, type CadesVerifyOptions } from './seal/verify-cades.js';
export { sealJws, sealJson, verifyJws, jwsPayload, type JwsFlattened, type JadesOptions } from './seal/jades.js';
export type { SealVerdict, SealVerifyOptions, SealTimeStamp } from './seal/verdict.js';
export { addValidationData, addArchiveTimeStamp, readUnsigned, type JadesLevel, type ValidationDataSource, type UnsignedProperties } from './seal/jades-lt.js';
export {
  createDeliveryEvidence, verifyDeliveryEvidence, EVIDENCE_TYPE,
  type DeliveryEvent, type DeliveryEvidence, type EvidenceInput, type EvidenceIssuer, type EvidenceRecord, type EvidenceVerdict, type EvidenceVerifyOptions,
} from './delivery/evidence.js';
export { chainHash, verifyChain, GENESIS_HASH, type ChainEntry, type Checkpoint, type ChainVerdict, type VerifyChainOptions } from './chain/hash-chain.js';
export { canonicalJson } from './chain/canonical.js';
export { trustConfig, trustConfigSchema, DEFAULT_TSA_POLICY, type TrustConfig } from './config.js';
export { openTrust, type TrustServices, type OpenTrustOptions } from './service.js';
export { createTestTrust, runOpenssl, runOpensslAsync, type TestTrust } from './testing.js';
export { readPkcs12, readPem, installIdentity, type KeyMaterial, type ImportResult } from './pki/import.js';
export { verifyDetached, detachedKind, timeStampTokenOf, isJwsText, stampVerdictJson, sealVerdictJson, type DetachedKind, type DetachedVerdict } from './detached.js';
