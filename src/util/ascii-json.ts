import fs from 'node:fs';
import { isAscii } from 'node:buffer';

const NON_ASCII = /[\u0080-\uffff]/g;
const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text with every character past ASCII written as a `\u` escape: the same value to
 * JSON.parse (outside its strings JSON has only ASCII). For the state files read whole at each
 * scan: a file that is all ASCII is read as a one-byte string, where a single letter past Latin-1
 * (a Cyrillic word in one error's source line) made the small bench tree's 2.3 MB scan cache a
 * two-byte string of 4.6 MB, opened at 15-20 ms more CPU a rescan.
 */
export function asciiJson(jsonText: string): string {
  NON_ASCII.lastIndex = 0;
  return NON_ASCII.test(jsonText) ? jsonText.replace(NON_ASCII, escape) : jsonText;
}

const NEEDS_QUOTING = /[\t\n\r\\\u0080-\uffff]|^"/;

/**
 * A name as the tab-separated state files hold it: as it is, or as ASCII JSON where a tab, a line
 * break, a backslash, a leading quote or a character past ASCII would be misread or widen the file.
 */
export function stateField(s: string): string {
  return NEEDS_QUOTING.test(s) ? asciiJson(JSON.stringify(s)) : s;
}

/**
 * A state file written as above, as text: an all-ASCII file copied into a one-byte string as it
 * is (half the time of decoding it as UTF-8: the scan cache and folder listings are read whole at
 * every scan), any other (an older build's) decoded as UTF-8. Throws as readFileSync does.
 */
export function readStateText(file: string): string {
  const bytes = fs.readFileSync(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}
