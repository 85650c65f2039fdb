// The alarms stack: CloudWatch alarms for the lessons AWS publishes metrics for, all notifying one
// encrypted SNS topic. CPU credits of burstable node groups (L06), NAT gateway port allocation
// errors and dropped packets (L02), and EBS burst balance when gp2 volumes are used (L07).
import type { Stack } from './cdk.js';
import { EXPORTS, nodeGroupUnits, pascal } from './names.js';
import { type BuildContext, exportOutput, importValue, resourceTags } from './stack.js';

/** Whether the model has anything to alarm on; the stack is rendered only then. */
export function hasAlarms(ctx: BuildContext): boolean {
  const m = ctx.model;
  return m.nodeGroups.some((g) => g.instances.some((t) => t.burstable) || g.volume.type === 'gp2') || (m.network.vpc.mode === 'new' && m.network.nat !== 'none');
}

export function buildAlarmsStack(ctx: BuildContext, stack: Stack): void {
  const { cdk, model: m, names } = ctx;
  const { core, sns, cloudwatch } = cdk;
  const topic = new sns.CfnTopic(stack, 'AlarmTopic', {
    displayName: `${m.name} alarms`,
    kmsMasterKeyId: 'alias/aws/sns',
    tags: resourceTags(m, `${m.name}-alarms`),
  });
  const email = new core.CfnParameter(stack, 'AlarmEmail', { type: 'String', default: '', description: 'Optional address subscribed to the alarm topic' });
  const hasEmail = new core.CfnCondition(stack, 'HasAlarmEmail', { expression: core.Fn.conditionNot(core.Fn.conditionEquals(email.valueAsString, '')) });
  const sub = new sns.CfnSubscription(stack, 'AlarmEmailSubscription', { topicArn: topic.ref, protocol: 'email', endpoint: email.valueAsString });
  sub.cfnOptions.condition = hasEmail;
  exportOutput(ctx, stack, EXPORTS.alarmTopic, topic.ref, 'SNS topic the cluster alarms notify');

  const alarm = (id: string, props: Record<string, unknown>) =>
    new cloudwatch.CfnAlarm(stack, id, { alarmActions: [topic.ref], okActions: [topic.ref], treatMissingData: 'notBreaching', ...props } as never);

  // CPU credits: per Auto Scaling group where kuberator names it (self-managed), else per instance type.
  const burstTypes = new Set<string>();
  for (const unit of nodeGroupUnits(m)) {
    const g = unit.group;
    const burstable = g.instances.filter((t) => t.burstable);
    if (!burstable.length) continue;
    if (g.managed) {
      burstable.forEach((t) => burstTypes.add(t.name));
      continue;
    }
    alarm(`CpuCredits${pascal(unit.key)}`, {
      alarmDescription: `Nodes of ${unit.key} are running out of CPU credits and will be throttled to their baseline (L06)`,
      namespace: 'AWS/EC2',
      metricName: 'CPUCreditBalance',
      dimensions: [{ name: 'AutoScalingGroupName', value: names.asgName(unit) }],
      statistic: 'Minimum',
      period: 300,
      evaluationPeriods: 3,
      threshold: 20,
      comparisonOperator: 'LessThanThreshold',
    });
  }
  for (const type of [...burstTypes].sort()) {
    alarm(`CpuCredits${pascal(type)}`, {
      alarmDescription: `A ${type} instance in this region is running out of CPU credits (managed node groups are watched by instance type) (L06)`,
      namespace: 'AWS/EC2',
      metricName: 'CPUCreditBalance',
      dimensions: [{ name: 'InstanceType', value: type }],
      statistic: 'Minimum',
      period: 300,
      evaluationPeriods: 3,
      threshold: 20,
      comparisonOperator: 'LessThanThreshold',
    });
  }

  if (m.network.vpc.mode === 'new') {
    const natZones = m.network.nat === 'perAz' ? m.network.zones : m.network.nat === 'single' ? [m.network.zones[0]!] : [];
    for (const zone of natZones) {
      const dimensions = [{ name: 'NatGatewayId', value: importValue(ctx, EXPORTS.natGateway(zone)) }];
      alarm(`NatPortAllocation${pascal(zone)}`, {
        alarmDescription: `The NAT gateway in ${zone} could not allocate a source port: connections are failing (L02)`,
        namespace: 'AWS/NATGateway',
        metricName: 'ErrorPortAllocation',
        dimensions,
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
      alarm(`NatPacketsDropped${pascal(zone)}`, {
        alarmDescription: `The NAT gateway in ${zone} is dropping packets (L02)`,
        namespace: 'AWS/NATGateway',
        metricName: 'PacketsDropCount',
        dimensions,
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 2,
        threshold: 100,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
  }

  // gp2 volumes are created by the Auto Scaling groups, so their ids are unknown here: a Metrics
  // Insights query watches the lowest burst balance of every gp2 volume in the region.
  if (m.nodeGroups.some((g) => g.volume.type === 'gp2')) {
    alarm('EbsBurstBalance', {
      alarmDescription: 'A gp2 volume is close to exhausting its burst balance; IO will drop to its baseline (L07)',
      metrics: [{ id: 'burst', expression: 'SELECT MIN(BurstBalance) FROM SCHEMA("AWS/EBS", VolumeId)', period: 300, returnData: true }],
      evaluationPeriods: 2,
      threshold: 20,
      comparisonOperator: 'LessThanThreshold',
    });
  }
}
