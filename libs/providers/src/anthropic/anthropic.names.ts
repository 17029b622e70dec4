import { TOOL_NAME, TOOL_USE_ID } from '@polymux/wire';

import type { ToolNameRules } from '../tool-names';
import { ToolNames, sanitizedWithHash } from '../tool-names';

/**
 * Anthropic's rules: names `^[a-zA-Z0-9_-]{1,64}$`, tool-use ids `^[a-zA-Z0-9_-]+$` (a refused id
 * such as `call:1` keeps about its length).
 */
export const ANTHROPIC_TOOL_NAMES: ToolNameRules = {
  name: { valid: TOOL_NAME, substitute: sanitizedWithHash(() => 64) },
  id: { valid: TOOL_USE_ID, substitute: sanitizedWithHash((id) => Math.max(id.length, 16) + 9) },
};

/** A fresh renaming for one Anthropic call. */
export const anthropicToolNames = (): ToolNames => new ToolNames(ANTHROPIC_TOOL_NAMES);
