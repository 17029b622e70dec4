import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import type { Suite, SuiteRef } from './suite';
import { MULTIMODAL_MODELS, PDF_BASE64, PIXEL, PIXEL_BASE64, TEXT_ONLY_MODELS } from './suite';

/** What a caller attaches: a picture or a PDF. */
type Media = 'image' | 'document';

/** What the caller got back: the answer's text and the input tokens the provider counted. */
interface Answer {
  text: string;
  inputTokens: number;
}

/** One inbound API asking about an attachment (or none) through its official SDK, complete or streamed. */
type Ask = (suite: Suite, model: string, media: Media | undefined, stream: boolean) => Promise<Answer>;

const PROMPT = 'Describe the attachment.';
const PDF = `data:application/pdf;base64,${PDF_BASE64}`;

const chat: Ask = async ({ openai }, model, media, stream) => {
  const content: OpenAI.ChatCompletionContentPart[] = [{ type: 'text', text: PROMPT }];
  if (media === 'image') content.push({ type: 'image_url', image_url: { url: PIXEL } });
  if (media === 'document') content.push({ type: 'file', file: { file_data: PDF, filename: 'empty.pdf' } });
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content }];
  const completion = stream
    ? await openai.chat.completions
        .stream({ model, messages, stream_options: { include_usage: true } })
        .finalChatCompletion()
    : await openai.chat.completions.create({ model, messages });
  return { text: completion.choices[0]?.message.content ?? '', inputTokens: completion.usage?.prompt_tokens ?? 0 };
};

const responses: Ask = async ({ openai }, model, media, stream) => {
  const content: OpenAI.Responses.ResponseInputMessageContentList = [{ type: 'input_text', text: PROMPT }];
  if (media === 'image') content.push({ type: 'input_image', image_url: PIXEL, detail: 'auto' });
  if (media === 'document') content.push({ type: 'input_file', file_data: PDF, filename: 'empty.pdf' });
  const params = { model, input: [{ role: 'user' as const, content }] };
  const response = stream
    ? await openai.responses.stream(params).finalResponse()
    : await openai.responses.create(params);
  return { text: response.output_text, inputTokens: response.usage?.input_tokens ?? 0 };
};

const messages: Ask = async ({ anthropic }, model, media, stream) => {
  const content: Anthropic.ContentBlockParam[] = [];
  if (media === 'image')
    content.push({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL_BASE64 } });
  if (media === 'document')
    content.push({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_BASE64 } });
  content.push({ type: 'text', text: PROMPT });
  const params = { model, max_tokens: 64, messages: [{ role: 'user' as const, content }] };
  const message = stream
    ? await anthropic.messages.stream(params).finalMessage()
    : await anthropic.messages.create(params);
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  return { text, inputTokens: message.usage.input_tokens };
};

/** Every inbound API that takes attachments, with the error class its SDK raises for a 400. */
const APIS = [
  { api: 'Chat Completions (OpenAI SDK)', ask: chat, BadRequest: OpenAI.BadRequestError },
  { api: 'Responses (OpenAI SDK)', ask: responses, BadRequest: OpenAI.BadRequestError },
  { api: 'Messages (Anthropic SDK)', ask: messages, BadRequest: Anthropic.BadRequestError },
] as const;

const MEDIA: readonly Media[] = ['image', 'document'];

/**
 * Images and PDFs from every inbound API to every provider family, complete and streamed: the
 * answer comes back and the provider counted the attachment (more input tokens than the same
 * question without it, as each simulated provider bills media), so it reached the provider. A
 * text-only model refuses an attachment in the caller's own error format.
 */
export const mediaCases = (suite: SuiteRef): void => {
  describe.each(APIS)('$api, images and documents', ({ api, ask, BadRequest }) => {
    // The input tokens of the question alone, once per model of this API and mode.
    const baselines = new Map<string, Promise<number>>();
    const baseline = (model: string): Promise<number> => {
      if (!baselines.has(model))
        baselines.set(
          model,
          ask(suite(), model, undefined, false).then((answer) => answer.inputTokens),
        );
      return baselines.get(model)!;
    };

    describe.each(MULTIMODAL_MODELS)(`${api} → %s`, (model) => {
      it.each(MEDIA.flatMap((media) => [false, true].map((stream) => [media, stream] as const)))(
        'takes a %s (stream: %s), which reaches the provider',
        async (media, stream) => {
          const answer = await ask(suite(), model, media, stream);
          expect(answer.text).toMatch(/\S/);
          expect(answer.inputTokens).toBeGreaterThan(await baseline(model));
        },
      );
    });

    describe.each(TEXT_ONLY_MODELS)(`${api} → %s (text only)`, (model) => {
      it.each(MEDIA)("refuses a %s with a 400 in the caller's format", async (media) => {
        const error = await ask(suite(), model, media, false).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(BadRequest);
        expect((error as InstanceType<typeof BadRequest>).message).toMatch(new RegExp(`${media}s?\\b`, 'i'));
      });
    });
  });
};
