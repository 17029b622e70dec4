import type { IssuedSession } from './sso-session.service';

/** A login's or refresh's answer: the only one ever holding these tokens. */
export const sessionView = (session: IssuedSession) => ({
  object: 'sso.session',
  tokenType: 'Bearer',
  sessionToken: session.sessionToken,
  expiresAt: session.expiresAt.toISOString(),
  refreshToken: session.refreshToken,
  refreshExpiresAt: session.refreshExpiresAt.toISOString(),
  userId: session.userId,
});
