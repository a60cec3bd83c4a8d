/**
 * A JSON body parser for hostile input: nesting deeper than `maxDepth` is refused before
 * JSON.parse runs (a linear scan, no recursion), and `__proto__` / `constructor.prototype`
 * keys are refused (prototype poisoning). Errors are MAMORI_HUB_INPUT with the byte offset.
 */
import { MamoriError } from '@mamori/core';

export function parseJsonBody(text: string, maxDepth = 32): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
      continue;
    }
    if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) {
      if (++depth > maxDepth) throw new MamoriError('MAMORI_HUB_INPUT', { offset: i, reason: `JSON nested deeper than ${maxDepth} levels` });
    } else if (ch === 125 || ch === 93) depth--;
  }
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v) => {
      if (key === '__proto__' || (key === 'constructor' && v && typeof v === 'object' && 'prototype' in v)) {
        throw new MamoriError('MAMORI_HUB_INPUT', { field: key, reason: 'JSON key __proto__ / constructor.prototype is not accepted' });
      }
      return v;
    });
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    const m = /position (\d+)/.exec((e as Error).message);
    throw new MamoriError('MAMORI_HUB_INPUT', { offset: m ? Number(m[1]) : 0, reason: `malformed JSON: ${(e as Error).message}` });
  }
  return value;
}
