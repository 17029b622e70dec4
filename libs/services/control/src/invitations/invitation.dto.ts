import { z } from 'zod';

import { RoleGrants } from '../admin/admin.dto';
import { PAGE_FIELDS } from '../pagination';

/** Who is invited, the roles they will hold, and the project their first personal key is made in. */
export const CreateInvitation = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200).optional(),
  roles: RoleGrants.min(1, 'an invitation gives at least one role'),
  projectId: z.uuid(),
});

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;

/** `GET /admin/v1/orgs/:orgId/invitations?status=`: paged, optionally of one status. */
export const InvitationListParams = z.strictObject({ ...PAGE_FIELDS, status: z.enum(INVITATION_STATUSES).optional() });

export const AcceptInvitation = z.strictObject({ token: z.string().min(1).max(256) });
