/**
 * Notification files for an ISP: one row per device (address, port, protocol, first and last
 * seen, finding type, evidence time), as CSV (RFC 4180) or JSON. Times are ISO 8601 UTC.
 */
import type { Batch, NotificationRow } from '../store/survey-store.js';

const COLUMNS = ['address', 'port', 'protocol', 'first_seen', 'last_seen', 'finding_type', 'evidence_time'] as const;

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function notificationCsv(rows: readonly NotificationRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.address, r.port, r.protocol, iso(r.firstSeen), iso(r.lastSeen), r.findingType, iso(r.evidenceAt)].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function notificationJson(batch: Batch, rows: readonly NotificationRow[]): string {
  return `${JSON.stringify({
    format: 'mamori-survey-notification',
    version: 1,
    batch: { id: batch.id, isp: batch.isp, state: batch.state, createdAt: iso(batch.createdAt), items: batch.items },
    devices: rows.map((r) => ({
      address: r.address, port: r.port, protocol: r.protocol, firstSeen: iso(r.firstSeen), lastSeen: iso(r.lastSeen),
      findingType: r.findingType, evidenceTime: iso(r.evidenceAt),
    })),
  }, null, 2)}\n`;
}
