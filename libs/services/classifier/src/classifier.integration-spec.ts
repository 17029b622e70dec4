import { randomUUID } from 'node:crypto';

import type { ChatRequest } from '@polymux/contracts';
import { PolymuxException, Subjects, intakeOf } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv } from '@polymux/testing';

import { ClassifierModule } from './classifier.module';

jest.setTimeout(30_000);

const namespace = `it_classifier_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
let service: RunningService;
let client: MessagingClient;

const ask = (text: string): ChatRequest => ({
  model: 'auto',
  stream: false,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});
const classify = (request: ChatRequest) => {
  const { sample, signals } = intakeOf(request);
  return client.request(Subjects.classify, { sample, signals }, { requestId: randomUUID(), timeoutMs: 5_000 });
};

beforeAll(async () => {
  service = await startService({ name: 'classifier', modules: [ClassifierModule] }, env);
  client = service.app.get(MessagingClient);
});

afterAll(async () => {
  await service?.close();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

describe('classifier over NATS', () => {
  it('answers classifier.classify with the task, confidence, complexity and language', async () => {
    await expect(classify(ask('How much does a Tesla Model 3 cost?'))).resolves.toEqual({
      task: 'chat',
      confidence: expect.any(Number),
      complexity: 'low',
      language: 'en',
      inputTokens: expect.any(Number),
    });
    await expect(classify(ask('Übersetze ins Englische: Der Zug hat leider Verspätung.'))).resolves.toMatchObject({
      task: 'translation',
      language: 'de',
    });
  });

  it('refuses a payload that is not a classify request with an error, and keeps serving', async () => {
    const { signals } = intakeOf(ask('hi'));
    const refused = client.request(Subjects.classify, { sample: 'x'.repeat(5_000), signals }, { timeoutMs: 5_000 });
    await expect(refused).rejects.toBeInstanceOf(PolymuxException);
    await expect(classify(ask('Write a haiku about autumn leaves.'))).resolves.toMatchObject({ task: 'creative' });
  });
});
