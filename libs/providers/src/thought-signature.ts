/**
 * Which provider a canonical thinking part's `signature` belongs to. Anthropic's signatures travel as
 * Anthropic wrote them (base64, never a colon); any other provider's travel tagged `<provider>:`, so
 * that each adapter sends back only the reasoning state its own provider wrote and drops another's,
 * which that provider would refuse.
 */
const TAGGED = /^[a-z][a-z0-9-]{0,31}:/;

/** `signature` as it travels in canonical parts: tagged with its provider. */
export const tagSignature = (provider: string, signature: string): string => `${provider}:${signature}`;

/** The provider's own signature inside a canonical one, or undefined when it is another's (or none). */
export const signatureOf = (provider: string, signature: string | undefined): string | undefined =>
  signature?.startsWith(`${provider}:`) ? signature.slice(provider.length + 1) : undefined;

/** Whether a canonical signature is tagged, i.e. not Anthropic's. */
export const isTaggedSignature = (signature: string): boolean => TAGGED.test(signature);
