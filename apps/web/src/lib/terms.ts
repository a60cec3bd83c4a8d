/**
 * The domain terms the seeds use, in Japanese and English: the 14 critical-infrastructure
 * sectors (NISC's action plan), severity levels and TLP 2.0 labels.
 */
export type Lang = 'ja' | 'en';

export const SECTORS = [
  { id: 'info-comm', ja: '情報通信', en: 'Information & communications', aliases: ['ict', 'information-communications', 'telecom', 'information_communications', 'information-and-communications'] },
  { id: 'finance', ja: '金融', en: 'Finance', aliases: ['financial', 'banking'] },
  { id: 'aviation', ja: '航空', en: 'Aviation', aliases: [] },
  { id: 'airports', ja: '空港', en: 'Airports', aliases: ['airport'] },
  { id: 'railways', ja: '鉄道', en: 'Railways', aliases: ['railway', 'rail'] },
  { id: 'electric-power', ja: '電力', en: 'Electric power', aliases: ['electricity', 'power', 'electric_power'] },
  { id: 'gas', ja: 'ガス', en: 'Gas', aliases: [] },
  { id: 'government', ja: '政府・行政サービス', en: 'Government & administrative services', aliases: ['government-administrative-services', 'government-services', 'administration'] },
  { id: 'medical', ja: '医療', en: 'Medical', aliases: ['healthcare', 'health'] },
  { id: 'water', ja: '水道', en: 'Water', aliases: ['water-supply'] },
  { id: 'logistics', ja: '物流', en: 'Logistics', aliases: [] },
  { id: 'chemicals', ja: '化学', en: 'Chemicals', aliases: ['chemical'] },
  { id: 'credit-cards', ja: 'クレジット', en: 'Credit cards', aliases: ['credit', 'credit-card', 'credit_cards'] },
  { id: 'petroleum', ja: '石油', en: 'Petroleum', aliases: ['oil'] },
] as const;

/** `Information and communications`, `information_communications`, `info & comm` → one key. */
function norm(s: string): string {
  return s.trim().toLowerCase().replace(/&|\band\b/g, ' ').trim().replace(/[\s_-]+/g, '-');
}

const sectorIndex = new Map<string, (typeof SECTORS)[number]>();
for (const s of SECTORS) {
  for (const key of [s.id, s.en, s.ja, ...s.aliases]) sectorIndex.set(norm(key), s);
}

/** A sector's label in `lang`, from its id, alias or either name; unknown values pass through. */
export function sectorLabel(value: string | null | undefined, lang: Lang): string {
  if (!value) return '—';
  const s = sectorIndex.get(norm(value));
  return s ? s[lang] : value;
}

/** Severity as words: the hub's scale may be named (critical…none) or numbered (0–5). */
const SEVERITY_WORDS: Record<string, { ja: string; en: string; rank: number }> = {
  none: { ja: 'なし', en: 'None', rank: 0 },
  info: { ja: '情報', en: 'Informational', rank: 0 },
  informational: { ja: '情報', en: 'Informational', rank: 0 },
  low: { ja: '低', en: 'Low', rank: 1 },
  medium: { ja: '中', en: 'Medium', rank: 2 },
  moderate: { ja: '中', en: 'Medium', rank: 2 },
  high: { ja: '高', en: 'High', rank: 3 },
  severe: { ja: '重大', en: 'Severe', rank: 4 },
  critical: { ja: '緊急', en: 'Critical', rank: 5 },
  emergency: { ja: '緊急', en: 'Emergency', rank: 5 },
};

/** The hub's scale (SEVERITY_SCALE in @mamori/hub): 0 informational … 5 emergency. */
const LEVEL_WORDS = ['informational', 'low', 'medium', 'high', 'severe', 'emergency'];

export function severityLabel(value: string | number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number' || /^\d+$/.test(String(value))) {
    const n = Number(value);
    const word = SEVERITY_WORDS[LEVEL_WORDS[Math.min(Math.max(n, 0), 5)]];
    return lang === 'ja' ? `レベル${n}（${word.ja}）` : `Level ${n} (${word.en})`;
  }
  const w = SEVERITY_WORDS[String(value).toLowerCase()];
  return w ? w[lang] : String(value);
}

/** 0 (none) … 5 (critical), for colour and sorting. */
export function severityRank(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number' || /^\d+$/.test(String(value))) return Math.min(Math.max(Number(value), 0), 5);
  return SEVERITY_WORDS[String(value).toLowerCase()]?.rank ?? 0;
}

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

/** Normalises `tlp:amber+strict`, `AMBER_STRICT`, `white` (TLP 1.0) and the like. */
export function normaliseTlp(value: string | null | undefined): Tlp | null {
  if (!value) return null;
  const v = value.trim().toUpperCase().replace(/^TLP:/, '').replace(/[_ ]STRICT$/, '+STRICT');
  if (v === 'WHITE') return 'CLEAR';
  return (TLP_LEVELS as readonly string[]).includes(v) ? (v as Tlp) : null;
}

export const TLP_TEXT: Record<Tlp, { ja: string; en: string }> = {
  CLEAR: { ja: '制限なし（公開可）', en: 'Unlimited disclosure' },
  GREEN: { ja: 'コミュニティ内で共有可', en: 'Community-wide' },
  AMBER: { ja: '組織内・顧客で共有可', en: 'Organisation and its clients' },
  'AMBER+STRICT': { ja: '組織内のみ', en: 'Organisation only' },
  RED: { ja: '指定された受信者のみ', en: 'Named recipients only' },
};
