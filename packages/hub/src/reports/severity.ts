/**
 * The hub's incident severity scale (0–5) with the written criteria reporters and analysts
 * apply. Loosely follows the national-level scales of CISA's NCISS and the impact levels of
 * Japan's critical-infrastructure IT-failure reporting: service impact, spread, and harm.
 */
export interface SeverityLevel {
  level: 0 | 1 | 2 | 3 | 4 | 5;
  name: string;
  nameJa: string;
  criteria: string;
}

export const SEVERITY_SCALE: readonly SeverityLevel[] = [
  { level: 0, name: 'Informational', nameJa: '情報', criteria: 'No impact on any service. Precursor or threat information: scans, phishing attempts blocked, vulnerabilities, advisories worth sharing.' },
  { level: 1, name: 'Low', nameJa: '低', criteria: 'Contained event on a single system; no effect on the services users receive; no data exposed. Recovered without outside help.' },
  { level: 2, name: 'Medium', nameJa: '中', criteria: 'Limited degradation of a service, or exposure of a limited set of data; recovered within hours; other operators are unlikely to be affected.' },
  { level: 3, name: 'High', nameJa: '高', criteria: 'Outage of a service for part of its users, or a confirmed compromise with data loss; other operators in the sector may be hit by the same cause.' },
  { level: 4, name: 'Severe', nameJa: '重大', criteria: 'Sector-level impact: prolonged outage of a critical service or a widespread compromise; spread to other sectors is possible. Pages the coordinator.' },
  { level: 5, name: 'Emergency', nameJa: '緊急', criteria: 'Nationwide or multi-sector impact on critical services, or a threat to life, safety or national security. Pages the coordinator at once.' },
];

export const CAUSES = ['cyber-attack', 'failure', 'disaster', 'other'] as const;
export type Cause = (typeof CAUSES)[number];

export const REPORT_STATES = ['draft', 'submitted', 'relayed', 'under-analysis', 'closed'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

export const ROUTES = ['coordinator', 'secretariat', 'relay'] as const;
export type ReportRoute = (typeof ROUTES)[number];

/** Which state changes exist and which rule guards each. */
export const TRANSITIONS: Readonly<Record<ReportState, readonly ReportState[]>> = {
  draft: ['submitted'],
  submitted: ['relayed', 'under-analysis', 'closed'],
  relayed: ['under-analysis', 'closed'],
  'under-analysis': ['closed'],
  closed: [],
};
