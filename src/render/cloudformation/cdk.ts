// aws-cdk-lib, loaded on first use only: `plan` never pays for it, and the CLI bundle leaves it
// out (a runtime require that esbuild does not follow). Only L1 (Cfn*) constructs are used.
import { createRequire } from 'node:module';
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
    loaded = {
      core: req('aws-cdk-lib/core'),
      ec2: req('aws-cdk-lib/aws-ec2'),
      iam: req('aws-cdk-lib/aws-iam'),
      eks: req('aws-cdk-lib/aws-eks'),
      autoscaling: req('aws-cdk-lib/aws-autoscaling'),
      kms: req('aws-cdk-lib/aws-kms'),
      logs: req('aws-cdk-lib/aws-logs'),
      cloudwatch: req('aws-cdk-lib/aws-cloudwatch'),
      sns: req('aws-cdk-lib/aws-sns'),
    };
  }
  return loaded;
}

export type Stack = core.Stack;
