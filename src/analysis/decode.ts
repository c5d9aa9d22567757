const decoder = new TextDecoder('utf-8', { fatal: true });

export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Source text as Node would read it, or why the mechanic will not touch it: a file with NUL
 * bytes is binary, and one that is not valid UTF-8 could not be written back unchanged.
 */
export function decodeSource(bytes: Uint8Array): Decoded {
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes)' };
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}
