import type * as Sha256Js from '@aws-crypto/sha256-js';
import type { Sha256 } from '@aws-crypto/sha256-js';
import type * as SignatureV4Js from '@smithy/signature-v4';
import type { SignatureV4 } from '@smithy/signature-v4';

/**
 * How a Bedrock runtime request is signed: AWS Signature Version 4 by `@smithy/signature-v4` (the
 * AWS SDK's signer), service `bedrock`, the path URI-escaped as for every AWS service but S3, the
 * body's SHA-256 in `x-amz-content-sha256`. The adapter signs with it; the simulator recomputes the
 * signature of what it received with it and the credentials it knows.
 */

export const BEDROCK_SIGNING_SERVICE = 'bedrock';
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What is signed of a request: method, path (as sent, already encoded), headers (names lower-case) and body. */
export interface SignableRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Crypto {
  SignatureV4: typeof SignatureV4;
  Sha256: typeof Sha256;
}

let loaded: Crypto | undefined;
/** The signer's modules, loaded on first use: ingress imports this library for its schemas and never signs. */
const crypto = (): Crypto => {
  if (!loaded) {
    /* eslint-disable @typescript-eslint/no-require-imports -- a lazy, synchronous load */
    const { SignatureV4: Signer } = require('@smithy/signature-v4') as typeof SignatureV4Js;
    const { Sha256: Hash } = require('@aws-crypto/sha256-js') as typeof Sha256Js;
    /* eslint-enable @typescript-eslint/no-require-imports */
    loaded = { SignatureV4: Signer, Sha256: Hash };
  }
  return loaded;
};

/**
 * The request's headers with SigV4's added (`authorization`, `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` with a session token). `headers` must hold `host`; `signingDate` defaults to now.
 */
export const signBedrockRequest = async (
  request: SignableRequest,
  region: string,
  credentials: AwsCredentials,
  signingDate?: Date,
): Promise<Record<string, string>> => {
  const { SignatureV4: Signer, Sha256: Hash } = crypto();
  const signer = new Signer({
    service: BEDROCK_SIGNING_SERVICE,
    region,
    credentials,
    sha256: Hash,
    uriEscapePath: true,
    applyChecksum: true,
  });
  const [path, query = ''] = request.path.split('?', 2);
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: request.headers.host ?? '',
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers: { ...request.headers },
      body: request.body,
    },
    signingDate ? { signingDate } : {},
  );
  return signed.headers;
};

/** The hex SHA-256 of a body, as `x-amz-content-sha256` carries it. */
export const payloadHash = async (body: string): Promise<string> => {
  const { Sha256: Hash } = crypto();
  const hash = new Hash();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString('hex');
};

/** The parts of a SigV4 `Authorization` header, or undefined when it is not one. */
export interface SigV4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export const parseSigV4Authorization = (value: string): SigV4Authorization | undefined => {
  const match = AUTHORIZATION.exec(value);
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
};

/** `x-amz-date`'s `YYYYMMDDTHHMMSSZ` as a date; undefined when malformed. */
export const parseAmzDate = (value: string): Date | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
};
