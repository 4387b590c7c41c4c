/**
 * The dataset's accented titles were Latin-1 bytes read as Mac Roman ("AstÈrix" for
 * "Astérix", "2Ω" for "2½"). Mapping each such character back to its byte and reading that
 * byte as Windows-1252 restores them; characters outside Mac Roman ("Alien³") stay as they are.
 */
const macRoman = new TextDecoder('macintosh');
const windows1252 = new TextDecoder('windows-1252');
const BYTE_OF = new Map<string, number>();
for (let byte = 0x80; byte <= 0xff; byte += 1) BYTE_OF.set(macRoman.decode(Uint8Array.of(byte)), byte);

export function repairMojibake(text: string): string {
  if (/^\p{ASCII}*$/u.test(text)) return text;
  return [...text].map((ch) => (BYTE_OF.has(ch) ? windows1252.decode(Uint8Array.of(BYTE_OF.get(ch)!)) : ch)).join('');
}
