// Every setting of chaos-action, once: its name, how its value is written, its default, what it
// does, and the doors it may come through (an action input, a command-line flag, a key of the
// run config file). One name per setting: the input, the flag (`--name`) and the file key are
// the same word. action.yml's inputs, every command's flags and `--help`, the run config's
// schema (and the JSON Schema editors read) and README's settings table are made from this list
// or checked against it (__tests__/unit/config/settings-drift.test.ts).
//
// Adding a setting is one entry here; a run setting also gets its field in RunConfig
// (run-config.ts). `npm run generate` then writes action.yml's inputs, README's table and
// schemas/.
import { z } from 'zod';
import { parseRequestMixSetting } from './request-mix';
import { ROLES } from './roles';
import { parseYaml } from './yaml-source';
import {
  FALSE_WORDS,
  parseBool,
  parseEnvNames,
  parseExistingFiles,
  parseHttpUrl,
  parseJsonValue,
  parseList,
  parseParams,
  parsePairedInconclusive,
  parseProfile,
  parseReadyTimeout,
  parseRequestLine,
  parseScale,
  parseServiceMap,
  parseStatusList,
  parseText,
  parsePairs,
  parseUrlPath,
  readBodyFile,
  TRUE_WORDS,
} from './setting-values';

/** The CLI's commands (src/cli/commands.ts says what each does). */
export const COMMAND_NAMES = [
  'init',
  'run',
  'calibrate',
  'validate',
  'list',
  'cleanup',
  'load',
  'render',
  'judge',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/**
 * - run: part of the run config (RunConfig): an input, a flag of run and its kin, mostly a file key;
 * - action: read by the Action's own steps (publishing, modes) and, some, by a command;
 * - command: a command's own option, a flag only.
 */
export type SettingScope = 'run' | 'action' | 'command';

/** An old name that still works, with a one-line notice naming the new one. */
export interface DeprecatedName {
  /** An old flag (`--compose`), or an old key of the run config file (`compose-files`). */
  flag?: string;
  key?: string;
  /** A flag that stood for a value (`--no-fail` is `--fail-on-violation=false`). */
  value?: string;
}

export interface Setting {
  name: string;
  scope: SettingScope;
  /**
   * How a flag takes it: `switch` (true or false: `--name`, `--name=false`, `--no-name`),
   * `value` (one value: `--name VALUE`), `list` (repeatable; each may also be comma-separated).
   */
  kind: 'switch' | 'value' | 'list';
  /** The value's name in `--help` and README (FILE, DIR, URL, ...). */
  placeholder?: string;
  /** The default, as people read it; '' when there is none. */
  default: string;
  /** What it does: action.yml's description, README's table, the JSON Schema's description. */
  description: string;
  /** One line for `--help` (the description is used when there is none). */
  help?: string;
  /** An action input; `default` is action.yml's `default:` when it is not '' (unset). */
  input?: { default?: string };
  /** A flag of these commands; `helpFor` when a command reads it differently. */
  flag?: { commands: readonly CommandName[]; helpFor?: Partial<Record<CommandName, string>> };
  /**
   * A key of the run config file: `shape` is what an editor accepts there (the JSON Schema),
   * or, for a run setting a file may not hold, why not (`refused`).
   */
  file?: { shape: z.ZodType } | { refused: string };
  /** Its value is one or more paths: relative to working-directory (input), to the file (file key). */
  paths?: boolean;
  /** Reads the value given (a string from an input or a flag, a YAML value from the file). */
  parse?: (value: unknown) => unknown;
  deprecated?: readonly DeprecatedName[];
}

// What an editor accepts for each kind of value in chaos-action.yml (the loader reads the same).
const shape = {
  switch: z.union([z.boolean(), z.enum([...TRUE_WORDS, ...FALSE_WORDS])]),
  text: z.string(),
  list: z.union([z.string(), z.array(z.string())]),
  number: z.union([z.number(), z.string()]),
  pairs: z.union([z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))]),
};

const RUN_COMMANDS = ['run', 'calibrate'] as const;
const CATALOG_COMMANDS = ['run', 'calibrate', 'render', 'validate', 'list'] as const;

export const SETTINGS: readonly Setting[] = [
  {
    name: 'config-file',
    scope: 'action',
    kind: 'value',
    placeholder: 'FILE',
    default: 'chaos-action.yml, when it exists',
    description:
      'The run config file (its keys are these settings, by the same names); chaos-action.yml in the working directory when it exists. Inputs and flags that are given override it.',
    help: 'the run config file (default: ./chaos-action.yml when it exists; flags override it)',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    paths: true,
    deprecated: [{ flag: 'config' }],
  },
  {
    name: 'compose-file',
    scope: 'run',
    kind: 'list',
    placeholder: 'FILE',
    default:
      'what docker compose reads in the working directory: the first of compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml, with compose.override.yml (or .yaml, or docker-compose.override.*) when it is there',
    description:
      'Compose file(s) of the stack under test, a base file then overrides (as compose -f), one per line or comma-separated.',
    help: 'compose file(s): a base file, then overrides (default: what docker compose finds in the directory)',
    input: {},
    flag: { commands: [...RUN_COMMANDS, 'init'] },
    file: { shape: shape.list },
    paths: true,
    parse: (v) => {
      const files = parseList(v);
      if (files.length === 0) throw new Error('needs at least one compose file');
      return files;
    },
    deprecated: [{ flag: 'compose' }, { key: 'compose-files' }],
  },
  {
    name: 'base-compose-file',
    scope: 'run',
    kind: 'list',
    placeholder: 'FILE',
    default: '',
    description:
      "The base revision's compose file(s), e.g. from a second checkout of the base branch into base/. Given: a paired run, the base stack runs as its own project under the same chaos and load, and every regression threshold is judged against it with an interval.",
    help: "the base revision's compose file(s): a paired run, both stacks under the same chaos",
    input: {},
    flag: { commands: ['run'] },
    file: { shape: shape.list },
    paths: true,
    parse: parseExistingFiles,
    deprecated: [{ flag: 'base-compose' }, { key: 'base-compose' }],
  },
  {
    name: 'compose-env',
    scope: 'run',
    kind: 'list',
    placeholder: 'NAME',
    default: '',
    description:
      'Variables withheld from compose (GITHUB_TOKEN, GH_TOKEN, INPUT_*, ACTIONS_* such as ACTIONS_RUNTIME_TOKEN) that the stack may see anyway, by name, one per line or comma-separated. An input or a flag only: chaos-action.yml may not set it. Every other variable of the job reaches compose as usual.',
    help: 'let compose see this withheld variable (GITHUB_TOKEN, INPUT_*, ACTIONS_*...)',
    input: {},
    flag: { commands: RUN_COMMANDS },
    file: {
      refused:
        "is an input (compose-env) or a flag (--compose-env) only, never a key of the run config file: a file in the repository may not hand the withheld variables (tokens, ACTIONS_*, the runner's command files) to the stack",
    },
    parse: parseEnvNames,
  },
  {
    name: 'working-directory',
    scope: 'action',
    kind: 'value',
    placeholder: 'DIR',
    default: '.',
    description:
      'The directory relative paths (compose files, scenarios-dir, baseline-results, results-dir) are resolved against, and where the compose file and chaos-action.yml are looked for.',
    input: { default: '.' },
  },
  {
    name: 'suite',
    scope: 'run',
    kind: 'value',
    placeholder: 'NAME',
    default: 'auto (the Action), default (the CLI)',
    description:
      'The scenario suite: default, weekly, full, game-day, all, or a suite of your own. The Action also takes auto: the default suite on pull requests, full on schedule, when dispatched with suite: full, or when the pull request carries full-suite-label; the suite the config file names stands in for default there.',
    help: 'default | weekly | full | game-day | all | a suite of your own (default: default)',
    input: { default: 'auto' },
    flag: { commands: ['run', 'calibrate', 'render', 'list'] },
    file: { shape: shape.text },
    parse: (v) => parseText(v) ?? 'default',
  },
  {
    name: 'scenarios',
    scope: 'run',
    kind: 'list',
    placeholder: 'NAME',
    default: '',
    description: 'Scenario names to run instead of a suite, one per line or comma-separated.',
    help: 'run these scenarios instead of a suite',
    input: {},
    flag: {
      commands: ['run', 'calibrate', 'render', 'judge'],
      helpFor: { judge: 'judge only these (default: every rendered scenario)' },
    },
    file: { shape: shape.list },
    parse: parseList,
    deprecated: [{ flag: 'scenario' }],
  },
  {
    name: 'scenarios-dir',
    scope: 'run',
    kind: 'list',
    placeholder: 'DIR',
    default: '',
    description:
      'Directories of your own scenario files, added to the built-ins (a file with a built-in name replaces it).',
    help: 'your scenario files, added to the built-ins',
    input: {},
    flag: { commands: CATALOG_COMMANDS },
    file: { shape: shape.list },
    paths: true,
    parse: parseList,
    deprecated: [{ key: 'scenarios-dirs' }],
  },
  {
    name: 'builtin-scenarios',
    scope: 'run',
    kind: 'switch',
    default: 'true',
    description: "Load the built-in scenarios beside your own; false: only scenarios-dir's.",
    help: 'load the built-in scenarios (--no-builtin-scenarios: only yours)',
    input: {},
    flag: { commands: CATALOG_COMMANDS },
    file: { shape: shape.switch },
    parse: parseBool,
    deprecated: [{ flag: 'no-builtin', value: 'false' }],
  },
  {
    name: 'service-map',
    scope: 'run',
    kind: 'value',
    placeholder: 'MAP',
    default: '',
    description:
      'Maps the built-in roles to your compose services, e.g. "api=web, cache=redis-main, telemetry=otel" (a map in the file). Roles not given are found from the services\' dev.chaos-action.role labels, then from the stack.',
    help: 'roles to your services, e.g. "api=web,cache=redis-main"',
    input: {},
    flag: {
      commands: ['run', 'calibrate', 'render'],
      helpFor: {
        render:
          'roles and services to pod selectors: api=app=web,cache=app.kubernetes.io/name=redis@redis (labels joined by +, @CONTAINER for faults that act on one container)',
      },
    },
    file: { shape: z.union([z.string(), z.partialRecord(z.enum(ROLES), z.string())]) },
    parse: parseServiceMap,
  },
  {
    name: 'target-url',
    scope: 'run',
    kind: 'value',
    placeholder: 'URL',
    default: "the api service's published port",
    description:
      'The base URL the load is sent to. In chaos-action.yml only loopback or a service of the stack; as an input or a flag, any host.',
    help: "where the load goes (default: the api service's published port)",
    input: {},
    flag: {
      commands: ['run', 'render'],
      helpFor: { render: "the api's in-cluster URL, e.g. http://web.shop.svc:8080 (load and status checks)" },
    },
    file: { shape: z.string().meta({ format: 'uri' }) },
    parse: parseHttpUrl,
  },
  {
    name: 'request',
    scope: 'run',
    kind: 'value',
    placeholder: '"METHOD /path"',
    default: 'the health check, else GET /',
    description: 'The request the load sends, e.g. "POST /v1/orders".',
    help: 'the request the load sends (default: the health check, else GET /)',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: z.string().regex(/^\s*(?:[A-Za-z]+\s+)?\/\S*\s*$/) },
    parse: parseRequestLine,
  },
  {
    name: 'request-json',
    scope: 'run',
    kind: 'value',
    placeholder: 'JSON',
    default: '',
    description: 'A JSON body for the request (JSON text, or a YAML value in the file).',
    help: 'its JSON body',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render', 'load'] },
    file: { shape: z.unknown() },
    parse: parseJsonValue,
  },
  {
    name: 'request-body-file',
    scope: 'run',
    kind: 'value',
    placeholder: 'FILE',
    default: '',
    description: 'A file whose content is the request body (a raw body; request-json for JSON).',
    help: 'its raw body, read from a file',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: shape.text },
    paths: true,
    parse: readBodyFile,
  },
  {
    name: 'request-headers',
    scope: 'run',
    kind: 'value',
    placeholder: 'PAIRS',
    default: '',
    description:
      'Headers the request carries, e.g. "authorization=Bearer x, x-tenant=7" (a map in the file); with requests:, every request of the mix carries them, under its own.',
    help: 'its headers, e.g. "x-tenant=7,accept=application/json"',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: z.union([z.string(), z.record(z.string(), z.union([z.string(), z.number()]))]) },
    parse: (v) => parsePairs(v, 'headers'),
  },
  {
    name: 'requests',
    scope: 'run',
    kind: 'value',
    placeholder: 'YAML',
    default: 'the request alone',
    description:
      'A weighted mix of named requests the load sends instead of request: each with weight, method, path, headers, json or body, expect, and values its {{placeholders}} draw (sequence, range, pick, uuid, cycle, or a CSV column next to the file). Per-request results, and thresholds like p95{request:NAME} < 300ms (docs/load.md).',
    input: {},
    file: { shape: z.array(z.record(z.string(), z.unknown())).min(1) },
    parse: (v) => parseRequestMixSetting(typeof v === 'string' ? parseYaml(v, 'requests').data : v),
  },
  {
    name: 'expect-status',
    scope: 'run',
    kind: 'value',
    placeholder: 'LIST',
    default: '200',
    description:
      'The statuses that count as success, e.g. "200, 201"; with requests:, for each request of the mix that names no status of its own.',
    help: 'statuses that count as success (default: 200)',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render', 'load'] },
    file: {
      shape: z.union([z.number().int(), z.string(), z.array(z.number().int().min(100).max(599))]),
    },
    parse: parseStatusList,
  },
  {
    name: 'health-path',
    scope: 'run',
    kind: 'value',
    placeholder: 'PATH',
    default: "the path in the api service's compose healthcheck (curl or wget)",
    description: "The health check every scenario's steady state uses.",
    help: "the health check (default: from the api's compose healthcheck)",
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: z.string().regex(/^\s*\//) },
    parse: parseUrlPath,
  },
  {
    name: 'ready-timeout',
    scope: 'run',
    kind: 'value',
    placeholder: 'TIME',
    default: '120s',
    description:
      'How long the entry may take to answer the health check before each scenario: a stack is ready when it serves, not when its containers run. A stack that never answers makes the scenario inconclusive, saying how long it waited and what it answered last.',
    help: 'how long the entry may take to serve before each scenario (default: 120s)',
    input: {},
    flag: { commands: RUN_COMMANDS },
    file: { shape: shape.number },
    parse: parseReadyTimeout,
  },
  {
    name: 'profile',
    scope: 'run',
    kind: 'value',
    placeholder: 'ci|production',
    default: 'ci',
    description:
      "Scenario sizes: ci (each scenario's params: values, tens of seconds) or production (its production: values).",
    help: 'CI-sized (default) or production-sized durations',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: z.enum(['ci', 'production']) },
    parse: parseProfile,
  },
  {
    name: 'params',
    scope: 'run',
    kind: 'list',
    placeholder: 'NAME=VALUE',
    default: '',
    description:
      'Scenario parameter overrides, "name=value" (scenario.name=value for one scenario), comma- or newline-separated (a map in the file).',
    help: 'override a scenario parameter (scenario.name=value for one scenario)',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: shape.pairs },
    parse: parseParams,
    deprecated: [{ flag: 'param' }],
  },
  {
    name: 'scale',
    scope: 'run',
    kind: 'value',
    placeholder: 'N',
    default: '1',
    description:
      "Multiplies every scenario's phase and stage durations (0.5 halves a run); production-sized runs use larger values. Recovery's longest wait is kept.",
    help: 'multiply scenario durations (0.5 halves them)',
    input: {},
    flag: { commands: ['run', 'calibrate', 'render'] },
    file: { shape: shape.number },
    parse: parseScale,
  },
  {
    name: 'mode',
    scope: 'action',
    kind: 'value',
    default: 'run',
    description:
      "run: measure and report. report: start no Docker; read a fork run's downloaded results (results-dir) as untrusted data and post its sticky comment and the check run 'chaos report' with this workflow's token (on the workflow_run event only; see the README). judge: start no Docker; judge scenarios that ran on Kubernetes (k8s-rendered, k8s-nodes, prometheus-url; see docs/kubernetes.md).",
    input: { default: 'run' },
  },
  {
    name: 'k8s-rendered',
    scope: 'action',
    kind: 'value',
    placeholder: 'DIR',
    default: '',
    description: 'mode judge: the directory `chaos-action render k8s` wrote (render.json).',
    help: 'the directory render k8s wrote (render.json)',
    input: {},
    flag: { commands: ['judge'] },
    paths: true,
    deprecated: [{ flag: 'rendered' }],
  },
  {
    name: 'k8s-nodes',
    scope: 'action',
    kind: 'list',
    placeholder: 'FILE',
    default: '',
    description:
      "mode judge: files with the workflows' nodes (`kubectl get workflownodes -o json`), comma- or newline-separated.",
    help: "kubectl get workflownodes -n NS -o json (every rendered workflow's nodes)",
    input: {},
    flag: { commands: ['judge'] },
    paths: true,
    deprecated: [{ flag: 'nodes' }],
  },
  {
    name: 'prometheus-url',
    scope: 'action',
    kind: 'value',
    placeholder: 'URL',
    default: '',
    description:
      'mode judge: the Prometheus the k6 runner pods wrote to (remote write) and that evaluates the alerts.',
    help: 'the Prometheus the k6 runners wrote to (remote write) and that evaluates the alerts',
    input: {},
    flag: { commands: ['judge'] },
    parse: (v) => {
      const url = parseHttpUrl(v);
      if (url === null) throw new Error('is required');
      return url;
    },
    deprecated: [{ flag: 'prometheus' }],
  },
  {
    name: 'github-token',
    scope: 'action',
    kind: 'value',
    default: '${{ github.token }}',
    description:
      'The token that posts the sticky PR comment and the check run: pull-requests: write (comment) and checks: write (check run).',
    input: { default: '${{ github.token }}' },
  },
  {
    name: 'comment',
    scope: 'action',
    kind: 'switch',
    default: 'true',
    description: 'Post (or update) one sticky comment on the pull request: true or false.',
    input: { default: 'true' },
    parse: parseBool,
  },
  {
    name: 'check-run',
    scope: 'action',
    kind: 'switch',
    default: 'true',
    description:
      'Create the check run "chaos" ("chaos report" in mode report) on the commit measured (in progress, then its conclusion, with at most 50 annotations): true or false. Needs checks: write; without it a note is logged and the run goes on.',
    input: { default: 'true' },
    parse: parseBool,
  },
  {
    name: 'fail-on-violation',
    scope: 'run',
    kind: 'switch',
    default: 'true',
    description:
      'Fail the check (exit 1) when a threshold is violated: true or false. Each kind of outcome has its own setting: letting one through never hides another.',
    help: 'fail (exit 1) when a threshold is violated; --fail-on-violation=false reports only',
    input: {},
    flag: { commands: ['run', 'judge'] },
    file: { shape: shape.switch },
    parse: parseBool,
    deprecated: [{ flag: 'no-fail', value: 'false' }],
  },
  {
    name: 'fail-on-inconclusive',
    scope: 'run',
    kind: 'switch',
    default: 'true',
    description:
      'Fail the check (exit 3) when a scenario is inconclusive (the stack was not healthy before its fault, or a measurement was missing): true or false.',
    help: 'fail (exit 3) when a scenario is inconclusive',
    input: {},
    flag: { commands: ['run', 'judge'] },
    file: { shape: shape.switch },
    parse: parseBool,
  },
  {
    name: 'fail-on-error',
    scope: 'run',
    kind: 'switch',
    default: 'true',
    description:
      'Fail the check (exit 4) when a scenario errored (a fault that did not act or could not be reverted, a stack that did not come up): true or false.',
    help: 'fail (exit 4) when a scenario errored',
    input: {},
    flag: { commands: ['run', 'judge'] },
    file: { shape: shape.switch },
    parse: parseBool,
  },
  {
    name: 'paired-inconclusive',
    scope: 'run',
    kind: 'value',
    placeholder: 'warn|fail',
    default: 'warn',
    description:
      "A paired run's regression check that is inconclusive only because this run's noise floor is above its limit (only a longer phase or a wider limit could decide it): warn reports it as a warning with the phase length that would decide it, and the scenario is not made inconclusive; fail makes the scenario inconclusive. A violated absolute threshold fails either way.",
    help: 'a paired regression check only a longer phase could decide: warn (default) or fail',
    input: {},
    flag: { commands: ['run'] },
    file: { shape: z.enum(['warn', 'fail']) },
    parse: parsePairedInconclusive,
  },
  {
    name: 'full-suite-label',
    scope: 'action',
    kind: 'value',
    default: 'chaos:full',
    description: 'A pull request carrying this label runs the full suite (with suite: auto).',
    input: { default: 'chaos:full' },
  },
  {
    name: 'baseline-results',
    scope: 'run',
    kind: 'value',
    placeholder: 'FILE',
    default: '',
    description:
      'A results.json from the base branch (e.g. the nightly artifact): the report shows deltas against it, and "p95 regression < 20%" thresholds without a paired run are judged on it.',
    help: 'a results.json to compare with',
    input: {},
    flag: { commands: ['run'] },
    file: { shape: shape.text },
    paths: true,
    parse: parseText,
    deprecated: [{ flag: 'baseline' }],
  },
  {
    name: 'pushgateway-url',
    scope: 'run',
    kind: 'value',
    placeholder: 'URL',
    default: '',
    description:
      "A Prometheus Pushgateway to push the run's metrics to, grouped by job, repository, ref or pull request and run id (docs/results-schema.md); without it they are written to metrics.prom.",
    help: "push the run's metrics to a Prometheus Pushgateway",
    input: {},
    flag: { commands: ['run'] },
    file: { shape: z.string().meta({ format: 'uri' }) },
    parse: parseHttpUrl,
    deprecated: [{ flag: 'pushgateway' }],
  },
  {
    name: 'results-dir',
    scope: 'run',
    kind: 'value',
    placeholder: 'DIR',
    default: 'chaos-results',
    description: 'Where results.json, report.md, junit.xml and metrics.prom are written.',
    help: 'where results.json, report.md, junit.xml and metrics.prom go (default: chaos-results)',
    input: {},
    flag: { commands: ['run', 'calibrate', 'judge'] },
    file: { shape: shape.text },
    paths: true,
    parse: parseText,
    deprecated: [{ flag: 'results' }],
  },
  {
    name: 'journal-path',
    scope: 'run',
    kind: 'value',
    placeholder: 'FILE',
    default: "a file of the run's own under $RUNNER_TEMP/chaos-action, else the temp directory",
    description:
      "Where fault reverts are journalled before each fault acts (what cleanup and the post step replay); by default each run's own file, which chaos-action cleanup finds (docs/faults.md). Not an input: the Action keeps it under $RUNNER_TEMP for its post step.",
    help: "where fault reverts are journalled (default: a file of the run's own that cleanup finds)",
    flag: { commands: ['run', 'calibrate', 'cleanup'] },
    file: { shape: shape.text },
    paths: true,
    parse: parseText,
    deprecated: [{ flag: 'journal' }],
  },
  {
    name: 'project',
    scope: 'run',
    kind: 'value',
    placeholder: 'NAME',
    default: 'a name unique to the run',
    description:
      'The compose project the run creates. It is torn down at the end, so a name that already has containers, networks or volumes is refused (exit 2). Not an input: on a runner each run makes its own.',
    help: 'the compose project to create (default: a unique one); one that exists is refused',
    flag: { commands: ['run'] },
    file: { shape: shape.text },
    parse: parseText,
  },
  // ---- the commands' own options
  {
    name: 'json',
    scope: 'command',
    kind: 'switch',
    default: 'false',
    description: 'Print the result as JSON.',
    flag: { commands: ['validate', 'list', 'load'] },
    deprecated: [{ flag: 'output-json' }],
  },
  {
    name: 'explore',
    scope: 'command',
    kind: 'switch',
    default: 'false',
    description:
      "Start the stack once under a project of its own (removed after) and find which requests reach each dependency: candidates from the entry's OpenAPI document, links on /, an imported mix (--openapi, --har, --access-log) and common paths are each sent three times while the packets every dependency receives are counted from the host (/proc/PID/net/dev, nothing changed in a container). Writes requests: with the fewest that reach every reachable dependency, each with its evidence, and says which dependencies no request reached.",
    help: 'start the stack once and write requests: that reach each dependency, measured (then remove it)',
    flag: { commands: ['init'] },
  },
  {
    name: 'openapi',
    scope: 'command',
    kind: 'value',
    placeholder: 'FILE|URL',
    default: '',
    description:
      "Write a request mix (requests:) of an OpenAPI 3 document's operations that can be called without unknown values, with the document's examples; says what was kept and dropped, and why.",
    help: "write requests: from an OpenAPI 3 document's operations (file or URL)",
    flag: { commands: ['init'] },
  },
  {
    name: 'har',
    scope: 'command',
    kind: 'value',
    placeholder: 'FILE',
    default: '',
    description:
      "Write a request mix (requests:) from a browser's HAR recording, weighted as observed, without static assets and third-party hosts; says what was kept and dropped, and why.",
    help: "write requests: from a browser's HAR recording",
    flag: { commands: ['init'] },
  },
  {
    name: 'access-log',
    scope: 'command',
    kind: 'value',
    placeholder: 'FILE',
    default: '',
    description:
      'Write a request mix (requests:) from an nginx access log in the combined format, weighted as observed, without static assets, error answers and writes; says what was kept and dropped, and why.',
    help: 'write requests: from an nginx access log (combined format)',
    flag: { commands: ['init'] },
  },
  {
    name: 'per-request',
    scope: 'command',
    kind: 'switch',
    default: 'false',
    description:
      'Under each scenario of the verdict table, one row per request of the mix (p95 baseline → fault → after, fault error rate).',
    help: "one row per request of the mix under each scenario's row",
    flag: { commands: ['run', 'judge'] },
  },
  {
    name: 'dir',
    scope: 'command',
    kind: 'value',
    placeholder: 'DIR',
    default: '.',
    description: 'The directory whose compose file is read and where the files are written.',
    flag: { commands: ['init'] },
  },
  {
    name: 'force',
    scope: 'command',
    kind: 'switch',
    default: 'false',
    description: 'Replace chaos-action.yml and the workflow when they exist.',
    flag: { commands: ['init'] },
  },
  {
    name: 'probe',
    scope: 'command',
    kind: 'switch',
    default: 'false',
    description:
      'Start the stack once under a project of its own (removed after) to see what its entry answers: / when it answers 2xx with a body, else a GET its OpenAPI document offers without parameters; those are listed in chaos-action.yml.',
    help: 'start the stack once to see what its entry answers (then remove it)',
    flag: { commands: ['init'] },
  },
  {
    name: 'power',
    scope: 'command',
    kind: 'value',
    placeholder: 'P',
    default: '0.8',
    description: 'The power of the minimal detectable effect (between 0.5 and 1).',
    flag: { commands: ['calibrate'] },
  },
  {
    name: 'namespace',
    scope: 'command',
    kind: 'value',
    placeholder: 'NS',
    default: '',
    description: 'The namespace the system under test runs in (required).',
    flag: { commands: ['render'] },
  },
  {
    name: 'out',
    scope: 'command',
    kind: 'value',
    placeholder: 'DIR',
    default: '',
    description: 'Where to write: one directory per scenario, render.json, README.md (required).',
    flag: { commands: ['render'] },
  },
  {
    name: 'parallelism',
    scope: 'command',
    kind: 'value',
    placeholder: 'N',
    default: '1',
    description: 'k6 runner pods (1 to 1000).',
    flag: { commands: ['render'] },
  },
  {
    name: 'remote-write',
    scope: 'command',
    kind: 'value',
    placeholder: 'URL',
    default: 'http://prometheus.monitoring.svc:9090/api/v1/write',
    description: "Prometheus's remote-write URL for k6.",
    flag: { commands: ['render'] },
  },
  {
    name: 'run-id',
    scope: 'command',
    kind: 'value',
    placeholder: 'ID',
    default: 'chaos-<UTC time>',
    description: "Names the run's resources and the testid tag (a Kubernetes name, at most 40 characters).",
    flag: { commands: ['render'] },
  },
  // ---- `load`: the load generator alone (each maps onto a scenario's load section)
  ...(
    [
      ['url', 'URL', '', 'The URL to load (required).'],
      ['rate', 'RATE', '', 'Open model: a constant arrival rate, e.g. 100/s (with --duration).'],
      ['duration', 'TIME', '', 'How long to load, e.g. 30s.'],
      ['stages', 'STAGES', '', 'Open model in stages: "10/s:10s,100/s:20s".'],
      ['start-rate', 'RATE', '', 'The rate the first stage ramps from.'],
      ['users', 'N', '', 'Closed model: this many users (with --think and --duration).'],
      ['user-stages', 'STAGES', '', 'Closed model in stages: "10:10s,100:20s".'],
      ['think', 'TIME', '1s', "Closed model: each user's pause between requests."],
      ['method', 'METHOD', 'GET (POST with a body)', 'The request method.'],
      ['body', 'TEXT', '', 'A raw request body.'],
      ['header', "'NAME: VALUE'", '', 'A request header (repeatable).'],
      ['expect-body', 'TEXT', '', 'A response counts as success only when its body contains this.'],
      ['timeout', 'TIME', '10s', 'How long a request may take before it counts as an error.'],
      ['warmup', 'TIME', '', 'A warm-up window, reported apart.'],
      ['connections', 'N', '', 'The most connections to keep open.'],
      ['workers', 'N', '1', 'Threads that send (each its own event loop).'],
    ] as const
  ).map(([name, placeholder, fallback, description]): Setting => ({
    name,
    scope: 'command',
    kind: name === 'header' ? 'list' : 'value',
    placeholder,
    default: fallback,
    description,
    flag: { commands: ['load'] },
  })),
  {
    name: 'quiet',
    scope: 'command',
    kind: 'switch',
    default: 'false',
    description: 'Leave out the per-second table.',
    flag: { commands: ['load'] },
  },
];

const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

export function setting(name: string): Setting {
  const found = BY_NAME.get(name);
  if (!found) throw new Error(`no setting named ${name}`);
  return found;
}

/** The settings that are action inputs, in action.yml's order. */
export const inputSettings = (): Setting[] => SETTINGS.filter((s) => s.input !== undefined);

/** The settings a command takes as flags. */
export const flagSettings = (command: CommandName): Setting[] =>
  SETTINGS.filter((s) => s.flag?.commands.includes(command));

/** The run config's settings (RunConfig), each read by its parse. */
export const runSettings = (): Setting[] => SETTINGS.filter((s) => s.scope === 'run');

/** The keys a run config file may hold, with the shape an editor accepts. */
export const fileSettings = (): (Setting & { file: { shape: z.ZodType } })[] =>
  SETTINGS.filter((s): s is Setting & { file: { shape: z.ZodType } } => !!s.file && 'shape' in s.file);

/** Old file keys → their setting. */
export function deprecatedKeys(): Map<string, Setting> {
  const out = new Map<string, Setting>();
  for (const s of SETTINGS) for (const d of s.deprecated ?? []) if (d.key) out.set(d.key, s);
  return out;
}

/** Where a setting may come from, as README's table says it. */
export function sources(s: Setting): string[] {
  return [
    s.input ? 'input' : '',
    s.flag ? `--${s.name}` : '',
    s.file && 'shape' in s.file ? 'file' : '',
  ].filter(Boolean);
}

/** A setting's value from a string or YAML value, or the parse error's message. */
export function parseSetting(name: string, value: unknown): unknown {
  const s = setting(name);
  return s.parse ? s.parse(value) : value;
}
