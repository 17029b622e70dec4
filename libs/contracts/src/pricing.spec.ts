import type { ChatRequest } from './canonical/chat';
import type { Deployment } from './messages/plan.message';
import { intakeOf } from './intake';
import { callCost, maxCallCost, maxCallTokens, nanoToUsd, pricesAt, usdToNano } from './pricing';
import { promptTokensBound } from './tokens/prompt-bound';

const deployment = (id: string, input: string, output: string, maxOutputTokens = 1_000): Deployment => ({
  id,
  provider: 'openai',
  model: id,
  upstreamModel: id,
  pricing: { inputPerMTok: usdToNano(input).toString(), outputPerMTok: usdToNano(output).toString() },
  contextWindow: 128_000,
  maxOutputTokens,
});
const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
  stream: false,
  ...fields,
});

describe('callCost', () => {
  it('prices input and output per million tokens in nano-USD', () => {
    // $0.40 / $1.60 per MTok: 400 and 1,600 nano-USD a token.
    expect(callCost(deployment('a', '0.40', '1.60').pricing, { inputTokens: 10, outputTokens: 5 })).toBe(12_000n);
  });

  it('rounds a fraction of a nano-USD up, never down to free', () => {
    expect(callCost(deployment('a', '0.000001', '0').pricing, { inputTokens: 1, outputTokens: 0 })).toBe(1n);
    expect(callCost(deployment('a', '0', '0').pricing, { inputTokens: 5, outputTokens: 5 })).toBe(0n);
  });

  it('stays exact beyond floating point range', () => {
    const cost = callCost(deployment('a', '1000', '0').pricing, { inputTokens: 2 ** 40, outputTokens: 0 });
    expect(cost).toBe((1_000_000_000_000n * 2n ** 40n) / 1_000_000n);
  });
});

describe('callCost with cache, reasoning and request prices', () => {
  // $3 input, $15 output, $0.30 cached read, $3.75 cache write (Claude Sonnet's list prices).
  const pricing = {
    ...deployment('c', '3', '15').pricing,
    cachedInputPerMTok: usdToNano('0.30').toString(),
    cacheWritePerMTok: usdToNano('3.75').toString(),
  };

  it('charges cached reads and cache writes, which inputTokens includes, at their own prices', () => {
    const usage = { inputTokens: 1_000, cachedInputTokens: 600, cacheWriteTokens: 300, outputTokens: 10 };
    // 100 uncached × 3,000 + 600 × 300 + 300 × 3,750 + 10 × 15,000 nano-USD.
    expect(callCost(pricing, usage)).toBe(300_000n + 180_000n + 1_125_000n + 150_000n);
  });

  it('charges cache tokens as input when the deployment has no cache prices', () => {
    const plain = deployment('p', '3', '15').pricing;
    expect(callCost(plain, { inputTokens: 1_000, cachedInputTokens: 600, outputTokens: 0 })).toBe(3_000_000n);
  });

  it('caps cache counts at the input tokens, so a bad report never charges a negative share', () => {
    const usage = { inputTokens: 100, cachedInputTokens: 80, cacheWriteTokens: 80, outputTokens: 0 };
    expect(callCost(pricing, usage)).toBe(80n * 300n + 20n * 3_750n);
  });

  it('charges reasoning tokens, which outputTokens includes, at the reasoning price, and the fee per request', () => {
    const reasoned = {
      ...deployment('r', '1', '2').pricing,
      reasoningPerMTok: usdToNano('4').toString(),
      perRequest: '5000',
    };
    expect(callCost(reasoned, { inputTokens: 0, outputTokens: 10, reasoningTokens: 4 })).toBe(
      6n * 2_000n + 4n * 4_000n + 5_000n,
    );
  });
});

describe('maxCallCost', () => {
  it('holds every prompt token at the dearest of input, cached and cache-write prices', () => {
    const cached = {
      ...deployment('c', '3', '15', 100),
      pricing: { ...deployment('c', '3', '15').pricing, cacheWritePerMTok: usdToNano('3.75').toString() },
    };
    const bound = promptTokensBound(request(), 'c');
    expect(maxCallCost([cached], intakeOf(request()))).toBe(BigInt(bound) * 3_750n + 100n * 15_000n);
    // Whatever share of the prompt the provider reports as written to its cache, the hold covers it.
    for (const written of [0, 1, bound]) {
      const usage = { inputTokens: bound, cacheWriteTokens: written, outputTokens: 100 };
      expect(maxCallCost([cached], intakeOf(request()))).toBeGreaterThanOrEqual(callCost(cached.pricing, usage));
    }
  });

  it('holds output at the dearer of output and reasoning prices, and adds the fee per request', () => {
    const reasoned = {
      ...deployment('r', '0', '2', 10),
      pricing: { ...deployment('r', '0', '2').pricing, reasoningPerMTok: usdToNano('8').toString(), perRequest: '7' },
    };
    expect(maxCallCost([reasoned], intakeOf(request()))).toBe(10n * 8_000n + 7n);
  });

  it('is the most expensive candidate at the input bound and its output maximum', () => {
    const cheap = deployment('cheap', '0.10', '0.10', 4_000);
    const dear = deployment('dear', '1.00', '2.00', 1_000);
    const bound = promptTokensBound(request(), 'dear');
    expect(maxCallCost([cheap, dear], intakeOf(request()))).toBe(BigInt(bound) * 1_000n + 1_000n * 2_000n);
  });

  it('caps the output at max_tokens and multiplies by n', () => {
    const only = deployment('only', '1.00', '1.00', 1_000);
    const bound = BigInt(promptTokensBound(request(), 'only'));
    expect(maxCallCost([only], intakeOf(request({ maxOutputTokens: 10 })))).toBe((bound + 10n) * 1_000n);
    expect(maxCallCost([only], intakeOf(request({ maxOutputTokens: 10, n: 3 })))).toBe((bound + 10n) * 1_000n * 3n);
    // max_tokens above the deployment's maximum is still capped by the maximum.
    expect(maxCallCost([only], intakeOf(request({ maxOutputTokens: 50_000 })))).toBe((bound + 1_000n) * 1_000n);
  });

  it('bounds images by each candidate’s own rules', () => {
    const image = request({
      messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x.test/a.png', detail: 'low' }] }],
    });
    const mini = deployment('gpt-4o-mini', '1.00', '0', 1);
    const other = deployment('gpt-4o', '1.00', '0', 1);
    expect(maxCallCost([mini], intakeOf(image)) - maxCallCost([other], intakeOf(image))).toBe(
      BigInt(2_833 - 85) * 1_000n,
    );
  });

  it('is zero without candidates', () => {
    expect(maxCallCost([], intakeOf(request()))).toBe(0n);
  });
});

describe('maxCallTokens', () => {
  it('is the prompt bound plus the most output any candidate allows, n times', () => {
    const short = deployment('short', '1.00', '1.00', 100);
    const long = deployment('long', '1.00', '1.00', 4_000);
    const bound = promptTokensBound(request(), 'long');
    expect(maxCallTokens([short, long], intakeOf(request()))).toBe(bound + 4_000);
    expect(maxCallTokens([short, long], intakeOf(request({ maxOutputTokens: 50 })))).toBe(bound + 50);
    expect(maxCallTokens([short, long], intakeOf(request({ maxOutputTokens: 50, n: 2 })))).toBe((bound + 50) * 2);
    expect(maxCallTokens([], intakeOf(request()))).toBe(0);
  });
});

describe('long-context tiers', () => {
  // Base $1.25/$10 per MTok; above 200,000 input tokens the whole call at $2.50/$15, cached reads $0.625.
  const tiered = {
    ...deployment('t', '1.25', '10', 1_000),
    pricing: {
      ...deployment('t', '1.25', '10').pricing,
      cachedInputPerMTok: usdToNano('0.3125').toString(),
      tiers: [
        {
          aboveInputTokens: 200_000,
          inputPerMTok: usdToNano('2.50').toString(),
          outputPerMTok: usdToNano('15').toString(),
          cachedInputPerMTok: usdToNano('0.625').toString(),
        },
      ],
    },
  };

  it('charges a call at the base prices up to the threshold and wholly at the tier above it', () => {
    expect(callCost(tiered.pricing, { inputTokens: 200_000, outputTokens: 1_000 })).toBe(
      200_000n * 1_250n + 1_000n * 10_000n,
    );
    expect(callCost(tiered.pricing, { inputTokens: 200_001, outputTokens: 1_000 })).toBe(
      200_001n * 2_500n + 1_000n * 15_000n,
    );
    // Cached reads count towards the threshold and take the tier's own cached price.
    expect(callCost(tiered.pricing, { inputTokens: 250_000, cachedInputTokens: 50_000, outputTokens: 0 })).toBe(
      200_000n * 2_500n + 50_000n * 625n,
    );
  });

  it('takes the highest tier passed, and a price a tier leaves out from the base', () => {
    const two = {
      ...tiered.pricing,
      reasoningPerMTok: '7',
      tiers: [{ aboveInputTokens: 500_000, inputPerMTok: '5', outputPerMTok: '50' }, ...tiered.pricing.tiers],
    };
    expect(pricesAt(two, 10)).toBe(two);
    expect(pricesAt(two, 300_000)).toMatchObject({ inputPerMTok: usdToNano('2.50').toString(), reasoningPerMTok: '7' });
    expect(pricesAt(two, 600_000)).toEqual({
      inputPerMTok: '5',
      outputPerMTok: '50',
      cachedInputPerMTok: usdToNano('0.3125').toString(),
      reasoningPerMTok: '7',
    });
  });

  it('holds at the tier a prompt could pass, and at the base for a prompt that cannot', () => {
    const short = intakeOf(request());
    expect(maxCallCost([tiered], short)).toBe(BigInt(promptTokensBound(request(), 't')) * 1_250n + 1_000n * 10_000n);
    const long = request({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'word '.repeat(210_000) }] }],
    });
    const bound = BigInt(promptTokensBound(long, 't'));
    expect(bound).toBeGreaterThan(200_000n);
    expect(maxCallCost([tiered], intakeOf(long))).toBe(bound * 2_500n + 1_000n * 15_000n);
    // Whatever the provider then reports up to the bound, the hold covers the charge.
    for (const inputTokens of [1, 200_000, 200_001, Number(bound)]) {
      expect(maxCallCost([tiered], intakeOf(long))).toBeGreaterThanOrEqual(
        callCost(tiered.pricing, { inputTokens, outputTokens: 1_000 }),
      );
    }
  });
});

describe('usdToNano / nanoToUsd', () => {
  it.each([
    ['0', 0n],
    ['0.40', 400_000_000n],
    ['12.000000001', 12_000_000_001n],
    [' 3 ', 3_000_000_000n],
  ])('parses %p', (usd, nano) => {
    expect(usdToNano(usd)).toBe(nano);
  });

  it.each(['-1', '1.0000000001', 'abc', '', '1e3', '.5'])('rejects %p', (usd) => {
    expect(() => usdToNano(usd)).toThrow(/not a non-negative USD amount/);
  });

  it('formats with trailing zeros trimmed, negatives included', () => {
    expect(nanoToUsd(0n)).toBe('0');
    expect(nanoToUsd(400_000_000n)).toBe('0.4');
    expect(nanoToUsd(-12_000_000_001n)).toBe('-12.000000001');
    expect(nanoToUsd(5_000_000_000n)).toBe('5');
  });

  it('round-trips', () => {
    for (const usd of ['0.000000001', '1.5', '999999.123456789']) expect(nanoToUsd(usdToNano(usd))).toBe(usd);
  });
});
