import { it } from 'node:test';

/**
 * What a test needs from the machine (a PostgreSQL server, another node version). Locally, a
 * test whose need is missing skips, loudly; in CI (`CI=true`) it fails: a green CI has run every
 * test, none skipped for want of a tool.
 *
 *   describe('postgres probe', needs('PostgreSQL (initdb, pg_ctl)', pgBin ? undefined : 'not found: install postgresql'), () => …)
 *
 * `missing`: why the need is not met, or undefined when it is.
 */
export function needs(what: string, missing: string | undefined): { skip: string | false } {
  if (missing === undefined) return { skip: false };
  const reason = `NOT TESTED: needs ${what}: ${missing}`;
  // In CI the tests that need it still skip (they cannot run), and one test in their place fails.
  if (inCI())
    it(`needs ${what}`, () => {
      throw new Error(`${reason} (CI=true: a test that cannot run is a failure, not a skip)`);
    });
  else process.stderr.write(`\n*** ${reason} (skipped here; in CI this fails) ***\n\n`);
  return { skip: reason };
}

export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.toLowerCase();
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}
