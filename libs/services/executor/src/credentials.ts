import { ConfigError, resolveSecret } from '@polymux/config';
import type { Deployment } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

/**
 * The API key of a deployment, resolved from its `credentialRef` on every call so that a rotated
 * secret applies at once. A reference that resolves to nothing makes the deployment unavailable,
 * so the caller falls back to the next candidate instead of sending an unauthenticated call.
 */
export const credentialFor = (deployment: Deployment): string | undefined => {
  if (!deployment.credentialRef) return undefined;
  let secret: string | undefined;
  try {
    secret = resolveSecret(deployment.credentialRef);
  } catch (error) {
    if (error instanceof ConfigError) throw new PolymuxException(ErrorCode.Internal, error.problems.join('; '));
    throw error;
  }
  if (!secret) {
    throw new PolymuxException(
      ErrorCode.ServiceUnavailable,
      `deployment ${deployment.id} has no credentials: ${deployment.credentialRef} is not set`,
    );
  }
  return secret;
};
