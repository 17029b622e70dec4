import type { RequestSignals } from '@polymux/contracts';
import { estimateTokens } from '@polymux/contracts';
import { countTokens, setMergeCacheSize } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

/**
 * cl100k (GPT-4's tokenizer), not o200k: its tables take about 50 MB of the classifier's memory
 * where o200k's take over 80, and it counts a little more than o200k for most text, so the context
 * window check errs on the safe side for the models that use o200k. Its cache of merged pieces is
 * bounded, since the classifier counts every prompt.
 */
setMergeCacheSize(5_000);

/**
 * The prompt's input tokens with a real tokenizer, from what the classifier is sent (the text
 * sample and the signals, never the request): the sample's tokens — the whole text when the
 * sample is all of it (a single short turn, the usual request), else scaled from the sample to the
 * text's length, which keeps the language's own ratio (about one token a character in Chinese, four
 * characters a token in English) — plus the parts of the edge's estimate that are not message text
 * (tool definitions and calls, framing, images). A signal for routing, not a bill: the reservation
 * bounds the cost on `inputTokensUpperBound`, and the provider's usage is what is charged.
 */
export const countInputTokens = (sample: string, signals: RequestSignals): number => {
  const { textChars, estimatedInputTokens } = signals;
  // From an edge that does not say its text length: its estimate is all there is.
  if (textChars === undefined) return estimatedInputTokens;
  const rest = Math.max(0, estimatedInputTokens - estimateTokens(textChars));
  if (textChars === 0 || sample.length === 0) return rest + estimateTokens(textChars);
  const sampled = countTokens(sample);
  const text = sample.length >= textChars ? sampled : Math.ceil((sampled * textChars) / sample.length);
  return rest + text;
};
