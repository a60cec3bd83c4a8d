import { useId } from 'react';
import { useI18n } from '../lib/i18n.js';
import { SINCE_CHOICES } from '../views/endpoints.js';

export function SinceSelect({ value, onChange }: { value: string; onChange(v: string): void }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <span>
      <label htmlFor={id}>{t('common.since')} </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {SINCE_CHOICES.map((c) => <option key={c.value} value={c.value}>{t(c.label)}</option>)}
      </select>
    </span>
  );
}
