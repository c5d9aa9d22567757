import fs from 'node:fs';

/** The example that ships with the package: the seed's production setup, eleven probes and all. */
export const EXAMPLE_CONFIG_PATH = new URL('../../examples/seed-production/mechanic.config.yaml', import.meta.url);

/** The commented example `mechanic init` writes. */
export function exampleConfigYaml(): string {
  return fs.readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');
}
