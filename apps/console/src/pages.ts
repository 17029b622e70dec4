import type { ComponentType } from 'react';
import { lazy } from 'react';

/**
 * The console's pages: the route, the navigation and who sees it, in one table. Adding a page is
 * its file under pages/ (a default-exported component) and one line here.
 */
export interface PageEntry {
  /** The route under /console/. */
  path: string;
  label: string;
  /** Shown only to principals holding it; absent: everyone signed in. */
  permission?: string;
  component: ComponentType;
}

export const PAGES: readonly PageEntry[] = [
  { path: 'get-started', label: 'Get started', component: lazy(() => import('./pages/get-started/get-started-page')) },
  {
    path: 'api-keys',
    label: 'API keys',
    permission: 'key.read',
    component: lazy(() => import('./pages/api-keys/api-keys-page')),
  },
  {
    path: 'usage',
    label: 'Usage and costs',
    permission: 'usage.read',
    component: lazy(() => import('./pages/usage/usage-page')),
  },
  {
    path: 'models',
    label: 'Models',
    permission: 'catalog.read',
    component: lazy(() => import('./pages/models/models-page')),
  },
  {
    path: 'credits',
    label: 'Credits and billing',
    permission: 'credits.read',
    component: lazy(() => import('./pages/credits/credits-page')),
  },
  {
    path: 'budgets',
    label: 'Budgets and alerts',
    permission: 'budget.read',
    component: lazy(() => import('./pages/budgets/budgets-page')),
  },
  {
    path: 'routing',
    label: 'Routing',
    permission: 'policy.read',
    component: lazy(() => import('./pages/routing/routing-page')),
  },
  {
    path: 'sessions',
    label: 'Sessions',
    permission: 'usage.read',
    component: lazy(() => import('./pages/sessions/sessions-page')),
  },
  {
    path: 'audit',
    label: 'Audit',
    permission: 'audit.read',
    component: lazy(() => import('./pages/audit/audit-page')),
  },
  {
    path: 'organisation',
    label: 'Organisation',
    permission: 'org.read',
    component: lazy(() => import('./pages/organisation/organisation-page')),
  },
];
