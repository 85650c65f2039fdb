// Typed errors. The library throws these; the CLI turns them into messages and exit codes.
// `source: 'user'` means the input was wrong (exit 2); 'internal' means a bug in kuberator.

export interface Location {
  file: string;
  line: number;
  col: number;
}

export interface SpecIssue {
  /** Spec path such as `spec.nodeGroups[1].maxSize`. */
  path: string;
  message: string;
  location?: Location;
}

export class KuberatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly source: 'user' | 'internal' = 'user',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The spec could not be read, parsed or validated. Carries every issue found, not just the first. */
export class SpecError extends KuberatorError {
  constructor(
    readonly file: string,
    readonly issues: SpecIssue[],
  ) {
    super('KBR-SPEC001', `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the cluster spec`);
  }
}

export function formatIssue(file: string, issue: SpecIssue): string {
  const where = issue.location ? `${issue.location.file}:${issue.location.line}:${issue.location.col}` : file;
  return `${where}: ${issue.path}: ${issue.message}`;
}
