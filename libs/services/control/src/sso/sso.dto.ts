import { z } from 'zod';

const token = z.string().min(1).max(200);

export const RefreshSession = z.strictObject({ refreshToken: token });
/** Logout names its session by the bearer session token, or by the refresh token in the body. */
export const LogoutSession = z.strictObject({ refreshToken: token.optional() });
