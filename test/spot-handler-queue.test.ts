// Queue mode with a mocked SQS (aws-sdk-client-mock) and the in-memory API: a message about this
// node's instance is deleted only after the drain succeeded, and stays when the drain fails; a
// message about another instance is left alone; Auto Scaling test notifications and unreadable
// messages are deleted. EventBridge shapes follow the documented event formats. An Auto Scaling
// termination hook (mocked Auto Scaling) is completed after a successful drain and before the
// message is deleted, never after a failed drain or in a dry run, and heartbeats run only while the
// drain does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AutoScalingClient, CompleteLifecycleActionCommand, RecordLifecycleActionHeartbeatCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { manualClock } from '../src/daemons/common/clock.js';
import { spotConfig } from '../src/daemons/spot/config.js';
import { SpotHandler } from '../src/daemons/spot/handler.js';
import { spotMetrics } from '../src/daemons/spot/notify.js';
import { instanceFromProviderId } from '../src/daemons/spot/index.js';
import { parseQueueMessage, queueSource } from '../src/daemons/spot/queue.js';
import { fakeKube, pod } from './helpers/fake-kube.js';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/spot-events';
const ME = 'i-0123456789abcdef0';
const OTHER = 'i-0fedcba9876543210';
const T0 = Date.parse('2026-12-04T12:00:00Z');

const spotWarning = (instance: string, id = 'evt-1') =>
  JSON.stringify({
    version: '0',
    id,
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2026-12-04T12:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:ec2:eu-west-1b:instance/${instance}`],
    detail: { 'instance-id': instance, 'instance-action': 'terminate' },
  });
const lifecycleAction = (instance: string, token = 'tok-1') =>
  JSON.stringify({
    version: '0',
    id: 'lc-1',
    'detail-type': 'EC2 Instance-terminate Lifecycle Action',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2026-12-04T12:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x:autoScalingGroupName/spot-asg'],
    detail: { LifecycleActionToken: token, AutoScalingGroupName: 'spot-asg', LifecycleHookName: 'drain-hook', EC2InstanceId: instance, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
  });
const testNotification = JSON.stringify({ AccountId: '123456789012', RequestId: 'r', AutoScalingGroupARN: 'arn', AutoScalingGroupName: 'g', Service: 'AWS Auto Scaling', Event: 'autoscaling:TEST_NOTIFICATION', Time: '2026-12-04T12:00:00Z' });

function setup(messages: Array<{ id: string; body: string }>) {
  const sqs = mockClient(SQSClient);
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages.map((m) => ({ MessageId: m.id, ReceiptHandle: `rh-${m.id}`, Body: m.body })) }).resolves({ Messages: [] });
  sqs.on(DeleteMessageCommand).resolves({});
  const clock = manualClock(T0);
  const kube = fakeKube('n1');
  kube.pods = [pod('a', 'web-1')];
  const source = queueSource({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl: QUEUE, instanceId: ME, now: () => clock.now() });
  const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1', queueUrl: QUEUE }), clock, source, kube, random: () => 0.5 });
  const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
  return { sqs, clock, kube, h, deleted };
}

describe('queue mode', () => {
  test('the message is deleted after the drain succeeded, not before', async () => {
    const { sqs, clock, kube, h, deleted } = setup([{ id: 'm1', body: spotWarning(ME) }]);
    kube.evictionAnswers.set('a/web-1', [429, 429]);
    await h.pollOnce();
    assert.deepEqual(deleted(), [], 'not deleted while the drain runs');
    while (h.outcomes.length === 0) await clock.advance(200);
    await h.idle();
    assert.equal(h.outcomes[0]!.ok, true);
    assert.deepEqual(deleted(), ['rh-m1']);
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    assert.equal(receive.QueueUrl, QUEUE);
    assert.equal(receive.MaxNumberOfMessages, 10);
    sqs.restore();
  });

  test('a failed drain keeps the message for another try', async () => {
    const { sqs, clock, kube, h, deleted } = setup([{ id: 'm1', body: spotWarning(ME) }]);
    kube.evictionAnswers.set('a/web-1', Array(500).fill(429));
    await h.pollOnce();
    while (h.outcomes.length === 0) await clock.advance(500);
    await h.idle();
    assert.equal(h.outcomes[0]!.ok, false);
    assert.deepEqual(deleted(), []);
    assert.equal(h.store.get('spot-itn-evt-1')!.progress, 'failed');
    sqs.restore();
  });

  test('another instance\'s message is left; test notifications and unreadable messages are deleted', async () => {
    const { sqs, kube, h, deleted } = setup([
      { id: 'other', body: spotWarning(OTHER, 'evt-2') },
      { id: 'test', body: testNotification },
      { id: 'junk', body: 'not json' },
      { id: 'unknown', body: JSON.stringify({ 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': ME, state: 'running' } }) },
    ]);
    await h.pollOnce();
    await h.idle();
    assert.deepEqual(deleted().sort(), ['rh-junk', 'rh-test', 'rh-unknown']);
    assert.equal(h.outcomes.length, 0, 'nothing acted on');
    assert.equal(kube.node.spec!.unschedulable, undefined);
    sqs.restore();
  });

  test('dry run deletes nothing and writes nothing', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'rh-m1', Body: spotWarning(ME) }] });
    const clock = manualClock(T0);
    const kube = fakeKube('n1');
    kube.pods = [pod('a', 'web-1')];
    const source = queueSource({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl: QUEUE, instanceId: ME, now: () => clock.now() });
    const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1', queueUrl: QUEUE, dryRun: true }), clock, source, kube });
    await h.pollOnce();
    await h.idle();
    assert.equal(h.outcomes[0]!.dryRun, true);
    assert.deepEqual(h.outcomes[0]!.drain!.pods, ['a/web-1']);
    assert.equal(sqs.commandCalls(DeleteMessageCommand).length, 0);
    assert.deepEqual(kube.calls.filter((c) => !c.startsWith('GET')), []);
    sqs.restore();
  });

  test('message shapes', () => {
    const p = parseQueueMessage(spotWarning(ME));
    assert.equal(p.what, 'event');
    if (p.what === 'event') {
      assert.equal(p.event.kind, 'spot-interruption');
      assert.equal(p.event.deadline, T0 + 120_000);
    }
    const health = parseQueueMessage(JSON.stringify({ id: 'h', 'detail-type': 'AWS Health Event', detail: { service: 'EC2', eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED', startTime: 'Fri, 11 Dec 2026 12:00:00 GMT', affectedEntities: [{ entityValue: ME }] } }));
    assert.equal(health.what === 'event' && health.event.kind, 'scheduled-maintenance');
    const asg = parseQueueMessage(JSON.stringify({ id: 'a', 'detail-type': 'EC2 Instance-terminate Lifecycle Action', detail: { EC2InstanceId: ME, LifecycleActionToken: 'tok', AutoScalingGroupName: 'g', LifecycleHookName: 'h' } }));
    assert.equal(asg.what === 'event' && asg.event.id, 'asg-lifecycle-tok');
    assert.equal(parseQueueMessage(testNotification).what, 'test');
    assert.equal(instanceFromProviderId(`aws:///eu-west-1b/${ME}`), ME);
  });

  describe('Auto Scaling lifecycle hooks', () => {
    const HOOK = { AutoScalingGroupName: 'spot-asg', LifecycleHookName: 'drain-hook', LifecycleActionToken: 'tok-1', InstanceId: ME };

    function hooked(o: { dryRun?: boolean; heartbeatMs?: number; receives?: string[] } = {}) {
      const order: string[] = [];
      const sqs = mockClient(SQSClient);
      const receive = sqs.on(ReceiveMessageCommand);
      for (const rh of o.receives ?? ['rh-m1']) receive.resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: rh, Body: lifecycleAction(ME) }] });
      receive.resolves({ Messages: [] });
      sqs.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle?: string }) => {
        order.push(`delete ${input.ReceiptHandle}`);
        return {};
      });
      const asg = mockClient(AutoScalingClient);
      asg.on(CompleteLifecycleActionCommand).callsFake(() => {
        order.push('complete');
        return {};
      });
      asg.on(RecordLifecycleActionHeartbeatCommand).resolves({});
      const clock = manualClock(T0);
      const kube = fakeKube('n1');
      kube.pods = [pod('a', 'web-1')];
      const metrics = spotMetrics();
      const config = spotConfig({ nodeName: 'n1', queueUrl: QUEUE, dryRun: o.dryRun ?? false, lifecycleHeartbeatIntervalMs: o.heartbeatMs ?? 0, defaultNoticeMs: 600_000 });
      const source = queueSource({
        client: new SQSClient({ region: 'eu-west-1' }),
        autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
        heartbeatIntervalMs: config.lifecycleHeartbeatIntervalMs,
        queueUrl: QUEUE,
        instanceId: ME,
        now: () => clock.now(),
        sleep: (ms, signal) => clock.sleep(ms, signal),
        metrics,
      });
      const h = new SpotHandler({ config, clock, source, kube, metrics, random: () => 0.5 });
      const restore = () => {
        sqs.restore();
        asg.restore();
      };
      return { sqs, asg, clock, kube, h, order, metrics, restore };
    }

    test('a successful drain completes the hook with CONTINUE, then deletes the message', async () => {
      const { asg, clock, kube, h, order, metrics, restore } = hooked();
      kube.evictionAnswers.set('a/web-1', [429]);
      await h.pollOnce();
      assert.deepEqual(order, [], 'nothing completed while the drain runs');
      while (h.outcomes.length === 0) await clock.advance(200);
      await h.idle();
      assert.equal(h.outcomes[0]!.ok, true);
      assert.deepEqual(order, ['complete', 'delete rh-m1']);
      const calls = asg.commandCalls(CompleteLifecycleActionCommand);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0]!.args[0].input, { ...HOOK, LifecycleActionResult: 'CONTINUE' });
      assert.equal(asg.commandCalls(RecordLifecycleActionHeartbeatCommand).length, 0, 'heartbeats are off by default');
      assert.equal(metrics.lifecycleCalls.get({ call: 'complete', status: 'ok' }), 1);
      restore();
    });

    test('a failed drain neither completes the hook nor deletes the message', async () => {
      const { asg, clock, kube, h, order, restore } = hooked();
      kube.evictionAnswers.set('a/web-1', Array(1000).fill(429));
      await h.pollOnce();
      while (h.outcomes.length === 0) await clock.advance(1000);
      await h.idle();
      assert.equal(h.outcomes[0]!.ok, false);
      assert.equal(asg.commandCalls(CompleteLifecycleActionCommand).length, 0);
      assert.deepEqual(order, []);
      restore();
    });

    test('dry run neither completes nor heartbeats', async () => {
      const { asg, clock, h, order, restore } = hooked({ dryRun: true, heartbeatMs: 30_000 });
      await h.pollOnce();
      await h.idle();
      await clock.advance(120_000);
      assert.equal(h.outcomes[0]!.dryRun, true);
      assert.equal(asg.commandCalls(CompleteLifecycleActionCommand).length, 0);
      assert.equal(asg.commandCalls(RecordLifecycleActionHeartbeatCommand).length, 0);
      assert.deepEqual(order, []);
      restore();
    });

    test('heartbeats run every interval during a long drain and stop when it ends', async () => {
      const { asg, clock, kube, h, order, restore } = hooked({ heartbeatMs: 30_000 });
      // Blocked by a disruption budget for about two minutes (3 s between tries), then evicted.
      kube.evictionAnswers.set('a/web-1', Array(40).fill(429));
      await h.pollOnce();
      while (h.outcomes.length === 0) await clock.advance(1000);
      await h.idle();
      assert.equal(h.outcomes[0]!.ok, true);
      const during = asg.commandCalls(RecordLifecycleActionHeartbeatCommand);
      const drain = h.outcomes[0]!.drain!;
      assert.ok(during.length >= 3, `heartbeats during a ${(drain.finishedAt - drain.startedAt) / 1000} s drain: ${during.length}`);
      assert.ok(during.length <= Math.floor((drain.finishedAt - T0) / 30_000), 'no more than one per interval');
      assert.deepEqual(during[0]!.args[0].input, HOOK);
      assert.deepEqual(order, ['complete', 'delete rh-m1']);
      await clock.advance(10 * 60_000);
      assert.equal(asg.commandCalls(RecordLifecycleActionHeartbeatCommand).length, during.length, 'none after the drain');
      restore();
    });

    test('a failed completion keeps the message; a later "no active lifecycle action" counts as done', async () => {
      const { asg, clock, h, order, metrics, restore } = hooked({ receives: ['rh-m1', 'rh-m1-again'] });
      asg
        .on(CompleteLifecycleActionCommand)
        .rejectsOnce(new Error('Rate exceeded'))
        .rejectsOnce(Object.assign(new Error(`No active Lifecycle Action found with instance ID ${ME}`), { name: 'ValidationError' }));
      await h.pollOnce();
      while (h.outcomes.length === 0) await clock.advance(200);
      await h.idle();
      assert.equal(h.outcomes[0]!.ok, true);
      assert.deepEqual(order, [], 'the message stays after a failed completion');
      assert.equal(metrics.lifecycleCalls.get({ call: 'complete', status: 'error' }), 1);
      // The message comes back after its visibility timeout; only the acknowledgement is retried.
      await h.pollOnce();
      await h.idle();
      assert.equal(h.outcomes.length, 1, 'not drained again');
      assert.equal(asg.commandCalls(CompleteLifecycleActionCommand).length, 2);
      assert.deepEqual(order, ['delete rh-m1-again']);
      assert.equal(metrics.lifecycleCalls.get({ call: 'complete', status: 'inactive' }), 1);
      restore();
    });
  });
});
