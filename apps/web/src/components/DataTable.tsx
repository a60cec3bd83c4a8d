/** An accessible table (caption, scoped headers) over API rows, with a row cap. */
import type { ReactNode } from 'react';
import type { Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';

export interface Column {
  key: string;
  label: string;
  render?: (row: Row) => ReactNode;
  numeric?: boolean;
}

function cell(value: unknown): ReactNode {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Columns from the rows themselves, for answers whose fields we show as they come. */
export function columnsOf(rows: Row[], max = 8): Column[] {
  const keys: string[] = [];
  for (const r of rows.slice(0, 20)) for (const k of Object.keys(r)) if (!keys.includes(k) && (typeof r[k] !== 'object' || r[k] === null)) keys.push(k);
  return keys.slice(0, max).map((k) => ({ key: k, label: k }));
}

export function DataTable({ caption, rows, columns, limit = 50, rowKey }: { caption: string; rows: Row[]; columns?: Column[]; limit?: number; rowKey?: (row: Row, i: number) => string }) {
  const { t, num } = useI18n();
  const cols = columns ?? columnsOf(rows);
  const shown = rows.slice(0, limit);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>{cols.map((c) => <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {shown.length === 0 && <tr><td colSpan={cols.length || 1}>{t('common.noRows')}</td></tr>}
          {shown.map((r, i) => (
            <tr key={rowKey ? rowKey(r, i) : i}>
              {cols.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render ? c.render(r) : c.numeric && typeof r[c.key] !== 'object' && r[c.key] !== undefined ? num(Number(r[c.key])) : cell(r[c.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > limit && <p className="muted">{t('common.more', { n: rows.length - limit })}</p>}
    </div>
  );
}
