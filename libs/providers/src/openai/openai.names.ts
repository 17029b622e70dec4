import type { ToolNameRules } from '../tool-names';
import { FUNCTION_NAME_RULE, sanitizedWithHash } from '../tool-names';

/**
 * OpenAI's rules: function names `^[a-zA-Z0-9_-]{1,64}$` (an Anthropic or MCP caller's `server.tool`
 * is refused), tool-call ids at most 40 characters; an id outside `[a-zA-Z0-9_-]` is renamed too, as
 * the compatible servers that share these rules are stricter than OpenAI about it.
 */
export const OPENAI_TOOL_NAMES: ToolNameRules = {
  name: FUNCTION_NAME_RULE,
  id: { valid: /^[a-zA-Z0-9_-]{1,40}$/, substitute: sanitizedWithHash(() => 40) },
};
