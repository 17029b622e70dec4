/** Vertex AI's model publishers Polymux speaks: Google's Gemini and Anthropic's Claude. */
export type VertexPublisher = 'google' | 'anthropic';

/** The publisher of a Vertex deployment, by its upstream model: `claude-*` is Anthropic's, anything else Google's. */
export const vertexPublisher = (upstreamModel: string): VertexPublisher =>
  upstreamModel.startsWith('claude') ? 'anthropic' : 'google';

/** The wire family a Vertex deployment speaks: Anthropic's Messages or Gemini's `generateContent`. */
export const vertexFamily = (upstreamModel: string): 'anthropic' | 'gemini' =>
  vertexPublisher(upstreamModel) === 'anthropic' ? 'anthropic' : 'gemini';
