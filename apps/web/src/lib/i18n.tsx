/** Language state for the whole app: a context, a `t()` with `{placeholders}`, and number/date formats. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, ja, type MessageKey } from './messages.js';
import type { Lang } from './terms.js';

export type { Lang, MessageKey };

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ja };
const STORAGE_KEY = 'mamori.lang';

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
}

export function initialLang(stored: string | null | undefined, browser: string | undefined): Lang {
  if (stored === 'ja' || stored === 'en') return stored;
  return browser?.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  num(n: number | null | undefined, digits?: number): string;
  date(ms: number | string | null | undefined): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    let stored: string | null = null;
    try { stored = localStorage.getItem(STORAGE_KEY); } catch { /* no storage */ }
    return initialLang(stored, navigator.language);
  });
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    try { localStorage.setItem(STORAGE_KEY, next); } catch { /* no storage */ }
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'ja' ? 'ja-JP' : 'en-GB';
    const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      num: (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString(locale, { maximumFractionDigits: digits })),
      date: (v) => {
        if (v === null || v === undefined || v === '') return '—';
        const d = new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
        return Number.isNaN(d.getTime()) ? String(v) : dateFmt.format(d);
      },
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
