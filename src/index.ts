/**
 * code-mechanic as a library: the same operations the `mechanic` CLI runs.
 */
export { loadConfig, resolveConfig, findConfigFile, resolveNodeBinary, type Config, type LoadOptions } from './config/load.js';
export { configSchema, llmSchema, type RawConfig } from './config/schema.js';
export { SEED, SEED_PROMPT_TEMPLATE } from './config/defaults.js';
export { exampleConfigYaml, EXAMPLE_CONFIG_PATH } from './config/example.js';
export { runCycle, type CycleOptions, type CycleReport, type ProgressEvent } from './cycle.js';
export { runDaemon, type DaemonOptions } from './daemon.js';
export { doctor, type DoctorReport, type DoctorCheck } from './ops/doctor.js';
export { initConfig, type InitOptions, type InitReport } from './ops/init.js';
export { revertFix, type RevertOptions, type RevertReport } from './ops/revert.js';
export { status, type StatusReport } from './ops/status.js';
export { needsPerson, type NeedsPerson } from './ops/attention.js';
export { runProbes, summarize } from './probes/run.js';
export { probeKinds, probeSchema, type ProbeConfig } from './probes/registry.js';
export { toHealthCheck, type HealthCheckDocument } from './probes/health-format.js';
export { remedySchema, type RemedyConfig, type RemedyRun } from './probes/remedy.js';
export type { ProbeKind, ProbeResult, ProbeOutcome, Health } from './probes/types.js';
export { SyntaxChecker, type FileVerdict, type CheckOptions, type CheckSummary } from './discover/syntax/checker.js';
export { scanSyntax, type SyntaxScan, type SyntaxScanOptions } from './discover/syntax/scan.js';
export { ScanCache } from './discover/cache.js';
export { listSourceFiles } from './discover/files.js';
export { bugSources, discoverBugs } from './discover/sources.js';
export type { Bug, BugKind, LogError } from './discover/types.js';
export { buildLadder } from './repair/registry.js';
export type { Repairer, RepairInput, RepairResult } from './repair/types.js';
export { validators, validateFix } from './validate/registry.js';
export type { Validator, ValidationResult } from './validate/types.js';
export { surfaceOf, type Surface } from './validate/surface.js';
export { readLog, type LogEntry, type FixEntry } from './state/log.js';
export { loadState, type State } from './state/state.js';
export type { BugAttempts } from './state/escalation.js';
export { ConfigError, UsageError, BusyError, SafetyError, StateError, MechanicError } from './util/errors.js';
export { systemClock, type Clock } from './util/clock.js';
