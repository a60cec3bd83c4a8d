/**
 * Half-year periods as Japan's government reports them: fiscal year from April, first half
 * April–September (上期), second half October–March (下期).
 */
import type { Lang } from './terms.js';

export interface HalfYear {
  fiscalYear: number;
  half: 1 | 2;
}

export function halfYearOf(ms: number): HalfYear {
  const d = new Date(ms);
  const month = d.getUTCMonth(); // 0 = January
  const year = d.getUTCFullYear();
  const fiscalYear = month >= 3 ? year : year - 1;
  return { fiscalYear, half: month >= 3 && month <= 8 ? 1 : 2 };
}

export function halfYearKey(h: HalfYear): string {
  return `${h.fiscalYear}H${h.half}`;
}

export function halfYearLabel(h: HalfYear, lang: Lang): string {
  return lang === 'ja' ? `${h.fiscalYear}年度${h.half === 1 ? '上期' : '下期'}` : `FY${h.fiscalYear} H${h.half}`;
}

/** Sums (or takes the last of, for levels such as rates) values per half-year, in order. */
export function byHalfYear(points: [number, number][], how: 'sum' | 'last' = 'sum'): { period: HalfYear; value: number }[] {
  const out = new Map<string, { period: HalfYear; value: number; at: number }>();
  for (const [ms, v] of [...points].sort((a, b) => a[0] - b[0])) {
    const period = halfYearOf(ms);
    const key = halfYearKey(period);
    const cur = out.get(key);
    if (!cur) out.set(key, { period, value: v, at: ms });
    else out.set(key, { period, value: how === 'sum' ? cur.value + v : v, at: ms });
  }
  return [...out.values()].map(({ period, value }) => ({ period, value }));
}
