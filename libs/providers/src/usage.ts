import type { Usage } from '@polymux/contracts';

type Count = number | null | undefined;

/**
 * Usage in OpenAI's convention from a provider whose input count leaves out the tokens read from
 * and written to its prompt cache (Anthropic, Bedrock): they are added back, and also reported on
 * their own when the provider reported them.
 */
export const usageWithCache = (input: Count, output: Count, cacheRead: Count, cacheWrite: Count): Usage => {
  const read = cacheRead ?? 0;
  const written = cacheWrite ?? 0;
  const usage: Usage = { inputTokens: (input ?? 0) + read + written, outputTokens: output ?? 0 };
  if (cacheRead != null) usage.cachedInputTokens = read;
  if (cacheWrite != null) usage.cacheWriteTokens = written;
  return usage;
};
