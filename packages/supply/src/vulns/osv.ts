/**
 * OSV records (https://ossf.github.io/osv-schema/) into `VulnRecord`s: structure checked
 * field by field with errors that name the field, severity from the CVSS vector (v3.x or
 * v4) or, failing that, the database's own label (GHSA's `database_specific.severity`).
 */
import { MamoriError } from '@mamori/core';
import { parseCvss, type SeverityRating } from './cvss.js';
import type { AffectedPackage, AffectedRange, RangeEvent, Severity, VulnRecord } from './model.js';

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
const LABELS: Record<string, SeverityRating> = { LOW: 'low', MODERATE: 'medium', MEDIUM: 'medium', HIGH: 'high', CRITICAL: 'critical' };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseOsvRecord(input: unknown, source = 'input'): VulnRecord {
  const bad = (field: string, reason: string): MamoriError => new MamoriError('MAMORI_SUPPLY_OSV', { source, field, reason: `${field}: ${reason}` });
  if (!isObj(input)) throw bad('(root)', 'not a JSON object');
  if (typeof input.id !== 'string' || input.id.length === 0 || input.id.length > 200) throw bad('id', 'must be a non-empty string');
  if (typeof input.modified !== 'string') throw bad('modified', 'must be an RFC 3339 time string');
  const aliases = Array.isArray(input.aliases) ? input.aliases.filter((a): a is string => typeof a === 'string') : [];
  const affected: AffectedPackage[] = [];
  const affectedIn = input.affected === undefined ? [] : input.affected;
  if (!Array.isArray(affectedIn)) throw bad('affected', 'must be an array');
  affectedIn.forEach((a, i) => {
    const at = `affected[${i}]`;
    if (!isObj(a)) throw bad(at, 'must be an object');
    if (!isObj(a.package)) return; // OSV allows affected entries without a package (rare; nothing to match)
    if (typeof a.package.ecosystem !== 'string' || typeof a.package.name !== 'string') throw bad(`${at}.package`, 'needs ecosystem and name strings');
    const ranges: AffectedRange[] = [];
    const rangesIn = a.ranges ?? [];
    if (!Array.isArray(rangesIn)) throw bad(`${at}.ranges`, 'must be an array');
    rangesIn.forEach((r, j) => {
      const rat = `${at}.ranges[${j}]`;
      if (!isObj(r)) throw bad(rat, 'must be an object');
      if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM' && r.type !== 'GIT') throw bad(`${rat}.type`, 'must be SEMVER, ECOSYSTEM or GIT');
      if (!Array.isArray(r.events) || r.events.length === 0) throw bad(`${rat}.events`, 'must be a non-empty array');
      const events: RangeEvent[] = r.events.map((e, k) => {
        const keys = isObj(e) ? Object.keys(e) : [];
        if (!isObj(e) || keys.length !== 1 || !(EVENT_KEYS as readonly string[]).includes(keys[0]) || typeof e[keys[0]] !== 'string') {
          throw bad(`${rat}.events[${k}]`, 'must have exactly one of introduced, fixed, last_affected, limit (a string)');
        }
        return { [keys[0]]: e[keys[0]] } as RangeEvent;
      });
      ranges.push({ type: r.type, events });
    });
    const versions = Array.isArray(a.versions) ? a.versions.filter((v): v is string => typeof v === 'string') : [];
    affected.push({ ecosystem: a.package.ecosystem, name: a.package.name, ranges, versions });
  });
  return {
    id: input.id, source: 'osv', modified: input.modified, aliases,
    summary: typeof input.summary === 'string' ? input.summary : typeof input.details === 'string' ? input.details.slice(0, 200) : undefined,
    severity: osvSeverity(input), affected, cpes: [],
  };
}

function osvSeverity(r: Record<string, unknown>): Severity | undefined {
  let best: Severity | undefined;
  for (const s of Array.isArray(r.severity) ? r.severity : []) {
    if (!isObj(s) || typeof s.score !== 'string') continue;
    if (s.type !== 'CVSS_V3' && s.type !== 'CVSS_V4') continue;
    try {
      const c = parseCvss(s.score);
      const sev: Severity = { rating: c.rating, score: c.baseScore, vector: c.vector, source: c.version === '4.0' ? 'cvss4' : 'cvss3' };
      // Prefer v4 when both are given (the newer assessment), else the first valid one.
      if (!best || (sev.source === 'cvss4' && best.source !== 'cvss4')) best = sev;
    } catch { /* an unparseable vector: fall through to the label */ }
  }
  if (best) return best;
  const label = isObj(r.database_specific) && typeof r.database_specific.severity === 'string' ? LABELS[r.database_specific.severity.toUpperCase()] : undefined;
  return label ? { rating: label, source: 'database' } : undefined;
}
