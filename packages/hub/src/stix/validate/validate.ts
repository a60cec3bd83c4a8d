/**
 * Validation of incoming STIX 2.1 objects: shape (depth, size), the JSON Schemas through
 * Ajv (draft 2020-12), then the rules schemas cannot express. Every problem names the
 * object (its index in the input and its id) and the property at fault.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { MamoriError } from '@mamori/core';
import { canonicalJson } from '../canonical-json.js';
import { checkRules } from './rules.js';
import { KNOWN_TYPES, STIX_SCHEMA_ID, stixSchema } from './schemas.js';

export interface StixProblem {
  /** Position of the object in the input list. */
  index: number;
  id?: string;
  type?: string;
  /** Property path inside the object (`valid_from`, `granular_markings[0].selectors[1]`); '' for the whole object. */
  property: string;
  message: string;
}

export interface ValidationLimits {
  /** Deepest nesting of arrays/objects inside one object. */
  maxDepth: number;
  /** Most properties + array items inside one object. */
  maxNodes: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = { maxDepth: 32, maxNodes: 100_000 };

let compiled: { byType: Map<string, ValidateFunction>; core: ValidateFunction; sco: ValidateFunction } | undefined;

function validators(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  // strict: false because `contentEncoding` and the like are annotations, not assertions.
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  ajv.addSchema(stixSchema);
  const get = (def: string): ValidateFunction => {
    const fn = ajv.getSchema(`${STIX_SCHEMA_ID}#/$defs/${def}`);
    if (!fn) throw new Error(`schema ${def} missing`);
    return fn;
  };
  compiled = { byType: new Map([...KNOWN_TYPES].map((t) => [t, get(t)])), core: get('core'), sco: get('sco-core') };
  return compiled;
}

/** Iterative depth/size measure: hostile nesting must not reach a recursive walker. */
function shapeProblem(value: unknown, limits: ValidationLimits): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth) return `nesting deeper than ${limits.maxDepth}`;
    const children = Array.isArray(v) ? v : Object.values(v as object);
    nodes += children.length;
    if (nodes > limits.maxNodes) return `more than ${limits.maxNodes} properties and items`;
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return undefined;
}

function ajvProperty(e: ErrorObject): string {
  const path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  let property = path.reduce((acc, s) => (s.startsWith('[') ? acc + s : acc ? `${acc}.${s}` : s), '');
  if (e.keyword === 'required') property = property ? `${property}.${e.params.missingProperty}` : String(e.params.missingProperty);
  if (e.keyword === 'dependentRequired') property = property ? `${property}.${e.params.missingProperty}` : String(e.params.missingProperty);
  return property;
}

function ajvMessage(e: ErrorObject): string {
  if (e.keyword === 'required') return 'required property is missing';
  if (e.keyword === 'const') return `must be ${JSON.stringify(e.params.allowedValue)}`;
  if (e.keyword === 'not') return 'carries a property its type forbids (cyber-observables: no created, modified or created_by_ref; marking definitions: no modified)';
  return e.message ?? e.keyword;
}

/** Problems of one object; an empty list means valid. */
export function validateObject(value: unknown, index: number, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): StixProblem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ index, property: '', message: 'a STIX object must be a JSON object' }];
  }
  const o = value as Record<string, unknown>;
  const id = typeof o.id === 'string' ? o.id.slice(0, 300) : undefined;
  const type = typeof o.type === 'string' ? o.type.slice(0, 250) : undefined;
  const problem = (property: string, message: string): StixProblem => ({ index, id, type, property, message });

  const shape = shapeProblem(o, limits);
  if (shape) return [problem('', shape)];
  if (type === undefined) return [problem('type', 'required property is missing')];
  if (type === 'bundle') return [problem('type', 'a bundle cannot be an object of an envelope')];

  const v = validators();
  // Custom types: SCO core if it has no created/modified, else SDO core (STIX 2.1 §11.1).
  const fn = v.byType.get(type) ?? ('created' in o || 'modified' in o ? v.core : v.sco);
  if (!fn(o)) return (fn.errors ?? []).slice(0, 10).map((e) => problem(ajvProperty(e), ajvMessage(e)));
  return checkRules(o).map((r) => problem(r.property, r.message));
}

export interface EnvelopeValidation {
  /** Objects that passed, with their input index. */
  valid: { index: number; object: Record<string, unknown> }[];
  problems: StixProblem[];
}

/**
 * Validates a list of objects (a TAXII envelope's or a bundle's `objects`). Besides each
 * object's own validity, two objects with the same id and version but different content
 * conflict: both are rejected, since no receiver could tell which one is true.
 */
export function validateObjects(objects: unknown[], limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): EnvelopeValidation {
  const problems: StixProblem[] = [];
  const passed: Passed[] = [];
  objects.forEach((o, index) => checkOne(o, index, limits, problems, passed));
  return conflictsChecked(problems, passed);
}

/**
 * The same as validateObjects, giving the event loop back every `sliceMs` of work: a server
 * validating a large envelope (about 200 µs an object) would otherwise hold every other
 * request (a feed page, a TAXII page) behind it.
 */
export async function validateObjectsYielding(objects: unknown[], limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS, sliceMs = 4): Promise<EnvelopeValidation> {
  const problems: StixProblem[] = [];
  const passed: Passed[] = [];
  let sliceStart = performance.now();
  for (let index = 0; index < objects.length; index++) {
    checkOne(objects[index], index, limits, problems, passed);
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return conflictsChecked(problems, passed);
}

type Passed = { index: number; object: Record<string, unknown> };

function checkOne(o: unknown, index: number, limits: ValidationLimits, problems: StixProblem[], passed: Passed[]): void {
  const p = validateObject(o, index, limits);
  if (p.length) problems.push(...p);
  else passed.push({ index, object: o as Record<string, unknown> });
}

/** Two objects of one request with the same id and version but other content are both refused. */
function conflictsChecked(problems: StixProblem[], passed: Passed[]): EnvelopeValidation {
  const byVersion = new Map<string, Passed[]>();
  for (const { index, object } of passed) {
    const key = `${object.id}|${versionOf(object) ?? ''}`;
    const list = byVersion.get(key);
    if (list) list.push({ index, object });
    else byVersion.set(key, [{ index, object }]);
  }
  const conflicted = new Set<number>();
  for (const [key, list] of byVersion) {
    if (list.length < 2) continue;
    const canon = list.map((x) => canonicalJson(x.object));
    if (canon.every((c) => c === canon[0])) continue;
    const [id, version] = key.split('|');
    for (const x of list) {
      conflicted.add(x.index);
      problems.push({ index: x.index, id, property: 'modified', message: `another object in this request has id ${id} and version ${version || '(none)'} with different content` });
    }
  }
  problems.sort((a, b) => a.index - b.index);
  return { valid: passed.filter((p) => !conflicted.has(p.index)), problems };
}

/** The version timestamp of an object: `modified`, else `created` (markings), else none (SCOs). */
export function versionOf(o: Record<string, unknown>): string | undefined {
  return typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : undefined;
}

/** Throws MAMORI_HUB_STIX_INVALID naming the first problem's object and property. */
export function assertValidStix(objects: unknown[]): Record<string, unknown>[] {
  const { valid, problems } = validateObjects(objects);
  if (problems.length) {
    const p = problems[0];
    throw new MamoriError('MAMORI_HUB_STIX_INVALID', {
      field: `objects[${p.index}]${p.property ? `.${p.property}` : ''}`,
      id: p.id,
      reason: `${p.id ?? `object ${p.index}`}: ${p.property || '(object)'}: ${p.message}`,
      problems: problems.slice(0, 20),
    });
  }
  return valid.map((v) => v.object);
}
