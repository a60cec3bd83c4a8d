import { describe, expect, it } from 'vitest';
import { computeEffectiveness } from './effectiveness.js';

const D = 86_400_000;
const jan = Date.UTC(2026, 0, 10);
const feb = Date.UTC(2026, 1, 10);

describe('computeEffectiveness', () => {
  it('counts per ISP, time to fix and the monthly trend', () => {
    const e = computeEffectiveness({
      findings: [
        { id: 1, isp: 'A', status: 'fixed', firstSeen: jan, fixedAt: jan + 4 * D },
        { id: 2, isp: 'A', status: 'fixed', firstSeen: jan, fixedAt: feb },
        { id: 3, isp: 'A', status: 'weak', firstSeen: jan, fixedAt: null },
        { id: 4, isp: 'B', status: 'weak', firstSeen: feb, fixedAt: null },
      ],
      sentAt: new Map([[1, jan + 2 * D], [2, jan + 2 * D], [3, jan + 2 * D]]),
      observations: [
        { findingId: 1, at: jan, result: 'weak' }, { findingId: 2, at: jan, result: 'weak' }, { findingId: 3, at: jan, result: 'weak' },
        { findingId: 3, at: feb, result: 'weak' }, { findingId: 4, at: feb, result: 'weak' }, { findingId: 1, at: jan + 4 * D, result: 'fixed' },
      ],
    });
    expect(e.byIsp[0]).toMatchObject({ isp: 'A', found: 3, notified: 3, fixed: 2, stillWeak: 1, fixedAfterNotice: 2, fixRate: 0.67, medianDaysToFix: 15.5, meanDaysToFix: 15.5 });
    expect(e.overall).toMatchObject({ found: 4, fixed: 2, stillWeak: 2 });
    expect(e.months).toEqual([
      { month: '2026-01', newFindings: 3, weakObserved: 3, notified: 3, fixed: 1, weakChange: null },
      { month: '2026-02', newFindings: 1, weakObserved: 2, notified: 0, fixed: 1, weakChange: -1 },
    ]);
  });
});
