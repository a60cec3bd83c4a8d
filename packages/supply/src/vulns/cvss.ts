/**
 * CVSS vectors: the structure is checked here (prefix, known metrics, each once, every base
 * metric present), then ae-cvss-calculator computes the base score (3.0, 3.1 and 4.0).
 * Checking first matters: the library accepts garbage with console warnings and half-set
 * metrics, and mamori wants a clear error instead.
 */
import cvssModule from 'ae-cvss-calculator';
import { MamoriError } from '@mamori/core';

const { Cvss3P0, Cvss3P1, Cvss4P0 } = ((cvssModule as any).default ?? cvssModule) as typeof import('ae-cvss-calculator');

export type SeverityRating = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface CvssScore {
  version: '3.0' | '3.1' | '4.0';
  vector: string;
  baseScore: number;
  rating: SeverityRating;
}

const V3_BASE: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], PR: ['N', 'L', 'H'], UI: ['N', 'R'], S: ['U', 'C'], C: ['H', 'L', 'N'], I: ['H', 'L', 'N'], A: ['H', 'L', 'N'],
};
const V3_OTHER = ['E', 'RL', 'RC', 'CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA'];
const V4_BASE: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], AT: ['N', 'P'], PR: ['N', 'L', 'H'], UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'], VI: ['H', 'L', 'N'], VA: ['H', 'L', 'N'], SC: ['H', 'L', 'N'], SI: ['H', 'L', 'N'], SA: ['H', 'L', 'N'],
};
const V4_OTHER = ['E', 'CR', 'IR', 'AR', 'MAV', 'MAC', 'MAT', 'MPR', 'MUI', 'MVC', 'MVI', 'MVA', 'MSC', 'MSI', 'MSA', 'S', 'AU', 'R', 'V', 'RE', 'U'];

export function ratingOf(score: number): SeverityRating {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

export function parseCvss(input: string): CvssScore {
  const vector = input.trim();
  const bad = (reason: string): MamoriError => new MamoriError('MAMORI_SUPPLY_CVSS', { vector: vector.slice(0, 200), reason });
  const m = /^CVSS:(3\.0|3\.1|4\.0)\/(.+)$/.exec(vector);
  if (!m) throw bad('must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/');
  const version = m[1] as CvssScore['version'];
  const base = version === '4.0' ? V4_BASE : V3_BASE;
  const other = version === '4.0' ? V4_OTHER : V3_OTHER;
  const seen = new Set<string>();
  for (const part of m[2].split('/')) {
    const [k, v, extra] = part.split(':');
    if (!k || !v || extra !== undefined) throw bad(`"${part.slice(0, 20)}" is not METRIC:VALUE`);
    if (seen.has(k)) throw bad(`metric ${k} given twice`);
    seen.add(k);
    if (base[k]) { if (!base[k].includes(v)) throw bad(`${k} cannot be ${v}`); }
    else if (!other.includes(k) || !/^[A-Z]{1,2}$/.test(v)) throw bad(`unknown metric ${k}`);
  }
  const missing = Object.keys(base).filter((k) => !seen.has(k));
  if (missing.length) throw bad(`base metric(s) ${missing.join(', ')} missing`);
  let baseScore: number;
  try {
    const calc = version === '4.0' ? new Cvss4P0(vector) : version === '3.1' ? new Cvss3P1(vector) : new Cvss3P0(vector);
    const scores = calc.calculateScores() as { base?: number; baseMetricsOnly?: number };
    baseScore = version === '4.0' ? Number(scores.baseMetricsOnly ?? scores.base) : Number(scores.base);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (!Number.isFinite(baseScore)) throw bad('no base score');
  return { version, vector, baseScore, rating: ratingOf(baseScore) };
}
