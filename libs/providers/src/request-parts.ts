import type { ToolCall } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

/** What the adapters share in reading a canonical request: data URLs, tool-call arguments, absent keys. */

export const invalidRequest = (message: string) => new PolymuxException(ErrorCode.InvalidRequest, message);

/** A `data:` URL's parts: its media type, whether it is base64, and the data after the comma. */
export interface DataUrl {
  mediaType: string;
  base64: boolean;
  data: string;
}

const DATA_URL = /^data:([^;,]+)(;base64)?,(.*)$/s;

/** The parts of a `data:` URL; undefined for any other URL. */
export const parseDataUrl = (url: string): DataUrl | undefined => {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1], base64: Boolean(match[2]), data: match[3] } : undefined;
};

/** A `data:` URL's text content: decoded from base64 or from percent-encoding. */
export const dataUrlText = (url: DataUrl): string =>
  url.base64 ? Buffer.from(url.data, 'base64').toString('utf8') : decodeURIComponent(url.data);

/** A tool call's arguments as the JSON object providers take as its input (`{}` when empty). */
export const toolInput = (call: ToolCall, where: string): Record<string, unknown> => {
  if (call.arguments.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    throw invalidRequest(`the arguments of tool call ${where} are not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalidRequest(`the arguments of tool call ${where} are not a JSON object`);
  return parsed as Record<string, unknown>;
};

/** Drops keys whose value is undefined, so that they neither travel nor override `extra`. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
