import { useTeams } from '../../api/queries';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { OrgPicker, useProjectSelection } from '../../shell/project-picker';
import { InvitationsSection } from './invitations-section';
import { MembersSection } from './members-section';
import { ProjectsSection } from './projects-section';
import { TeamsSection } from './teams-section';

/**
 * The organisation: its teams and projects (with their data-retention setting), its members and
 * their roles, and invitations. Each part and action shows only to a principal who may use it.
 */
export default function OrganisationPage() {
  const { me } = useAuth();
  const selection = useProjectSelection();
  const { orgId, projects } = selection;
  const teams = useTeams(orgId);
  const teamList = teams.data?.data ?? [];
  const projectList = projects.data?.data ?? [];
  const org = me?.org ?? selection.orgs.data?.data.find((candidate) => candidate.id === orgId);
  return (
    <article className="page">
      <h1>Organisation{org ? `: ${org.name}` : ''}</h1>
      <OrgPicker selection={selection} />
      {orgId && (
        <>
          <TeamsSection orgId={orgId} teams={teams} projects={projectList} />
          <ProjectsSection orgId={orgId} projects={projects} teams={teamList} />
          {can(me, 'member.read') && <MembersSection key={orgId} orgId={orgId} teams={teamList} />}
          {can(me, 'member.read') && (
            <InvitationsSection key={orgId} orgId={orgId} teams={teamList} projects={projectList} />
          )}
        </>
      )}
    </article>
  );
}
