/** Copy-ready calls of the gateway with its base URL (no `/v1`) and a key filled in. */
export interface Snippet {
  id: string;
  label: string;
  language: string;
  code: (baseUrl: string, key: string) => string;
}

const MODEL = 'auto'; // Polymux picks the model for the task; a catalog model or an alias works too

export const SNIPPETS: readonly Snippet[] = [
  {
    id: 'curl',
    label: 'curl',
    language: 'shell',
    code: (baseUrl, key) => `curl ${baseUrl}/v1/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${MODEL}", "messages": [{"role": "user", "content": "Hello"}]}'`,
  },
  {
    id: 'openai-ts',
    label: 'OpenAI SDK (TypeScript)',
    language: 'typescript',
    code: (baseUrl, key) => `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${baseUrl}/v1', apiKey: '${key}' });
const completion = await client.chat.completions.create({
  model: '${MODEL}',
  messages: [{ role: 'user', content: 'Hello' }],
});
console.log(completion.choices[0].message.content);`,
  },
  {
    id: 'openai-python',
    label: 'OpenAI SDK (Python)',
    language: 'python',
    code: (baseUrl, key) => `from openai import OpenAI

client = OpenAI(base_url="${baseUrl}/v1", api_key="${key}")
completion = client.chat.completions.create(
    model="${MODEL}",
    messages=[{"role": "user", "content": "Hello"}],
)
print(completion.choices[0].message.content)`,
  },
  {
    id: 'anthropic',
    label: 'Anthropic SDK',
    language: 'typescript',
    code: (baseUrl, key) => `import Anthropic from '@anthropic-ai/sdk';

// The SDK adds /v1/messages itself.
const client = new Anthropic({ baseURL: '${baseUrl}', apiKey: '${key}' });
const message = await client.messages.create({
  model: '${MODEL}',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello' }],
});
console.log(message.content);`,
  },
  {
    id: 'langchain',
    label: 'LangChain',
    language: 'typescript',
    code: (baseUrl, key) => `import { ChatOpenAI } from '@langchain/openai';

const model = new ChatOpenAI({
  model: '${MODEL}',
  apiKey: '${key}',
  configuration: { baseURL: '${baseUrl}/v1' },
});
const reply = await model.invoke('Hello');
console.log(reply.content);`,
  },
];
