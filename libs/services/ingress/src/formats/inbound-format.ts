import type {
  CallApi,
  ChatChunk,
  ChatRequest,
  ChatResponse,
  Deployment,
  ErrorPayload,
  Usage,
} from '@polymux/contracts';

/** One server-sent event: `event:` (omitted when undefined) and its JSON (or literal string) `data:`. */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** What a stream encoder knows of its call besides the request. */
export interface StreamContext {
  requestId: string;
  /** The deployment that answers: its catalog model is the one named to the caller. */
  deployment: Deployment;
}

/**
 * Turns one call's canonical chunks into an inbound format's stream events. Stateful (one per call):
 * formats such as Anthropic's frame content in blocks that open and close as the kind of delta changes.
 */
export interface StreamEncoder {
  /** The events for one canonical chunk, possibly none. */
  chunk(chunk: ChatChunk): SseEvent[];
  /** The closing events of a complete answer, once its usage is durable. */
  end(usage: Usage): SseEvent[];
  /** The events that end a stream which failed or could not be recorded. */
  error(payload: ErrorPayload): SseEvent[];
}

/** What a decoder may know of the authenticated caller, and where it names what it cannot carry. */
export interface DecodeContext {
  /** The key's project lets providers retain data (some refusals say so differently). */
  dataRetention: boolean;
  /**
   * Fields the format accepts but that no hop carries (Responses' `store`, `include`, …); the
   * decoder appends their names and `serveCall` puts them in `x-polymux-dropped`.
   */
  dropped: string[];
  /**
   * The request headers the format names in `InboundFormat.headers`, by lower-case name, repeated
   * ones comma-joined; absent when it names none. No other header reaches a decoder.
   */
  headers?: Readonly<Record<string, string>>;
}

/**
 * An inbound API's wire format: validates and decodes a body into the canonical request and
 * encodes the canonical answer back. The call pipeline (`serveCall`) is the same for every format;
 * errors are written by the controller's filter in the same format.
 */
export interface InboundFormat {
  /** Which API this is, for the call's audit action and usage record. */
  readonly api: CallApi;
  /** Validates an untrusted body (a `PolymuxException` with `invalid_request` when it is not acceptable). */
  decode(body: unknown, context: DecodeContext): ChatRequest;
  /** A complete, non-streamed answer, with the usage that was charged. */
  encode(response: ChatResponse & { usage: Usage }, request: ChatRequest): unknown;
  streamEncoder(request: ChatRequest, context: StreamContext): StreamEncoder;
  /** Request headers (lower case) that belong to the call, not the transport (Anthropic's `anthropic-beta`): see `DecodeContext.headers`. */
  headers?: readonly string[];
  /** Headers besides `x-request-id` that name the request id, for SDKs that read their own (Anthropic's `request-id`). */
  requestIdHeaders?: readonly string[];
}
