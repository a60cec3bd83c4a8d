/**
 * DER written in one allocation. A `DerPlan` is a constructed value whose content lengths are
 * summed as it is built (bottom-up), so the whole structure — a time-stamp reply with its
 * certificates — is written into one Buffer at the end instead of being re-copied by every
 * enclosing `seq()`. The hot signing paths (the TSA, CMS SignedData) use it; see
 * bench/trust-tsa.ts for what that buys.
 */

export interface DerPlan {
  readonly tag: number;
  readonly parts: readonly (Uint8Array | DerPlan)[];
  /** Length of the content octets. */
  readonly length: number;
  /** Length of the whole TLV. */
  readonly size: number;
}

export type PlanPart = Uint8Array | DerPlan | undefined | false;

/** Octets of the header (identifier + definite length) for a content of `length` octets. */
export function headerSize(length: number): number {
  if (length < 0x80) return 2;
  if (length < 0x100) return 3;
  if (length < 0x10000) return 4;
  if (length < 0x1000000) return 5;
  return 6;
}

const sizeOf = (p: Uint8Array | DerPlan): number => (p instanceof Uint8Array ? p.length : p.size);

/** A constructed (or primitive, given encoded content) value with tag `tag` around `parts`, in order. */
export function plan(tag: number, ...parts: PlanPart[]): DerPlan {
  const kept = parts.filter((p): p is Uint8Array | DerPlan => !!p);
  let length = 0;
  for (const p of kept) length += sizeOf(p);
  return { tag, parts: kept, length, size: headerSize(length) + length };
}

function writeHeader(out: Buffer, at: number, tag: number, length: number): number {
  out[at++] = tag;
  if (length < 0x80) {
    out[at++] = length;
    return at;
  }
  const count = headerSize(length) - 2;
  out[at++] = 0x80 | count;
  for (let i = count - 1; i >= 0; i--) out[at++] = (length >>> (8 * i)) & 0xff;
  return at;
}

function writeInto(out: Buffer, at: number, p: Uint8Array | DerPlan): number {
  if (p instanceof Uint8Array) {
    out.set(p, at);
    return at + p.length;
  }
  let pos = writeHeader(out, at, p.tag, p.length);
  for (const part of p.parts) pos = writeInto(out, pos, part);
  return pos;
}

/** The DER encoding of a plan. */
export function writePlan(p: DerPlan): Buffer {
  const out = Buffer.allocUnsafe(p.size);
  writeInto(out, 0, p);
  return out;
}

/** The content octets of an encoded TLV (to re-tag it, e.g. SET OF attributes as [0] IMPLICIT). */
export function contentOf(encoded: Uint8Array): Uint8Array {
  const first = encoded[1];
  return encoded.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f));
}
