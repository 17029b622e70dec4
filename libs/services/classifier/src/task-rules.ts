import type { TaskType } from '@polymux/contracts';

/** Keyword rules in priority order; each names the task it votes for and how sure a match makes it. */
const RULES: Array<{ task: TaskType; pattern: RegExp; confidence: number }> = [
  {
    task: 'translation',
    pattern:
      /\b(translate|translation|traduce|traduire|übersetze)\b|翻译|翻訳|\binto (english|french|german|spanish|chinese|japanese|korean|italian|portuguese|russian)\b/i,
    confidence: 0.85,
  },
  {
    task: 'summarization',
    pattern: /\b(summari[sz]e|summary|tl;?dr|key points|condense|recap)\b|总结|摘要/i,
    confidence: 0.8,
  },
  {
    task: 'extraction',
    pattern:
      /\b(extract|classify|categori[sz]e|label the|parse the|named entities|sentiment of|as json|in json|json (object|format))\b/i,
    confidence: 0.75,
  },
  {
    task: 'code',
    pattern:
      /\b(def |class |function\b|import |#include|console\.log|public static|SELECT .+ FROM|python|javascript|typescript|java\b|c\+\+|rust\b|golang|regex|sql\b|bash|shell|script|program|compile|debug|refactor|unit tests?|stack trace|api endpoint|algorithm|implement|kubernetes|k8s|docker|ansible|terraform|tensorflow|pytorch|numpy|pandas|react|css|html|excel formula|power bi|dax)\b|=>|\bfn \w+\(|\w+\(\)\s*[{:]/i,
    confidence: 0.8,
  },
  {
    task: 'creative',
    pattern:
      /\b(poem|poetry|story|stories|haiku|lyrics|song|screenplay|fiction|novel|roleplay|role-play|pretend you are|character|fantasy|limerick|essay about|creative|imagine|представь|напиши рассказ|cuento|historia)\b/i,
    confidence: 0.75,
  },
  {
    task: 'reasoning',
    pattern:
      /\b(prove|proof|solve|calculate|compute|how many|how much|probability|equation|integral|derivative|theorem|percent|logic puzzle|riddle|step by step|estimate|average|ratio|matrix|distribution|standard deviation|probabilit\w*|вероятност\w*|probabilidad|задач\w*)\b|\d+\s*[-+*/^=×÷]\s*\d+|\$\d|\\(frac|sum|int|sqrt|begin)|\$[^$]+\$|\d+\s*(cm|kg|km|m|g|°|%)\b|求|已知|概率|计算/i,
    confidence: 0.7,
  },
];

/** The task a prompt's wording suggests, or null when nothing matches. */
export const taskFromText = (text: string): { task: TaskType; confidence: number } | null => {
  for (const rule of RULES) {
    if (rule.pattern.test(text)) return { task: rule.task, confidence: rule.confidence };
  }
  return null;
};
