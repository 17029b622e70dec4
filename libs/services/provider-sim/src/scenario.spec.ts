import { DEFAULT_TOKENS, ScenarioError, parseScenario } from './scenario';

describe('parseScenario', () => {
  it('defaults to no latency, 16 tokens, no pacing', () => {
    expect(parseScenario()).toEqual({ latencyMs: 0, tokens: DEFAULT_TOKENS, hang: false, echo: false, noUsage: false });
    expect(parseScenario('')).toEqual(parseScenario(undefined));
  });

  it('reads every knob, combined with commas', () => {
    expect(
      parseScenario(
        'status=429, retry-after=2,latency=50,tokens=20,rate=200,disconnect-after=5,fail-after=4,hang,echo,no-usage',
      ),
    ).toEqual({
      status: 429,
      retryAfterSeconds: 2,
      latencyMs: 50,
      tokens: 20,
      tokensPerSecond: 200,
      disconnectAfter: 5,
      failAfter: 4,
      hang: true,
      echo: true,
      noUsage: true,
    });
  });

  it('reads the one word to reply', () => {
    expect(parseScenario('reply=creative')).toMatchObject({ reply: 'creative' });
  });

  it('lets later sources override earlier ones', () => {
    expect(parseScenario('tokens=3,latency=10', 'tokens=7')).toMatchObject({ tokens: 7, latencyMs: 10 });
  });

  it.each([
    ['unknown knob', 'colour=red', /unknown scenario knob colour/],
    ['status out of range', 'status=200', /status needs an integer between 400 and 599/],
    ['non-integer value', 'latency=fast', /latency needs an integer/],
    ['negative value', 'tokens=-1', /tokens needs an integer/],
    ['missing value', 'tokens', /tokens needs an integer .* got nothing/],
    ['zero rate', 'rate=0', /rate needs an integer between 1/],
    ['hang with a value', 'hang=1', /hang takes no value/],
    ['echo with a value', 'echo=yes', /echo takes no value/],
    ['no-usage with a value', 'no-usage=1', /no-usage takes no value/],
    ['reply without a word', 'reply', /reply needs one word/],
    ['reply of several words', 'reply=two words', /reply needs one word/],
  ])('rejects %s', (_case, source, message) => {
    expect(() => parseScenario(source)).toThrow(ScenarioError);
    expect(() => parseScenario(source)).toThrow(message);
  });
  it('applies the knobs until the `until` time, then answers normally', () => {
    const soon = Date.now() + 60_000;
    expect(parseScenario(`status=500,until=${soon}`)).toMatchObject({ status: 500, untilMs: soon });
    expect(parseScenario(`status=500,until=${Date.now() - 1}`)).toEqual(parseScenario());
  });
});
