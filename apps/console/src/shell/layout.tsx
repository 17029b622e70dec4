import { Suspense } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';

import { useAuth } from '../auth/auth';
import { can, principalName } from '../auth/permissions';
import { PAGES } from '../pages';
import { Loading } from '../ui/states';
import { useTheme } from './theme';

/** The signed-in frame: skip link, navigation (the pages this principal may open), who is signed in, theme, sign out. */
export function Layout() {
  const { me, signOut } = useAuth();
  const { theme, toggle: toggleTheme } = useTheme();
  const { search } = useLocation();
  const pages = PAGES.filter((page) => !page.permission || can(me, page.permission));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Polymux</span>
        <div className="account">
          {me && (
            <span className="principal" data-testid="principal">
              {principalName(me)}
              {me.roles.length > 0 && (
                <span className="roles"> · {me.roles.map((grant) => grant.role).join(', ')}</span>
              )}
            </span>
          )}
          <button type="button" onClick={toggleTheme} aria-pressed={theme === 'dark'}>
            Dark theme
          </button>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="nav" aria-label="Console">
        <ul>
          {pages.map((page) => (
            <li key={page.path}>
              <NavLink to={{ pathname: `/${page.path}`, search }}>{page.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
