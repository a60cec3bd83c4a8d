/**
 * A strict DER reader. Every structure mamori accepts from outside (time-stamp requests and
 * replies, CMS, certificates' extensions) goes through here, so every fault is reported as a
 * MamoriError naming the byte offset and the field being read, never as a crash or a hang:
 * lengths are bounded by their enclosing value, the long form is at most four octets and
 * minimal, indefinite lengths (BER) are refused.
 */
import { MamoriError } from '@mamori/core';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tags: `[n]` constructed (EXPLICIT or constructed IMPLICIT) and primitive. */
export const ctx = (n: number): number => 0xa0 | n;
export const ctxPrim = (n: number): number => 0x80 | n;

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** Offset of the identifier octet in the whole input. */
  readonly start: number;
  /** Offset of the first value octet. */
  readonly valueStart: number;
  /** Offset just past the value. */
  readonly end: number;
  /** The whole input the node lives in. */
  readonly input: Uint8Array;
  readonly field: string;
}

export function derError(reason: string, offset: number, field: string): MamoriError {
  return new MamoriError('MAMORI_TRUST_DER', { reason, offset, field });
}

/** Reads the TLV header at `offset`, checking it fits before `limit`. */
export function readNode(input: Uint8Array, offset: number, limit: number, field: string): DerNode {
  if (offset >= limit) throw derError('expected a value, found the end of its container', offset, field);
  const tag = input[offset];
  if ((tag & 0x1f) === 0x1f) throw derError(`high-tag-number form (0x${tag.toString(16)}) is not used by this structure`, offset, field);
  if (offset + 1 >= limit) throw derError('truncated: no length octet', offset + 1, field);
  const first = input[offset + 1];
  let length: number;
  let valueStart: number;
  if (first < 0x80) {
    length = first;
    valueStart = offset + 2;
  } else if (first === 0x80) {
    throw derError('indefinite length (BER) is not DER', offset + 1, field);
  } else {
    const count = first & 0x7f;
    if (count > 4) throw derError(`length of ${count} octets is too large`, offset + 1, field);
    if (offset + 2 + count > limit) throw derError('truncated length octets', offset + 1, field);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[offset + 2 + i];
    if (input[offset + 2] === 0 || length < 0x80) throw derError('length not minimally encoded', offset + 1, field);
    valueStart = offset + 2 + count;
  }
  const end = valueStart + length;
  if (end > limit) throw derError(`length ${length} runs past the end of its container (${limit - valueStart} octets left)`, offset + 1, field);
  return { tag, start: offset, valueStart, end, input, field };
}

/** The single top-level value of `input`; trailing bytes are an error. */
export function readRoot(input: Uint8Array, field: string, expectedTag?: number): DerNode {
  const node = readNode(input, 0, input.length, field);
  if (node.end !== input.length) throw derError(`${input.length - node.end} trailing octet(s) after the value`, node.end, field);
  if (expectedTag !== undefined) expectTag(node, expectedTag);
  return node;
}

export function expectTag(node: DerNode, tag: number): DerNode {
  if (node.tag !== tag) throw derError(`expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`, node.start, node.field);
  return node;
}

export const valueOf = (node: DerNode): Uint8Array => node.input.subarray(node.valueStart, node.end);
export const encodingOf = (node: DerNode): Uint8Array => node.input.subarray(node.start, node.end);

/** Walks the children of a constructed value in order. */
export class DerCursor {
  private pos: number;

  constructor(private readonly parent: DerNode) {
    if ((parent.tag & 0x20) === 0) throw derError('expected a constructed value', parent.start, parent.field);
    this.pos = parent.valueStart;
  }

  get done(): boolean {
    return this.pos >= this.parent.end;
  }

  /** The next child, which must exist (and carry `tag` when given). */
  next(field: string, tag?: number): DerNode {
    const node = readNode(this.parent.input, this.pos, this.parent.end, `${this.parent.field}.${field}`);
    if (tag !== undefined) expectTag(node, tag);
    this.pos = node.end;
    return node;
  }

  /** The next child if it carries `tag`, else undefined (nothing consumed). */
  optional(field: string, tag: number): DerNode | undefined {
    if (this.done || this.parent.input[this.pos] !== tag) return undefined;
    return this.next(field, tag);
  }

  /** Every remaining child. */
  rest(field: string): DerNode[] {
    const out: DerNode[] = [];
    for (let i = 0; !this.done; i++) out.push(this.next(`${field}[${i}]`));
    return out;
  }

  /** Asserts that nothing is left. */
  end(): void {
    if (!this.done) throw derError('unexpected extra element', this.pos, `${this.parent.field}`);
  }
}

export const children = (node: DerNode): DerCursor => new DerCursor(node);

export function readInteger(node: DerNode): bigint {
  expectTag(node, TAG.INTEGER);
  const v = valueOf(node);
  if (v.length === 0) throw derError('empty INTEGER', node.start, node.field);
  if (v.length > 1 && ((v[0] === 0 && (v[1] & 0x80) === 0) || (v[0] === 0xff && (v[1] & 0x80) !== 0))) {
    throw derError('INTEGER not minimally encoded', node.valueStart, node.field);
  }
  if (v.length > 128) throw derError(`INTEGER of ${v.length} octets is too long`, node.valueStart, node.field);
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (v[0] & 0x80) n -= 1n << BigInt(v.length * 8);
  return n;
}

/** A small non-negative INTEGER (versions, counts) as a number. */
export function readSmallInt(node: DerNode, max = 1_000_000): number {
  const n = readInteger(node);
  if (n < 0n || n > BigInt(max)) throw derError(`INTEGER ${n} out of range 0..${max}`, node.valueStart, node.field);
  return Number(n);
}

export function readBoolean(node: DerNode): boolean {
  expectTag(node, TAG.BOOLEAN);
  const v = valueOf(node);
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw derError('BOOLEAN must be one octet 0x00 or 0xff', node.valueStart, node.field);
  return v[0] === 0xff;
}

export function readOctets(node: DerNode, tag: number = TAG.OCTET_STRING): Uint8Array {
  expectTag(node, tag);
  return valueOf(node);
}

export function readBitString(node: DerNode): Uint8Array {
  expectTag(node, TAG.BIT_STRING);
  const v = valueOf(node);
  if (v.length === 0 || v[0] > 7 || (v.length === 1 && v[0] !== 0)) throw derError('malformed BIT STRING', node.valueStart, node.field);
  return v.subarray(1);
}

export function readNull(node: DerNode): void {
  expectTag(node, TAG.NULL);
  if (node.end !== node.valueStart) throw derError('NULL with content', node.valueStart, node.field);
}

const oidCache = new Map<string, string>();

export function readOid(node: DerNode): string {
  expectTag(node, TAG.OID);
  const v = valueOf(node);
  if (v.length === 0 || v.length > 64) throw derError(`OBJECT IDENTIFIER of ${v.length} octets`, node.valueStart, node.field);
  const key = Buffer.from(v).toString('latin1');
  const cached = oidCache.get(key);
  if (cached) return cached;
  // Arcs may exceed 2^53 (UUID-based OIDs under 2.25 are 128-bit): accumulate as bigint.
  const arcs: bigint[] = [];
  let n = 0n;
  for (let i = 0; i < v.length; i++) {
    if (n === 0n && v[i] === 0x80) throw derError('OBJECT IDENTIFIER arc not minimally encoded', node.valueStart + i, node.field);
    n = (n << 7n) | BigInt(v[i] & 0x7f);
    if ((v[i] & 0x80) === 0) {
      arcs.push(n);
      n = 0n;
    } else if (i === v.length - 1) {
      throw derError('OBJECT IDENTIFIER ends inside an arc', node.valueStart + i, node.field);
    }
  }
  const first = arcs[0] < 40n ? 0n : arcs[0] < 80n ? 1n : 2n;
  const oid = [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
  if (oidCache.size < 4096) oidCache.set(key, oid);
  return oid;
}

const TIME_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/;
const UTC_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** UTCTime or GeneralizedTime (DER forms: seconds present, `Z`, no trailing fraction zeros). */
export function readTime(node: DerNode): Date {
  const text = Buffer.from(valueOf(node)).toString('latin1');
  let y: number, rest: string[], frac = '';
  if (node.tag === TAG.UTC_TIME) {
    const m = UTC_RE.exec(text);
    if (!m) throw derError(`malformed UTCTime "${text.slice(0, 32)}"`, node.valueStart, node.field);
    y = Number(m[1]);
    y += y < 50 ? 2000 : 1900;
    rest = m.slice(2, 7);
  } else if (node.tag === TAG.GENERALIZED_TIME) {
    const m = TIME_RE.exec(text);
    if (!m || (m[7] && m[7].endsWith('0'))) throw derError(`malformed GeneralizedTime "${text.slice(0, 32)}"`, node.valueStart, node.field);
    y = Number(m[1]);
    rest = m.slice(2, 7);
    frac = m[7] ?? '';
  } else {
    throw derError(`expected a time, found tag 0x${node.tag.toString(16)}`, node.start, node.field);
  }
  const [mo, d, h, mi, s] = rest.map(Number);
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw derError(`impossible date "${text}"`, node.valueStart, node.field);
  }
  if (y < 100) date.setUTCFullYear(y);
  return date;
}

/** Any string type as text (names in certificates). */
export function readString(node: DerNode): string {
  const v = Buffer.from(valueOf(node));
  if (node.tag === 0x1e) return v.length % 2 === 0 ? Buffer.from(v).swap16().toString('utf16le') : v.toString('latin1'); // BMPString
  return node.tag === TAG.UTF8_STRING ? v.toString('utf8') : v.toString('latin1');
}
