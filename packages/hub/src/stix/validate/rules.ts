/**
 * The STIX 2.1 rules that JSON Schema cannot state. Each rule looks at one object and
 * returns the violations it finds as (property, message) pairs.
 */
import { isMamoriError } from '@mamori/core';
import { parsePattern } from '../pattern/parser.js';
import { deterministicScoId } from '../sco-id.js';
import { parseStixTimestamp } from '../timestamp.js';
import { SCO_TYPES } from './schemas.js';

export interface RuleViolation {
  property: string;
  message: string;
}

type StixLike = Record<string, unknown>;

/** Top-level properties that hold timestamps in any STIX 2.1 object. */
const TIMESTAMP_PROPERTIES = [
  'created', 'modified', 'valid_from', 'valid_until', 'first_seen', 'last_seen', 'first_observed', 'last_observed',
  'published', 'start_time', 'stop_time', 'start', 'end', 'date', 'ctime', 'mtime', 'atime', 'submitted',
  'analysis_started', 'analysis_ended', 'created_time', 'modified_time', 'object_modified', 'account_created',
  'account_expires', 'credential_last_changed', 'account_first_login', 'account_last_login', 'validity_not_before', 'validity_not_after',
];

/** Pairs (earlier, later, strict) that must be in order when both are present. */
const ORDERED_PAIRS: [string, string, boolean][] = [
  ['created', 'modified', false],
  ['valid_from', 'valid_until', true],
  ['first_seen', 'last_seen', false],
  ['first_observed', 'last_observed', false],
  ['start_time', 'stop_time', true],
  ['start', 'end', false],
  ['analysis_started', 'analysis_ended', false],
  ['validity_not_before', 'validity_not_after', false],
];

const PROPERTY_NAME = /^[a-z0-9_]{1,250}$/;
const IDENTIFIER = /^([a-z0-9]+-)*[a-z0-9]+--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

export function checkRules(o: StixLike): RuleViolation[] {
  const out: RuleViolation[] = [];
  const type = o.type as string;
  const id = o.id as string;

  if (!id.startsWith(`${type}--`)) out.push({ property: 'id', message: `id prefix must equal type '${type}'` });

  for (const name of Object.keys(o)) {
    if (!PROPERTY_NAME.test(name)) out.push({ property: name, message: 'property names use only a-z, 0-9 and _' });
  }

  const times: Record<string, string> = {};
  for (const p of TIMESTAMP_PROPERTIES) {
    const v = o[p];
    if (v === undefined) continue;
    const t = parseStixTimestamp(v);
    if (!t) out.push({ property: p, message: `'${String(v).slice(0, 40)}' is not a valid STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)` });
    else times[p] = t.key;
  }
  for (const [a, b, strict] of ORDERED_PAIRS) {
    if (times[a] === undefined || times[b] === undefined) continue;
    if (strict ? times[b] <= times[a] : times[b] < times[a]) out.push({ property: b, message: `${b} must be ${strict ? 'later than' : 'no earlier than'} ${a}` });
  }

  // Reference properties, including custom ones, must hold identifiers.
  for (const [name, v] of Object.entries(o)) {
    if (name.endsWith('_ref') && v !== undefined && !(typeof v === 'string' && IDENTIFIER.test(v))) {
      out.push({ property: name, message: 'must be a STIX identifier' });
    } else if (name.endsWith('_refs') && Array.isArray(v)) {
      v.forEach((r, i) => { if (!(typeof r === 'string' && IDENTIFIER.test(r))) out.push({ property: `${name}[${i}]`, message: 'must be a STIX identifier' }); });
    }
  }

  if (type === 'indicator' && o.pattern_type === 'stix' && typeof o.pattern === 'string') {
    try {
      parsePattern(o.pattern);
    } catch (e) {
      if (!isMamoriError(e)) throw e;
      out.push({ property: 'pattern', message: `${e.message}` });
    }
  }

  if (SCO_TYPES.has(type)) {
    const expected = deterministicScoId(o);
    // STIX 2.1 §2.9: a UUIDv5 SCO id must be the deterministic one; UUIDv4 stays allowed.
    if (expected && /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-5/i.test(id) && expected !== id) {
      out.push({ property: 'id', message: `UUIDv5 id does not match the ID-contributing properties (expected ${expected})` });
    }
  }

  if (Array.isArray(o.granular_markings)) {
    o.granular_markings.forEach((g, gi) => {
      const selectors = (g as { selectors?: unknown })?.selectors;
      if (!Array.isArray(selectors)) return;
      selectors.forEach((s, si) => {
        const reason = typeof s === 'string' ? selectorProblem(o, s) : 'selector must be a string';
        if (reason) out.push({ property: `granular_markings[${gi}].selectors[${si}]`, message: reason });
      });
    });
  }
  return out;
}

/**
 * STIX 2.1 §7.2.3.1: a selector is a dotted path of property names and `[n]` list indexes
 * that must resolve to a property of this object; `id`, `type`, `spec_version` and the
 * marking properties themselves cannot be selected.
 */
export function selectorProblem(o: StixLike, selector: string): string | undefined {
  const steps = selector.split('.');
  if (steps.length > 64) return 'selector has more than 64 steps';
  if (['id', 'type', 'spec_version', 'granular_markings', 'object_marking_refs'].includes(steps[0])) return `property '${steps[0]}' cannot be marked`;
  let node: unknown = o;
  for (const step of steps) {
    const index = /^\[(\d+)\]$/.exec(step);
    if (index) {
      if (!Array.isArray(node) || Number(index[1]) >= node.length) return `selector '${selector}' does not resolve: ${step} is not an index of a list`;
      node = node[Number(index[1])];
    } else {
      if (!node || typeof node !== 'object' || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, step)) {
        return `selector '${selector}' does not resolve: no property '${step}'`;
      }
      node = (node as Record<string, unknown>)[step];
    }
  }
  return undefined;
}
