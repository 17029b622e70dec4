import type { SuiteRef } from './suite';
import {
  AZURE_GPT,
  BEDROCK_CLAUDE,
  CLAUDE,
  DEEPSEEK_REASONER,
  GEMINI,
  GPT,
  MODELS,
  NOVA,
  VERTEX_CLAUDE,
  VERTEX_GEMINI,
  VLLM,
} from './suite';

/** A field of one inbound API that some provider families have no slot for, by the name it is reported as. */
type Probe = 'logprobs' | 'top_k' | 'user';

/**
 * What each family cannot carry of the probes (docs/providers.md, `UNSUPPORTED_FIELDS`): written
 * out here, not computed, so that a change of a family's row shows up as a failing case.
 */
const CANNOT_CARRY: Record<(typeof MODELS)[number], readonly Probe[]> = {
  [GPT]: ['top_k'],
  [AZURE_GPT]: ['top_k'],
  [CLAUDE]: ['logprobs'],
  [VERTEX_CLAUDE]: ['logprobs'],
  [GEMINI]: ['logprobs', 'user'],
  [VERTEX_GEMINI]: ['logprobs', 'user'],
  [BEDROCK_CLAUDE]: ['logprobs', 'user'],
  [NOVA]: ['logprobs', 'top_k', 'user'],
  [DEEPSEEK_REASONER]: ['logprobs', 'top_k'],
  [VLLM]: [],
};

/** An SDK call's pending answer: both SDKs' promises give the HTTP response with the parsed body. */
interface Pending {
  withResponse(): Promise<{ data: unknown; response: Response }>;
}

/**
 * The `x-polymux-dropped` header of an answer; a stream is read to its end first (the header came
 * before its first event), and must have had events.
 */
const droppedOf = async (call: Pending, stream: boolean): Promise<string | null> => {
  const { data, response } = await call.withResponse();
  if (stream) {
    const events: unknown[] = [];
    for await (const event of data as AsyncIterable<unknown>) events.push(event);
    expect(events.length).toBeGreaterThan(0);
  }
  return response.headers.get('x-polymux-dropped');
};

/** Each probe from the inbound API that has it, complete or streamed. */
const SEND: Record<Probe, (suite: ReturnType<SuiteRef>, model: string, stream: boolean) => Pending> = {
  // Chat Completions' log probabilities.
  logprobs: ({ openai }, model, stream) =>
    openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Say hello.' }],
      logprobs: true,
      stream,
    }),
  // Anthropic's top-k sampling.
  top_k: ({ anthropic }, model, stream) => {
    const params = { model, max_tokens: 64, top_k: 5, messages: [{ role: 'user' as const, content: 'Say hello.' }] };
    return stream ? anthropic.messages.create({ ...params, stream: true }) : anthropic.messages.create(params);
  },
  // The Responses API's end-user id.
  user: ({ openai }, model, stream) =>
    openai.responses.create({ model, input: 'Say hello.', user: 'end-user-1', stream }),
};

const PROBES = (Object.keys(SEND) as Probe[]).flatMap((probe) =>
  [false, true].map((stream) => [probe, stream] as const),
);

/**
 * What a family cannot carry is never silently lost: from every inbound API, to every family, a
 * field the family lacks is named in `x-polymux-dropped` (streamed or not) and the call still
 * answers; one it carries is not named.
 */
export const droppedCases = (suite: SuiteRef): void => {
  describe.each(MODELS)('x-polymux-dropped → %s', (model) => {
    it.each(PROBES)('names %s only where the family cannot carry it (stream: %s)', async (probe, stream) => {
      const dropped = await droppedOf(SEND[probe](suite(), model, stream), stream);
      if (CANNOT_CARRY[model].includes(probe)) expect(dropped?.split(',')).toContain(probe);
      else expect(dropped?.split(',') ?? []).not.toContain(probe);
    });
  });
};
