// Configuration errors that point at the place to fix: `file:line: field: message`.
// Every loader in src/config throws ConfigError; the CLI prints its lines and exits 2.
import { readFileSync } from 'node:fs';

export interface ConfigIssue {
  /** The file as the user named it (or a label such as "input service-map"); null when unknown. */
  file: string | null;
  /** 1-based line in the file; null when the file has no lines (action inputs, flags). */
  line: number | null;
  /** The field path as written in messages: `thresholds[1]`, `load.stages[0].rate`; '' for the whole file. */
  field: string;
  message: string;
}

/** `file:line: field: message`, leaving out what is unknown. */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.file === null ? '' : issue.line === null ? `${issue.file}: ` : `${issue.file}:${issue.line}: `;
  const field = issue.field ? `${issue.field}: ` : '';
  return `${where}${field}${issue.message}`;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }

  static single(file: string | null, line: number | null, field: string, message: string): ConfigError {
    return new ConfigError([{ file, line, field, message }]);
  }
}

/** `a.b[2].c` from a path of keys and indexes. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** A configuration file's text, or a ConfigError naming the file and why it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw ConfigError.single(
      file,
      null,
      '',
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
