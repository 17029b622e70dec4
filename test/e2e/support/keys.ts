import { request } from 'node:http';

/** A key as the admin API shows it; `key` (the secret) only in the answers of creation and rotation. */
export interface KeyView {
  id: string;
  key?: string;
  prefix: string;
  allowedModels: string[] | null;
  allowedEndpoints: string[] | null;
  ipAllowlist: string[] | null;
  expiresAt: string | null;
  rotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  rpm: number | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface CallOptions {
  method?: string;
  path?: string;
  body?: unknown;
  /** The local address the connection comes from (any of 127.0.0.0/8 reaches a loopback server). */
  from?: string;
  headers?: Record<string, string>;
}

/**
 * One HTTP call to ingress from a chosen local address (fetch cannot choose it): by default a chat
 * completion of `fast-model` with the key as a bearer.
 */
export const callFrom = (baseUrl: string, key: string, options: CallOptions = {}): Promise<Answer> => {
  const {
    method = 'POST',
    path = '/v1/chat/completions',
    from = '127.0.0.1',
    headers = {},
    body = { model: 'fast-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 10 },
  } = options;
  const payload = method === 'GET' ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${baseUrl}${path}`,
      {
        method,
        localAddress: from,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
};
