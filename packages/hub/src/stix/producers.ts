/**
 * Builders for the STIX objects mamori's producers publish, so that telescope, survey,
 * flows and supply describe the same things the same way (deterministic SCO ids,
 * deterministic SDO ids from what they describe, so a re-publish is a no-op).
 */
import { deterministicScoId, uuidv5 } from './sco-id.js';

/** Namespace for mamori's deterministic SDO ids. */
const MAMORI_NAMESPACE = '2f0e7c4a-9a41-5d2e-8f6b-6d616d6f7269';

type Obj = Record<string, unknown>;

function stamp(t: Date | string): string {
  return typeof t === 'string' ? t : t.toISOString();
}

export function addressObject(address: string): Obj {
  const o: Obj = { type: address.includes(':') ? 'ipv6-addr' : 'ipv4-addr', spec_version: '2.1', value: address };
  return { ...o, id: deterministicScoId(o) };
}

export interface AddressIndicatorInput {
  address: string;
  /** What the address did: 'scanner', 'infected-host', 'backscatter-victim', 'c2', ... */
  role: string;
  name?: string;
  description?: string;
  indicatorTypes?: string[];
  validFrom: Date | string;
  validUntil?: Date | string;
  confidence?: number;
  /** The version: the time of the observation this indicator reflects. */
  modified?: Date | string;
}

/** An indicator for one address, the address SCO, and an observed-data of how often it was seen. */
export function addressIndicator(i: AddressIndicatorInput): Obj[] {
  const addr = addressObject(i.address);
  const created = stamp(i.validFrom);
  const modified = i.modified ? stamp(i.modified) : created;
  const type = addr.type as string;
  const indicator: Obj = {
    type: 'indicator', spec_version: '2.1', id: `indicator--${uuidv5(`${i.role}|${i.address}`, MAMORI_NAMESPACE)}`,
    created, modified, name: i.name ?? `${i.role} ${i.address}`, ...(i.description ? { description: i.description } : {}),
    indicator_types: i.indicatorTypes ?? ['malicious-activity'], pattern: `[${type}:value = '${i.address}']`, pattern_type: 'stix',
    valid_from: created, ...(i.validUntil ? { valid_until: stamp(i.validUntil) } : {}), labels: [i.role],
    ...(i.confidence !== undefined ? { confidence: i.confidence } : {}),
  };
  return [addr, indicator];
}

export interface ObservationInput {
  addresses: string[];
  firstObserved: Date | string;
  lastObserved: Date | string;
  count: number;
  /** Identifies the observation (e.g. the analysis and interval) for a deterministic id. */
  key: string;
}

/** Observed-data over address SCOs (e.g. a telescope interval's scanners). */
export function observation(i: ObservationInput): Obj[] {
  const addrs = i.addresses.map(addressObject);
  const created = stamp(i.lastObserved);
  return [...addrs, {
    type: 'observed-data', spec_version: '2.1', id: `observed-data--${uuidv5(i.key, MAMORI_NAMESPACE)}`, created, modified: created,
    first_observed: stamp(i.firstObserved), last_observed: stamp(i.lastObserved), number_observed: Math.max(1, Math.min(999_999_999, i.count)),
    object_refs: addrs.map((a) => a.id),
  }];
}

export interface C2Input {
  address: string;
  port?: number;
  firstSeen: Date | string;
  lastSeen?: Date | string;
  score?: number;
  description?: string;
}

/** A C&C candidate: infrastructure of type command-and-control, its address, and the link. */
export function commandAndControl(i: C2Input): Obj[] {
  const addr = addressObject(i.address);
  const created = stamp(i.firstSeen);
  const modified = i.lastSeen ? stamp(i.lastSeen) : created;
  const infra: Obj = {
    type: 'infrastructure', spec_version: '2.1', id: `infrastructure--${uuidv5(`c2|${i.address}|${i.port ?? ''}`, MAMORI_NAMESPACE)}`,
    created, modified, name: `C&C candidate ${i.address}${i.port ? `:${i.port}` : ''}`, infrastructure_types: ['command-and-control'],
    first_seen: created, ...(i.lastSeen ? { last_seen: modified } : {}), ...(i.description ? { description: i.description } : {}),
    ...(i.score !== undefined ? { confidence: Math.round(Math.max(0, Math.min(1, i.score)) * 100) } : {}),
  };
  return [addr, infra, relationship({ source: infra.id as string, type: 'consists-of', target: addr.id as string, created, modified })];
}

export interface RelationshipInput {
  source: string;
  type: string;
  target: string;
  created: Date | string;
  modified?: Date | string;
  description?: string;
}

/** A relationship with an id derived from its ends and type: stating it again is a no-op. */
export function relationship(i: RelationshipInput): Obj {
  const created = stamp(i.created);
  return {
    type: 'relationship', spec_version: '2.1', id: `relationship--${uuidv5(`${i.type}|${i.source}|${i.target}`, MAMORI_NAMESPACE)}`,
    created, modified: i.modified ? stamp(i.modified) : created, relationship_type: i.type, source_ref: i.source, target_ref: i.target,
    ...(i.description ? { description: i.description } : {}),
  };
}

export interface PortActivityInput {
  protocol: 'tcp' | 'udp';
  port: number;
  /** Start of the interval in which the activity was seen. */
  at: Date | string;
  name: string;
  description?: string;
  validUntil?: Date | string;
}

/**
 * An anomalous-activity indicator for traffic to one port (e.g. a darknet scan campaign on
 * tcp/23): the pattern names the port and protocol, the id the port and interval.
 */
export function portActivityIndicator(i: PortActivityInput): Obj {
  const at = stamp(i.at);
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--${uuidv5(`port-activity|${i.protocol}|${i.port}|${at}`, MAMORI_NAMESPACE)}`,
    created: at, modified: at, name: i.name, ...(i.description ? { description: i.description } : {}), indicator_types: ['anomalous-activity'],
    pattern: `[network-traffic:dst_port = ${i.port} AND network-traffic:protocols[*] = '${i.protocol}']`, pattern_type: 'stix',
    valid_from: at, ...(i.validUntil ? { valid_until: stamp(i.validUntil) } : {}),
  };
}

export interface VulnerableProductInput {
  /** The vulnerability's identifier: a CVE id, or another database's when there is none. */
  cve: string;
  /** The external reference's source_name (default `cve`). */
  source?: string;
  product: { name: string; vendor?: string; version?: string; cpe?: string };
  published: Date | string;
  description?: string;
}

/** A vulnerability, the affected software and a `has` relationship (software has vulnerability). */
export function vulnerableProduct(i: VulnerableProductInput): Obj[] {
  const sw: Obj = { type: 'software', spec_version: '2.1', name: i.product.name, ...(i.product.vendor ? { vendor: i.product.vendor } : {}),
    ...(i.product.version ? { version: i.product.version } : {}), ...(i.product.cpe ? { cpe: i.product.cpe } : {}) };
  const software = { ...sw, id: deterministicScoId(sw) };
  const created = stamp(i.published);
  const vuln: Obj = {
    type: 'vulnerability', spec_version: '2.1', id: `vulnerability--${uuidv5(`cve|${i.cve}`, MAMORI_NAMESPACE)}`, created, modified: created,
    name: i.cve, ...(i.description ? { description: i.description } : {}), external_references: [{ source_name: i.source ?? 'cve', external_id: i.cve }],
  };
  return [software, vuln, relationship({ source: software.id as string, type: 'has', target: vuln.id as string, created })];
}

export interface StatisticsReportInput {
  key: string;
  name: string;
  description: string;
  published: Date | string;
  /** Objects the report is about (must be published alongside or already stored). */
  objectRefs: string[];
  reportTypes?: string[];
}

/** A report (e.g. survey statistics by ISP), with no addresses in it. */
export function statisticsReport(i: StatisticsReportInput): Obj {
  const created = stamp(i.published);
  return {
    type: 'report', spec_version: '2.1', id: `report--${uuidv5(i.key, MAMORI_NAMESPACE)}`, created, modified: created, name: i.name,
    description: i.description, report_types: i.reportTypes ?? ['threat-report'], published: created, object_refs: i.objectRefs,
  };
}
