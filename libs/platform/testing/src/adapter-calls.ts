import type { ChatChunk, ErrorPayload } from '@polymux/contracts';

/** The payload of the PolymuxException `work` rejects with; anything else fails the test. */
export const failureOf = async (work: () => Promise<unknown>): Promise<ErrorPayload> => {
  const error: unknown = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error && typeof error === 'object' && 'toPayload' in error && typeof error.toPayload === 'function')) {
    throw new Error(`expected a PolymuxException, got ${String(error)}`);
  }
  return error.toPayload() as ErrorPayload;
};

/** Every chunk of an adapter's stream, in order. */
export const collect = async (chunks: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> => {
  const result: ChatChunk[] = [];
  for await (const chunk of chunks) result.push(chunk);
  return result;
};
