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

/** Reads a stream to its end (the call is charged and the header was sent before its first event). */
const drain = async (stream: AsyncIterable<unknown>): Promise<void> => {
  const events: unknown[] = [];
  for await (const event of stream) events.push(event);
  expect(events.length).toBeGreaterThan(0);
};

/** Each probe from the inbound API that has it, complete or streamed: the `x-polymux-dropped` header of the answer. */
const SEND: Record<Probe, (suite: ReturnType<SuiteRef>, model: string, stream: boolean) => Promise<string | null>> = {
  // Chat Completions' log probabilities.
  logprobs: async ({ openai }, model, stream) => {
    const messages = [{ role: 'user' as const, content: 'Say hello.' }];
    if (!stream) {
      const { response } = await openai.chat.completions.create({ model, messages, logprobs: true }).withResponse();
      return response.headers.get('x-polymux-dropped');
    }
    const { data, response } = await openai.chat.completions
      .create({ model, messages, logprobs: true, stream: true })
      .withResponse();
    await drain(data);
    return response.headers.get('x-polymux-dropped');
  },
  // Anthropic's top-k sampling.
  top_k: async ({ anthropic }, model, stream) => {
    const params = { model, max_tokens: 64, top_k: 5, messages: [{ role: 'user' as const, content: 'Say hello.' }] };
    if (!stream) {
      const { response } = await anthropic.messages.create(params).withResponse();
      return response.headers.get('x-polymux-dropped');
    }
    const { data, response } = await anthropic.messages.create({ ...params, stream: true }).withResponse();
    await drain(data);
    return response.headers.get('x-polymux-dropped');
  },
  // The Responses API's end-user id.
  user: async ({ openai }, model, stream) => {
    const params = { model, input: 'Say hello.', user: 'end-user-1' };
    if (!stream) {
      const { response } = await openai.responses.create(params).withResponse();
      return response.headers.get('x-polymux-dropped');
    }
    const { data, response } = await openai.responses.create({ ...params, stream: true }).withResponse();
    await drain(data);
    return response.headers.get('x-polymux-dropped');
  },
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
      const dropped = await SEND[probe](suite(), model, stream);
      if (CANNOT_CARRY[model].includes(probe)) expect(dropped?.split(',')).toContain(probe);
      else expect(dropped?.split(',') ?? []).not.toContain(probe);
    });
  });
};
