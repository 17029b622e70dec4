import { OPENAI_TOOL_NAMES } from './openai/openai.names';
import { ToolNames, hashed } from './tool-names';

const MISTRAL_LIKE = { name: OPENAI_TOOL_NAMES.name, id: { valid: /^[a-zA-Z0-9]{9}$/, substitute: hashed(9) } };

describe('ToolNames', () => {
  it('passes valid names and ids through without renaming anything', () => {
    const names = new ToolNames(OPENAI_TOOL_NAMES);
    expect(names.name('get_weather')).toBe('get_weather');
    expect(names.id('call_abc')).toBe('call_abc');
    expect(names.callerName('get_weather')).toBe('get_weather');
  });

  it('renames refused names consistently and reads them back', () => {
    const names = new ToolNames(OPENAI_TOOL_NAMES);
    const dotted = names.name('files.read');
    const long = 'x'.repeat(70);
    const shortened = names.name(long);
    expect(dotted).toMatch(/^files_read_[0-9a-f]{8}$/);
    expect(shortened).toHaveLength(64);
    expect(names.name('files.read')).toBe(dotted);
    expect(names.callerName(dotted)).toBe('files.read');
    expect(names.callerName(shortened)).toBe(long);
  });

  it('keeps two names apart that sanitise alike', () => {
    const names = new ToolNames(OPENAI_TOOL_NAMES);
    const [a, b] = [names.name('a.b'), names.name('a:b')];
    expect(a).not.toBe(b);
    expect([names.callerName(a), names.callerName(b)]).toEqual(['a.b', 'a:b']);
  });

  it('gives a provider with exact-length ids (Mistral) a stand-in of that shape, even on collision', () => {
    const names = new ToolNames(MISTRAL_LIKE);
    const ids = ['call_0fypS1hVX', 'toolu_01VpEm654HvfMoRcrE3Hgdc6', 'call:1'].map((id) => names.id(id));
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(new Set(ids).size).toBe(3);
    expect(names.callerId(ids[1]!)).toBe('toolu_01VpEm654HvfMoRcrE3Hgdc6');
    expect(names.id('abcDEF123')).toBe('abcDEF123');
  });
});
