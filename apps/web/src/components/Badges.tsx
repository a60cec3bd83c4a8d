import { useI18n } from '../lib/i18n.js';
import { normaliseTlp, severityLabel, severityRank, TLP_TEXT } from '../lib/terms.js';

/** TLP 2.0 label in FIRST's colours (text on black), with its meaning as the accessible name. */
export function TlpBadge({ value }: { value: string | null | undefined }) {
  const { lang } = useI18n();
  const tlp = normaliseTlp(value);
  if (!tlp) return <span>{value ?? '—'}</span>;
  return <span className={`tlp tlp-${tlp.replace('+', '-').toLowerCase()}`} title={TLP_TEXT[tlp][lang]}>TLP:{tlp}</span>;
}

export function SeverityBadge({ value }: { value: string | number | null | undefined }) {
  const { lang } = useI18n();
  return <span className={`sev sev-${severityRank(value)}`}>{severityLabel(value, lang)}</span>;
}
