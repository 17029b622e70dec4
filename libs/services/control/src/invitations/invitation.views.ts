import type { Invitation, InvitationStatus } from './invitation.repository';

export const statusOf = (invitation: Invitation, now = Date.now()): InvitationStatus => {
  if (invitation.accepted_at) return 'accepted';
  if (invitation.revoked_at) return 'revoked';
  return invitation.expires_at.getTime() <= now ? 'expired' : 'pending';
};

/** An invitation as the admin API shows it: never its token (only its creation answers that). */
export const invitationView = (invitation: Invitation) => ({
  object: 'invitation',
  id: invitation.id,
  orgId: invitation.org_id,
  email: invitation.email,
  name: invitation.name,
  roles: invitation.roles.map((grant) => ({ role: grant.role, teamId: grant.teamId })),
  projectId: invitation.project_id,
  status: statusOf(invitation),
  expiresAt: invitation.expires_at.toISOString(),
  invitedByUserId: invitation.invited_by_user_id,
  acceptedAt: invitation.accepted_at?.toISOString() ?? null,
  userId: invitation.user_id,
  revokedAt: invitation.revoked_at?.toISOString() ?? null,
  createdAt: invitation.created_at.toISOString(),
});
