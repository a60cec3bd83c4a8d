/**
 * The hub's tables as Kysely sees them. Portable types only (see core's store): epoch-ms in
 * bigint (read as number), JSON in text, booleans as 0/1.
 */
import type { Generated } from 'kysely';

export interface SectorRow { id: string; name_ja: string; name_en: string }

export interface OrgRow {
  id: string;
  name: string;
  sector: string | null;
  role: string;
  created_at: number;
}

export interface GroupRow {
  id: string;
  name: string;
  /** sector | ceptoar | orgs | community */
  kind: string;
  sector: string | null;
  created_at: number;
}

export interface GroupMemberRow { group_id: string; org_id: string }

export interface UserRow {
  id: string;
  org_id: string;
  username: string;
  display_name: string;
  email: string | null;
  roles: string; // JSON UserRole[]
  password_hash: string | null;
  failed_logins: number;
  locked_until: number | null;
  disabled: number;
  created_at: number;
}

export interface TokenRow {
  id: string;
  user_id: string;
  /** api | session */
  kind: string;
  name: string;
  /** hex SHA-256 of the secret; the secret itself is never stored. */
  hash: string;
  scopes: string; // JSON TokenScope[]
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface ReportRow {
  seq: Generated<number>;
  id: string;
  owner_org_id: string;
  author_user_id: string;
  sector: string;
  affected_service: string;
  cause: string;
  severity: number;
  status: string;
  route: string;
  title: string;
  description: string;
  impact: string;
  tlp: string;
  sharing: string; // JSON Sharing
  recipients: string; // JSON Recipients
  timeline: string; // JSON TimelineEntry[]
  indicators: string; // JSON Indicator[]
  occurred_at: number | null;
  detected_at: number | null;
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
  version: number;
  /** 1 on a copy relayed with the reporter's identity removed. */
  anonymised: number;
}

export interface AudienceRow { key: string; report_seq: number }

export interface IndicatorRow { report_seq: number; type: string; value: string }

export interface HistoryRow {
  id: Generated<number>;
  report_id: string;
  version: number;
  at: number;
  user_id: string;
  action: string;
  snapshot: string; // JSON of the report after the change
}

export interface CommentRow {
  id: string;
  report_id: string;
  author_user_id: string;
  org_id: string;
  tlp: string;
  recipients: string;
  body: string;
  created_at: number;
}

export interface AttachmentRow {
  id: string;
  report_id: string;
  author_user_id: string;
  org_id: string;
  tlp: string;
  recipients: string;
  filename: string;
  media_type: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: number;
}

export interface ReceiptRow {
  id: Generated<number>;
  report_id: string;
  recipient_org_id: string;
  /** route (submitted to it) | relay (an edited copy was relayed to it) */
  via: string;
  /** What was delivered: the report itself or the relayed copy's id. */
  delivered_report_id: string;
  /** SHA-256 of the delivered text, so the reporter can tell what exactly went out. */
  content_sha256: string;
  at: number;
}

export interface RelayRow {
  id: string;
  source_report_id: string;
  relayed_report_id: string;
  by_user_id: string;
  anonymised: number;
  at: number;
}

export interface AuditRow {
  seq: Generated<number>;
  at: number;
  user_id: string | null;
  org_id: string | null;
  ip: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  tlp: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The one row (id 1) holding the chain's last seq and hash, advanced by a trigger. */
export interface AuditHeadRow {
  id: number;
  seq: number;
  hash: string;
}

export interface CheckpointRow {
  seq: number;
  hash: string;
  at: number;
  /** Time-stamp token (base64) or null when no stamper was configured. */
  stamp: string | null;
  stamp_kind: string | null;
}

export interface SubscriptionRow {
  id: string;
  user_id: string;
  /** webhook | email | sse */
  channel: string;
  target: string;
  secret: string | null;
  sectors: string; // JSON SectorId[]; [] = all
  min_severity: number;
  active: number;
  created_at: number;
}

export interface OutboxRow {
  id: Generated<number>;
  subscription_id: string;
  report_id: string;
  event: string;
  attempts: number;
  next_at: number;
  /** pending | delivered | dead */
  status: string;
  last_error: string | null;
  lease_until: number;
  created_at: number;
  delivered_at: number | null;
}

export interface OnCallRow {
  position: number;
  user_id: string;
  /** webhook | email */
  channel: string;
  target: string;
}

export interface PageRow {
  id: string;
  report_id: string;
  level: number;
  /** open | acked | exhausted */
  status: string;
  opened_at: number;
  next_escalation_at: number;
  acked_by: string | null;
  acked_at: number | null;
  lease_until: number;
}

export interface LoginThrottleRow {
  source: string;
  window_start: number;
  failures: number;
  blocked_until: number | null;
}

export interface HubTables {
  hub_sector: SectorRow;
  hub_org: OrgRow;
  hub_group: GroupRow;
  hub_group_member: GroupMemberRow;
  hub_user: UserRow;
  hub_token: TokenRow;
  hub_report: ReportRow;
  hub_report_audience: AudienceRow;
  hub_indicator: IndicatorRow;
  hub_report_history: HistoryRow;
  hub_comment: CommentRow;
  hub_attachment: AttachmentRow;
  hub_receipt: ReceiptRow;
  hub_relay: RelayRow;
  hub_audit: AuditRow;
  hub_audit_checkpoint: CheckpointRow;
  hub_audit_head: AuditHeadRow;
  hub_subscription: SubscriptionRow;
  hub_outbox: OutboxRow;
  hub_oncall: OnCallRow;
  hub_page: PageRow;
  hub_login_throttle: LoginThrottleRow;
}
