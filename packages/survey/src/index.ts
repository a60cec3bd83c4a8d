/**
 * @mamori/survey — the weak-credential IoT survey (NOTICE-style): authorised scope, rate-limited
 * scheduler, Telnet/SSH/HTTP login probes, findings by ISP, notification batches, re-survey and
 * effectiveness indicators.
 */
export { SurveyScope, parseScopeText, type ScopeVerdict } from './scope/scope.js';
export { SurveyConnector, DEFAULT_LIMITS, connectFailure, localRate, type ConnectorLimits, type ConnectorStats, type Dial, type RateGate } from './scope/connector.js';
export { SocketGate, type GatePriority } from './scope/socket-gate.js';
export { DEFAULT_TLS_PORTS, certificateInfo, type TlsCertificateInfo } from './scope/tls.js';
export { TokenBucket, KeyedBuckets } from './scope/token-bucket.js';
export { parseDictionary, loadDictionary, defaultDictionary, type CredentialPair, type CredentialDictionary } from './credentials.js';
export { runSurvey, type SurveyOptions, type SurveyProgress, type SurveyResult } from './scheduler.js';
export { DEFAULT_TIMEOUTS, DEFAULT_WEB_PORTS, type ProbeTimeouts } from './probes/context.js';
export type { TaskOutcome } from './probes/service.js';
export { sshTiming } from './probes/ssh.js';
export { TelnetDecoder, TelnetNegotiator, type TelnetCommand } from './protocol/telnet-codec.js';
export { parseWwwAuthenticate, type AuthChallenge } from './protocol/www-authenticate.js';
export { digestAuthorization, digestExpected } from './protocol/digest.js';
export { parseHttpHead, type HttpHead } from './protocol/http-response.js';
export type { ServiceRecord, Finding, FindingType, SurveyProtocol, AuthMethod, WeakDevice } from './types.js';
export { parseIp2Asn, parseIspMap, rangeToPrefixes, type Attribution, type AttributionTable } from './attribution/ip2asn.js';
export { surveyMigrations, type SurveyTables } from './store/migrations.js';
export {
  recordRun, listFindings, listWeakDevices, resurveyTargets, listRuns, prepareBatch, getBatch, listBatches, batchRows, setBatchState,
  type StoredFinding, type FindingStatus, type RunSummary, type Batch, type BatchState, type NotificationRow, type RecordRunOptions, type RecordRunSummary, type FindingQuery,
} from './store/survey-store.js';
export { notificationCsv, notificationJson } from './report/notify.js';
export { effectiveness, computeEffectiveness, type Effectiveness, type IspIndicators, type MonthIndicators } from './report/effectiveness.js';
export { dictionaryDigest } from './credentials.js';
export { runDistributedSurvey, type DistributedSurveyOptions, type DistributedSurveyResult } from './distributed/coordinator.js';
export { startSurveyWorker, SURVEY_QUEUE, type SurveyWorker, type SurveyWorkerOptions, type SurveyWorkerStats, type WorkItem } from './distributed/worker.js';
export { startRateLeader, SharedRate, type RateLeader } from './distributed/shared-rate.js';
export {
  commitItem, distributedFindings, distributedProgress, loadDistributedRun, type DistributedRun, type DistributedProgress, type ItemStats,
} from './distributed/dist-store.js';
