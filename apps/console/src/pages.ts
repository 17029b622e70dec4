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
    path: 'organisation',
    label: 'Organisation',
    permission: 'org.read',
    component: lazy(() => import('./pages/organisation/organisation-page')),
  },
];
