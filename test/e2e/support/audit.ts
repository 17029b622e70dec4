/** A record as `GET /admin/v1/audit` answers it. */
export interface AuditView {
  seq: number;
  id: string;
  occurredAt: string;
  category: 'call' | 'admin';
  action: string;
  outcome: string;
  actorKeyId: string | null;
  actorUserId: string | null;
  sourceAddress: string | null;
  orgId: string | null;
  projectId: string | null;
  requestId: string | null;
  target: string | null;
  metadata: Record<string, unknown>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  hash: string;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** Control's admin API with one key and extra headers on every call (`x-forwarded-for`, …). */
export const adminClient = (controlUrl: string, key: string, headers: Record<string, string> = {}) => {
  const raw = async (method: string, path: string, body?: unknown): Promise<RawAnswer> => {
    const response = await fetch(`${controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  /** Throws on a non-2xx answer, naming it. */
  const json = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await raw(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as T;
  };
  return { raw, json };
};

/** `GET /admin/v1/audit/export?<search>`: its lines (CSV's header first), content type and next cursor. */
export const exportLines = async (admin: ReturnType<typeof adminClient>, search: string) => {
  const answer = await admin.raw('GET', `/audit/export?${search}`);
  if (answer.status !== 200) throw new Error(`export ${search} → ${answer.status} ${answer.body}`);
  return {
    body: answer.body,
    lines: answer.body.split('\n').filter((line) => line !== ''),
    contentType: answer.headers.get('content-type'),
    nextCursor: answer.headers.get('x-polymux-next-cursor'),
  };
};
