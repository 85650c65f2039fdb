// aws-cdk-lib, loaded on first use only: `plan` never pays for it, and the CLI bundle leaves it
// out (a runtime require that esbuild does not follow). Only L1 (Cfn*) constructs are used, so the
// generated L1 files are required directly: the service index modules would also set up every L2
// construct, a fifth of render's time. aws-cdk-lib is pinned exactly; a test checks these paths.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as core from 'aws-cdk-lib/core';

export interface Cdk {
  core: typeof core;
  ec2: typeof ec2;
  iam: typeof iam;
  eks: typeof eks;
  autoscaling: typeof autoscaling;
  kms: typeof kms;
  logs: typeof logs;
  cloudwatch: typeof cloudwatch;
  sns: typeof sns;
}

let loaded: Cdk | undefined;

export function loadCdk(): Cdk {
  if (!loaded) {
    const req = createRequire(import.meta.url);
    const root = dirname(req.resolve('aws-cdk-lib/package.json'));
    const l1 = (service: string) => req(join(root, `aws-${service}`, 'lib', `${service}.generated.js`));
    loaded = {
      core: req('aws-cdk-lib/core'),
      ec2: l1('ec2'),
      iam: l1('iam'),
      eks: l1('eks'),
      autoscaling: l1('autoscaling'),
      kms: l1('kms'),
      logs: l1('logs'),
      cloudwatch: l1('cloudwatch'),
      sns: l1('sns'),
    };
  }
  return loaded;
}

export type Stack = core.Stack;
