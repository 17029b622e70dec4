import { GEMINI_FUNCTION_NAME } from '@polymux/wire';

import type { ToolNameRules } from '../tool-names';
import { sanitizedWithHash } from '../tool-names';

const sanitized = sanitizedWithHash(() => 64);

/**
 * Gemini's rules: function names `^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$` (a letter or `_` first, where
 * a stand-in gets `_` instead of a refused first character). Gemini has no call ids on the wire
 * (the adapter makes them), so any id is kept.
 */
export const GEMINI_TOOL_NAMES: ToolNameRules = {
  name: {
    valid: GEMINI_FUNCTION_NAME,
    substitute: (original, attempt) => {
      const candidate = sanitized(original, attempt);
      return GEMINI_FUNCTION_NAME.test(candidate) ? candidate : `_${candidate.slice(1)}`;
    },
  },
  id: { valid: /^[\s\S]*$/, substitute: (original) => original },
};
