/**
 * Reading vulnerability data from disk: a directory of OSV JSON files (searched
 * recursively), a zip of them (the form osv.dev publishes: `<ecosystem>/all.zip`), or an
 * NVD CVE API 2.0 JSON file. Entries are read one at a time, so memory holds one record's
 * text plus the index, however large the export.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { MamoriError } from '@mamori/core';
import type { VulnRecord } from './model.js';
import { parseNvdFeed } from './nvd.js';
import { parseOsvRecord } from './osv.js';

/** Largest single record accepted (OSV records are kilobytes; this stops zip bombs). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface ImportProblem {
  source: string;
  message: string;
}

/** Parses one file's text: an OSV record, an array of them, or an NVD feed. */
export function parseVulnText(text: string, source: string): VulnRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MamoriError('MAMORI_SUPPLY_OSV', { source, reason: `invalid JSON: ${(e as Error).message}` });
  }
  if (Array.isArray(doc)) return doc.map((d, i) => parseOsvRecord(d, `${source}[${i}]`));
  if (doc && typeof doc === 'object' && 'vulnerabilities' in doc) return parseNvdFeed(doc, source);
  return [parseOsvRecord(doc, source)];
}

/**
 * Yields every record under `path`. A file that fails is reported to `onProblem` and
 * skipped: one bad record in an export of 200,000 should not lose the rest.
 */
export async function* readVulnSource(path: string, onProblem: (p: ImportProblem) => void = () => undefined): AsyncGenerator<VulnRecord> {
  const st = await stat(path);
  if (st.isDirectory()) {
    for await (const file of walk(path)) {
      const s = await stat(file);
      if (s.size > MAX_RECORD_BYTES) { onProblem({ source: file, message: `larger than ${MAX_RECORD_BYTES} bytes; skipped` }); continue; }
      yield* parseOrReport(await readFile(file, 'utf8'), file, onProblem);
    }
  } else if (path.toLowerCase().endsWith('.zip')) {
    yield* readZip(path, onProblem);
  } else {
    if (st.size > 512 * 1024 * 1024) throw new MamoriError('MAMORI_SUPPLY_OSV', { source: path, reason: 'file larger than 512 MiB' });
    yield* parseOrReport(await readFile(path, 'utf8'), path, onProblem);
  }
}

function* parseOrReport(text: string, source: string, onProblem: (p: ImportProblem) => void): Generator<VulnRecord> {
  let records: VulnRecord[];
  try {
    records = parseVulnText(text, source);
  } catch (e) {
    onProblem({ source, message: (e as Error).message });
    return;
  }
  yield* records;
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && e.name.endsWith('.json')) yield p;
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new MamoriError('MAMORI_SUPPLY_ARCHIVE', { source: path, reason: err?.message ?? 'cannot open' }));
      else resolve(zip);
    });
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) { reject(err ?? new Error('no stream')); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RECORD_BYTES) { stream.destroy(new Error(`entry inflates beyond ${MAX_RECORD_BYTES} bytes`)); return; }
        chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

async function* readZip(path: string, onProblem: (p: ImportProblem) => void): AsyncGenerator<VulnRecord> {
  const zip = await openZip(path);
  // yauzl is event-driven: turn "entry"/"end" into a pull loop, one entry in flight at a time.
  let pending: { resolve: (e: yauzl.Entry | null) => void; reject: (e: Error) => void } | null = null;
  zip.on('entry', (e: yauzl.Entry) => pending?.resolve(e));
  zip.on('end', () => pending?.resolve(null));
  zip.on('error', (e: Error) => pending?.reject(e));
  const next = (): Promise<yauzl.Entry | null> => new Promise((resolve, reject) => { pending = { resolve, reject }; zip.readEntry(); });
  try {
    for (let entry = await next(); entry; entry = await next()) {
      const source = `${path}!${entry.fileName}`;
      if (entry.fileName.endsWith('/') || !entry.fileName.endsWith('.json')) continue;
      if (entry.uncompressedSize > MAX_RECORD_BYTES) { onProblem({ source, message: `larger than ${MAX_RECORD_BYTES} bytes; skipped` }); continue; }
      let text: string;
      try {
        text = await readEntry(zip, entry);
      } catch (e) {
        onProblem({ source, message: (e as Error).message });
        continue;
      }
      yield* parseOrReport(text, source, onProblem);
    }
  } catch (e) {
    throw e instanceof MamoriError ? e : new MamoriError('MAMORI_SUPPLY_ARCHIVE', { source: path, reason: (e as Error).message });
  } finally {
    zip.close();
  }
}

