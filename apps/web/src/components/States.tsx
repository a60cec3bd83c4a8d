/** The states a panel can be in, shown the same way everywhere. */
import type { ReactNode } from 'react';
import type { ApiError } from '../lib/api.js';
import { useI18n } from '../lib/i18n.js';
import type { Loaded } from '../lib/use-api.js';

export function Loading() {
  const { t } = useI18n();
  return <p className="state state-loading" role="status">{t('state.loading')}</p>;
}

export function Unavailable({ what }: { what: string }) {
  const { t } = useI18n();
  return <p className="state state-unavailable" data-state="unavailable">{t('state.unavailable', { what })}</p>;
}

export function EmptyDemo() {
  const { t } = useI18n();
  return <p className="state state-empty" data-state="empty">{renderCode(t('state.emptyDemo'))}</p>;
}

/** Renders `backticked` parts as <code>. */
export function renderCode(text: string): ReactNode[] {
  return text.split(/(`[^`]+`)/).map((part, i) => (part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : part));
}

export function ErrorNote({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="state state-error" role="alert">
      <p>{t('state.error', { message: `${error.message} (${error.code})` })}</p>
      {onRetry && <button type="button" onClick={onRetry}>{t('state.retry')}</button>}
    </div>
  );
}

/** Shows `children(data)` when ready, otherwise the matching state. */
export function Loadable<T>({ loaded, what, children, isEmpty }: { loaded: Loaded<T>; what: string; children: (data: NoInfer<T>) => ReactNode; isEmpty?: (data: NoInfer<T>) => boolean }) {
  const { t } = useI18n();
  switch (loaded.state) {
    case 'loading':
      return <Loading />;
    case 'unavailable':
      return <Unavailable what={what} />;
    case 'unauthorised':
      return <p className="state state-forbidden" data-state="unauthorised">{t('state.signInNeeded')}</p>;
    case 'forbidden':
      return <p className="state state-forbidden" data-state="forbidden">{t('state.forbidden', { message: loaded.error.message })}</p>;
    case 'error':
      return <ErrorNote error={loaded.error} onRetry={(loaded as { reload?(): void }).reload} />;
    case 'ready':
      return <>{isEmpty?.(loaded.data) ? <EmptyDemo /> : children(loaded.data)}</>;
  }
}

export function Panel({ title, id, children, wide }: { title: string; id?: string; children: ReactNode; wide?: boolean }) {
  const headingId = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-h`;
  return (
    <section className={wide ? 'panel panel-wide' : 'panel'} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}
