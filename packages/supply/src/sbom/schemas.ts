/**
 * Schema validation with Ajv. CycloneDX: the official JSON schemas shipped by
 * @cyclonedx/cyclonedx-library (res/schema/bom-1.x.SNAPSHOT.schema.json, with the spdx and
 * jsf schemas they reference). SPDX 2.3: see spdx-2.3.schema.ts. Sources and licences of
 * both are in SCHEMAS.md beside this file. Validators compile once,
 * on first use (the CycloneDX 1.6 schema takes a few hundred milliseconds to compile).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { MamoriError } from '@mamori/core';
import { spdx23Schema } from './spdx-2.3.schema.js';

// ajv and ajv-formats are CommonJS with a `default` export.
const Ajv = ((AjvModule as any).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof addFormatsModule.default;

export const CYCLONEDX_VERSIONS = ['1.4', '1.5', '1.6', '1.7'] as const;
export const SPDX_VERSIONS = ['SPDX-2.3'] as const;

let schemaDir: string | null = null;
function cyclonedxSchemaDir(): string {
  schemaDir ??= join(dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
  return schemaDir;
}

function readSchema(file: string): Record<string, unknown> {
  return linearUniqueItems(JSON.parse(readFileSync(join(cyclonedxSchemaDir(), file), 'utf8'))) as Record<string, unknown>;
}

function newAjv(): InstanceType<typeof Ajv> {
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  // Formats CycloneDX uses that ajv-formats lacks; their syntax is checked loosely on purpose
  // (an IRI may hold any Unicode), the rest of the schema still applies.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  ajv.addKeyword({ keyword: 'mamoriUniqueItems', type: 'array', schemaType: 'boolean', errors: false, validate: uniqueByHash });
  return ajv;
}

/** `uniqueItems` in O(n): Ajv's own check compares every pair, which never ends on 100,000 components. */
function uniqueByHash(on: boolean, data: unknown[]): boolean {
  if (!on) return true;
  const seen = new Set<string>();
  for (const item of data) {
    // Key order as written: two equal items written with different key orders slip through,
    // which only means a duplicate is kept, never that a valid document is refused.
    const key = typeof item === 'string' ? `s${item}` : JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** Rewrites `uniqueItems` to the linear-time keyword above, everywhere in a schema. */
function linearUniqueItems(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(linearUniqueItems);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'uniqueItems') out.mamoriUniqueItems = v;
    else out[k] = k === 'enum' || k === 'const' || k === 'examples' || k === 'default' ? v : linearUniqueItems(v);
  }
  return out;
}

const validators = new Map<string, ValidateFunction>();

export function cyclonedxValidator(version: string): ValidateFunction {
  const key = `cdx-${version}`;
  let v = validators.get(key);
  if (!v) {
    const ajv = newAjv();
    // The bom schemas refer to their neighbours by the file names shipped in the package.
    for (const [file, id] of [['spdx.SNAPSHOT.schema.json', 'spdx'], ['jsf-0.82.SNAPSHOT.schema.json', 'jsf'], ['cryptography-defs.SNAPSHOT.schema.json', 'crypto']] as const) {
      try {
        const s = readSchema(file);
        s.$id = `http://cyclonedx.org/schema/${file}`;
        ajv.addSchema(s, id);
      } catch { /* an older library without this neighbour: schemas that need it fail below */ }
    }
    v = ajv.compile(readSchema(`bom-${version}.SNAPSHOT.schema.json`));
    validators.set(key, v);
  }
  return v;
}

export function spdxValidator(): ValidateFunction {
  let v = validators.get('spdx-2.3');
  if (!v) {
    v = newAjv().compile(linearUniqueItems(spdx23Schema) as object);
    validators.set('spdx-2.3', v);
  }
  return v;
}

/** Runs a validator; throws MAMORI_SUPPLY_SBOM_SCHEMA naming the JSON path of the first failure. */
export function assertValid(validate: ValidateFunction, doc: unknown, schema: string): void {
  if (validate(doc)) return;
  const e = (validate.errors ?? [])[0] as ErrorObject | undefined;
  const path = e ? e.instancePath || '/' : '/';
  let reason = e?.message ?? 'invalid';
  if (e?.keyword === 'additionalProperties') reason += ` ("${(e.params as { additionalProperty: string }).additionalProperty}")`;
  if (e?.keyword === 'enum') reason += ` (${(e.params as { allowedValues: unknown[] }).allowedValues.slice(0, 12).join(', ')})`;
  throw new MamoriError('MAMORI_SUPPLY_SBOM_SCHEMA', { schema, field: path, reason });
}
