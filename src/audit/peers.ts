// Peer checks kuberator deliberately does not cover, with the reason. Together with the rules'
// `equivalents`, this accounts for every built-in check of the peers (docs/audit.md is generated
// from both, and a test fails when a Polaris check is neither mapped nor listed here).
export const POLARIS_NOT_COVERED: Readonly<Record<string, string>> = {
  pullPolicyNotAlways: 'Pulling on every start makes each pod start depend on the registry; immutable, pinned tags (workload/image-tag) give the same guarantee without the outage risk.',
  metadataAndInstanceMismatched: 'A labelling convention (app.kubernetes.io/instance equals the name) with no effect on availability, security or cost.',
  oneController: 'A Polaris-internal check on owner references of live pods; kuberator audits each workload once, at its top controller.',
  priorityClassNotSet: 'kuberator gives its platform add-ons priority classes above the default, so application pods at the default priority are the intended order (the platform is preempted last); a class on every app is a policy choice, not a production risk.',
  resourceRange: 'A test-only custom check in the Polaris suite, not a built-in.',
  nakedPod: 'Not a Polaris built-in: its fixture folder tests a custom label-matching check (check.yaml) that happens to carry this name. Pods without a controller are covered by workload/bare-pod.',
};
