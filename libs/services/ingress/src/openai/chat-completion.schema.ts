import {
  OpenAiAssistantContent,
  OpenAiAssistantMessage,
  OpenAiAudioPart,
  OpenAiChatRequest,
  OpenAiDeveloperMessage,
  OpenAiFile,
  OpenAiFilePart,
  OpenAiImagePart,
  OpenAiSystemMessage,
  OpenAiTextContent,
  OpenAiTextPart,
  OpenAiToolMessage,
  OpenAiUserMessage,
} from '@polymux/wire';
import { z } from 'zod';

import { boundExtraFields, endUser, metadata, modelName, parseBoundedBody } from './request-bounds';

/**
 * A value Polymux refuses with a clear 400 wherever it appears (OpenAI accepts it, Polymux cannot
 * honour it); the issue's path names the field as `param`.
 */
const unsupported = (message: string) =>
  z.unknown().superRefine((_value, context) => context.addIssue({ code: 'custom', message }));

/** `data:<media type>[;base64],…`: the media type is what a document part needs. */
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)[;,]/;

/** The media type of a `data:` URL, undefined for anything else. */
export const dataUrlMediaType = (url: string): string | undefined => DATA_URL.exec(url)?.[1];

/**
 * OpenAI Chat Completions request body, as the official SDKs send it: the wire format of
 * `@polymux/wire`, with the gateway's own bounds (model names, end-user ids, metadata) and the
 * parts it refuses with a clear 400. Unknown top-level fields are kept.
 */
/** A file inline as a `data:` URL (a PDF); uploaded files (`file_id`) would need state Polymux does not keep. */
const FilePart = OpenAiFilePart.extend({
  // file_data is optional in the shape so that a part with only a file_id is refused for it.
  file: OpenAiFile.extend({
    file_id: unsupported('uploaded files are not supported: send the file inline as file_data').optional(),
    file_data: OpenAiFile.shape.file_data
      .unwrap()
      .refine((url) => dataUrlMediaType(url) !== undefined, 'must be a data: URL such as data:application/pdf;base64,…')
      .optional(),
  }).superRefine((file, context) => {
    if (file.file_data === undefined && file.file_id === undefined) {
      context.addIssue({ code: 'custom', path: ['file_data'], message: 'file_data is required' });
    }
  }),
});
const AudioPart = OpenAiAudioPart.extend({ input_audio: unsupported('audio input is not supported') });
const UserPart = z.discriminatedUnion('type', [OpenAiTextPart, OpenAiImagePart, FilePart, AudioPart]);

export const OpenAiMessage = z.discriminatedUnion('role', [
  OpenAiSystemMessage.extend({ content: OpenAiTextContent }),
  OpenAiDeveloperMessage.extend({ content: OpenAiTextContent }),
  OpenAiUserMessage.extend({ content: z.union([z.string(), z.array(UserPart)]) }),
  OpenAiAssistantMessage.extend({
    content: OpenAiAssistantContent.nullish(),
    audio: unsupported('audio output is not supported, so no earlier audio answer can be sent back').nullish(),
  }),
  OpenAiToolMessage.extend({ content: OpenAiTextContent }),
]);
export type OpenAiMessage = z.infer<typeof OpenAiMessage>;

const ChatCompletionShape = OpenAiChatRequest.extend({
  model: modelName,
  messages: z.array(OpenAiMessage).min(1),
  /** Not OpenAI's: vLLM and other compatible servers take it; carried as canonical `topK`. */
  top_k: z.number().int().positive().nullish(),
  user: endUser.optional(),
  // Validated here, carried in `extra`: they pass through only where the provider and project allow.
  metadata: metadata.nullish(),
});

/** Fields validated above that have no canonical slot and travel in `extra` like unknown ones. */
const PASSED_THROUGH = new Set(['metadata', 'store']);

/** Fields the canonical model carries; everything else in a body travels in `extra`. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(ChatCompletionShape.shape).filter((field) => !PASSED_THROUGH.has(field)),
);

export const ChatCompletionBody = ChatCompletionShape.superRefine((body, context) => {
  if (body.top_logprobs != null && body.logprobs !== true) {
    context.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'top_logprobs requires logprobs to be true' });
  }
  boundExtraFields(KNOWN_FIELDS)(body, context);
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

/** Validates a Chat Completions body; values nested too deep to serialise are refused first. */
export const parseChatCompletionBody = (body: unknown): ChatCompletionBody =>
  parseBoundedBody(ChatCompletionBody, body);
