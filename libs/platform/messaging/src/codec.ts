export const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

export const decode = (data: Uint8Array): unknown =>
  JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
