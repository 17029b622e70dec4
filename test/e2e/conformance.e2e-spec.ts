import { join } from 'node:path';

import { anthropicMessagesCases } from './conformance/anthropic-messages.cases';
import { crossProviderCases } from './conformance/cross-provider.cases';
import { langChainCases } from './conformance/langchain.cases';
import { modelsEmbeddingsAuditCases } from './conformance/models-embeddings-audit.cases';
import { openAiChatCases } from './conformance/openai-chat.cases';
import { openAiResponsesCases } from './conformance/openai-responses.cases';
import type { Suite } from './conformance/suite';
import { BEDROCK_ENV, createSuite } from './conformance/suite';
import type { Mode } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(120_000);

/**
 * The official SDKs (and LangChain) against the gateway, unchanged but for the base URL and the key,
 * in both run modes and against every provider adapter: what an application migrating to Polymux
 * relies on. One gateway per mode serves every part of the suite (test/e2e/conformance/*.cases.ts).
 */
describe.each(MODES)('SDK conformance (%s mode)', (mode: Mode) => {
  let suite: Suite | undefined;
  const current = (): Suite => {
    if (!suite) throw new Error('the gateway did not start');
    return suite;
  };

  beforeAll(async () => {
    const gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'conformance', 'conformance.catalog.yaml'),
      label: 'conf',
      env: BEDROCK_ENV,
    });
    suite = createSuite(gateway);
  });

  afterAll(async () => {
    await suite?.gateway.stop();
  });

  openAiChatCases(current);
  openAiResponsesCases(current);
  anthropicMessagesCases(current);
  crossProviderCases(current);
  langChainCases(current);
  modelsEmbeddingsAuditCases(current);
});
