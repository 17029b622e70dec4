import { useQuery } from '@tanstack/react-query';

import { api, call } from './client';
import type { ConsoleConfig, Org, Page, Project, Team } from './types';

/** Lists the pickers load at once; a longer list shows a note (the pages themselves page). */
export const PICKER_LIMIT = 200;

export const useConsoleConfig = () =>
  useQuery({
    queryKey: ['console-config'],
    queryFn: () => call<ConsoleConfig>(api.GET('/admin/v1/console/config')),
    staleTime: Infinity,
  });

export const useOrgs = (enabled: boolean) =>
  useQuery({
    queryKey: ['orgs'],
    queryFn: () => call<Page<Org>>(api.GET('/admin/v1/orgs', { params: { query: { limit: PICKER_LIMIT } } })),
    enabled,
  });

export const useProjects = (orgId: string | undefined) =>
  useQuery({
    queryKey: ['projects', orgId],
    queryFn: () =>
      call<Page<Project>>(
        api.GET('/admin/v1/orgs/{orgId}/projects', {
          params: { path: { orgId: orgId! }, query: { limit: PICKER_LIMIT } },
        }),
      ),
    enabled: !!orgId,
  });

export const useTeams = (orgId: string | undefined) =>
  useQuery({
    queryKey: ['teams', orgId],
    queryFn: () =>
      call<Page<Team>>(
        api.GET('/admin/v1/orgs/{orgId}/teams', {
          params: { path: { orgId: orgId! }, query: { limit: PICKER_LIMIT } },
        }),
      ),
    enabled: !!orgId,
  });

/** The data plane's base URL (without `/v1`) as applications should use it. */
export const dataPlaneUrl = (config: ConsoleConfig, location: Pick<Location, 'origin' | 'protocol' | 'hostname'>) =>
  config.publicUrl ??
  (config.mode === 'embedded' ? location.origin : `${location.protocol}//${location.hostname}:${config.dataPlanePort}`);
