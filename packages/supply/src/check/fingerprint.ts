/**
 * Naming a device from what the survey saw: a banner or model string ("AX-3000 login:",
 * "Server: ExampleOS/2.1 (ExampleNet AX3000)") matched to a product on the list. A product
 * matches when one of its own fingerprint expressions matches, or when its manufacturer and
 * model both appear as whole words (spacing and punctuation ignored: "AX-3000" = "ax3000").
 * The most specific match wins: an explicit expression, then the longest model.
 */
import type { ListedProduct } from '../store/list.js';

const squash = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
const words = (s: string): string => ` ${s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;

/** True when `needle`'s words appear in `hay` in order, with separators between them optional. */
function containsModel(bannerWords: string, model: string): boolean {
  const m = squash(model);
  if (m.length < 2) return false;
  // Compare with separators removed, but only at word boundaries of the banner.
  const tokens = bannerWords.trim().split(' ');
  for (let i = 0; i < tokens.length; i++) {
    let acc = '';
    for (let j = i; j < tokens.length && acc.length < m.length; j++) {
      acc += tokens[j];
      if (acc === m) return true;
    }
  }
  return false;
}

export interface FingerprintMatch {
  product: ListedProduct;
  /** Why it matched: the expression, or "manufacturer+model" / "model". */
  by: string;
}

/** Precompiles the list once; the returned function is what a survey run calls per device. */
export function createFingerprintMatcher(products: ListedProduct[]): (banner: string) => FingerprintMatch | null {
  const compiled = products.map((p) => ({
    p,
    res: p.fingerprints.flatMap((f) => { try { return [new RegExp(f, 'iu')]; } catch { return []; } }),
    maker: squash(p.manufacturer),
  }));
  return (banner) => {
    const text = banner.slice(0, 4096); // banners are short; a huge one must not cost more
    const w = words(text);
    const squashed = squash(text);
    let best: { m: FingerprintMatch; score: number } | null = null;
    for (const { p, res, maker } of compiled) {
      let score = 0;
      let by = '';
      const re = res.find((r) => r.test(text));
      if (re) { score = 10_000; by = re.source; }
      else if (containsModel(w, p.model)) {
        const hasMaker = maker.length > 0 && squashed.includes(maker);
        score = (hasMaker ? 1000 : 0) + squash(p.model).length;
        by = hasMaker ? 'manufacturer+model' : 'model';
      }
      // Listed products win ties over suspended or withdrawn ones (same model re-listed).
      if (score > 0 && p.status === 'listed') score += 0.5;
      if (score > 0 && (!best || score > best.score)) best = { m: { product: p, by }, score };
    }
    return best?.m ?? null;
  };
}

/** One-off form: `matchDeviceFingerprint(banner, products)` → the product, or null. */
export function matchDeviceFingerprint(banner: string, products: ListedProduct[]): ListedProduct | null {
  return createFingerprintMatcher(products)(banner)?.product ?? null;
}

/** The listed product a surveyed device was named as (what findings and ISP reports show). */
export interface DeviceProduct {
  id: string;
  manufacturer: string;
  model: string;
  status: ListedProduct['status'];
  by: string;
}

/**
 * Names each surveyed device by model from what the survey saw (its model string and
 * banner) against the trusted list; `product` is null when nothing on the list matches.
 * Generic over the finding type so the survey needs no dependency on supply, nor supply
 * on survey: the CLI and the server join the two.
 */
export function nameDevices<T extends { banner?: string | null; model?: string | null }>(
  devices: readonly T[],
  products: ListedProduct[],
): Array<T & { product: DeviceProduct | null }> {
  const match = createFingerprintMatcher(products);
  return devices.map((d) => {
    const seen = [d.model, d.banner].filter((s): s is string => typeof s === 'string' && s.length > 0).join(' ');
    const m = seen ? match(seen) : null;
    const product = m ? { id: m.product.id, manufacturer: m.product.manufacturer, model: m.product.model, status: m.product.status, by: m.by } : null;
    return { ...d, product };
  });
}
