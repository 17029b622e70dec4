import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { SECRET_PATTERNS } from '@polymux/contracts';

/** One secret-shaped string in a log: where, what kind, and the line with the secret itself masked. */
export interface Finding {
  file: string;
  line: number;
  kind: string;
  excerpt: string;
}

export interface Detector {
  kind: string;
  pattern: RegExp;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What a log line must never hold: the shapes of the secrets Polymux issues or carries (its keys,
 * webhook secrets, provider keys, bearer tokens, private keys), credential headers with a value,
 * secret environment variables with one, and the literal secrets the tests use (`literals`).
 */
export const detectors = (literals: readonly string[] = []): Detector[] => [
  ...SECRET_PATTERNS.map(({ name, pattern }) => ({ kind: name, pattern })),
  {
    kind: 'credential header',
    pattern:
      /\b(?:authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key)["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|AWS4-HMAC-SHA256)\s+)?(?!undefined\b|null\b|\[redacted\])[A-Za-z0-9._~+/=-]{8,}/i,
  },
  {
    kind: 'secret environment variable',
    pattern: /\b[A-Z0-9_]*(?:SECRET|PASSWORD|API_KEY|CREDENTIALS_KEY|BOOTSTRAP_KEY|_TOKEN)=(?!["']?\$)["']?[^\s"']{8,}/,
  },
  ...literals
    .filter((literal) => literal.length >= 6)
    .map((literal) => ({
      kind: 'secret used by the tests',
      pattern: new RegExp(`(?<![\\w-])${escaped(literal)}(?![\\w-])`),
    })),
];

/** The line with every match of `detector` masked, shortened around the first one. */
const excerptOf = (line: string, detector: Detector): string => {
  const masked = line.replace(
    new RegExp(detector.pattern.source, `${detector.pattern.flags}g`),
    (match) => `${match.slice(0, 6)}…[${match.length} chars]`,
  );
  const at = Math.max(0, masked.search(/…\[\d+ chars\]/) - 80);
  return masked.slice(at, at + 200).trim();
};

/** Terminal colour codes, which Nest's logger writes around its messages. */
// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const ANSI = /\u001b\[[0-9;]*m/g;

/** Every secret-shaped string in `text`, by line (1-based), colour codes removed. */
export const scanText = (text: string, file: string, found: Detector[]): Finding[] =>
  text
    .replace(ANSI, '')
    .split('\n')
    .flatMap((line, index) =>
      found
        .filter((detector) => detector.pattern.test(line))
        .map((detector) => ({ file, line: index + 1, kind: detector.kind, excerpt: excerptOf(line, detector) })),
    );

/**
 * Every log file under `dir`, depth first: `*.log`, as the suite's output and each stack process's
 * log are named. (An embedded stack's database lies there too: data, not log lines.)
 */
export const logFilesUnder = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return logFilesUnder(path);
      return name.endsWith('.log') ? [path] : [];
    });

/** Every secret-shaped string in the logs under `dir` (a test run's captured output and process logs). */
export const scanDir = (dir: string, found: Detector[]): Finding[] =>
  logFilesUnder(dir).flatMap((path) => scanText(readFileSync(path, 'utf8'), relative(dir, path), found));
