/**
 * How the simulator behaves for one request, chosen by the `x-sim-scenario` header or by a
 * `/scenario/<scenario>/v1/...` base-URL prefix. A scenario is a comma-separated list of knobs:
 *
 * - `status=<400-599>`      answer this HTTP status with an OpenAI error body
 * - `retry-after=<seconds>` `retry-after` header on an error (429 sets 1 by default)
 * - `echo`                  quote the request body in the error message (as real providers quote prompts)
 * - `latency=<ms>`          wait before sending the response headers
 * - `tokens=<n>`            completion tokens to generate (default 16)
 * - `reply=<word>`          OpenAI-family paths: answer this one word (letters, digits, `-`, `_`,
 *                           `.`) as the whole text, one token, instead of generated words
 * - `rate=<tokens/s>`       pace streamed tokens (default: as fast as possible)
 * - `hang`                  never answer
 * - `disconnect-after=<n>`  destroy the socket after `n` streamed SSE events
 * - `no-usage`              report no `usage` (neither in the body nor as a streamed usage chunk),
 *                           as some OpenAI-compatible servers do
 * - `fail-after=<n>`        end a stream with an OpenAI error event after `n` SSE events
 * - `cached=<n>`            report `n` prompt tokens (at most all of them) as read from the prompt
 *                           cache (`prompt_tokens_details.cached_tokens`)
 * - `reasoning=<n>`         spend `n` hidden reasoning tokens per choice, whatever the model (reasoning
 *                           models — `o<digit>…`, `gpt-5…` — spend 32 by default, by `reasoning_effort`;
 *                           `deepseek-reasoner…` shows them as `reasoning_content`)
 * - `until=<epoch ms>`      the other knobs apply only until this time; from then on the
 *                           simulator answers normally (a provider that recovers, for health tests)
 * - `content-filter=<where>` OpenAI-family paths: `prompt` answers Azure's 400 with code
 *                           `content_filter`, `completion` ends each choice early with
 *                           `finish_reason: content_filter`; Gemini and Vertex's Gemini: `prompt` answers
 *                           `promptFeedback.blockReason: SAFETY` without candidates, `completion`
 *                           ends each candidate half-way with `finishReason: SAFETY`
 *
 * Every failure a provider shows is one of these: `status=429,retry-after=2` (rate limited),
 * `status=500`, `status=503` or `status=529` (overloaded), `hang` or `latency=<ms>` (timeouts),
 * `disconnect-after=<n>` and `fail-after=<n>` (a stream cut or failed mid-way). E.g.
 * `status=429,retry-after=2` or `latency=50,tokens=200,rate=100`.
 */
export interface Scenario {
  status?: number;
  retryAfterSeconds?: number;
  echo: boolean;
  noUsage: boolean;
  latencyMs: number;
  tokens: number;
  tokensPerSecond?: number;
  hang: boolean;
  disconnectAfter?: number;
  failAfter?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  contentFilter?: 'prompt' | 'completion';
  reply?: string;
  untilMs?: number;
}

export const DEFAULT_TOKENS = 16;

export const defaultScenario = (): Scenario => ({
  latencyMs: 0,
  tokens: DEFAULT_TOKENS,
  hang: false,
  echo: false,
  noUsage: false,
});

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const integer = (knob: string, value: string | undefined, min: number, max: number): number => {
  const parsed = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ScenarioError(
      `scenario knob ${knob} needs an integer between ${min} and ${max}, got ${value ?? 'nothing'}`,
    );
  }
  return parsed;
};

const applyKnob = (scenario: Scenario, knob: string, value: string | undefined): void => {
  switch (knob) {
    case 'status':
      scenario.status = integer(knob, value, 400, 599);
      return;
    case 'retry-after':
      scenario.retryAfterSeconds = integer(knob, value, 0, 86_400);
      return;
    case 'latency':
      scenario.latencyMs = integer(knob, value, 0, 600_000);
      return;
    case 'tokens':
      scenario.tokens = integer(knob, value, 0, 1_000_000);
      return;
    case 'rate':
      scenario.tokensPerSecond = integer(knob, value, 1, 1_000_000);
      return;
    case 'disconnect-after':
      scenario.disconnectAfter = integer(knob, value, 0, 1_000_000);
      return;
    case 'no-usage':
      if (value !== undefined) throw new ScenarioError('scenario knob no-usage takes no value');
      scenario.noUsage = true;
      return;
    case 'fail-after':
      scenario.failAfter = integer(knob, value, 0, 1_000_000);
      return;
    case 'cached':
      scenario.cachedTokens = integer(knob, value, 0, 100_000_000);
      return;
    case 'reasoning':
      scenario.reasoningTokens = integer(knob, value, 0, 1_000_000);
      return;
    case 'until':
      scenario.untilMs = integer(knob, value, 0, Number.MAX_SAFE_INTEGER);
      return;
    case 'reply':
      if (value === undefined || !/^[\w.-]{1,64}$/.test(value)) {
        throw new ScenarioError(
          `scenario knob reply needs one word of letters, digits, - _ or ., got ${value ?? 'nothing'}`,
        );
      }
      scenario.reply = value;
      return;
    case 'content-filter':
      if (value !== 'prompt' && value !== 'completion') {
        throw new ScenarioError(`scenario knob content-filter needs prompt or completion, got ${value ?? 'nothing'}`);
      }
      scenario.contentFilter = value;
      return;
    case 'hang':
    case 'echo':
      if (value !== undefined) throw new ScenarioError(`scenario knob ${knob} takes no value`);
      scenario[knob] = true;
      return;
    default:
      throw new ScenarioError(`unknown scenario knob ${knob}`);
  }
};

/** Applies the knobs of each source in order onto the defaults; later sources win. */
export const parseScenario = (...sources: Array<string | undefined>): Scenario => {
  const scenario = defaultScenario();
  for (const source of sources) {
    if (!source) continue;
    for (const entry of source.split(',')) {
      const trimmed = entry.trim();
      if (trimmed === '') continue;
      const separator = trimmed.indexOf('=');
      const knob = separator === -1 ? trimmed : trimmed.slice(0, separator).trim();
      const value = separator === -1 ? undefined : trimmed.slice(separator + 1).trim();
      applyKnob(scenario, knob, value);
    }
  }
  return scenario.untilMs !== undefined && Date.now() >= scenario.untilMs ? defaultScenario() : scenario;
};
