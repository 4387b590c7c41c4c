/**
 * Checks for plain text that people write and other people read. What a service stores is
 * shown elsewhere, by clients that render it as written: characters that reorder the text
 * around them (bidirectional embeddings, overrides and isolates, as in "Trojan Source"
 * spoofing), control characters, and strings that look empty are refused rather than cleaned.
 */

/** Embeddings, overrides and isolates: U+202A–U+202E, U+2066–U+2069. They reorder what follows them. */
const BIDI_FORMATTING = /[\u202A-\u202E\u2066-\u2069]/u;
/** Left-to-right, right-to-left and Arabic letter marks: U+200E, U+200F, U+061C. Invisible, and they change how neighbours are ordered. */
const BIDI_MARKS = /[\u200E\u200F\u061C]/u;
const CONTROL = /\p{Cc}/gu;
/** White space, default-ignorable code points (zero-width space/joiners, U+2060, U+FEFF, fillers, variation selectors…) and the blank braille pattern. */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

export interface TextRules {
  /** Control characters (Unicode Cc) allowed, e.g. "\n\t" for multi-line text. Default: none. */
  allowControls?: string;
  /** Whether the invisible direction marks (U+200E, U+200F, U+061C) are allowed. Default: no. */
  allowBidiMarks?: boolean;
}

/** "U+202E" */
export const codePointLabel = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** True when nothing of `text` would be visible: empty, white space, or only invisible characters. */
export const isInvisibleText = (text: string): boolean => INVISIBLE_ONLY.test(text);

/**
 * Why `text` is not acceptable plain text, as the end of a sentence that starts with the
 * field's name ("must not contain …"), or null when it is. Checks what `text` holds as given:
 * normalize (NFC) and trim before calling.
 */
export function textProblem(text: string, rules: TextRules = {}): string | null {
  const formatting = BIDI_FORMATTING.exec(text) ?? (rules.allowBidiMarks ? null : BIDI_MARKS.exec(text));
  if (formatting) {
    return `must not contain bidirectional control characters (found ${codePointLabel(formatting[0])} at position ${formatting.index}).`;
  }
  for (const match of text.matchAll(CONTROL)) {
    if (rules.allowControls?.includes(match[0])) continue;
    return `must not contain control characters (found ${codePointLabel(match[0])} at position ${match.index}).`;
  }
  return null;
}
