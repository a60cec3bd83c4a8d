/** Format detection and the one entry point: bytes or text in, a validated `Sbom` out. */
import { readFileSync, statSync } from 'node:fs';
import { MamoriError } from '@mamori/core';
import { readCyclonedx } from './cyclonedx.js';
import { readCyclonedxXml, readCyclonedxXmlAsync } from './cyclonedx-xml.js';
import { isObject, parseJsonBounded } from './json-text.js';
import { DEFAULT_LIMITS, type Sbom, type SbomLimits } from './model.js';
import { readSpdx, readSpdxTagValue } from './spdx.js';

export function readSbom(input: string | Uint8Array, limits: SbomLimits = {}): Sbom {
  return readText(input, limits, readCyclonedxXml);
}

/**
 * The same, except that the XSD validation of CycloneDX XML runs without blocking this thread
 * (readSbom waits for it synchronously): for a server's event loop.
 */
export async function readSbomAsync(input: string | Uint8Array, limits: SbomLimits = {}): Promise<Sbom> {
  return readText<Sbom | Promise<Sbom>>(input, limits, readCyclonedxXmlAsync);
}

function readText<T>(input: string | Uint8Array, limits: SbomLimits, xml: (text: string, limits: SbomLimits) => T): T | Sbom {
  const maxBytes = limits.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  if (input.length > maxBytes) throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: maxBytes, what: 'bytes' });
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = text.search(/\S/);
  if (start < 0) throw new MamoriError('MAMORI_SUPPLY_SBOM_FORMAT', { reason: 'empty input' });
  const first = text[start];
  if (first === '{') {
    const doc = parseJsonBounded(text);
    if (!isObject(doc)) throw new MamoriError('MAMORI_SUPPLY_SBOM_FORMAT', { reason: 'JSON top level is not an object' });
    if (doc.bomFormat === 'CycloneDX') return readCyclonedx(doc, 'json', limits);
    if (typeof doc.spdxVersion === 'string') return readSpdx(doc, 'json', limits);
    throw new MamoriError('MAMORI_SUPPLY_SBOM_FORMAT', { reason: 'JSON has neither bomFormat "CycloneDX" nor spdxVersion' });
  }
  if (first === '<') return xml(text, limits);
  if (/^\s*(?:#.*\n\s*)*SPDXVersion\s*:/m.test(text.slice(0, 4096))) return readSpdxTagValue(text, limits);
  throw new MamoriError('MAMORI_SUPPLY_SBOM_FORMAT', { reason: 'neither JSON, XML nor SPDX tag-value', offset: start });
}

export function readSbomFile(path: string, limits: SbomLimits = {}): Sbom {
  const maxBytes = limits.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  const size = statSync(path).size;
  // Checked before reading: the file is never loaded when it is over the limit.
  if (size > maxBytes) throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: maxBytes, what: 'bytes', file: path });
  return readSbom(readFileSync(path), limits);
}
