import { describe, expect, it } from 'vitest';
import { asList, num, pivot, toMs } from './data.js';
import { byHalfYear, halfYearLabel, halfYearOf } from './periods.js';
import { histogram } from '../components/charts.js';

describe('reading API answers', () => {
  it('finds the list in bare or wrapped answers', () => {
    expect(asList([{ a: 1 }, null, 3])).toEqual([{ a: 1 }]);
    expect(asList({ items: [{ a: 1 }], next: 'x' })).toEqual([{ a: 1 }]);
    expect(asList({ cells: [{ a: 2 }] }, 'cells')).toEqual([{ a: 2 }]);
    expect(asList({ nothing: true })).toEqual([]);
  });

  it('reads numbers and times in the shapes bigint columns and JSON give them', () => {
    expect(num('42')).toBe(42);
    expect(num('')).toBeNull();
    expect(toMs(1_700_000_000)).toBe(1_700_000_000_000);
    expect(toMs('2026-04-01T00:00:00Z')).toBe(Date.UTC(2026, 3, 1));
  });

  it('pivots (time, key, value) rows into the largest series over sorted times', () => {
    const rows = [{ t: 2, k: 'tcp', v: 5 }, { t: 1, k: 'tcp', v: 1 }, { t: 1, k: 'udp', v: 2 }, { t: 2, k: 'icmp', v: 1 }];
    const p = pivot(rows, (r) => r.t as number, (r) => r.k as string, (r) => r.v as number, 2);
    expect(p.times).toEqual([1, 2]);
    expect(p.series).toEqual([{ name: 'tcp', values: [1, 5] }, { name: 'udp', values: [2, 0] }]);
  });
});

describe('half-years (Japanese fiscal year from April)', () => {
  it('puts April–September in H1 and October–March in H2 of the fiscal year', () => {
    expect(halfYearOf(Date.UTC(2026, 3, 1))).toEqual({ fiscalYear: 2026, half: 1 });
    expect(halfYearOf(Date.UTC(2026, 8, 30))).toEqual({ fiscalYear: 2026, half: 1 });
    expect(halfYearOf(Date.UTC(2026, 9, 1))).toEqual({ fiscalYear: 2026, half: 2 });
    expect(halfYearOf(Date.UTC(2027, 2, 31))).toEqual({ fiscalYear: 2026, half: 2 });
    expect(halfYearLabel({ fiscalYear: 2026, half: 2 }, 'ja')).toBe('2026年度下期');
  });

  it('sums counts and keeps the last level per half-year', () => {
    const pts: [number, number][] = [[Date.UTC(2026, 4, 1), 10], [Date.UTC(2026, 5, 1), 5], [Date.UTC(2026, 10, 1), 7]];
    expect(byHalfYear(pts).map((h) => h.value)).toEqual([15, 7]);
    expect(byHalfYear(pts, 'last').map((h) => h.value)).toEqual([5, 7]);
  });
});

describe('histogram', () => {
  it('bins values into equal widths and counts every value once', () => {
    const h = histogram([60, 61, 59, 60, 300], 4);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(h.counts[0]).toBe(4);
    expect(h.counts[3]).toBe(1);
    expect(histogram([5, 5, 5]).counts).toEqual([3]);
  });
});
