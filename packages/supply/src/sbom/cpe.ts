import { MamoriError } from '@mamori/core';

/** The parts of a CPE 2.3 name matching needs (NISTIR 7695). */
export interface Cpe {
  part: 'a' | 'o' | 'h' | '*';
  vendor: string;
  product: string;
  version: string;
  update: string;
  /** The 13-field formatted string (`cpe:2.3:a:vendor:product:...`). */
  formatted: string;
}

/** Splits on `:` not preceded by a backslash (CPE 2.3 quotes `:` as `\:`). */
function splitFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if (c === ':') { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

const FIELD = /^(?:\*|-|(?:[A-Za-z0-9._\-~*?]|\\[^A-Za-z0-9])+)$/;

/** Parses a CPE 2.3 formatted string or a CPE 2.2 URI (`cpe:/a:vendor:product:1.0`). */
export function parseCpe(input: string): Cpe {
  const s = input.trim();
  const bad = (reason: string): MamoriError => new MamoriError('MAMORI_SUPPLY_CPE', { cpe: s.slice(0, 200), reason });
  let fields: string[];
  if (s.startsWith('cpe:2.3:')) {
    fields = splitFields(s.slice(8));
    if (fields.length !== 11) throw bad(`expected 11 fields after "cpe:2.3:", found ${fields.length}`);
  } else if (s.startsWith('cpe:/')) {
    // 2.2 URI: percent-decoded, missing trailing fields are ANY.
    const parts = s.slice(5).split(':').map((f) => { try { return decodeURIComponent(f); } catch { throw bad('bad percent-encoding'); } });
    if (parts.length > 7) throw bad('too many fields for a CPE 2.2 URI');
    fields = [...parts.map((f) => (f === '' ? '*' : f.replace(/([^A-Za-z0-9._\-~*?])/g, '\\$1'))), ...Array(11 - parts.length).fill('*')];
  } else {
    throw bad('must start with "cpe:2.3:" or "cpe:/"');
  }
  fields.forEach((f, i) => { if (!FIELD.test(f)) throw bad(`field ${i + 1} ("${f.slice(0, 40)}") has characters CPE does not allow unquoted`); });
  const part = fields[0];
  if (part !== 'a' && part !== 'o' && part !== 'h' && part !== '*') throw bad(`part must be a, o, h or *, not "${part}"`);
  return {
    part, vendor: fields[1].toLowerCase(), product: fields[2].toLowerCase(), version: unquote(fields[3]), update: unquote(fields[4]),
    formatted: `cpe:2.3:${fields.map((f, i) => (i <= 2 ? f.toLowerCase() : f)).join(':')}`,
  };
}

function unquote(f: string): string {
  return f.replace(/\\(.)/g, '$1');
}
