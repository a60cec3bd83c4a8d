/**
 * NVD CVE API 2.0 records (the JSON the NVD API and its feeds return): for devices and
 * firmware, which carry CPEs rather than package URLs. Each vulnerable `cpeMatch` becomes
 * an `AffectedCpe`. AND-nodes ("vulnerable on platform X") are read as their vulnerable
 * members alone, which reports a device that has the component but not the platform:
 * erring towards telling a buyer too much.
 */
import { MamoriError } from '@mamori/core';
import { parseCpe } from '../sbom/cpe.js';
import { parseCvss } from './cvss.js';
import type { AffectedCpe, Severity, VulnRecord } from './model.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One `vulnerabilities[i]` entry (`{ cve: {...} }`) or a bare `cve` object. */
export function parseNvdCve(input: unknown, source = 'input'): VulnRecord {
  const cve = isObj(input) && isObj(input.cve) ? input.cve : input;
  const bad = (field: string, reason: string): MamoriError => new MamoriError('MAMORI_SUPPLY_NVD', { source, field, reason: `${field}: ${reason}` });
  if (!isObj(cve)) throw bad('cve', 'not an object');
  if (typeof cve.id !== 'string' || !/^CVE-\d{4}-\d{4,}$/.test(cve.id)) throw bad('cve.id', 'must look like CVE-YYYY-NNNN');
  const cpes: AffectedCpe[] = [];
  const configs = Array.isArray(cve.configurations) ? cve.configurations : [];
  configs.forEach((conf, i) => {
    for (const [j, node] of (isObj(conf) && Array.isArray(conf.nodes) ? conf.nodes : []).entries()) {
      for (const [k, m] of (isObj(node) && Array.isArray(node.cpeMatch) ? node.cpeMatch : []).entries()) {
        if (!isObj(m) || m.vulnerable !== true) continue;
        const field = `cve.configurations[${i}].nodes[${j}].cpeMatch[${k}].criteria`;
        if (typeof m.criteria !== 'string') throw bad(field, 'must be a CPE 2.3 string');
        let c;
        try { c = parseCpe(m.criteria); } catch (e) { throw bad(field, (e as Error).message); }
        cpes.push({
          part: c.part, vendor: c.vendor, product: c.product,
          version: c.version === '*' || c.version === '-' ? undefined : c.version,
          startIncluding: s(m.versionStartIncluding), startExcluding: s(m.versionStartExcluding),
          endIncluding: s(m.versionEndIncluding), endExcluding: s(m.versionEndExcluding),
        });
      }
    }
  });
  const desc = Array.isArray(cve.descriptions) ? cve.descriptions.find((d) => isObj(d) && d.lang === 'en') : undefined;
  return {
    id: cve.id, source: 'nvd', modified: s(cve.lastModified) ?? '', aliases: [],
    summary: isObj(desc) ? s(desc.value)?.slice(0, 300) : undefined, severity: nvdSeverity(cve), affected: [], cpes,
  };
}

function nvdSeverity(cve: Record<string, unknown>): Severity | undefined {
  const metrics = isObj(cve.metrics) ? cve.metrics : {};
  for (const key of ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30']) {
    const list = metrics[key];
    if (!Array.isArray(list)) continue;
    // The NVD's own ("Primary") assessment first, then any other.
    const ordered = [...list].sort((a, b) => (isObj(a) && a.type === 'Primary' ? -1 : 0) - (isObj(b) && b.type === 'Primary' ? -1 : 0));
    for (const m of ordered) {
      const vector = isObj(m) && isObj(m.cvssData) ? s(m.cvssData.vectorString) : undefined;
      if (!vector) continue;
      try {
        const c = parseCvss(vector);
        return { rating: c.rating, score: c.baseScore, vector: c.vector, source: c.version === '4.0' ? 'cvss4' : 'cvss3' };
      } catch { /* try the next */ }
    }
  }
  return undefined;
}

/** A whole NVD response or feed file: `{ vulnerabilities: [{ cve }, ...] }`. */
export function parseNvdFeed(input: unknown, source = 'input'): VulnRecord[] {
  if (!isObj(input) || !Array.isArray(input.vulnerabilities)) throw new MamoriError('MAMORI_SUPPLY_NVD', { source, field: 'vulnerabilities', reason: 'vulnerabilities: must be an array' });
  return input.vulnerabilities.map((v, i) => parseNvdCve(v, `${source}#vulnerabilities[${i}]`));
}
