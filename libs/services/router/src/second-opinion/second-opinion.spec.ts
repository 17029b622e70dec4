import type { Classification } from '@polymux/contracts';
import { requestSignals } from '@polymux/testing';

import { settle, wantsSecondOpinion } from './second-opinion';
import { OPINION_SAMPLE_CHARS, opinionRequest, taskOfAnswer } from './second-opinion.prompt';

const on = { model: 'nano', belowConfidence: 0.5, timeoutMs: 800 };
const unsure: Classification = { task: 'chat', confidence: 0.3, complexity: 'low', language: 'en' };

describe('wantsSecondOpinion', () => {
  it('asks only when a model is configured and the calibrated confidence is below the threshold', () => {
    expect(wantsSecondOpinion(on, unsure, requestSignals())).toBe(true);
    expect(wantsSecondOpinion({ ...on, model: undefined }, unsure, requestSignals())).toBe(false);
    expect(wantsSecondOpinion(on, { ...unsure, confidence: 0.5 }, requestSignals())).toBe(false);
    expect(wantsSecondOpinion(on, { ...unsure, confidence: 0.49 }, requestSignals())).toBe(true);
  });

  it('never asks about tools or images, which the structural rules decide', () => {
    const always = { ...on, belowConfidence: 1 };
    expect(wantsSecondOpinion(always, { ...unsure, task: 'agent' }, requestSignals({ hasTools: true }))).toBe(false);
    expect(wantsSecondOpinion(always, { ...unsure, task: 'vision' }, requestSignals({ hasImages: true }))).toBe(false);
  });
});

describe('taskOfAnswer', () => {
  it.each([
    ['creative', 'creative'],
    ['Creative.', 'creative'],
    ['  "translation"\n', 'translation'],
    ['**code**', 'code'],
    ['reasoning: it is a maths problem', 'reasoning'],
  ])('reads %j as %s', (text, task) => {
    expect(taskOfAnswer(text)).toBe(task);
  });

  it.each([[''], ['I think it is code'], ['agent'], ['vision'], ['embeddings'], ['codes'], ['42']])(
    'finds no task in %j',
    (text) => {
      expect(taskOfAnswer(text)).toBeNull();
    },
  );
});

describe('settle', () => {
  it("follows a named task, recomputing the complexity for it and keeping the classifier's confidence", () => {
    const signals = requestSignals();
    expect(settle(unsure, signals, 'nano', { outcome: 'used', task: 'reasoning' })).toEqual({
      // Reasoning is demanding, and the classifier was unsure: two points, high.
      classification: { task: 'reasoning', confidence: 0.3, complexity: 'high', language: 'en' },
      secondOpinion: { model: 'nano', outcome: 'used', classifierTask: 'chat' },
    });
  });

  it.each(['invalid', 'failed', 'unavailable', 'not-asked'] as const)(
    "keeps the classifier's own classification when the outcome is %s",
    (outcome) => {
      expect(settle(unsure, requestSignals(), 'nano', { outcome })).toEqual({
        classification: unsure,
        secondOpinion: { model: 'nano', outcome, classifierTask: 'chat' },
      });
    },
  );
});

describe('opinionRequest', () => {
  it('is a short non-streamed call that names every task it accepts and bounds the sample to its head and tail', () => {
    const sample = `${'head '.repeat(200)}${'middle '.repeat(200)}${'tail '.repeat(200)}`;
    const request = opinionRequest('nano', sample);
    expect(request).toMatchObject({ model: 'nano', stream: false, temperature: 0, maxOutputTokens: 8 });
    const [system, user] = request.messages;
    const instruction = system!.content[0]!.type === 'text' ? system!.content[0]!.text : '';
    for (const task of ['chat', 'summarization', 'code', 'reasoning', 'extraction', 'creative', 'translation'])
      expect(instruction).toContain(`- ${task}: `);
    expect(instruction).not.toMatch(/- (agent|vision):/);
    const text = user!.content[0]!.type === 'text' ? user!.content[0]!.text : '';
    expect(text.length).toBeLessThan(OPINION_SAMPLE_CHARS + 20);
    expect(text).toMatch(/^<<<\nhead /);
    expect(text).toMatch(/tail \n>>>$/);
    expect(text).not.toContain('middle');
  });

  it('sends a short sample whole', () => {
    const user = opinionRequest('nano', 'Write me a poem').messages[1]!;
    expect(user.content).toEqual([{ type: 'text', text: '<<<\nWrite me a poem\n>>>' }]);
  });
});
