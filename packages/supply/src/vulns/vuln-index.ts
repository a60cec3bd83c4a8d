/**
 * The vulnerability index: records filed by (ecosystem, package name) and by CPE
 * (vendor, product), so a component is compared only with the advisories about its own
 * package — a map lookup, not a scan of the database. Range events are parsed once, the
 * first time a component of that package is matched, and kept; the component's purl and
 * version are parsed once per match (the version once per version scheme its advisories use).
 */
import { parseCpe } from '../sbom/cpe.js';
import { packageKey, purlPackage } from '../sbom/purl.js';
import type { SbomComponent } from '../sbom/model.js';
import { genericScheme, versionScheme, npmScheme, type VersionScheme } from '../versions/index.js';
import type { AffectedCpe, AffectedPackage, AffectedRange, VulnMatch, VulnRecord } from './model.js';

interface ParsedRange {
  scheme: VersionScheme<any>;
  /** Sorted by version; `introduced: "0"` has a null version and sorts first. */
  events: { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; raw: string; v: unknown }[];
}

interface PackageEntry {
  record: VulnRecord;
  affected: AffectedPackage;
  versions: Set<string>;
  parsed?: ParsedRange[];
}

interface CpeEntry {
  record: VulnRecord;
  cpe: AffectedCpe;
}

export class VulnIndex {
  private readonly byPackage = new Map<string, PackageEntry[]>();
  private readonly byCpe = new Map<string, CpeEntry[]>();
  private readonly records = new Map<string, VulnRecord>();

  get size(): number {
    return this.records.size;
  }

  /** Adds or replaces (same id: newer `modified` wins) a record. */
  add(record: VulnRecord): void {
    const old = this.records.get(record.id);
    if (old) {
      if (old.modified > record.modified) return;
      this.remove(old);
    }
    this.records.set(record.id, record);
    for (const a of record.affected) {
      const key = packageKey(a.ecosystem, a.name);
      const entry: PackageEntry = { record, affected: a, versions: new Set(a.versions) };
      const list = this.byPackage.get(key);
      if (list) list.push(entry); else this.byPackage.set(key, [entry]);
    }
    for (const c of record.cpes) {
      const key = `${c.vendor}:${c.product}`;
      const list = this.byCpe.get(key);
      if (list) list.push({ record, cpe: c }); else this.byCpe.set(key, [{ record, cpe: c }]);
    }
  }

  private remove(record: VulnRecord): void {
    this.records.delete(record.id);
    for (const a of record.affected) {
      const key = packageKey(a.ecosystem, a.name);
      const list = this.byPackage.get(key)?.filter((e) => e.record !== record);
      if (list?.length) this.byPackage.set(key, list); else this.byPackage.delete(key);
    }
    for (const c of record.cpes) {
      const key = `${c.vendor}:${c.product}`;
      const list = this.byCpe.get(key)?.filter((e) => e.record !== record);
      if (list?.length) this.byCpe.set(key, list); else this.byCpe.delete(key);
    }
  }

  get(id: string): VulnRecord | undefined {
    return this.records.get(id);
  }

  /** Every record affecting the component: by its purl, and by its CPE. */
  match(component: Pick<SbomComponent, 'ref' | 'name' | 'version' | 'purl' | 'cpe'>): VulnMatch[] {
    const out: VulnMatch[] = [];
    const seen = new Set<string>();
    if (component.purl) {
      let id;
      try { id = purlPackage(component.purl); } catch { id = undefined; }
      const version = id?.version ?? component.version;
      const entries = id ? this.byPackage.get(packageKey(id.ecosystem, id.name)) : undefined;
      if (id && version && entries) {
        const parsed = parsedVersion(version);
        for (const e of entries) {
          if (seen.has(e.record.id)) continue;
          const fixed = affects(e, version, parsed);
          if (fixed) {
            seen.add(e.record.id);
            out.push(toMatch(e.record, component.ref, id.name, version, component.purl, fixed));
          }
        }
      }
    }
    if (component.cpe) {
      let c;
      try { c = parseCpe(component.cpe); } catch { c = undefined; }
      const version = c && c.version !== '*' && c.version !== '-' ? c.version : component.version;
      const entries = c ? this.byCpe.get(`${c.vendor}:${c.product}`) : undefined;
      if (c && version && entries) {
        const v = genericScheme.parse(version);
        for (const e of entries) {
          if (seen.has(e.record.id) || (e.cpe.part !== '*' && c.part !== '*' && e.cpe.part !== c.part)) continue;
          if (v && cpeAffects(e.cpe, v)) {
            seen.add(e.record.id);
            out.push(toMatch(e.record, component.ref, c.product, version, c.formatted, e.cpe.endExcluding ? [e.cpe.endExcluding] : []));
          }
        }
      }
    }
    return out;
  }
}

function toMatch(r: VulnRecord, ref: string, name: string, version: string, matchedOn: string, fixed: string[]): VulnMatch {
  return { id: r.id, aliases: r.aliases, summary: r.summary, severity: r.severity, component: ref, name, version, matchedOn, fixed };
}

function parseRanges(entry: PackageEntry): ParsedRange[] {
  const eco = versionScheme(entry.affected.ecosystem);
  return entry.affected.ranges
    .filter((r: AffectedRange) => r.type !== 'GIT') // commit ranges need the repository, not a version
    .map((r) => {
      const scheme = r.type === 'SEMVER' ? npmScheme : eco;
      const events: ParsedRange['events'] = [];
      for (const ev of r.events) {
        const [kind, raw] = Object.entries(ev)[0] as [ParsedRange['events'][number]['kind'], string];
        if (kind === 'introduced' && raw === '0') { events.push({ kind, raw, v: null }); continue; }
        const v = scheme.parse(raw);
        if (v !== null) events.push({ kind, raw, v }); // an unparseable event is skipped, not guessed at
      }
      events.sort((a, b) => (a.v === null ? -1 : b.v === null ? 1 : scheme.compare(a.v, b.v)));
      return { scheme, events };
    });
}

/** The component's version parsed by a scheme, once per scheme (advisories of one package mostly share one). */
type ParsedVersion = (scheme: VersionScheme<any>) => unknown;

function parsedVersion(version: string): ParsedVersion {
  let lastScheme: VersionScheme<any> | undefined;
  let last: unknown = null;
  const others = new Map<VersionScheme<any>, unknown>();
  return (scheme) => {
    if (scheme === lastScheme) return last;
    if (lastScheme !== undefined) others.set(lastScheme, last);
    last = others.has(scheme) ? others.get(scheme) : scheme.parse(version);
    lastScheme = scheme;
    return last;
  };
}

/**
 * OSV's evaluation: walk the sorted events; `introduced` at or below the version opens,
 * `fixed` at or below closes, `last_affected` below closes. Returns the fixed versions
 * above the version when affected (possibly empty), or null when not affected.
 */
function affects(entry: PackageEntry, version: string, parsed: ParsedVersion): string[] | null {
  entry.parsed ??= parseRanges(entry);
  if (entry.versions.has(version)) return fixedAbove(entry.parsed, parsed);
  for (const range of entry.parsed) {
    const v = parsed(range.scheme);
    if (v === null) continue;
    let affected = false;
    for (const ev of range.events) {
      if (ev.v !== null && range.scheme.compare(ev.v, v) > 0) break;
      if (ev.kind === 'introduced') affected = true;
      else if (ev.kind === 'fixed') affected = false;
      else if (ev.kind === 'last_affected') affected = ev.v !== null && range.scheme.compare(ev.v, v) === 0;
    }
    if (affected) return range.events.filter((e) => e.kind === 'fixed' && range.scheme.compare(e.v, v) > 0).map((e) => e.raw);
  }
  return null;
}

function fixedAbove(ranges: ParsedRange[], parsed: ParsedVersion): string[] {
  const out: string[] = [];
  for (const r of ranges) {
    const v = parsed(r.scheme);
    if (v === null) continue;
    for (const e of r.events) if (e.kind === 'fixed' && r.scheme.compare(e.v, v) > 0) out.push(e.raw);
  }
  return out;
}

function cpeAffects(c: AffectedCpe, v: unknown): boolean {
  const cmp = (bound: string): number | null => {
    const b = genericScheme.parse(bound);
    return b === null ? null : genericScheme.compare(v as never, b);
  };
  if (c.version !== undefined) return cmp(c.version) === 0;
  if (!c.startIncluding && !c.startExcluding && !c.endIncluding && !c.endExcluding) return true; // every version
  const checks: [string | undefined, (n: number) => boolean][] = [
    [c.startIncluding, (n) => n >= 0], [c.startExcluding, (n) => n > 0], [c.endIncluding, (n) => n <= 0], [c.endExcluding, (n) => n < 0],
  ];
  for (const [bound, ok] of checks) {
    if (bound === undefined) continue;
    const n = cmp(bound);
    if (n === null || !ok(n)) return false;
  }
  return true;
}

/**
 * The baseline the index is measured against (tests and bench/supply-match.ts): every
 * record compared with the component, no index. Same evaluation, so results must agree.
 */
export function matchLinear(records: readonly VulnRecord[], component: Pick<SbomComponent, 'ref' | 'name' | 'version' | 'purl'>): VulnMatch[] {
  if (!component.purl) return [];
  let id;
  try { id = purlPackage(component.purl); } catch { return []; }
  const version = id.version ?? component.version;
  if (!version) return [];
  const key = packageKey(id.ecosystem, id.name);
  const parsed = parsedVersion(version);
  const out: VulnMatch[] = [];
  for (const record of records) {
    for (const a of record.affected) {
      if (packageKey(a.ecosystem, a.name) !== key) continue;
      let entry = linearEntries.get(a);
      if (!entry) { entry = { record, affected: a, versions: new Set(a.versions) }; linearEntries.set(a, entry); }
      const fixed = affects(entry, version, parsed);
      if (fixed) { out.push(toMatch(record, component.ref, id.name, version, component.purl, fixed)); break; }
    }
  }
  return out;
}

const linearEntries = new WeakMap<AffectedPackage, PackageEntry>();
