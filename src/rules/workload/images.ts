// Container images (L37): a tag that moves under you, and Alpine releases whose musl resolver
// ignores the cluster's DNS search domains.
import type { WorkloadRule } from '../types.js';
import { at, eachContainer, hasPods } from './common.js';

/** An image reference split into repository, tag and digest (registry ports are not tags). */
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const atSign = image.indexOf('@');
  const digest = atSign === -1 ? undefined : image.slice(atSign + 1);
  const name = atSign === -1 ? image : image.slice(0, atSign);
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/');
  return {
    repository: tagged ? name.slice(0, colon) : name,
    ...(tagged ? { tag: name.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Alpine up to and including this release has the musl resolver that skips search domains. */
const LAST_BROKEN_ALPINE: readonly [number, number] = [3, 3];

function isAncientAlpine(major: number, minor: number): boolean {
  return major < LAST_BROKEN_ALPINE[0] || (major === LAST_BROKEN_ALPINE[0] && minor <= LAST_BROKEN_ALPINE[1]);
}

/** The Alpine release an image is built on, when its name or tag says so: `alpine:3.3`, `node:4-alpine3.2`. */
export function alpineRelease(ref: ImageRef): string | undefined {
  if (!ref.tag) return undefined;
  const last = ref.repository.slice(ref.repository.lastIndexOf('/') + 1);
  const m = last === 'alpine' ? /^v?(\d+)\.(\d+)(?:$|[.\-_])/.exec(ref.tag) : /(?:^|[-_])alpine-?(\d+)\.(\d+)(?:$|[.\-_])/.exec(ref.tag);
  if (!m) return undefined;
  return isAncientAlpine(Number(m[1]), Number(m[2])) ? `${m[1]}.${m[2]}` : undefined;
}

export const imageRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/image-tag',
    severity: 'error',
    lessons: ['L37'],
    equivalents: ['polaris:tagNotSpecified', 'kube-score:container-image-tag', 'kube-linter:latest-tag'],
    title: 'Image without a pinned tag',
    why: 'An image without a tag, or tagged latest, changes whenever someone pushes: two replicas of one Deployment can run different code, and a rollback pulls the same broken build again.',
    fix: 'Pin every image to a release tag (nginx:1.27.2), or better to a digest (@sha256:…), and bump it deliberately.',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const image = c.container.image;
          if (typeof image !== 'string' || !image.trim()) return undefined;
          const ref = parseImage(image.trim());
          if (ref.digest) return undefined;
          const kind = c.init ? 'init container' : 'container';
          if (ref.tag === undefined || ref.tag === '') return { path: at(c.path, 'image'), message: `${kind} '${c.name}' uses image '${image}' without a tag, so it pulls whatever latest is today` };
          if (ref.tag === 'latest') return { path: at(c.path, 'image'), message: `${kind} '${c.name}' uses image '${image}': latest moves with every push` };
          return undefined;
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/old-alpine',
    severity: 'warning',
    lessons: ['L37'],
    equivalents: [],
    title: 'Image on Alpine 3.3 or older',
    why: 'The musl resolver in Alpine 3.3 and older ignores the search domains in resolv.conf, so short names such as my-service or my-service.my-namespace never resolve inside the cluster.',
    fix: 'Rebuild the image on a current Alpine release (3.18 or later), or use fully qualified service names (my-service.my-namespace.svc.cluster.local.) until you can.',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const image = c.container.image;
          if (typeof image !== 'string') return undefined;
          const release = alpineRelease(parseImage(image.trim()));
          return release ? { path: at(c.path, 'image'), message: `${c.init ? 'init container' : 'container'} '${c.name}' runs '${image}', built on Alpine ${release}, whose resolver ignores DNS search domains` } : undefined;
        },
        { init: true },
      ),
  },
];
