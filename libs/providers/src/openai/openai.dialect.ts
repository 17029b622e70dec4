import type { ChatRequest } from '@polymux/contracts';
import type { OpenAiChatRequest } from '@polymux/wire';

import type { EmbedCall, ProviderCall } from '../provider-adapter';
import type { ToolNameRules } from '../tool-names';
import { OPENAI_TOOL_NAMES } from './openai.names';
import type { MaxTokensField, ReplayedReasoning } from './openai.request';

/** The two OpenAI-family endpoints. */
export type OpenAiPath = 'chat/completions' | 'embeddings';

/** Where one call goes and the headers that authenticate it. */
export interface OpenAiTarget {
  url: string;
  headers: Record<string, string>;
}

/**
 * How one server of the OpenAI Chat Completions family differs from OpenAI's own API, as data and a
 * few small hooks: the OpenAI adapter does everything else the same way for every one of them.
 */
export interface OpenAiDialect {
  /** Matches `Deployment.provider`. */
  provider: string;
  /** The output-limit field when the deployment names none; absent: by host (`maxTokensFieldFor`). */
  maxTokensField?: MaxTokensField;
  /** Tool names and tool-call ids the server accepts; others are renamed for the call. */
  toolNames: ToolNameRules;
  /** Where the server wants an assistant tool-call turn's reasoning back; absent: it takes none. */
  replayReasoning?: ReplayedReasoning;
  /** Whether the server has an embeddings endpoint. */
  embeddings: boolean;
  /** The body as this server takes it, from the OpenAI one (renamed or added fields). */
  body?(body: OpenAiChatRequest, request: ChatRequest): OpenAiChatRequest;
  /** Headers this server wants beyond auth, from the deployment's settings (OpenRouter's attribution). */
  headers?(settings: Readonly<Record<string, string | number | boolean>>): Record<string, string>;
  /** The URL and auth of a call (default: `{baseUrl}/{path}` with the key as a bearer token). */
  target?(call: ProviderCall | EmbedCall, path: OpenAiPath): OpenAiTarget | Promise<OpenAiTarget>;
}

/** OpenAI's own API, and the default for any server that behaves like it. */
export const OPENAI_DIALECT: OpenAiDialect = {
  provider: 'openai',
  toolNames: OPENAI_TOOL_NAMES,
  embeddings: true,
};

/** `{baseUrl}/{path}`, the key as a bearer token. */
export const bearerTarget = (call: ProviderCall | EmbedCall, path: OpenAiPath): OpenAiTarget => ({
  url: `${call.baseUrl.replace(/\/+$/, '')}/${path}`,
  headers: call.apiKey ? { authorization: `Bearer ${call.apiKey}` } : {},
});
