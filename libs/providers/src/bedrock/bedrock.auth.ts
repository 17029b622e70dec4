import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { AwsCredentials } from '@polymux/wire';
import { signBedrockRequest } from '@polymux/wire';

import type { ProviderCall } from '../provider-adapter';

/** How a deployment authenticates: SigV4 with IAM credentials in its region, or a Bedrock API key. */
export type BedrockAuth =
  { kind: 'sigv4'; region: string; credentials: AwsCredentials } | { kind: 'bearer'; apiKey: string };

const unavailable = (call: ProviderCall, what: string) =>
  new PolymuxException(ErrorCode.ServiceUnavailable, `deployment ${call.deployment.id}: ${what}`);

const setting = (call: ProviderCall, name: 'accessKeyId' | 'secretAccessKey' | 'sessionToken'): string | undefined => {
  const value = call.settings?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw unavailable(call, `the bedrock setting ${name} must be a string`);
  return value;
};

/**
 * The deployment's credentials: settings `accessKeyId` and `secretAccessKey` (and `sessionToken`
 * for temporary ones) sign with SigV4 in the deployment's `region`; without them, the key of
 * `credentialRef` is a Bedrock API key. A deployment with neither, or half of a key pair, is
 * unavailable (the router falls back), named by the setting that is missing.
 */
export const bedrockAuth = (call: ProviderCall): BedrockAuth => {
  const accessKeyId = setting(call, 'accessKeyId');
  const secretAccessKey = setting(call, 'secretAccessKey');
  const sessionToken = setting(call, 'sessionToken');
  if (accessKeyId !== undefined || secretAccessKey !== undefined || sessionToken !== undefined) {
    if (accessKeyId === undefined) throw unavailable(call, 'the bedrock setting accessKeyId is missing');
    if (secretAccessKey === undefined) throw unavailable(call, 'the bedrock setting secretAccessKey is missing');
    if (!call.region) throw unavailable(call, 'a bedrock deployment signed with AWS credentials needs a region');
    const credentials: AwsCredentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    return { kind: 'sigv4', region: call.region, credentials };
  }
  if (call.apiKey) return { kind: 'bearer', apiKey: call.apiKey };
  throw unavailable(
    call,
    'no bedrock credentials: set the settings accessKeyId and secretAccessKey, or credentialRef (a Bedrock API key)',
  );
};

/** `headers` with the deployment's authentication: a SigV4 signature over the whole request, or the bearer key. */
export const authenticate = async (
  auth: BedrockAuth,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, string>> => {
  if (auth.kind === 'bearer') return { ...headers, authorization: `Bearer ${auth.apiKey}` };
  const path = `${url.pathname}${url.search}`;
  return signBedrockRequest(
    { method: 'POST', path, headers: { ...headers, host: url.host }, body },
    auth.region,
    auth.credentials,
  );
};
