/** One endpoint the benchmark drives: the simulator directly, or the same call through Polymux. */
export interface Target {
  name: 'direct' | 'gateway';
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export const chatTarget = (name: Target['name'], baseUrl: string, apiKey: string): Target => {
  const url = new URL(baseUrl);
  return {
    name,
    origin: url.origin,
    path: `${url.pathname.replace(/\/$/, '')}/v1/chat/completions`,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
  };
};

/** The one request body both targets receive, byte for byte. */
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
