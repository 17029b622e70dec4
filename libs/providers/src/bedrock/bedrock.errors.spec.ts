import { ErrorCode } from '@polymux/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { errorFromStatus } from '../http/upstream-error';

interface RecordedError {
  status: number;
  'x-amzn-errortype'?: string;
  body: Record<string, unknown>;
}

const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'errors.json'), 'utf8')) as RecordedError[];
const mapped = recorded.map(({ status, body, ...headers }) =>
  errorFromStatus('bedrock', status, headers, JSON.stringify(body)).toPayload(),
);

describe('Bedrock error answers through the shared upstream mapping', () => {
  it('maps each recorded error to its canonical code, named by its AWS error type only', () => {
    expect(mapped.map(({ code, message }) => [code, message])).toEqual([
      [ErrorCode.UpstreamRateLimited, 'the provider bedrock rate-limited the request (HTTP 429): ThrottlingException'],
      [
        ErrorCode.UpstreamBadRequest,
        'the provider bedrock rejected the request (HTTP 400): ValidationException, context_length_exceeded',
      ],
      [ErrorCode.UpstreamBadRequest, 'the provider bedrock rejected the request (HTTP 400): ValidationException'],
      [
        ErrorCode.UpstreamError,
        "the provider bedrock refused the deployment's credentials or model (HTTP 403): AccessDeniedException",
      ],
      [
        ErrorCode.UpstreamRateLimited,
        'the provider bedrock rate-limited the request (HTTP 429): ModelNotReadyException',
      ],
      [ErrorCode.UpstreamTimeout, 'the provider bedrock timed out (HTTP 408): ModelTimeoutException'],
      [ErrorCode.UpstreamOverloaded, 'the provider bedrock is overloaded (HTTP 503): ServiceUnavailableException'],
      [ErrorCode.UpstreamError, 'the provider bedrock failed (HTTP 424): ModelErrorException'],
      [ErrorCode.UpstreamRateLimited, 'the provider bedrock rate-limited the request (HTTP 429): ThrottlingException'],
    ]);
  });

  it('never repeats the text of a message', () => {
    expect(JSON.stringify(mapped)).not.toContain('zdr-marker');
    expect(JSON.stringify(mapped)).not.toContain('too long');
  });
});
