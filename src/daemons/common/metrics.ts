// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format 0.0.4 (what /metrics serves). Families and series are written in the order
// they were first created, so the output is stable.

export type Labels = Record<string, string>;
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  labelNames: readonly string[];
  render(): string[];
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** Observations so far for these labels. */
  count(labels?: Labels): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const DEFAULT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class Registry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const series = this.add<number>(name, help, 'counter', labelNames);
    return {
      inc: (labels = {}, by = 1) => {
        if (!(by >= 0)) throw new RangeError(`counter ${name} can only go up, got ${by}`);
        const s = series.at(labels);
        s.value = (s.value ?? 0) + by;
      },
      get: (labels = {}) => series.peek(labels) ?? 0,
    };
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const series = this.add<number>(name, help, 'gauge', labelNames);
    return {
      set: (value, labels = {}) => {
        series.at(labels).value = value;
      },
      inc: (labels = {}, by = 1) => {
        const s = series.at(labels);
        s.value = (s.value ?? 0) + by;
      },
      get: (labels = {}) => series.peek(labels) ?? 0,
    };
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DEFAULT_BUCKETS): Histogram {
    if (labelNames.includes('le')) throw new RangeError(`histogram ${name} may not use the label "le"`);
    const bounds = [...buckets].sort((a, b) => a - b);
    const series = this.add<{ counts: number[]; sum: number; count: number }>(name, help, 'histogram', labelNames, (key, v) => {
      const lines: string[] = [];
      let cumulative = 0;
      bounds.forEach((b, i) => {
        cumulative += v.counts[i]!;
        lines.push(`${name}_bucket${labelText([...key, ['le', formatNumber(b)]])} ${cumulative}`);
      });
      lines.push(`${name}_bucket${labelText([...key, ['le', '+Inf']])} ${v.count}`);
      lines.push(`${name}_sum${labelText(key)} ${formatNumber(v.sum)}`);
      lines.push(`${name}_count${labelText(key)} ${v.count}`);
      return lines;
    });
    return {
      observe: (value, labels = {}) => {
        const s = series.at(labels);
        s.value ??= { counts: bounds.map(() => 0), sum: 0, count: 0 };
        const i = bounds.findIndex((b) => value <= b);
        if (i >= 0) s.value.counts[i]!++;
        s.value.sum += value;
        s.value.count++;
      },
      count: (labels = {}) => series.peek(labels)?.count ?? 0,
    };
  }

  /** The exposition text: HELP and TYPE per family, one line per series. */
  render(): string {
    const lines: string[] = [];
    for (const f of this.families.values()) {
      lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  private add<V>(name: string, help: string, type: Family['type'], labelNames: readonly string[], renderOne?: (key: Array<[string, string]>, v: V) => string[]) {
    if (!NAME.test(name)) throw new RangeError(`metric name "${name}" is not valid`);
    if (this.families.has(name)) throw new RangeError(`metric ${name} is registered twice`);
    for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__')) throw new RangeError(`label name "${l}" of ${name} is not valid`);
    const rows = new Map<string, { key: Array<[string, string]>; value?: V }>();
    const keyOf = (labels: Labels): Array<[string, string]> => {
      for (const k of Object.keys(labels)) if (!labelNames.includes(k)) throw new RangeError(`metric ${name} has no label "${k}" (labels: ${labelNames.join(', ') || 'none'})`);
      return labelNames.map((l) => [l, labels[l] ?? '']);
    };
    const series = {
      at(labels: Labels) {
        const key = keyOf(labels);
        const id = JSON.stringify(key);
        let row = rows.get(id);
        if (!row) rows.set(id, (row = { key }));
        return row;
      },
      peek(labels: Labels): V | undefined {
        return rows.get(JSON.stringify(keyOf(labels)))?.value;
      },
    };
    this.families.set(name, {
      name,
      help,
      type,
      labelNames,
      render: () =>
        [...rows.values()].flatMap((r) => {
          if (r.value === undefined) return [];
          return renderOne ? renderOne(r.key, r.value) : [`${name}${labelText(r.key)} ${formatNumber(r.value as number)}`];
        }),
    });
    return series;
  }
}

function labelText(pairs: Array<[string, string]>): string {
  const shown = pairs.filter(([k, v]) => v !== '' || k === 'le');
  if (!shown.length) return '';
  return `{${shown.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
