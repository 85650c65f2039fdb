// Everything `kuberator render` writes, as relative path → content: the CloudFormation templates
// (cloudformation/) and the GitOps tree of the in-cluster platform (kubernetes/<environment>/).
// Pure apart from loading aws-cdk-lib; the CLI writes the files.
import type { PlanResult } from '../plan.js';
import { renderCloudFormation } from './cloudformation/index.js';
import { renderKubernetes } from './kubernetes/index.js';

export function renderFiles(r: PlanResult): Record<string, string> {
  const cfn = renderCloudFormation(r.model, r.capacity);
  const files: Record<string, string> = { 'cloudformation/README.md': cfn.readme };
  for (const s of cfn.stacks) {
    files[`cloudformation/${s.kind}.template.json`] = JSON.stringify(s.template, null, 2) + '\n';
    if (s.parameters.length) files[`cloudformation/${s.kind}.parameters.json`] = JSON.stringify(s.parameters, null, 2) + '\n';
  }
  return { ...files, ...renderKubernetes(r.model, r.capacity) };
}
