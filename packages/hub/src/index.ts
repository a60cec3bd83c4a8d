/**
 * @mamori/hub — the critical-infrastructure sharing community (organisations, sectors,
 * reports, severity, TLP 2.0, relay, alerts, audit) and its STIX 2.1 store / TAXII 2.1.
 *
 * For code that serves hub material (the STIX/TAXII part in ./stix, other route modules):
 * - Context: `hubContext(platform)` → `HubContext` (typed Kysely `db`, bus, clock, config).
 * - Authentication: `authenticateRequest(hub, request)` (Fastify) or
 *   `authenticateBearer(hub, authorizationHeader)` → `Principal { userId, orgId, orgSector,
 *   orgRole, roles, groupIds, scopes, via }`, or throws MamoriError MAMORI_HUB_UNAUTHENTICATED
 *   (401: missing, forged, expired, revoked). `hubAuth(hub)` is the preHandler that does it
 *   for a whole scope; `requestPrincipal(request)` reads the result, `requestActor(request)`
 *   gives the audit actor (user, org, ip).
 * - Authorisation, THE one function every read path uses: `canRead(principal, { tlp, sharing:
 *   { scope: 'community' | 'restricted', sectors?, orgIds?, groupIds? }, ownerOrgId,
 *   authorUserId?, recipients?: { orgIds?, userIds? }, draft? })`. RED admits only the author
 *   and `recipients.userIds`. Writes: `canWrite(principal, item?)` (no item = may create);
 *   `assertCanRead` / `assertCanWrite` throw 404 / 403. `audienceKeys(item)` and
 *   `principalKeys(principal)` narrow list queries in SQL (keys meet ⇔ canRead, property-tested);
 *   still pass each row through `canRead`.
 * - TLP: `Tlp` ('CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED'), `TLP2_MARKING_IDS`,
 *   `TLP1_MARKING_IDS` (WHITE→CLEAR), `tlpFromMarkingId`, `parseTlp`, `strictestTlp`.
 * - Sharing groups: `listGroups(hub)`; a principal's groups are in `principal.groupIds`.
 * - Audit: `audited(hub, actor, event, trx => write)` runs a write and its audit entry in one
 *   transaction; `auditReads(hub, actor, type, items, via)` logs AMBER/RED reads.
 */
export { TLP_LEVELS, TLP2_EXTENSION_ID, TLP2_MARKING_IDS, TLP1_MARKING_IDS, tlpRank, isTlp, parseTlp, tlpFromMarkingId, strictestTlp, type Tlp } from './access/tlp.js';
export {
  canRead, canWrite, can, assertCan, assertCanRead, assertCanWrite, audienceKeys, principalKeys, inheritTlp, COMMUNITY, TOKEN_SCOPES,
  type Principal, type Sharing, type Recipients, type Protected, type TokenScope, type HubAction, type ActionTarget,
} from './access/policy.js';
export { SECTORS, ORG_ROLES, USER_ROLES, isSectorId, type SectorId, type OrgRole, type UserRole } from './model/sectors.js';
export { hubMigrations } from './model/migrations.js';
export type { HubTables } from './model/tables.js';
export { hubContext, hubConfigSchema, type HubContext, type HubContextOptions, type HubConfig, type CheckpointStamper } from './context.js';
export {
  addOrg, listOrgs, findOrg, listSectors, addGroup, addGroupMember, listGroups, addUser, findUser, listUsers,
  type Organisation, type SharingGroup, type User, type NewUser,
} from './model/community.js';
export {
  authenticateBearer, authenticateToken, principalOf, createToken, revokeToken, listTokens, login, logout, LOCAL_OPERATOR, type TokenInfo,
} from './auth/principal.js';
export { hashPassword, verifyPassword, sha256Hex } from './auth/secrets.js';
export { authenticateRequest, hubAuth, requestPrincipal, requestActor } from './auth/fastify.js';
export { appendAudit, audited, auditReads, actorOf, verifyAudit, assertAuditIntact, checkpointNow, stampPending, type Actor, type AuditEvent, type AuditVerification } from './audit/log.js';

export { SEVERITY_SCALE, CAUSES, REPORT_STATES, ROUTES, TRANSITIONS, type SeverityLevel, type Cause, type ReportState, type ReportRoute } from './reports/severity.js';
export { INDICATOR_TYPES, normaliseIndicator, type Indicator, type IndicatorType } from './reports/indicators.js';
export { reportProtection, contentHash, parseReportFields, parseSharing, parseRecipients, type Report, type TimelineEntry, type ReportFields } from './reports/model.js';
export {
  createReport, updateReportFields, submitReport, transitionReport, relayReport, getReport, reportReceipts, reportHistory, reportView, identityLeaks,
  type NewReport, type RelayInput, type Receipt, type HistoryEntry,
} from './reports/lifecycle.js';
export { addComment, listComments, addAttachment, listAttachments, getAttachment, childProtection, type Comment, type AttachmentInfo } from './reports/discussion.js';
export { listReports, listReportsJson, searchReports, exportReports, dashboardSummary, parseFeedQuery, csvCell, newestByKeysStatement, newestByKeysJsonStatement, MAX_PAGE, type FeedQuery, type FeedPage, type DashboardSummary } from './reports/feed.js';
export { addSubscription, listSubscriptions, removeSubscription, setOnCall, listOnCall, CHANNELS, type Subscription, type Channel, type OnCallEntry } from './alerts/subscriptions.js';
export { AlertDispatcher, ackPage, listPages, listDeadLetters, retryDeadLetter, type DispatchStats, type DispatcherOptions, type Page, type DeadLetter } from './alerts/dispatcher.js';
export { subscribeLive, PUBLISHED_SUBJECT, type LiveFilter } from './alerts/live.js';
export { signWebhook, verifyWebhookSignature, postWebhook, smtpMailer, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, type Mailer, type WebhookOptions } from './alerts/transports.js';
export { isInternalAddress, isInternalHostName, resolveDeliveryAddress, systemResolver, type HostResolver, type ResolvedAddress } from './alerts/targets.js';
export { enqueueAlerts, openPageIfSevere } from './alerts/fanout.js';
export { parseJsonBody } from './http/json-body.js';
export { createTestCommunity, type TestCommunity, type TestMember } from './testing/community.js';
export { openTestPlatform } from './testing/platform.js';

// STIX 2.1 store and TAXII 2.1 (issue 10): everything under ./stix/.
export * from './stix/index.js';
