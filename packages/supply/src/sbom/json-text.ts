import { MamoriError } from '@mamori/core';

/** Deepest nesting accepted before parsing: schema validation recurses, so depth is bounded first. */
export const MAX_JSON_DEPTH = 512;

/** Line (1-based) of a byte/char offset, for error messages people can act on. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parses JSON after checking its nesting depth in one pass over the text (strings skipped),
 * so a hostile `[[[[...]]]]` fails with an offset instead of a stack overflow later on.
 */
export function parseJsonBounded(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `JSON nested deeper than ${maxDepth} levels`, offset: i, line: lineOf(text, i) });
    } else if (c === 125 || c === 93) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const offset = m ? Number(m[1]) : undefined;
    throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `invalid JSON: ${(e as Error).message}`, offset, line: offset === undefined ? undefined : lineOf(text, offset) });
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
