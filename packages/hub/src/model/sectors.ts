/**
 * The 14 critical-infrastructure sectors of Japan's cybersecurity policy for critical
 * infrastructure (each with its CEPTOAR). Ids are stable slugs used in tokens, sharing
 * scopes and audience keys; names are seeded into `hub_sector`.
 */
export const SECTORS = [
  { id: 'info-comm', ja: '情報通信', en: 'Information and communications' },
  { id: 'finance', ja: '金融', en: 'Finance' },
  { id: 'aviation', ja: '航空', en: 'Aviation' },
  { id: 'airports', ja: '空港', en: 'Airports' },
  { id: 'railways', ja: '鉄道', en: 'Railways' },
  { id: 'electric-power', ja: '電力', en: 'Electric power' },
  { id: 'gas', ja: 'ガス', en: 'Gas' },
  { id: 'government', ja: '政府・行政サービス', en: 'Government and administrative services' },
  { id: 'medical', ja: '医療', en: 'Medical' },
  { id: 'water', ja: '水道', en: 'Water' },
  { id: 'logistics', ja: '物流', en: 'Logistics' },
  { id: 'chemicals', ja: '化学', en: 'Chemicals' },
  { id: 'credit-cards', ja: 'クレジット', en: 'Credit cards' },
  { id: 'petroleum', ja: '石油', en: 'Petroleum' },
] as const;

export type SectorId = (typeof SECTORS)[number]['id'];

export function isSectorId(value: unknown): value is SectorId {
  return typeof value === 'string' && SECTORS.some((s) => s.id === value);
}

/** What an organisation is in the scheme. */
export const ORG_ROLES = ['operator', 'ceptoar-secretariat', 'ministry', 'coordinator', 'isac', 'vendor', 'isp'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** What a user may do inside their organisation (a user may hold several). */
export const USER_ROLES = ['admin', 'secretariat', 'analyst', 'member', 'reader'] as const;
export type UserRole = (typeof USER_ROLES)[number];
