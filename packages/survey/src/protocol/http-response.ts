/**
 * HTTP/1.1 response head and body framing (RFC 9112), pure and bounded. `parseHttpHead`
 * reads the status line and headers; `bodyComplete` says whether a buffered response is
 * whole (Content-Length or chunked), so a probe can reuse a keep-alive connection.
 */
import { MamoriError } from '@mamori/core';

export interface HttpHead {
  status: number;
  reason: string;
  /** Lower-cased names; repeated headers keep every value. */
  headers: Map<string, string[]>;
  /** Byte length of the head including the blank line. */
  headLength: number;
}

export const MAX_HEAD = 16 * 1024;

/** The head of `buf`, `null` if it is not complete yet, or a MamoriError naming the offset. */
export function parseHttpHead(buf: Buffer): HttpHead | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > MAX_HEAD) throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'response head too long', offset: MAX_HEAD });
    return null;
  }
  if (end > MAX_HEAD) throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'response head too long', offset: MAX_HEAD });
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'bad status line', offset: 0 });
  const headers = new Map<string, string[]>();
  let offset = lines[0].length + 2;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(line.slice(0, colon))) {
      throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'bad header line', offset });
    }
    const name = line.slice(0, colon).toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
    offset += line.length + 2;
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers, headLength: end + 4 };
}

export function header(head: HttpHead, name: string): string | undefined {
  return head.headers.get(name)?.[0];
}

/**
 * Length of the whole message if `buf` (head included) holds it all, else null. A body
 * without Content-Length or chunked framing ends at connection close: returns null.
 */
export function messageLength(head: HttpHead, buf: Buffer): number | null {
  const te = header(head, 'transfer-encoding');
  if (te && /chunked/i.test(te)) {
    let pos = head.headLength;
    for (;;) {
      const eol = buf.indexOf('\r\n', pos);
      if (eol < 0) return null;
      const sizeText = buf.subarray(pos, eol).toString('latin1').split(';')[0].trim();
      if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'bad chunk size', offset: pos });
      const size = parseInt(sizeText, 16);
      if (size === 0) {
        const trailerEnd = buf.indexOf('\r\n', eol + 2);
        return trailerEnd < 0 ? null : trailerEnd + 2;
      }
      pos = eol + 2 + size + 2;
      if (pos > buf.length) return null;
    }
  }
  const cl = header(head, 'content-length');
  if (cl !== undefined) {
    if (!/^\d{1,12}$/.test(cl)) throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'bad Content-Length', field: 'content-length' });
    const total = head.headLength + Number(cl);
    return buf.length >= total ? total : null;
  }
  if (head.status === 204 || head.status === 304 || (head.status >= 100 && head.status < 200)) return head.headLength;
  return null;
}

/** The decoded body (chunks joined) of a complete message; tolerant of a truncated one. */
export function messageBody(head: HttpHead, buf: Buffer): Buffer {
  const te = header(head, 'transfer-encoding');
  if (!te || !/chunked/i.test(te)) return buf.subarray(head.headLength);
  const parts: Buffer[] = [];
  let pos = head.headLength;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(buf.subarray(eol + 2, Math.min(buf.length, eol + 2 + size)));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The page title, whitespace collapsed, at most 200 characters. */
export function htmlTitle(body: Buffer): string | undefined {
  const m = /<title[^>]*>([^<]{0,2000})<\/title>/i.exec(body.subarray(0, 65536).toString('latin1'));
  return m ? m[1].replace(/\s+/g, ' ').trim().slice(0, 200) : undefined;
}
