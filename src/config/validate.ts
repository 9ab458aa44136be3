// `chaos-action validate`: checks scenario files, directories, suites files and run-config files
// without touching Docker. Shared by the CLI and the unit tests, so both see the same messages.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, formatIssue, type ConfigIssue } from './errors';
import { listScenarioDir, loadCatalog, loadScenarioFile, loadSuite } from './load-scenarios';
import { loadRunConfigFile } from './run-config';

export interface ValidateOptions {
  /** The built-in scenarios directory (names a suites file may use), or null. */
  builtinDir: string | null;
  /** The user's scenario directories (`--scenarios-dir`), also names a suites file may use. */
  scenariosDirs?: string[];
}

export interface ValidateReport {
  /** `ok <file> (<name>)` lines. */
  ok: string[];
  /** The same, as data: each file checked and what it held (a scenario's name, `suites: ...`, `run config`). */
  checked: { file: string; what: string }[];
  errors: ConfigIssue[];
  /** Notes such as a user scenario replacing a built-in. */
  notes: string[];
  /** Old names a run config file used (each still works). */
  notices: ConfigIssue[];
}

function passed(report: ValidateReport, file: string, what: string): void {
  report.ok.push(`ok ${file} (${what})`);
  report.checked.push({ file, what });
}

/** A path relative to the working directory when it is inside it (built-ins are found by absolute path). */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const isSuitesFile = (f: string) => /^suites\.ya?ml$/.test(path.basename(f));
const isRunConfigFile = (f: string) =>
  /(^|\.)run-config\.ya?ml$|^chaos-action\.ya?ml$/.test(path.basename(f));

function collect(report: ValidateReport, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) report.errors.push(...error.issues);
    else report.errors.push({ file: null, line: null, field: '', message: (error as Error).message });
  }
}

/** Validates each path; with no paths, the built-ins and the scenarios dirs. */
export function validatePaths(paths: readonly string[], options: ValidateOptions): ValidateReport {
  const report: ValidateReport = { ok: [], checked: [], errors: [], notes: [], notices: [] };
  const dirs = options.scenariosDirs ?? [];
  let known: string[] = [];
  collect(report, () => {
    const catalog = loadCatalog({ builtinDir: options.builtinDir, userDirs: dirs });
    known = [...catalog.scenarios.keys()];
    report.notes.push(...catalog.notes);
    if (paths.length === 0) {
      for (const s of catalog.scenarios.values()) passed(report, displayPath(s.file), s.name);
      for (const [suite, file] of Object.entries(catalog.suiteFiles))
        passed(report, displayPath(file), `suite ${suite}`);
    }
  });
  for (const p of paths) {
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(p);
    } catch {
      report.errors.push({ file: p, line: null, field: '', message: 'no such file or directory' });
      continue;
    }
    if (stat.isDirectory()) {
      collect(report, () => {
        const catalog = loadCatalog({ builtinDir: options.builtinDir, userDirs: [...dirs, p] });
        const inDir = new Set(listScenarioDir(p).files);
        for (const s of catalog.scenarios.values()) if (inDir.has(s.file)) passed(report, s.file, s.name);
        for (const [suite, file] of Object.entries(catalog.suiteFiles)) {
          if (path.dirname(file) === path.normalize(p)) passed(report, file, `suite ${suite}`);
        }
        report.notes.push(...catalog.notes.filter((n) => !report.notes.includes(n)));
      });
    } else if (isSuitesFile(p)) {
      collect(report, () => {
        const siblings: string[] = [];
        for (const f of listScenarioDir(path.dirname(p)).files) {
          try {
            siblings.push(loadScenarioFile(f).name);
          } catch {
            // reported when the file itself is validated
          }
        }
        const suites = loadSuite(p, [...known, ...siblings]);
        passed(report, p, `suites: ${Object.keys(suites).join(', ')}`);
      });
    } else if (isRunConfigFile(p)) {
      collect(report, () => {
        // A run config is read as `run` reads it: from the directory it is in (its paths stay there).
        loadRunConfigFile(p, {}, null, { workdir: path.dirname(path.resolve(p)), notices: report.notices });
        passed(report, p, 'run config');
      });
    } else {
      collect(report, () => {
        const s = loadScenarioFile(p);
        passed(report, p, s.name);
      });
    }
  }
  return report;
}

export function formatReport(report: ValidateReport): string[] {
  return [...report.ok, ...report.notes.map((n) => `note: ${n}`), ...report.errors.map(formatIssue)];
}
