import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { detectors, scanDir, scanText } from './secret-scanner';
import { TEST_SECRETS } from './test-secrets';

const found = detectors(TEST_SECRETS);
const kinds = (text: string) => scanText(text, 'log', found).map((finding) => finding.kind);

describe('the log scan for keys and secrets', () => {
  it.each([
    ['a Polymux key', `[Nest] ERROR resolved pmx-${'Ab1_-'.repeat(8)}x`, 'Polymux API key'],
    ['the e2e bootstrap key', 'key pmx-e2e-bootstrap-key-0123456789abcdef refused', 'Polymux API key'],
    ['a webhook secret', `signing with whsec_${'z'.repeat(43)}`, 'webhook secret'],
    ['an OpenAI-style key', 'upstream key sk-admin-e2e-1b4e28ba-2fa1-11d2-883f-0016d3cca427', 'provider key'],
    ['a bearer token', 'GET /v1/models Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'bearer token'],
    ['an authorization header', "headers: { authorization: 'Basic YWRtaW46c2VjcmV0' }", 'credential header'],
    ['an x-api-key header', 'x-api-key: 0123456789abcdef', 'credential header'],
    ['a private key', '-----BEGIN PRIVATE KEY-----', 'private key'],
    ['a secret environment variable', 'env NATS_PASSWORD=Qx9vT2bN8mZ1kR4w', 'secret environment variable'],
    [
      "the simulator's AWS secret",
      'signing with polymux-simulator-secret-access-key-not-a-secret',
      'secret used by the tests',
    ],
    ['a conformance key', 'GET /v1beta/models?key=gemini-sim-key', 'secret used by the tests'],
    ['a key in a coloured log line', `\u001b[31mERROR\u001b[39m pmx-\u001b[1m${'k'.repeat(43)}`, 'Polymux API key'],
  ])('finds %s', (_label, line, kind) => {
    expect(kinds(`first line\n${line}\nlast line`)).toContain(kind);
  });

  it('passes what only names a secret, or shows its prefix', () => {
    const clean = [
      'missing admin key: send Authorization: Bearer <key>',
      'key pmx-abcdef (prefix) revoked; webhook whsec_abcdef rotated',
      'answers 401 to a bearer with spaces and punctuation',
      'authorization: undefined',
      'the disk-sim test and ask-simple',
      'POLYMUX_CREDENTIALS_KEY=${POLYMUX_CREDENTIALS_KEY}',
      'inputTokens: 12, x-api-key header missing',
    ].join('\n');
    expect(scanText(clean, 'log', found)).toEqual([]);
  });

  it('scans the log files under a folder, naming the file and line and never repeating the secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymux-scan-'));
    try {
      mkdirSync(join(dir, 'polymux-distributed-x'));
      const key = `pmx-${'Q'.repeat(43)}`;
      writeFileSync(join(dir, 'jest.log'), 'all good\n');
      writeFileSync(join(dir, 'polymux-distributed-x', 'control.log'), `ok\nstarted with ${key}\n`);
      // Not a log: an embedded stack's database files lie beside the logs.
      writeFileSync(join(dir, 'polymux-distributed-x', '16747'), `prefix ${key}\n`);
      const findings = scanDir(dir, found);
      expect(findings).toEqual([
        {
          file: join('polymux-distributed-x', 'control.log'),
          line: 2,
          kind: 'Polymux API key',
          excerpt: expect.any(String),
        },
      ]);
      expect(findings[0]!.excerpt).not.toContain(key);
      expect(findings[0]!.excerpt).toContain('pmx-QQ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
