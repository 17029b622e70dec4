/** Header names shared by HTTP responses and NATS messages. */
export const Headers = {
  requestId: 'x-request-id',
  model: 'x-polymux-model',
  task: 'x-polymux-task',
  /** How the answering deployment was chosen: the strategy, then what happened (`ordered; fallback after 429 on a/b`). */
  route: 'x-polymux-route',
  /** Request fields not passed to the provider (not allowed for it, or retention the project does not allow). */
  dropped: 'x-polymux-dropped',
  /** Request: the caller's `key=value` labels for its usage row (see `parseTagList`). */
  tags: 'x-polymux-tags',
  /** Request: an opaque id grouping a session's calls in the usage reports. */
  sessionId: 'x-polymux-session-id',
  /** Request: the request id of the call that led to this one. */
  parentRequestId: 'x-polymux-parent-request-id',
  /** NATS: marks a reply as an error payload. */
  error: 'polymux-error',
  /** NATS: marks the last frame of a streamed reply. */
  streamEnd: 'polymux-stream-end',
  /** NATS: subject the caller publishes to when it abandons a streamed request. */
  cancel: 'polymux-cancel',
} as const;
