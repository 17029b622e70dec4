import type { AwsCredentials } from '@polymux/wire';
import {
  BEDROCK_SIGNING_SERVICE,
  parseAmzDate,
  parseSigV4Authorization,
  payloadHash,
  signBedrockRequest,
} from '@polymux/wire';
import type { IncomingHttpHeaders } from 'node:http';

/** The AWS credentials a simulator accepts by default (test values, valid nowhere else). */
export const SIM_AWS_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIAPOLYMUXSIMULATOR',
  secretAccessKey: 'polymux-simulator-secret-access-key-not-a-secret',
};

/** How far a signature's date may be from the simulator's clock, as AWS allows. */
const MAX_SKEW_MS = 5 * 60_000;

/** Why a request is refused, in Bedrock's terms (HTTP 403 with this error type). */
export interface AuthFailure {
  type: string;
  message: string;
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

const refuse = (type: string, message: string): AuthFailure => ({ type, message });

/**
 * Checks a Bedrock request's authentication as AWS does: a Bedrock API key as a bearer token
 * (any non-empty key), or a SigV4 signature recomputed here with `@smithy/signature-v4` over the
 * received method, path, signed headers and exact body, with the secret of a known access key,
 * service `bedrock`, the region of the credential scope and a date within five minutes; the body's
 * `x-amz-content-sha256` must be its hash. Undefined when the request is authentic.
 */
export const verifyBedrockAuth = async (
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: string,
  known: readonly AwsCredentials[],
  now: number = Date.now(),
): Promise<AuthFailure | undefined> => {
  const authorization = single(headers.authorization);
  if (!authorization) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (authorization.startsWith('Bearer ')) {
    return authorization.slice('Bearer '.length).trim() === ''
      ? refuse('UnrecognizedClientException', 'The security token included in the request is invalid.')
      : undefined;
  }
  const parsed = parseSigV4Authorization(authorization);
  if (!parsed)
    return refuse(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'.",
    );
  if (parsed.service !== BEDROCK_SIGNING_SERVICE)
    return refuse(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${BEDROCK_SIGNING_SERVICE}'.`,
    );
  const credentials = known.find((entry) => entry.accessKeyId === parsed.accessKeyId);
  if (!credentials)
    return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = single(headers['x-amz-date']) ?? '';
  const date = parseAmzDate(amzDate);
  if (
    !date ||
    !amzDate.startsWith(parsed.date) ||
    !parsed.signedHeaders.includes('host') ||
    !parsed.signedHeaders.includes('x-amz-date')
  )
    return refuse(
      'IncompleteSignatureException',
      'The request must sign host and x-amz-date, of the date of its credential scope.',
    );
  if (Math.abs(now - date.getTime()) > MAX_SKEW_MS)
    return refuse(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is not within five minutes of the server's time.`,
    );
  const contentHash = single(headers['x-amz-content-sha256']);
  if (contentHash !== undefined && contentHash !== (await payloadHash(body)))
    return refuse('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match the body.");
  const signed: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = single(headers[name]);
    if (value === undefined) return refuse('InvalidSignatureException', `The signed header ${name} is missing.`);
    signed[name] = value;
  }
  const sessionToken = single(headers['x-amz-security-token']);
  const expected = await signBedrockRequest(
    { method, path, headers: signed, body },
    parsed.region,
    sessionToken ? { ...credentials, sessionToken } : credentials,
    date,
  );
  return expected.authorization === authorization
    ? undefined
    : refuse(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
};
