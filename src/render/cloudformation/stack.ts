// Shared plumbing for the stack builders: the build context, tags, exported outputs, and turning a
// stack into a plain template with no CDK metadata, bootstrap rule or asset parameter.
import type { ClusterCapacity } from '../../capacity/index.js';
import type { ResolvedCluster } from '../../model/types.js';
import type { Cdk, Stack } from './cdk.js';
import { EXPORTS, type Names } from './names.js';
import { kmsKeyPolicy } from './policies.js';


export interface BuildContext {
  cdk: Cdk;
  model: ResolvedCluster;
  capacity: ClusterCapacity;
  names: Names;
  app: InstanceType<Cdk['core']['App']>;
}

export const TEMPLATE_VERSION = '2010-09-09';

export function newStack(ctx: BuildContext, kind: string, description: string): Stack {
  const { core } = ctx.cdk;
  return new core.Stack(ctx.app, kind, {
    stackName: ctx.names.stackName(kind),
    description: `${description} (kuberator, cluster ${ctx.model.name})`,
    // No bootstrap stack, no assets, no version rule: a template anyone can launch from the console.
    synthesizer: new core.BootstraplessSynthesizer({}),
    analyticsReporting: false,
  });
}

/** Tags on every taggable resource: a Name, the cluster, and the spec's metadata.tags. */
export function resourceTags(m: ResolvedCluster, name: string, extra: Record<string, string> = {}): Array<{ key: string; value: string }> {
  const all: Record<string, string> = { ...m.tags, Name: name, 'kuberator.dev/cluster': m.name, ...extra };
  return Object.keys(all)
    .sort()
    .map((key) => ({ key, value: all[key]! }));
}

/** An output exported as `<cluster>-<key>`, for later stacks and the Kubernetes side. */
export function exportOutput(ctx: BuildContext, stack: Stack, key: string, value: string, description: string): void {
  // Outputs and resources are separate namespaces in a template, but not among constructs.
  new ctx.cdk.core.CfnOutput(stack, `Output${key}`, { value, description, exportName: ctx.names.exportName(key) }).overrideLogicalId(key);
}

/** A managed-policy ARN (an Fn::Sub over the partition) as a CDK string token. */
export function managedPolicy(ctx: BuildContext, p: { 'Fn::Sub': string | [string, Record<string, unknown>] }): string {
  const sub = p['Fn::Sub'];
  return typeof sub === 'string' ? ctx.cdk.core.Fn.sub(sub) : ctx.cdk.core.Fn.sub(sub[0], sub[1] as Record<string, string>);
}

/** A customer KMS key (rotated) that CloudWatch Logs may use for this account's log groups; returns its ARN. */
export function logsKmsKey(ctx: BuildContext, stack: Stack, description: string): string {
  const key = new ctx.cdk.kms.CfnKey(stack, 'LogsKey', {
    description,
    enableKeyRotation: true,
    keyPolicy: kmsKeyPolicy({ forLogs: true }),
    tags: resourceTags(ctx.model, `${ctx.model.name}-logs`),
  });
  return key.attrArn;
}

/** The value another stack exported. */
export function importValue(ctx: BuildContext, key: string): string {
  return ctx.cdk.core.Fn.importValue(ctx.names.exportName(key));
}

/** The stack as a plain CloudFormation template. */
export function toTemplate(stack: Stack): Record<string, unknown> {
  const raw = (stack as unknown as { _toCloudFormation(): Record<string, unknown> })._toCloudFormation();
  return { AWSTemplateFormatVersion: TEMPLATE_VERSION, ...raw };
}

export { EXPORTS };
