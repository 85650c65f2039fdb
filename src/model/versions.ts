// Kubernetes minors and EKS add-on versions as numbers: the skew policy and version order shared
// by the version rules and the upgrade planner. Pure.

/** `1.33` → 33. */
export function minorOf(v: string): number {
  return Number(v.split('.')[1]);
}

/** How many minors kubelets (and kube-proxy) may trail the API server: 3 from 1.28 on, 2 before. */
export function maxSkew(controlPlane: string): number {
  return minorOf(controlPlane) >= 28 ? 3 : 2;
}

export interface AddonVersion {
  major: number;
  minor: number;
  patch: number;
  /** The N of `-eksbuild.N`; absent for a plain upstream tag. */
  build?: number;
}

/** `v1.11.4-eksbuild.33` → its numbers; undefined for anything else. */
export function parseAddonVersion(v: string): AddonVersion | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), ...(m[4] !== undefined ? { build: Number(m[4]) } : {}) };
}

/** The upstream release of an add-on version: `v1.11.4-eksbuild.33` → `v1.11.4`. */
export function upstreamOf(v: string): string {
  return v.replace(/-eksbuild\.\d+$/, '');
}

/**
 * Orders two add-on versions by release, then by EKS build. A plain upstream tag and a build of
 * the same release compare equal: the tag does not say which build it stands for.
 */
export function compareAddonVersions(a: string, b: string): number {
  const x = parseAddonVersion(a);
  const y = parseAddonVersion(b);
  if (!x || !y) return 0;
  const release = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (release !== 0 || x.build === undefined || y.build === undefined) return release;
  return x.build - y.build;
}
