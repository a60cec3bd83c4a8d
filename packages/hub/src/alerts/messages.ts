/** What an alert says. The TLP label leads every message, as TLP 2.0 asks. Pure. */
import type { Report } from '../reports/model.js';
import { SEVERITY_SCALE } from '../reports/severity.js';

export interface AlertPayload {
  event: 'report.published';
  deliveryId: string;
  tlp: string;
  report: Report;
}

export function alertPayload(deliveryId: string, report: Report): AlertPayload {
  return { event: 'report.published', deliveryId, tlp: report.tlp, report };
}

export function alertEmail(report: Report): { subject: string; text: string } {
  const sev = SEVERITY_SCALE[report.severity];
  const subject = `[TLP:${report.tlp}] [severity ${report.severity} ${sev.name}] ${report.sector}: ${report.title}`.replace(/[\r\n]+/g, ' ').slice(0, 250);
  const text = [
    `TLP:${report.tlp}`,
    '',
    `${report.title}`,
    `Sector: ${report.sector}   Service: ${report.affectedService}   Cause: ${report.cause}`,
    `Severity: ${report.severity} (${sev.name}) — ${sev.criteria}`,
    `Status: ${report.status}   Report: ${report.id}`,
    '',
    report.description,
    report.impact ? `\nImpact:\n${report.impact}` : '',
    report.indicators.length ? `\nIndicators:\n${report.indicators.map((i) => `  ${i.type} ${i.value}`).join('\n')}` : '',
    '',
    `TLP:${report.tlp} — share only as this marking allows.`,
  ].join('\n');
  return { subject, text };
}

export function pageText(pageId: string, report: Report | null): { subject: string; text: string } {
  if (!report) {
    return { subject: `[mamori hub] PAGE ${pageId}: a report needs the on-call coordinator`, text: `Page ${pageId}: a high-severity report needs the on-call coordinator. It is not shared with you; acknowledge or hand over.\nAcknowledge: mamori hub page ack ${pageId}` };
  }
  const m = alertEmail(report);
  return { subject: `[mamori hub] PAGE ${pageId} ${m.subject}`, text: `${m.text}\n\nAcknowledge: mamori hub page ack ${pageId}` };
}
