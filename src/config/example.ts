/**
 * The commented example `mechanic init` writes: the seed's production setup (its protected
 * files, its model, its constants and its eleven probes), ready to edit.
 */
export const EXAMPLE_CONFIG_YAML = `# code-mechanic configuration. Every key is optional; the values shown are the defaults
# unless marked "example". Reference: README.md, section Configuration.

# Folders whose JavaScript the mechanic scans and may repair. Nothing outside them is written.
roots:
  - .
include: ["**/*.js", "**/*.cjs", "**/*.mjs"]
exclude: []            # e.g. ["dist/**", "**/*.min.js"]

# Never touched. A bare name matches that file anywhere (as in the seed); a pattern with a
# slash or a glob matches paths relative to a root. node_modules/, .git/, lockfiles and the
# mechanic's own config, state and backups are always protected.
protect:
  - core.js
  - simulation.js
  - work-queue.js
  - periodic-scheduler.js

# The node binary whose \`--check\` verdicts count. When absent: /opt/homebrew/bin/node, then
# /usr/local/bin/node, /usr/bin/node, then the node running the mechanic.
# node: /opt/homebrew/bin/node

llm:
  provider: ollama     # ollama | openai (any OpenAI-compatible server) | none
  baseUrl: http://127.0.0.1:11434
  model: mdq100/qwen3.5-coder:35b
  think: false         # top-level in /api/generate: a thinking model answers empty without it
  temperature: 0.1
  numPredict: 2048
  timeoutMs: 120000    # 2 min per model call
  # apiKeyEnv: OPENAI_API_KEY   # OpenAI-compatible servers: the variable that holds the key
  # promptTemplate: |           # {{file}}, {{error}} and {{code}} are filled in

maxFixesPerRun: 3
cycleIntervalMs: 600000      # 10 min
fileCooldownMs: 21600000     # 6 h per file
maxLogEntries: 200
# stateDir: ~/.local/state/code-mechanic/<root>-<hash>   (default, outside the roots)
# backupDir: <stateDir>/backups

# Error logs read for runtime errors, besides PM2's ($PM2_HOME/logs/*-error.log).
logs: []                     # example: ["/var/log/pipeline/*.err"]
pm2Logs: true

# Layer 1: the seed's eleven probes (example: point them at your own components).
probes:
  - name: ollama
    kind: ollama
    baseUrl: http://127.0.0.1:11434
    model: mdq100/qwen3.5-coder:35b
    minModels: 1
  - name: neon
    kind: postgres
    connectionStringEnv: DATABASE_URL
    query: SELECT COUNT(*) FROM tools_db
    min: 1
  - name: enricher
    kind: file-age
    path: ./data/enriched/*.json
    degradedAgeMs: 3600000     # 1 h
    maxAgeMs: 21600000         # 6 h
  - name: content
    kind: queue
    dir: ./data/content-queue
    drainCycles: 3
  - name: github
    kind: github
    tokenEnv: GITHUB_TOKEN
    minRemaining: 100
  - name: trend-scanner
    kind: file-age
    path: ./data/trends/*.json
    degradedAgeMs: 7200000
    maxAgeMs: 86400000
  - name: similarity
    kind: http
    url: http://127.0.0.1:8600/health
    expectStatus: 200
    maxLatencyMs: 2000
  - name: pm2
    kind: pm2
    maxRestarts: 3
  - name: disk
    kind: disk
    path: /
    degradedFreePercent: 15
    minFreePercent: 5
  - name: postgres-port
    kind: tcp
    host: 127.0.0.1
    port: 5432
  - name: scheduler
    kind: command
    command: ["node", "--version"]
    expectExit: 0
`;
