import { describe, expect, it } from 'vitest';
import { en, ja } from './messages.js';
import { initialLang, translate } from './i18n.js';
import { SECTORS, normaliseTlp, sectorLabel, severityLabel, severityRank } from './terms.js';
import { SECTORS as HUB_SECTORS } from '@mamori/hub';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionary', () => {
  it('has the same keys and the same placeholders in Japanese and English', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ja[key]), key).toEqual(placeholders(en[key]));
      expect(ja[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('ja', 'hub.submitted', { id: 'r-1' })).toBe('報告を提出しました（r-1）。');
    expect(translate('en', 'common.more', {})).toBe('{n} more not shown');
  });

  it('starts in the stored language, else Japanese unless the browser asks for English', () => {
    expect(initialLang('en', 'ja-JP')).toBe('en');
    expect(initialLang(null, 'en-US')).toBe('en');
    expect(initialLang(null, 'ja')).toBe('ja');
    expect(initialLang('xx', undefined)).toBe('ja');
  });

  it('tells the empty state how to load demo data', () => {
    expect(en['state.emptyDemo']).toContain('`mamori demo`');
    expect(ja['state.emptyDemo']).toContain('`mamori demo`');
  });
});

describe('terms', () => {
  it('names all 14 sectors with the hub\'s ids, in both languages', () => {
    expect(SECTORS).toHaveLength(14);
    for (const s of HUB_SECTORS) {
      expect(sectorLabel(s.id, 'ja')).toBe(s.ja);
      expect(sectorLabel(s.en, 'ja')).toBe(s.ja);
    }
    expect(sectorLabel('electricity', 'ja')).toBe('電力');
    expect(sectorLabel('unknown-sector', 'en')).toBe('unknown-sector');
  });

  it('words severity levels, named or numbered', () => {
    expect(severityLabel(3, 'ja')).toBe('レベル3（高）');
    expect(severityLabel('critical', 'ja')).toBe('緊急');
    expect(severityLabel('5', 'en')).toBe('Level 5 (Emergency)');
    expect(severityLabel(0, 'ja')).toBe('レベル0（情報）');
    expect(severityRank('high')).toBe(3);
    expect(severityRank(9)).toBe(5);
  });

  it('normalises TLP spellings, mapping TLP 1.0 WHITE to CLEAR', () => {
    expect(normaliseTlp('tlp:amber+strict')).toBe('AMBER+STRICT');
    expect(normaliseTlp('AMBER_STRICT')).toBe('AMBER+STRICT');
    expect(normaliseTlp('white')).toBe('CLEAR');
    expect(normaliseTlp('purple')).toBeNull();
  });
});
