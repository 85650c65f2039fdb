// Turning the chosen nodes into the result: node counts by type, idle capacity and its cost, and
// which workloads' pods go on each node.

import type { PackerAssignment, PackerInput } from './types.js';
import type { Bin, Kind, Shapes } from './model.js';

// ---------- result ----------

export function assemble(input: PackerInput, kinds: Kind[], sh: Shapes, bins: Bin[], withAssignments: boolean) {
  const ordered = bins.slice().sort((a, b) => kinds[a.kind]!.type - kinds[b.kind]!.type);
  const counts = new Map<number, number>();
  for (const b of ordered) counts.set(b.kind, (counts.get(b.kind) ?? 0) + 1);
  const nodes = [...counts.entries()].map(([k, count]) => ({ instanceType: kinds[k]!.name, count }));
  let wasteCpu = 0;
  let wasteMem = 0;
  let wasteUsd = 0;
  const ds = input.daemonSet;
  for (const b of ordered) {
    const k = kinds[b.kind]!;
    const idleCpu = Math.max(0, k.allocCpu - ds.cpuMillicores - b.cpu);
    const idleMem = Math.max(0, k.allocMem - ds.memoryMiB - b.mem);
    wasteCpu += idleCpu;
    wasteMem += idleMem;
    wasteUsd += (k.price / 2) * ((k.allocCpu > 0 ? idleCpu / k.allocCpu : 0) + (k.allocMem > 0 ? idleMem / k.allocMem : 0));
  }
  let assignments: PackerAssignment[] | undefined;
  if (withAssignments) {
    // Hand out each shape's replicas to its workloads in input order, node by node.
    const cursor = sh.owners.map(() => ({ at: 0, used: 0 }));
    assignments = ordered.map((b) => {
      const pods = new Map<string, number>();
      for (const [s, q0] of [...b.items.entries()].sort((x, y) => x[0] - y[0])) {
        let q = q0;
        const cur = cursor[s]!;
        while (q > 0) {
          const o = sh.owners[s]![cur.at]!;
          const take = Math.min(q, o.count - cur.used);
          pods.set(o.name, (pods.get(o.name) ?? 0) + take);
          q -= take;
          cur.used += take;
          if (cur.used === o.count) {
            cur.at++;
            cur.used = 0;
          }
        }
      }
      const k = kinds[b.kind]!;
      return {
        instanceType: k.name,
        pods: [...pods.entries()].map(([name, count]) => ({ name, count })),
        free: { cpuMillicores: k.cpu - b.cpu, memoryMiB: k.mem - b.mem, pods: k.pods - b.pods },
      };
    });
  }
  return { nodes, nodeCount: ordered.length, waste: { cpuMillicores: wasteCpu, memoryMiB: wasteMem, usd: wasteUsd }, assignments };
}
