import fs from 'node:fs';
import path from 'node:path';

/**
 * Values that look like secrets, and how to find them. Each pattern's `value` group (or the whole
 * match) is the secret. Every pattern is anchored by literal text or bounded classes: linear on
 * any input, a 50 MB answer included. Beside each, `needs`: text that every match contains (one
 * of them), as the pattern's case has it; a text with none is not searched (most text printed
 * holds no secret: a rescan's report was 14 searches of each string, 20-30 ms of 200 KB).
 */
const SECRET_PATTERNS: { re: RegExp; needs: readonly string[] }[] = [
  // Private keys, whole.
  { re: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s\\n]{16,20000}?-----END [A-Z ]{0,40}PRIVATE KEY-----/g, needs: ['PRIVATE KEY-----'] },
  // Token shapes of well-known services.
  { re: /\b(?<value>sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,})/g, needs: ['sk-'] },
  { re: /\b(?<value>(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,})/g, needs: ['_live_', '_test_'] },
  { re: /\b(?<value>gh[pousr]_[A-Za-z0-9]{30,})/g, needs: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'] },
  { re: /\b(?<value>github_pat_[A-Za-z0-9_]{22,})/g, needs: ['github_pat_'] },
  { re: /\b(?<value>xox[abprs]-[A-Za-z0-9-]{10,})/g, needs: ['xox'] },
  { re: /\b(?<value>AKIA[0-9A-Z]{16})\b/g, needs: ['AKIA'] },
  { re: /\b(?<value>AIza[0-9A-Za-z_-]{35})/g, needs: ['AIza'] },
  { re: /\b(?<value>npm_[A-Za-z0-9]{36})/g, needs: ['npm_'] },
  { re: /\b(?<value>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g, needs: ['eyJ'] },
  // The password of a connection string: scheme://user:password@host
  { re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"`]{1,256}:(?<value>[^\s@'"`/${}]{1,256})@/gi, needs: ['://'] },
  // Authorization headers.
  { re: /\b(?:Bearer|Basic|Token)\s+(?<value>[A-Za-z0-9._~+/-]{12,}=*)/g, needs: ['Bearer', 'Basic', 'Token'] },
  // A quoted value given to a name that says it is secret: apiKey = "…", password: '…'
  {
    re: /\b[A-Za-z0-9_$-]{0,40}(?:api[_-]?key|secret|token|passw(?:or)?d|passwd|pwd|credential|private[_-]?key|access[_-]?key|authorization|auth[_-]?token)[A-Za-z0-9_$-]{0,40}['"]?\s{0,8}[:=]\s{0,8}(?<q>['"`])(?<value>[^'"`\n\\]{6,512})\k<q>/gi,
    needs: [':', '='],
  },
  // KEY=value lines (.env files, shell scripts); a path given to a path variable is no secret (PWD=/srv/app).
  { re: /^\s{0,8}(?:export\s+)?(?<name>[A-Za-z0-9_]{0,40}(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|CREDENTIALS?)[A-Za-z0-9_]{0,40})=(?<q>['"]?)(?<value>[^\s'"#]{6,512})\k<q>/gim, needs: ['='] },
];

/** Environment variables whose names say they hold a secret. */
const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|CREDENTIAL|AUTH)/i;
/** Variables that hold a folder whatever their value looks like: `PWD` is the working directory, not a password. */
const PATH_NAMES = new Set(['PWD', 'OLDPWD', 'INIT_CWD', 'HOME', 'TMPDIR', 'PATH']);
/** Names of variables that hold a path by convention (`SSH_AUTH_SOCK`, `PASSWORD_STORE_DIR`, `npm_config_keyfile`). */
const PATH_NAME = /(?:^|_)(?:DIR|PATH|HOME|FILE|KEYFILE|CAFILE|CERTFILE|SOCK|CWD|PWD)$|^npm_config_(?:[a-z]*file|[a-z]*dir|cache|prefix|userconfig|globalconfig)$/i;
/** An absolute path (POSIX, `~/`, or `C:\`), one word. */
const PATH_VALUE = /^(?:\/|~\/|[A-Za-z]:[\\/])[^\s'"`]*$/;
/** Shorter values are too likely to be ordinary words. */
const MIN_LITERAL = 6;
/** The mark a scrubbed secret leaves in what is printed, logged or stored. */
export const SCRUB_MARK = '«redacted»';

/**
 * True when a variable holds a path rather than a secret: a path variable by name, or an absolute
 * path that exists (a secret-sounding name like `XAUTHORITY` or `npm_config_keyfile` can hold one).
 * The project's own folder must never be masked: prompts and diffs need it.
 */
export function isPathVariable(name: string, value: string): boolean {
  if (PATH_NAMES.has(name.toUpperCase())) return true;
  if (!PATH_VALUE.test(value)) return false;
  if (PATH_NAME.test(name)) return true;
  try {
    return fs.existsSync(value.startsWith('~/') ? path.join(process.env.HOME ?? '', value.slice(2)) : value);
  } catch {
    return false;
  }
}

/** The values of environment variables whose names say they are secret, paths left out. */
export function secretEnvValues(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, v] of Object.entries(env)) if (v && v.length >= 8 && SECRET_NAME.test(name) && !isPathVariable(name, v)) out.push(v);
  return out;
}

export interface RedactorOptions {
  /** More patterns (sources); the whole match is masked. */
  patterns?: readonly string[];
  /** Exact values to mask (e.g. from .env files); shorter than 6 characters are passed over. */
  literals?: Iterable<string>;
  /** Values known to be secret (a configured password): masked from 3 characters, URL-encoded forms too. */
  known?: Iterable<string | undefined>;
  /** Mask the values of secret-named environment variables too. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The one redactor. `scrub` is for everything printed, logged, stored or sent (secrets become
 * `«redacted»`, nothing kept to undo it); `mask`/`unmask` are for the model: each distinct secret
 * becomes a token such as `__REDACTED_1__`, which a model copies through like any other
 * identifier, so a fix of a file that holds a key still holds that key.
 */
export class Redactor {
  /** A user's pattern needs nothing: it is always searched. */
  private readonly patterns: { re: RegExp; needs?: readonly string[] }[];
  /**
   * Every pattern's needles in one test, when each pattern has some: a text with none of them is
   * searched by no pattern. Most strings a report prints (paths, ids, messages) have none, and the
   * per-pattern tests of each were most of the scrub of a rescan's --json report.
   */
  private readonly anyNeedle: RegExp | undefined;
  private readonly literals: string[];
  private readonly tokens = new Map<string, string>();
  private readonly values = new Map<string, string>();

  constructor(options: RedactorOptions = {}) {
    this.patterns = [...SECRET_PATTERNS, ...(options.patterns ?? []).map((p) => ({ re: new RegExp(p, 'g') }))];
    const needles = this.patterns.every((p) => p.needs) ? this.patterns.flatMap((p) => p.needs!) : undefined;
    this.anyNeedle = needles && new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
    const literals = new Set<string>();
    for (const v of options.literals ?? []) if (v.length >= MIN_LITERAL) literals.add(v);
    for (const v of secretEnvValues(options.env ?? process.env)) literals.add(v);
    for (const s of options.known ?? []) {
      if (!s) continue;
      const forms = [s, encodeURIComponent(s)];
      try {
        forms.push(decodeURIComponent(s));
      } catch {
        /* not URL-encoded */
      }
      for (const f of forms) if (f.length >= 3) literals.add(f);
    }
    // Longest first: a value that contains another is masked whole.
    this.literals = [...literals].sort((a, b) => b.length - a.length);
  }

  /** How many distinct secrets were masked so far. */
  get count(): number {
    return this.tokens.size;
  }

  /** `text` with every secret replaced by its token (the same secret, the same token). */
  mask(text: string): string {
    return this.replaceSecrets(text, (secret) => this.tokenFor(secret));
  }

  /** `text` with every token this redactor made replaced by its secret. */
  unmask(text: string): string {
    if (this.values.size === 0 || !text.includes('__REDACTED_')) return text;
    return text.replace(/__REDACTED_\d+__/g, (t) => this.values.get(t) ?? t);
  }

  /** Secrets replaced by a fixed mark, nothing kept to undo it. */
  scrub(text: string): string {
    return this.replaceSecrets(text, () => SCRUB_MARK);
  }

  private tokenFor(secret: string): string {
    let t = this.tokens.get(secret);
    if (!t) {
      t = `__REDACTED_${this.tokens.size + 1}__`;
      this.tokens.set(secret, t);
      this.values.set(t, secret);
    }
    return t;
  }

  private replaceSecrets(text: string, to: (secret: string) => string): string {
    let out = text;
    for (const lit of this.literals) if (out.includes(lit)) out = out.split(lit).join(to(lit));
    if (this.anyNeedle && !this.anyNeedle.test(out)) return out;
    for (const { re, needs } of this.patterns) {
      if (needs && !needs.some((n) => out.includes(n))) continue;
      re.lastIndex = 0;
      out = out.replace(re, (match: string, ...args: unknown[]) => {
        const groups = args[args.length - 1] as Record<string, string | undefined> | undefined;
        const value = typeof groups === 'object' && groups?.value;
        if (!value) return match.includes('__REDACTED_') ? match : to(match);
        // Already masked, whole or in part (`Bearer __REDACTED_1__`): masking it again would nest tokens.
        if (value.includes('__REDACTED_') || value.includes(SCRUB_MARK)) return match;
        if (groups.name && isPathVariable(groups.name, value)) return match;
        const at = match.lastIndexOf(value);
        return match.slice(0, at) + to(value) + match.slice(at + value.length);
      });
    }
    return out;
  }
}

/** Text in, text with no secret out. */
export type Scrub = (text: string) => string;

/** Built-in patterns and the secret-named variables of this process: what every writer applies at least. */
let fallback: Redactor | undefined;
export const defaultScrub: Scrub = (text) => (fallback ??= new Redactor()).scrub(text);

/** A copy of `value` with `scrub` applied to every string in it (keys stay: they are paths and names). */
export function scrubDeep<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v, scrub)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, scrub);
    return out as T;
  }
  return value;
}

function urlPassword(url: string): string[] {
  try {
    const p = new URL(url).password;
    return p ? [p] : [];
  } catch {
    return [];
  }
}

/** What a config says about secrets (structural: this floor knows no config type). */
export interface SecretSettings {
  roots: readonly string[];
  baseDir?: string;
  llm: { redactPatterns: readonly string[] };
  probes?: readonly object[];
  notify?: readonly object[];
  git?: { pullRequest?: object | undefined };
}

const scrubbers = new WeakMap<object, Scrub>();

/**
 * The scrub for everything a configured mechanic prints, logs and stores, whatever `llm.redact`
 * says: the built-in patterns and `llm.redactPatterns`, secret-named environment variables, the
 * values of variables the config names (`connectionStringEnv`, `tokenEnv`, `apiKeyEnv`, `git.pullRequest.tokenEnv`…), and the
 * `.env` values at the top of each root. (A fix entry also gets the `.env` values around its file.)
 */
export function scrubberFor(settings: SecretSettings, env: NodeJS.ProcessEnv = process.env): Scrub {
  const made = scrubbers.get(settings);
  if (made) return made;
  const literals: string[] = [];
  for (const dir of [...settings.roots, ...(settings.baseDir ? [settings.baseDir] : [])]) literals.push(...envFileValues(dir, dir));
  // Secrets the config points at: variables it names, and the password of an inline connection string.
  const named = [settings.llm, ...(settings.probes ?? []), ...(settings.notify ?? []), ...(settings.git?.pullRequest ? [settings.git.pullRequest] : [])].flatMap((o) =>
    Object.entries(o).flatMap(([k, v]) => {
      if (typeof v !== 'string') return [];
      if (k.endsWith('Env')) return env[v] ? [env[v]] : [];
      return k === 'connectionString' ? urlPassword(v) : [];
    }),
  );
  const r = new Redactor({ patterns: settings.llm.redactPatterns, literals, known: named, env });
  const scrub: Scrub = (text) => r.scrub(text);
  scrubbers.set(settings, scrub);
  return scrub;
}

/** Env-style files whose values are secrets by convention. */
const ENV_FILE = /^\.env(\..+)?$/;
const MAX_ENV_FILE_BYTES = 256 * 1024;

/**
 * The values in `.env` files of `dir` and every folder above it up to `root` (inclusive): the
 * secrets a source file there may hold a copy of. Unreadable files are passed over.
 */
export function envFileValues(dir: string, root: string): string[] {
  const values: string[] = [];
  let d = path.resolve(dir);
  const top = path.resolve(root);
  for (;;) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(d).filter((n) => ENV_FILE.test(n) && !/\.(example|sample|template)$/.test(n));
    } catch {
      /* unreadable folder */
    }
    for (const n of names) {
      try {
        const file = path.join(d, n);
        if (!fs.statSync(file).isFile() || fs.statSync(file).size > MAX_ENV_FILE_BYTES) continue;
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          const m = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*)$/.exec(line);
          if (!m) continue;
          let v = m[1]!.trim();
          if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
          if (v.length >= MIN_LITERAL) values.push(v);
        }
      } catch {
        /* unreadable file */
      }
    }
    if (d === top || path.dirname(d) === d || !d.startsWith(top)) break;
    d = path.dirname(d);
  }
  return values;
}

/** The redactor for a file under `root` (found by the caller): the configured patterns and the `.env` values around it. */
export function redactorFor(file: string, root: string | undefined, patterns: readonly string[]): Redactor {
  return new Redactor({ patterns, literals: root ? envFileValues(path.dirname(file), root) : [] });
}
