import { randomUUID } from 'node:crypto';

/** A new call's id: the `x-request-id` header, the ledger's idempotency key and the JetStream message id. */
export const newRequestId = (): string => `req_${randomUUID().replace(/-/g, '')}`;
