// Pod lifecycle (L31): Jobs that can finish, no Pods nobody reschedules, CronJobs that do not
// fire arbitrarily late, and StatefulSets that get a moment to shut down.
import { asRecord, podTemplate } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { WorkloadRule } from '../types.js';
import { at } from './common.js';

const JOB_POLICIES = new Set(['Never', 'OnFailure']);
const isJobLike = (o: KubeObject) => (o.kind === 'Job' || o.kind === 'CronJob') && podTemplate(o) !== undefined;

/** The CronJob controller checks schedules about every 10 s; a shorter deadline can skip runs. */
const MIN_STARTING_DEADLINE = 10;

export const lifecycleRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/job-restart-policy',
    severity: 'error',
    lessons: ['L31'],
    equivalents: ['kube-score:cronjob-restartpolicy'],
    title: 'Job without restartPolicy Never or OnFailure',
    why: 'A Job’s pods must be allowed to finish: the API server rejects a Job whose pod template restarts Always (the default when the field is unset), so the manifest fails to apply.',
    fix: 'Set restartPolicy: OnFailure (retry in the same pod) or Never (a new pod per retry, logs of failed attempts kept) in the Job’s pod template, and bound retries with backoffLimit.',
    appliesTo: isJobLike,
    check: (o) => {
      const t = podTemplate(o)!;
      const rp = t.spec.restartPolicy;
      if (typeof rp === 'string' && JOB_POLICIES.has(rp)) return [];
      if (rp === undefined || rp === null) return [{ path: t.path, message: `${o.kind} '${o.name}' sets no restartPolicy in its pod template; the pod default Always is not allowed for Jobs` }];
      return [{ path: at(t.path, 'restartPolicy'), message: `${o.kind} '${o.name}' has restartPolicy ${String(rp)}; Jobs take Never or OnFailure` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/bare-pod',
    severity: 'warning',
    lessons: ['L31'],
    equivalents: ['hardeneks:avoid_running_singleton_pods'],
    title: 'Pod not managed by a controller',
    why: 'A bare Pod is never recreated: when its node is drained, upgraded, reclaimed by spot or simply fails, the pod is gone until someone applies it again.',
    fix: 'Run long-lived processes as a Deployment (or StatefulSet), and one-off tasks as a Job.',
    appliesTo: (o) => o.kind === 'Pod',
    check: (o) => {
      const meta = asRecord(o.raw.metadata);
      const owners = meta?.ownerReferences;
      if (Array.isArray(owners) && owners.length) return [];
      if (o.annotations['helm.sh/hook'] !== undefined) return []; // Helm hooks and tests are one-off by design
      const rp = asRecord(o.raw.spec)?.restartPolicy;
      const oneOff = rp === 'Never' || rp === 'OnFailure';
      return [
        {
          path: 'kind',
          message: oneOff
            ? `Pod '${o.name}' is not managed by a controller: if its node goes away before it finishes, nothing runs it again; run it as a Job`
            : `Pod '${o.name}' is not managed by a controller: when its node is drained or fails, nothing recreates it; run it as a Deployment`,
        },
      ];
    },
  },
  {
    scope: 'workload',
    id: 'workload/cronjob-deadline',
    severity: 'warning',
    lessons: [],
    equivalents: ['kube-score:cronjob-has-deadline'],
    title: 'CronJob without a starting deadline',
    why: 'Without startingDeadlineSeconds, a run missed while the CronJob controller was unavailable (a control-plane upgrade, an outage) starts whenever the controller returns, however late, and the controller has to count every missed schedule since the last run.',
    fix: 'Set spec.startingDeadlineSeconds to how late a run may still usefully start (for example 300 for a job every few minutes, 3600 for a nightly one); 10 seconds or more.',
    appliesTo: (o) => o.kind === 'CronJob',
    check: (o) => {
      const d = asRecord(o.raw.spec)?.startingDeadlineSeconds;
      if (d === undefined || d === null) return [{ path: 'spec', message: `CronJob '${o.name}' sets no startingDeadlineSeconds: a missed run may start arbitrarily late` }];
      if (typeof d === 'number' && d < MIN_STARTING_DEADLINE) {
        return [{ path: 'spec.startingDeadlineSeconds', message: `CronJob '${o.name}' has startingDeadlineSeconds ${d}: below ${MIN_STARTING_DEADLINE} the controller, which checks about every 10 seconds, can miss the window and skip runs` }];
      }
      return [];
    },
  },
  {
    scope: 'workload',
    id: 'workload/termination-grace',
    severity: 'warning',
    lessons: ['L40'],
    equivalents: ['eksup:K8S007'],
    title: 'StatefulSet whose pods get no time to shut down',
    why: 'With terminationGracePeriodSeconds 0 every drain, upgrade or rolling update kills the pods outright: a database cannot flush or hand over leadership, and data or quorum can be lost.',
    fix: 'Remove terminationGracePeriodSeconds (default 30) or set it to the time the process needs to shut down cleanly.',
    appliesTo: (o) => o.kind === 'StatefulSet' && podTemplate(o) !== undefined,
    check: (o) => {
      const t = podTemplate(o)!;
      const grace = asRecord(t.spec)?.terminationGracePeriodSeconds;
      if (grace !== 0) return [];
      return [{ path: at(t.path, 'terminationGracePeriodSeconds'), message: `StatefulSet '${o.name}' sets terminationGracePeriodSeconds 0: its pods are killed without a chance to shut down cleanly` }];
    },
  },
];
