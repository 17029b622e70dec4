import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, Outlet, RouterProvider, createBrowserRouter, createMemoryRouter } from 'react-router';

import { ApiError } from './api/errors';
import { AuthProvider, useAuth } from './auth/auth';
import { LoginPage } from './auth/login-page';
import { SsoCallback } from './auth/sso-callback';
import { PAGES } from './pages';
import { AcceptInvitationPage } from './pages/organisation/accept-invitation-page';
import { Layout } from './shell/layout';
import { ThemeProvider } from './shell/theme';
import { Empty } from './ui/states';

/** Refusals are answers, not blips: only a gateway that did not answer (or failed) is asked again. */
export const newQueryClient = () =>
  new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) =>
          failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
        refetchOnWindowFocus: false,
      },
    },
  });

function RequireSignIn() {
  const { credential } = useAuth();
  return credential ? <Layout /> : <Navigate to="/login" replace />;
}

const NotFound = () => (
  <Empty title="No such page">
    <p>Pick a page in the navigation.</p>
  </Empty>
);

export const routes = [
  {
    element: (
      <AuthProvider>
        <Outlet />
      </AuthProvider>
    ),
    children: [
      { path: '/login', element: <LoginPage /> },
      { path: '/sso/callback', element: <SsoCallback /> },
      { path: '/invite', element: <AcceptInvitationPage /> },
      {
        path: '/',
        element: <RequireSignIn />,
        children: [
          { index: true, element: <Navigate to={PAGES[0]!.path} replace /> },
          ...PAGES.map(({ path, component: Page }) => ({ path, element: <Page /> })),
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];

/** The console: its routes under `/console/` (a memory router in tests), TanStack Query's cache, the theme. */
export function App({ queryClient, initialPath }: { queryClient?: QueryClient; initialPath?: string }) {
  const [client] = useState(() => queryClient ?? newQueryClient());
  const [router] = useState(() =>
    initialPath
      ? createMemoryRouter(routes, { initialEntries: [initialPath] })
      : createBrowserRouter(routes, { basename: '/console' }),
  );
  return (
    <QueryClientProvider client={client}>
      <ThemeProvider>
        <RouterProvider router={router} />
      </ThemeProvider>
    </QueryClientProvider>
  );
}
