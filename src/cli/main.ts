// argv → command → exit code. The only place that prints errors; never shows a stack trace for
// bad input. Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or input error, 3 internal error.
import { Command, CommanderError, Option } from 'commander';
import { formatIssue, KuberatorError, SpecError } from '../errors.js';
import { COMMANDS, GROUPS } from './commands.js';
import { VERSION } from '../version.js';
import type { CliIo } from './io.js';

export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3 } as const;

/** Runs one command; a command that calls AWS returns a promise, and so does main then. */
export function main(argv: readonly string[], io: CliIo): number | Promise<number> {
  let code: number | Promise<number> = EXIT.ok;
  const program = new Command('kuberator')
    .description('Production Kubernetes on AWS from a short cluster spec')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const groups = new Map<string, Command>();
  for (const c of COMMANDS) {
    // `upgrade plan` is the subcommand `plan` of the group `upgrade`.
    const [head, sub] = c.name.split(' ') as [string, string | undefined];
    let parent = program;
    if (sub !== undefined) {
      parent = groups.get(head) ?? program.command(head).description(GROUPS[head] ?? '').exitOverride();
      groups.set(head, parent);
    }
    const cmd = parent.command(sub ?? head).description(c.summary).exitOverride();
    for (const a of c.args) cmd.argument(a);
    for (const o of c.options) {
      const opt = new Option(o.flags, o.description);
      if (o.choices) opt.choices(o.choices);
      if (o.default !== undefined) opt.default(o.default);
      cmd.addOption(opt);
    }
    cmd.action((...params: unknown[]) => {
      const args = params.slice(0, c.args.length) as string[];
      const opts = params[c.args.length] as Record<string, unknown>;
      code = c.run(args, opts, io);
    });
  }

  try {
    program.parse([...argv], { from: 'user' });
    // Assigned inside the action callback, which the compiler does not follow.
    const result = code as number | Promise<number>;
    return result instanceof Promise ? result.catch((e: unknown) => fail(e, io)) : result;
  } catch (e) {
    return fail(e, io);
  }
}

/** Errors to messages and exit codes; a stack trace only with KUBERATOR_DEBUG. */
function fail(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // --help and --version exit 0; a missing command prints help as an error (exit 2).
    return e.exitCode === 0 ? EXIT.ok : EXIT.input;
  }
  if (e instanceof SpecError) {
    for (const issue of e.issues) io.stderr(formatIssue(e.file, issue) + '\n');
    io.stderr(`${e.issues.length} problem${e.issues.length === 1 ? '' : 's'} in ${e.file}\n`);
    return EXIT.input;
  }
  if (e instanceof KuberatorError && e.source === 'user') {
    io.stderr(`error: ${e.message}\n`);
    return EXIT.input;
  }
  const err = e as Error;
  io.stderr(`internal error: ${err?.message ?? String(e)}\nThis is a bug in kuberator; set KUBERATOR_DEBUG=1 for details.\n`);
  if (io.env.KUBERATOR_DEBUG) io.stderr(`${err?.stack ?? ''}\n`);
  return EXIT.internal;
}
