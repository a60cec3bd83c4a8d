/**
 * Deterministic identifiers of STIX Cyber-observable Objects (STIX 2.1 §2.9): UUIDv5 in the
 * STIX namespace over the canonical JSON of the type's ID-contributing properties, so that
 * two producers who see the same address or file name the same object.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** The STIX 2.1 namespace for SCO UUIDv5 ids. */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** ID-contributing properties per SCO type (STIX 2.1 §6, each object's "ID Contributing Properties"). */
export const ID_CONTRIBUTING: Readonly<Record<string, readonly string[]>> = {
  artifact: ['hashes', 'payload_bin'],
  'autonomous-system': ['number'],
  directory: ['path'],
  'domain-name': ['value'],
  'email-addr': ['value'],
  'email-message': ['from_ref', 'subject', 'body'],
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'],
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'mac-addr': ['value'],
  mutex: ['name'],
  'network-traffic': ['start', 'end', 'src_ref', 'dst_ref', 'src_port', 'dst_port', 'protocols', 'extensions'],
  process: [],
  software: ['name', 'cpe', 'swid', 'vendor', 'version'],
  url: ['value'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  'x509-certificate': ['hashes', 'serial_number'],
};

/** RFC 4122 §4.3 name-based UUID with SHA-1 (version 5). */
export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** One hash, chosen in the order the STIX 2.1 reference implementation uses. */
function chooseOneHash(hashes: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const k of ['MD5', 'SHA-1', 'SHA-256', 'SHA-512']) if (k in hashes) return { [k]: hashes[k] };
  const first = Object.keys(hashes)[0];
  return first === undefined ? undefined : { [first]: hashes[first] };
}

/**
 * The deterministic id for an SCO, or undefined when its type has no contributing
 * properties or none is present (then a UUIDv4 is correct).
 */
export function deterministicScoId(object: Record<string, unknown>): string | undefined {
  const type = object.type;
  if (typeof type !== 'string') return undefined;
  const props = ID_CONTRIBUTING[type];
  if (!props || props.length === 0) return undefined;
  const picked: Record<string, unknown> = {};
  for (const p of props) {
    const v = object[p];
    if (v === undefined) continue;
    if (p === 'hashes' && v && typeof v === 'object' && !Array.isArray(v)) {
      const one = chooseOneHash(v as Record<string, unknown>);
      if (one) picked[p] = one;
    } else {
      picked[p] = v;
    }
  }
  if (Object.keys(picked).length === 0) return undefined;
  return `${type}--${uuidv5(canonicalJson(picked), SCO_NAMESPACE)}`;
}
