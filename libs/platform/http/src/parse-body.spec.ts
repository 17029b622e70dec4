import { ErrorCode } from '@polymux/contracts';
import { z } from 'zod';

import { parseBody } from './parse-body';

const Body = z.object({
  messages: z.array(
    z.object({ content: z.union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() }))]) }),
  ),
});

const rejection = (body: unknown) => {
  try {
    parseBody(Body, body);
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
};

describe('parseBody', () => {
  it('names the deepest problem inside a union no option matched', () => {
    expect(rejection({ messages: [{ content: [{ type: 'text', text: 1 }] }] })).toMatchObject({
      code: ErrorCode.InvalidRequest,
      details: { param: 'messages.0.content.0.text' },
    });
  });

  it('names the union itself when no option got into the value', () => {
    expect(rejection({ messages: [{ content: 42 }] })).toMatchObject({ details: { param: 'messages.0.content' } });
  });

  it('refuses a body that is not an object', () => {
    expect(rejection([])).toMatchObject({ message: 'the request body must be a JSON object' });
  });
});
