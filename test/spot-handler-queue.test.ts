// Queue mode with a mocked SQS (aws-sdk-client-mock) and the in-memory API: a message about this
// node's instance is deleted only after the drain succeeded, and stays when the drain fails; a
// message about another instance is left alone; Auto Scaling test notifications and unreadable
// messages are deleted. EventBridge shapes follow the documented event formats.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { manualClock } from '../src/daemons/common/clock.js';
import { spotConfig } from '../src/daemons/spot/config.js';
import { SpotHandler } from '../src/daemons/spot/handler.js';
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
});
