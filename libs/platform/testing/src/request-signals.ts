import type { RequestSignals } from '@polymux/contracts';

/** The signals of a short, plain chat request, with the given changes: for router and plan tests. */
export const requestSignals = (overrides: Partial<RequestSignals> = {}): RequestSignals => ({
  estimatedInputTokens: 10,
  inputTokensUpperBound: 40,
  messageCount: 1,
  hasTools: false,
  hasImages: false,
  hasResponseFormat: false,
  hasCodeFence: false,
  complexity: 'low',
  ...overrides,
});
