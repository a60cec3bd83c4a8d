/**
 * Demo data in the UI: a banner on every view while `mamori demo` data is loaded, and the
 * empty platform's offer to load it (admins: a button calling POST /api/demo; others: the
 * command to ask for). Removal is offered to admins beside the banner.
 */
import { useEffect, useState } from 'react';
import { ApiError, request, session } from '../lib/api.js';
import { useI18n } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { DEMO, HUB } from '../views/endpoints.js';
import { ErrorNote, Panel, renderCode } from './States.js';

interface DemoStatus { present: boolean; createdAt: number | null }
interface DemoUser { username: string; password: string; roles: string[]; org: string }

const isAdmin = (): boolean => session.get().user?.roles?.includes('admin') === true;

/** Other components learn of a load or removal without a page reload. */
const changed = new EventTarget();
const announce = () => changed.dispatchEvent(new Event('change'));

function useDemoStatus(): DemoStatus | null {
  const status = useApi<DemoStatus>(session.get().token ? DEMO.status : null);
  useEffect(() => {
    const reload = () => status.reload();
    changed.addEventListener('change', reload);
    return () => changed.removeEventListener('change', reload);
  }, [status.reload]);
  return status.state === 'ready' ? status.data : null;
}

/** POST (load) or DELETE (remove) /api/demo, with its busy and error state; tells the others when done. */
function useDemoAction<T>(method: 'POST' | 'DELETE', done?: (result: T) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      // Not `done?.(await …)`: an optional call skips its arguments when `done` is absent.
      const result = await request<T>(DEMO.status, { method });
      done?.(result);
      announce();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function DemoBanner() {
  const { t } = useI18n();
  const status = useDemoStatus();
  const { busy, error, run: remove } = useDemoAction('DELETE');
  if (!status?.present) return null;
  return (
    <div className="demo-banner" role="note" data-testid="demo-banner">
      <p>{renderCode(t('demo.banner'))}</p>
      {isAdmin() && <button type="button" onClick={remove} disabled={busy}>{t('demo.remove')}</button>}
      {error && <ErrorNote error={error} />}
    </div>
  );
}

/** Shown on the overview while the platform is empty (no reports in the feed) and no demo is loaded. */
export function DemoOffer() {
  const { t } = useI18n();
  const status = useDemoStatus();
  const feed = useApi<{ items: unknown[] }>(session.get().token ? `${HUB.reports}?limit=1` : null);
  const [users, setUsers] = useState<{ objects: number; users: DemoUser[] } | null>(null);
  const { busy, error, run: load } = useDemoAction<{ objects: number; users: DemoUser[] }>('POST', setUsers);
  const empty = feed.state === 'ready' && feed.data.items.length === 0;
  if (users) {
    return (
      <Panel title={t('demo.title')} id="demo" wide>
        <p role="status">{t('demo.loaded', { objects: users.objects })}</p>
        <table data-testid="demo-users">
          <thead><tr><th scope="col">{t('demo.user')}</th><th scope="col">{t('demo.password')}</th><th scope="col">{t('demo.roles')}</th><th scope="col">{t('demo.org')}</th></tr></thead>
          <tbody>{users.users.map((u) => <tr key={u.username}><td>{u.username}</td><td><code>{u.password}</code></td><td>{u.roles.join(', ')}</td><td>{u.org}</td></tr>)}</tbody>
        </table>
      </Panel>
    );
  }
  if (!status || status.present || !empty) return null;
  return (
    <Panel title={t('demo.title')} id="demo" wide>
      <p>{t('demo.intro')}</p>
      {isAdmin()
        ? <button type="button" onClick={load} disabled={busy} data-testid="demo-load">{t('demo.load')}</button>
        : <p className="muted">{renderCode(t('demo.adminOnly'))}</p>}
      {busy && <p className="state state-loading" role="status">{t('demo.busy')}</p>}
      {error && <ErrorNote error={error} />}
    </Panel>
  );
}
