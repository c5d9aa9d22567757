import path from 'node:path';

/** `~` and `~/…` as the shell reads them, for paths in the config and in PM2's settings. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}
