import { join } from 'node:path';

import { simServiceAccount } from '@polymux/provider-sim';

import { anthropicMessagesCases } from './conformance/anthropic-messages.cases';
import { crossProviderCases } from './conformance/cross-provider.cases';
import { droppedCases } from './conformance/dropped.cases';
import { langChainCases } from './conformance/langchain.cases';
import { mediaCases } from './conformance/media.cases';
import { modelsEmbeddingsAuditCases } from './conformance/models-embeddings-audit.cases';
import { openAiChatCases } from './conformance/openai-chat.cases';
import { openAiResponsesCases } from './conformance/openai-responses.cases';
import type { Suite } from './conformance/suite';
import { CREDENTIALS_ENV, createSuite } from './conformance/suite';
import type { Mode } from './support/gateway';
import { freePort } from './support/free-port';
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
    const port = await freePort();
    const gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'conformance', 'conformance.catalog.yaml'),
      label: 'conf',
      env: {
        PROVIDER_SIM_PORT: String(port),
        VERTEX_SERVICE_ACCOUNT: JSON.stringify(simServiceAccount(`http://127.0.0.1:${port}`)),
        ...CREDENTIALS_ENV,
      },
    });
    suite = createSuite(gateway);
  });

  afterAll(async () => {
    await suite?.gateway.stop();
  });

  openAiChatCases(current);
  openAiResponsesCases(current);
  anthropicMessagesCases(current);
  mediaCases(current);
  droppedCases(current);
  crossProviderCases(current);
  langChainCases(current);
  modelsEmbeddingsAuditCases(current);
});
