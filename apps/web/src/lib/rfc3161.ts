/**
 * RFC 3161 TimeStampReq in DER, built in the browser so the dashboard can ask the server's
 * TSA (POST /tsa, application/timestamp-query) exactly as `openssl ts -query` would.
 *
 * TimeStampReq ::= SEQUENCE { version INTEGER (v1), messageImprint MessageImprint,
 *   reqPolicy OID OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE, ... }
 */

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: ArrayLike<number>): number[] {
  return [tag, ...length(content.length), ...Array.from(content)];
}

/** DER INTEGER from unsigned big-endian bytes (leading zeros trimmed, sign byte added when needed). */
function integer(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = Array.from(bytes.subarray(i));
  if (body[0] & 0x80) body.unshift(0);
  return tlv(0x02, body);
}

const SHA256_OID = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/** `nonce` null leaves it out (as `openssl ts -query -no_nonce` does). */
export function timeStampRequest(sha256: Uint8Array, nonce: Uint8Array | null, certReq = true): Uint8Array<ArrayBuffer> {
  if (sha256.length !== 32) throw new Error('a SHA-256 digest is 32 bytes');
  const algorithm = tlv(0x30, [...SHA256_OID, 0x05, 0x00]);
  const imprint = tlv(0x30, [...algorithm, ...tlv(0x04, sha256)]);
  const body = [...tlv(0x02, [1]), ...imprint, ...(nonce ? integer(nonce) : []), ...(certReq ? tlv(0x01, [0xff]) : [])];
  return Uint8Array.from(tlv(0x30, body));
}

/** PKIStatus of a TimeStampResp: 0 granted, 1 grantedWithMods, 2 rejection, ... (null if unreadable). */
export function timeStampStatus(resp: Uint8Array): number | null {
  // SEQUENCE { status PKIStatusInfo SEQUENCE { status INTEGER, ... }, token ... }
  let i = 0;
  const readHeader = (): { len: number } | null => {
    i++;
    const first = resp[i++];
    if (first === undefined) return null;
    if (first < 0x80) return { len: first };
    const n = first & 0x7f;
    let len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (resp[i++] ?? 0);
    return { len };
  };
  if (resp[0] !== 0x30 || !readHeader()) return null;
  if (resp[i] !== 0x30 || !readHeader()) return null;
  if (resp[i] !== 0x02) return null;
  const h = readHeader();
  if (!h || h.len < 1 || h.len > 4) return null;
  let v = 0;
  for (let k = 0; k < h.len; k++) v = v * 256 + resp[i + k];
  return v;
}
