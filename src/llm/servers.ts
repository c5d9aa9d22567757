import type { LlmSettings } from './settings.js';
import { baseUrlsOf } from './registry.js';
import { isLlmError } from './types.js';
import { errorMessage } from '../util/errors.js';

/**
 * The model server pool of one process: which server answered last (tried first next time, so a
 * server that is down does not cost every call its timeout) and what each one did last. Kept in
 * memory only: a new process starts from the configured order, and the first call or `doctor`
 * finds out again.
 */
export type ServerState = 'up' | 'down' | 'unknown';

export interface ModelServerHealth {
  provider: string;
  url: string;
  /** `up`: its last contact got an HTTP answer; `down`: unreachable, timed out or a 5xx/429; `unknown`: not tried yet. */
  state: ServerState;
  /** Tried first by the next call: the one that answered last (else the first configured). */
  preferred: boolean;
  /** Contacts since the process started that got an answer, and that found the server down. */
  answered: number;
  failed: number;
  /** Failures in a row up to now (0 once it answers). */
  consecutiveFailures: number;
  lastAnsweredAt?: string;
  lastFailedAt?: string;
  lastError?: string;
  lastDurationMs?: number;
}

type ServerRecord = Omit<ModelServerHealth, 'provider' | 'url' | 'preferred'>;

const records = new Map<string, ServerRecord>();
/** Per pool (provider and its list of servers): the server that answered last. */
const lastAnswered = new Map<string, string>();

const keyOf = (provider: string, url: string) => `${provider} ${url}`;
const poolOf = (settings: Pick<LlmSettings, 'provider' | 'baseUrl'>) => `${settings.provider} ${baseUrlsOf(settings).join(' ')}`;

/** The server was not there for this call: no connection, no answer in time, or a 5xx/429. Worth trying the next one. */
export function serverDown(err: unknown): boolean {
  if (!isLlmError(err)) return false;
  if (err.kind === 'unreachable' || err.kind === 'timeout') return true;
  return err.kind === 'http' && err.status !== undefined && (err.status >= 500 || err.status === 429);
}

function record(provider: string, url: string): ServerRecord {
  const key = keyOf(provider, url);
  let r = records.get(key);
  if (!r) records.set(key, (r = { state: 'unknown', answered: 0, failed: 0, consecutiveFailures: 0 }));
  return r;
}

/** The servers in the order the next call tries them: the one that answered last, then the rest as configured. */
export function serverOrder(settings: Pick<LlmSettings, 'provider' | 'baseUrl'>): string[] {
  const urls = baseUrlsOf(settings);
  const last = lastAnswered.get(poolOf(settings));
  return last && urls.includes(last) ? [last, ...urls.filter((u) => u !== last)] : urls;
}

/** An HTTP answer came back (even a 4xx or an unusable body: the server is there). */
export function markAnswered(
  settings: Pick<LlmSettings, 'provider' | 'baseUrl'>,
  url: string,
  opts: { durationMs?: number; prefer?: boolean; at?: number } = {},
): void {
  const { durationMs, prefer = true, at = Date.now() } = opts;
  const r = record(settings.provider, url);
  r.state = 'up';
  r.answered++;
  r.consecutiveFailures = 0;
  r.lastAnsweredAt = new Date(at).toISOString();
  if (durationMs !== undefined) r.lastDurationMs = durationMs;
  // `doctor` looks without choosing: only a model call moves the pool's first choice.
  if (prefer) lastAnswered.set(poolOf(settings), url);
}

export function markDown(settings: Pick<LlmSettings, 'provider'>, url: string, err: unknown, at = Date.now()): void {
  const r = record(settings.provider, url);
  r.state = 'down';
  r.failed++;
  r.consecutiveFailures++;
  r.lastFailedAt = new Date(at).toISOString();
  r.lastError = errorMessage(err);
}

/**
 * The health of each configured model server, in configured order (what `doctor` prints and a
 * metrics endpoint exports). Without settings: every server this process has contacted.
 */
export function modelServerHealth(settings?: Pick<LlmSettings, 'provider' | 'baseUrl'>): ModelServerHealth[] {
  if (!settings) {
    return [...records.entries()].map(([key, r]) => {
      const [provider, url] = key.split(' ') as [string, string];
      return { provider, url, preferred: [...lastAnswered.values()].includes(url), ...r };
    });
  }
  const first = serverOrder(settings)[0];
  return baseUrlsOf(settings).map((url) => ({
    provider: settings.provider,
    url,
    preferred: url === first,
    ...(records.get(keyOf(settings.provider, url)) ?? { state: 'unknown' as const, answered: 0, failed: 0, consecutiveFailures: 0 }),
  }));
}

/** Forget everything (tests, and a daemon whose config changed the pool). */
export function resetModelServerHealth(): void {
  records.clear();
  lastAnswered.clear();
}
