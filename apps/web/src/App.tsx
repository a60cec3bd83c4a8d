/**
 * The shell: skip link, banner (brand, language, user), navigation, and the current view.
 * Views are separate chunks so the first load carries only the shell and the login page.
 */
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { session, type Session } from './lib/api.js';
import { useI18n, type MessageKey } from './lib/i18n.js';
import { Link, navigate, usePath } from './lib/router.js';
import { Loading } from './components/States.js';
import { DemoBanner } from './components/Demo.js';
import { Login } from './views/Login.js';

interface ViewEntry {
  path: string;
  label: MessageKey;
  view: ComponentType;
}

export const VIEWS: ViewEntry[] = [
  { path: '/', label: 'nav.overview', view: lazy(() => import('./views/Overview.js')) },
  { path: '/telescope', label: 'nav.telescope', view: lazy(() => import('./views/Telescope.js')) },
  { path: '/survey', label: 'nav.survey', view: lazy(() => import('./views/Survey.js')) },
  { path: '/flows', label: 'nav.flows', view: lazy(() => import('./views/Flows.js')) },
  { path: '/hub', label: 'nav.hub', view: lazy(() => import('./views/Hub.js')) },
  { path: '/trust', label: 'nav.trust', view: lazy(() => import('./views/Trust.js')) },
  { path: '/supply', label: 'nav.supply', view: lazy(() => import('./views/Supply.js')) },
  { path: '/effectiveness', label: 'nav.effectiveness', view: lazy(() => import('./views/Effectiveness.js')) },
];

/** "Continue without signing in" is remembered for the tab, like a token. */
const GUEST_KEY = 'mamori.guest';

function useSession(): Session {
  const [s, setS] = useState(session.get());
  useEffect(() => session.subscribe(setS), []);
  return s;
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const path = usePath();
  const current = useSession();
  const [guest, setGuest] = useState(() => sessionStorage.getItem(GUEST_KEY) === '1');
  const signedIn = current.token !== null || guest;
  const entry = VIEWS.find((v) => v.path === path) ?? VIEWS[0];

  useEffect(() => {
    document.title = `${t(signedIn ? entry.label : 'login.title')} — mamori`;
  }, [t, entry, signedIn]);

  const signOut = () => {
    sessionStorage.removeItem(GUEST_KEY);
    setGuest(false);
    session.clear();
    navigate('/');
  };
  const continueAsGuest = () => {
    sessionStorage.setItem(GUEST_KEY, '1');
    setGuest(true);
  };

  const View = entry.view;
  return (
    <>
      <a className="skip-link" href="#main">{t('app.skip')}</a>
      <header className="banner">
        <div className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>
        <div className="banner-tools">
          <label className="lang-switch">
            <span>{t('app.language')}</span>
            <select value={lang} onChange={(e) => setLang(e.target.value as 'ja' | 'en')} data-testid="lang">
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          </label>
          {signedIn && (
            <>
              {current.user && <span className="user">{t('app.signedInAs', { name: current.user.name })}</span>}
              <button type="button" onClick={signOut}>{current.token ? t('app.signOut') : t('app.signIn')}</button>
            </>
          )}
        </div>
      </header>
      {signedIn && (
        <nav className="main-nav" aria-label={t('app.mainNav')}>
          <ul>
            {VIEWS.map((v) => (
              <li key={v.path}>
                <Link href={v.path} aria-current={v === entry ? 'page' : undefined}>{t(v.label)}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {signedIn && <DemoBanner />}
        {signedIn ? (
          <Suspense fallback={<Loading />}>
            <View key={entry.path} />
          </Suspense>
        ) : (
          <Login onGuest={continueAsGuest} />
        )}
      </main>
      <footer className="footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
