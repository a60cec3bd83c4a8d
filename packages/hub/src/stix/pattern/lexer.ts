/**
 * Tokens of the STIX 2.1 patterning language (STIX 2.1 part 9, and the OASIS ANTLR grammar
 * STIXPattern.g4). Keywords are case-insensitive; whitespace and comments are skipped.
 */
import { MamoriError } from '@mamori/core';

export type TokenKind =
  | 'int' | 'float' | 'string' | 'hex' | 'binary' | 'timestamp' | 'bool' | 'ident'
  | 'keyword' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Keyword/op/punct text (keywords upper-cased); the decoded value for literals. */
  text: string;
  offset: number;
}

const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'LAST', 'IN',
  'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES',
]);

const TIMESTAMP_BODY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function fail(offset: number, reason: string): never {
  throw new MamoriError('MAMORI_HUB_STIX_PATTERN', { offset, reason });
}

/** Reads a quoted string starting at `start` (the opening quote); returns the value and end. */
function readQuoted(src: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let value = '';
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n !== "'" && n !== '\\') fail(i, `bad escape \\${n ?? ''} in string (only \\' and \\\\ are allowed)`);
      value += n;
      i += 2;
    } else if (c === "'") {
      return { value, end: i + 1 };
    } else {
      value += c;
      i += 1;
    }
  }
  return fail(start, 'unterminated string literal');
}

export function tokenize(src: string, maxTokens: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (t: Token): void => {
    if (tokens.length >= maxTokens) fail(t.offset, `more than ${maxTokens} tokens`);
    tokens.push(t);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail(i, 'unterminated comment');
      i = end + 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    const start = i;
    // Prefixed literals: h'..' hex, b'..' base64, t'..' timestamp.
    if ((c === 'h' || c === 'b' || c === 't') && src[i + 1] === "'") {
      const { value, end } = readQuoted(src, i + 1);
      if (c === 'h' && !/^(?:[0-9A-Fa-f]{2})*$/.test(value)) fail(start, 'hex literal must hold pairs of hex digits');
      if (c === 'b' && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) fail(start, 'binary literal must be base64');
      if (c === 't' && !TIMESTAMP_BODY.test(value)) fail(start, `timestamp literal '${value.slice(0, 40)}' is not YYYY-MM-DDTHH:MM:SS[.s+]Z`);
      push({ kind: c === 'h' ? 'hex' : c === 'b' ? 'binary' : 'timestamp', text: value, offset: start });
      i = end;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(src, i);
      push({ kind: 'string', text: value, offset: start });
      i = end;
      continue;
    }
    const num = /^[+-]?(?:\d*\.\d+|0|[1-9]\d*)/.exec(src.slice(i, i + 64));
    if (num && (c !== '+' && c !== '-' ? true : /[\d.]/.test(src[i + 1] ?? ''))) {
      const text = num[0];
      push({ kind: text.includes('.') ? 'float' : 'int', text, offset: start });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_-]/.test(src[j])) j++;
      const word = src.slice(i, j);
      const upper = word.toUpperCase();
      if (upper === 'TRUE' || upper === 'FALSE') push({ kind: 'bool', text: upper.toLowerCase(), offset: start });
      else if (KEYWORDS.has(upper)) push({ kind: 'keyword', text: upper, offset: start });
      else push({ kind: 'ident', text: word, offset: start });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      push({ kind: 'op', text: two === '==' ? '=' : two === '<>' ? '!=' : two, offset: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') { push({ kind: 'op', text: c, offset: start }); i++; continue; }
    if ('[]():.,*'.includes(c)) { push({ kind: 'punct', text: c, offset: start }); i++; continue; }
    fail(start, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', offset: src.length });
  return tokens;
}
