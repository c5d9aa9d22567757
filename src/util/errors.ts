/** Errors are values with names; the CLI maps each name to an exit code. */
export class MechanicError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration is wrong: exit code 2. The message names the key. */
export class ConfigError extends MechanicError {}

/** The command line is wrong: exit code 2. */
export class UsageError extends MechanicError {}

/** The state file is there but cannot be read: exit code 2, nothing done. */
export class StateError extends MechanicError {}

/** Another mechanic holds the state folder: exit code 3. */
export class BusyError extends MechanicError {}

/**
 * The syntax engine cannot start at all (its module does not load: a broken install, `dist/`
 * copied where its dependencies do not resolve): no file can be judged, so the scan stops and
 * the command fails (exit code 1, the mechanic's own failure), naming the engine's own error.
 */
export class EngineStartError extends MechanicError {}

/** A write was refused for safety (outside roots, protected, changed meanwhile). */
export class SafetyError extends MechanicError {}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
