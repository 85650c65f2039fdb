// Pinned Helm chart versions per Kubernetes minor (data/helm-charts.json, curated from the charts'
// own Chart.yaml files; provenance in data/SOURCES.md).
import { readFileSync } from 'node:fs';
import { DATA_DIR } from './index.js';

interface ChartEntry {
  repository: { name: string; url: string };
  chart: string;
  versions: Array<{ version: string; appVersion: string | null; kubeVersion: string | null; source: string }>;
  pin: Record<string, string>;
  notes?: string;
}

interface ChartsFile {
  charts: Record<string, ChartEntry>;
  clusterAutoscalerImage: Record<string, { tag: string; source: string }>;
}

export interface ChartPin {
  key: string;
  repository: { name: string; url: string };
  chart: string;
  version: string;
  appVersion: string | null;
}

let cached: ChartsFile | undefined;
function charts(): ChartsFile {
  cached ??= JSON.parse(readFileSync(`${DATA_DIR}helm-charts.json`, 'utf8')) as ChartsFile;
  return cached;
}

/** The chart version pinned for a Kubernetes minor, or undefined when none is. */
export function chartFor(key: string, minor: string): ChartPin | undefined {
  const c = charts().charts[key];
  const version = c?.pin[minor];
  if (!c || !version) return undefined;
  return { key, repository: c.repository, chart: c.chart, version, appVersion: c.versions.find((v) => v.version === version)?.appVersion ?? null };
}

/** cluster-autoscaler's image tag: its minor must equal the cluster's (L18, L25). */
export function clusterAutoscalerImageTag(minor: string): string | undefined {
  return charts().clusterAutoscalerImage[minor]?.tag;
}
