// Options that several commands take, described once. (A module of its own: the command files
// import it, and commands.ts imports the command files.)

export interface OptionSpec {
  flags: string;
  description: string;
  choices?: string[];
  default?: string;
}

export const dateOption: OptionSpec = { flags: '--date <YYYY-MM-DD>', description: 'planning date for support windows (default: today)' };

/** How `--live` finds the cluster to read. */
export const liveClusterOptions: OptionSpec[] = [
  { flags: '--kubeconfig <file>', description: 'kubeconfig for --live (default: $KUBECONFIG or ~/.kube/config)' },
  { flags: '--context <name>', description: 'kubeconfig context for --live' },
];

export const includeSystemOption: OptionSpec = { flags: '--include-system', description: 'with --live: include kube-system and the other kube-* namespaces' };

/** How a daemon finds its cluster: in a pod without a kubeconfig, through its service account. */
export const daemonClusterOptions: OptionSpec[] = [
  { flags: '--kubeconfig <file>', description: 'kubeconfig (default: $KUBECONFIG, else ~/.kube/config, else the pod’s service account)' },
  { flags: '--context <name>', description: 'kubeconfig context' },
];
