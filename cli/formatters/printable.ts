// Text that comes from analysed files or guest code (messages with code excerpts, file names, error
// messages) shown on a terminal or in a CI log. Control, bidi and invisible characters become
// visible `\u{...}` escapes, so that a file cannot recolour, erase or forge the lines around it with
// terminal escape sequences, nor hide text from the reader.

/** Control (C0 but tab and line feed, DEL, C1), bidi and invisible characters. */
export const HIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;
/** The same, and line feeds: for text that must stay on one line. */
const HIDDEN_OR_BREAK =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;

/** The visible escape of one hidden character. */
export function visibleEscape(ch: string): string {
  return `\\u{${ch.codePointAt(0)!.toString(16).padStart(4, '0')}}`;
}

/** `text` on one line with every hidden character shown as an escape. */
export function printable(text: string): string {
  return text.replace(HIDDEN_OR_BREAK, visibleEscape);
}
