import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { ChatRequest, ContentPart } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { UpstreamAddressRefused } from '@polymux/http';

import { UpstreamGuard } from './upstream-guard.service';

type MediaPart = Extract<ContentPart, { type: 'image' | 'document' }>;

const isFetched = (part: ContentPart): part is MediaPart =>
  (part.type === 'image' || part.type === 'document') && /^https?:\/\//i.test(part.url);

/** `image/png; charset=…` → `image/png`. */
const mimeOf = (contentType: string | string[] | undefined): string =>
  (Array.isArray(contentType) ? contentType[0] : contentType)?.split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * Turns the http(s) image and document URLs of a request into inline `data:` URLs, for providers
 * that cannot fetch them (`ProviderAdapter.fetchesMediaUrls === false`). Each URL is fetched once,
 * through the SSRF guard (checked and pinned addresses, no redirects), within the configured size
 * and time limits; nothing is cached, and the URL is never logged or named in an error.
 */
@Injectable()
export class MediaInliner {
  constructor(
    private readonly guard: UpstreamGuard,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  async inline(request: ChatRequest, signal: AbortSignal): Promise<ChatRequest> {
    if (!request.messages.some((message) => message.content.some(isFetched))) return request;
    const messages = await Promise.all(
      request.messages.map(async (message, m) => ({
        ...message,
        content: await Promise.all(
          message.content.map((part, p) =>
            isFetched(part) ? this.fetchPart(part, `messages[${m}].content[${p}]`, signal) : part,
          ),
        ),
      })),
    );
    return { ...request, messages };
  }

  private async fetchPart(part: MediaPart, where: string, signal: AbortSignal): Promise<MediaPart> {
    const what = part.type === 'image' ? 'image' : 'document';
    const refuse = (reason: string) =>
      new PolymuxException(ErrorCode.InvalidRequest, `${where}: the ${what} URL ${reason}`, { param: where });
    const { maxBytes, fetchTimeoutMs } = this.config.media;
    let url: URL;
    try {
      url = new URL(part.url);
    } catch {
      throw refuse('is not a valid URL');
    }
    const timeout = AbortSignal.timeout(fetchTimeoutMs);
    let body: Buffer;
    let mime: string;
    try {
      const response = await this.guard.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { accept: part.type === 'image' ? 'image/*' : `${part.mediaType}, */*;q=0.1` },
        signal: AbortSignal.any([signal, timeout]),
      });
      if (response.statusCode >= 300) {
        response.body.destroy();
        throw refuse(
          response.statusCode < 400
            ? 'answered a redirect, which is not followed'
            : `could not be fetched (HTTP ${response.statusCode})`,
        );
      }
      if (Number(response.headers['content-length'] ?? 0) > maxBytes) {
        response.body.destroy();
        throw refuse(`is larger than ${maxBytes} bytes`);
      }
      mime = mimeOf(response.headers['content-type']);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          response.body.destroy();
          throw refuse(`is larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      body = Buffer.concat(chunks);
    } catch (error) {
      if (error instanceof PolymuxException && !(error instanceof UpstreamAddressRefused)) throw error;
      if (signal.aborted) throw signal.reason;
      if (error instanceof UpstreamAddressRefused) throw refuse('points at an address that may not be fetched');
      if (timeout.aborted) throw refuse(`was not fetched within ${fetchTimeoutMs} ms`);
      throw refuse('could not be fetched');
    }
    if (part.type === 'image') {
      if (!mime.startsWith('image/')) throw refuse('did not answer an image');
      return { ...part, url: `data:${mime};base64,${body.toString('base64')}` };
    }
    return { ...part, url: `data:${part.mediaType};base64,${body.toString('base64')}` };
  }
}
