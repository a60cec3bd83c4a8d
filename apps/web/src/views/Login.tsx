/** Password login against the hub (its users and lockout), or an API token pasted by hand. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, request, session } from '../lib/api.js';
import { useI18n } from '../lib/i18n.js';
import { hasRoute, openApi } from '../lib/openapi.js';
import { renderCode } from '../components/States.js';
import { HUB } from './endpoints.js';

interface LoginAnswer {
  token?: string;
  expiresAt?: number;
}

/** The hub's principal for a token: roles and organisation (what the shell shows and offers). */
async function whoIs(token: string): Promise<{ roles?: string[]; organisation?: string }> {
  try {
    const me = await request<{ roles?: string[]; orgId?: string }>(HUB.me, { headers: { authorization: `Bearer ${token}` } });
    return { roles: me.roles, organisation: me.orgId };
  } catch {
    return {};
  }
}

export function Login({ onGuest }: { onGuest(): void }) {
  const { t } = useI18n();
  const ids = { user: useId(), password: useId(), token: useId() };
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hubLogin, setHubLogin] = useState<boolean | null>(null);

  useEffect(() => {
    openApi().then((doc) => setHubLogin(hasRoute(doc, 'post', HUB.login)));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await request<LoginAnswer>(HUB.login, { method: 'POST', body: { username: user, password } });
      const tok = answer.token;
      if (!tok) throw new ApiError(500, 'MAMORI_WEB_LOGIN', 'no token in the answer');
      session.set({ token: tok, user: { name: user, ...(await whoIs(tok)) } });
    } catch (err) {
      if (err instanceof ApiError && err.unavailable) setHubLogin(false);
      else setError(t('login.failed', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  const useToken = async (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) return;
    session.set({ token: token.trim(), user: { name: 'API token', ...(await whoIs(token.trim())) } });
  };

  return (
    <div className="login">
      <h1>{t('login.title')}</h1>
      {hubLogin === false ? (
        <div className="state state-unavailable" data-state="unavailable">
          <p>{t('login.noHub')}</p>
          <button type="button" onClick={onGuest}>{t('login.continue')}</button>
        </div>
      ) : (
        <form onSubmit={submit} className="form" aria-describedby="login-intro">
          <p id="login-intro">{t('login.intro')}</p>
          <label htmlFor={ids.user}>{t('login.user')}</label>
          <input id={ids.user} name="username" autoComplete="username" required value={user} onChange={(e) => setUser(e.target.value)} />
          <label htmlFor={ids.password}>{t('login.password')}</label>
          <input id={ids.password} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <button type="submit" disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
          {error && <p role="alert" className="state state-error">{error}</p>}
        </form>
      )}
      <form onSubmit={useToken} className="form form-token">
        <label htmlFor={ids.token}>{t('login.token')}</label>
        <input id={ids.token} name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit">{t('login.tokenSubmit')}</button>
      </form>
      <p className="muted">{renderCode(t('state.emptyDemo'))}</p>
    </div>
  );
}
