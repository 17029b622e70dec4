/** One endpoint the benchmark drives: the simulator directly, the call through Polymux, or through Portkey. */
export interface Target {
  name: 'direct' | 'gateway' | 'portkey';
  origin: string;
  path: string;
  headers: Record<string, string>;
  /**
   * Bearer keys the requests take in turn instead of the one in `headers` (the scaling check
   * spreads its traffic over several keys).
   */
  apiKeys?: string[];
}

const chatPath = (base: URL) => `${base.pathname.replace(/\/$/, '')}/v1/chat/completions`;
const jsonHeaders = (apiKey: string) => ({ authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' });

/** The simulator itself, under the scenario prefix that makes it answer `scenario`. */
export const directTarget = (simUrl: string, scenario: string): Target => {
  const url = new URL(simUrl);
  return {
    name: 'direct',
    origin: url.origin,
    path: `${url.pathname.replace(/\/$/, '')}/scenario/${scenario}/v1/chat/completions`,
    headers: jsonHeaders('bench-direct'),
  };
};

/** Polymux's OpenAI endpoint; its catalog points at the simulator under the same scenario prefix. */
export const gatewayTarget = (ingressUrl: string, apiKey: string, apiKeys?: string[]): Target => {
  const url = new URL(ingressUrl);
  return { name: 'gateway', origin: url.origin, path: chatPath(url), headers: jsonHeaders(apiKey), apiKeys };
};

/**
 * Portkey OSS routing to the same simulator: provider `openai` with a custom host, which Portkey
 * uses as the provider's base URL (it appends `/chat/completions`) and to which it forwards the bearer.
 */
export const portkeyTarget = (portkeyUrl: string, simUrl: string, scenario: string): Target => {
  const url = new URL(portkeyUrl);
  return {
    name: 'portkey',
    origin: url.origin,
    path: chatPath(url),
    headers: {
      ...jsonHeaders('bench-portkey'),
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${simUrl.replace(/\/$/, '')}/scenario/${scenario}/v1`,
    },
  };
};

/** The headers of the `index`-th request to `target`. */
export const headersOf = (target: Target, index: number): Record<string, string> =>
  target.apiKeys?.length
    ? { ...target.headers, authorization: `Bearer ${target.apiKeys[index % target.apiKeys.length]}` }
    : target.headers;

/** The one request body every target receives, byte for byte. */
export const chatBody = (model: string, maxTokens: number, stream: boolean): string =>
  JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'In one sentence, what does an LLM gateway do?' },
    ],
    max_tokens: maxTokens,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
