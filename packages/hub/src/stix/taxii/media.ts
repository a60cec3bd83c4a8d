/** TAXII 2.1 media types and content negotiation (TAXII 2.1 §1.6.8). */

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseRange(text: string): MediaRange {
  const [type, ...params] = text.split(';').map((s) => s.trim());
  const out: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: (type ?? '').toLowerCase(), params: out };
}

/** Whether an Accept header admits a TAXII 2.1 answer. No header admits anything. */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').map(parseRange).some((r) => {
    if (r.params.q !== undefined && Number(r.params.q) === 0) return false;
    if (r.type === '*/*' || r.type === 'application/*') return true;
    return r.type === 'application/taxii+json' && (r.params.version === undefined || r.params.version === '2.1');
  });
}

/** Whether a Content-Type names TAXII 2.1 (a missing version parameter means the latest). */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const r = parseRange(contentType);
  return r.type === 'application/taxii+json' && (r.params.version === undefined || r.params.version === '2.1');
}
