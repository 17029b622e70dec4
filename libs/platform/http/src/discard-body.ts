import type { IncomingMessage } from 'node:http';

/** At most this much of a refused body is read and dropped before answering anyway. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;
const MAX_DISCARD_MS = 10_000;

/**
 * Reads and drops the rest of a request body the server refused (too large), then calls `then`.
 * Answering while the client is still uploading makes Node close the socket under it, and the
 * client sees a reset (EPIPE) instead of the 413; after draining, the answer arrives normally.
 * Bounded in bytes and time, like a web server's lingering close.
 */
export const discardBody = (request: IncomingMessage, then: () => void): void => {
  if (request.complete || request.destroyed) {
    then();
    return;
  }
  let seen = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    request.off('data', onData);
    request.off('end', finish);
    request.off('error', finish);
    request.off('close', finish);
    then();
  };
  const onData = (chunk: Buffer) => {
    seen += chunk.byteLength;
    if (seen > MAX_DISCARD_BYTES) finish();
  };
  const timer = setTimeout(finish, MAX_DISCARD_MS);
  timer.unref();
  request.on('data', onData);
  request.once('end', finish);
  request.once('error', finish);
  request.once('close', finish);
  request.resume();
};
