import { describe, expect, it } from 'vitest';
import { codePointLabel, isInvisibleText, textProblem } from '../src/text';

describe('plain text checks', () => {
  it('name the first bidirectional control or control character and where it is', () => {
    expect(textProblem('ab\u202Ec')).toBe('must not contain bidirectional control characters (found U+202E at position 2).');
    expect(textProblem('\u2069')).toMatch(/U\+2069 at position 0/);
    expect(textProblem('a\u0000')).toBe('must not contain control characters (found U+0000 at position 1).');
    expect(textProblem('a\u009Fb')).toMatch(/U\+009F/);
    expect(textProblem('Zoë 👩\u200D💻')).toBeNull();
  });

  it('allow the controls and direction marks a caller allows, and no others', () => {
    const rules = { allowControls: '\n\t', allowBidiMarks: true };
    expect(textProblem('one\n\ttwo \u200F\u061C', rules)).toBeNull();
    expect(textProblem('one\r\ntwo', rules)).toMatch(/U\+000D/);
    expect(textProblem('mark\u200E')).toMatch(/U\+200E/);
    expect(textProblem('override\u202D', rules)).toMatch(/U\+202D/);
  });

  it('tell text with nothing visible from text with something', () => {
    for (const blank of ['', ' \t\n', '\u200B\u200C\u200D', '\u2060\uFEFF', '\u3164\u115F', '\u2800', '\u00A0\u3000'])
      expect(isInvisibleText(blank)).toBe(true);
    for (const visible of ['a', '\u200Bx', '·', '👍']) expect(isInvisibleText(visible)).toBe(false);
    expect(codePointLabel('😀')).toBe('U+1F600');
  });
});
