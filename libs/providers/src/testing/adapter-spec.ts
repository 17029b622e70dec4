import type { ChatChunk, ErrorPayload } from '@polymux/contracts';

/** What the adapter specs share: the failure a call ends with, and a stream's chunks. */

/** The payload of the `PolymuxException` `work` rejects with; anything else fails the test. */
export const failureOf = async (work: () => Promise<unknown>): Promise<ErrorPayload> => {
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error && typeof error === 'object' && 'toPayload' in error && typeof error.toPayload === 'function')) {
    throw new Error(`expected a PolymuxException, got ${String(error)}`);
  }
  return error.toPayload() as ErrorPayload;
};

/** Every chunk of a stream, in order. */
export const collect = async (chunks: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> => {
  const result: ChatChunk[] = [];
  for await (const chunk of chunks) result.push(chunk);
  return result;
};
