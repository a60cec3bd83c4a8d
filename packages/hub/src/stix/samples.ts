/**
 * Well-formed STIX 2.1 objects for tests, benchmarks and demos: the same shapes mamori's
 * producers publish (an IPv4 indicator, its SCO, a sighting), numbered so that each is
 * distinct and deterministic.
 */
import { deterministicScoId, uuidv5 } from './sco-id.js';
import { TLP2_MARKINGS, type StixTlp } from './tlp.js';

const SAMPLE_NAMESPACE = '6b4a1f2e-3d5c-4e7f-8a9b-0c1d2e3f4a5b';

/** 198.51.100.0/24 and onwards from the documentation ranges, wrapping in 10.x for large n. */
export function sampleAddress(n: number): string {
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function sampleIndicator(n: number, options: { tlp?: StixTlp; modified?: string; created?: string } = {}): Record<string, unknown> {
  const created = options.created ?? '2026-01-01T00:00:00.000Z';
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidv5(`indicator-${n}`, SAMPLE_NAMESPACE)}`,
    created,
    modified: options.modified ?? created,
    name: `Scanner ${sampleAddress(n)}`,
    indicator_types: ['malicious-activity'],
    pattern: `[ipv4-addr:value = '${sampleAddress(n)}']`,
    pattern_type: 'stix',
    valid_from: created,
    ...(options.tlp ? { object_marking_refs: [TLP2_MARKINGS[options.tlp]] } : {}),
  };
}

export function sampleIpv4(n: number): Record<string, unknown> {
  const o: Record<string, unknown> = { type: 'ipv4-addr', spec_version: '2.1', value: sampleAddress(n) };
  return { ...o, id: deterministicScoId(o) };
}
