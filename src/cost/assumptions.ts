// The usage assumptions of the cost estimate: stated in spec.cost or defaulted here, and always
// printed with the estimate, so a reader sees what the figure rests on.
import type { ClusterSpec } from '../spec/schema.js';

export interface CostAssumptions {
  natGbPerMonth: number;
  loadBalancerLcus: number;
  interfaceEndpointGbPerMonth: number;
  controlPlaneLogGbPerMonth: number;
  containerLogGbPerMonth: number;
  interAzGbPerMonth: number;
  internetEgressGbPerMonth: number;
  spotDiscountPercent: number;
  spotDiscountByFamily: Record<string, number>;
}

/** Defaults for a modest production cluster; each is a figure to replace with your own. */
export const COST_DEFAULTS: Omit<CostAssumptions, 'spotDiscountByFamily'> = {
  natGbPerMonth: 500,
  loadBalancerLcus: 2,
  interfaceEndpointGbPerMonth: 100,
  controlPlaneLogGbPerMonth: 20,
  containerLogGbPerMonth: 100,
  interAzGbPerMonth: 500,
  internetEgressGbPerMonth: 200,
  // Spot has run 60–70% below on-demand for general-purpose families; 60 stays on the safe side.
  spotDiscountPercent: 60,
};

export function costAssumptions(spec: ClusterSpec): CostAssumptions {
  const c = spec.spec.cost ?? {};
  return {
    natGbPerMonth: c.natGbPerMonth ?? COST_DEFAULTS.natGbPerMonth,
    loadBalancerLcus: c.loadBalancerLcus ?? COST_DEFAULTS.loadBalancerLcus,
    interfaceEndpointGbPerMonth: c.interfaceEndpointGbPerMonth ?? COST_DEFAULTS.interfaceEndpointGbPerMonth,
    controlPlaneLogGbPerMonth: c.controlPlaneLogGbPerMonth ?? COST_DEFAULTS.controlPlaneLogGbPerMonth,
    containerLogGbPerMonth: c.containerLogGbPerMonth ?? COST_DEFAULTS.containerLogGbPerMonth,
    interAzGbPerMonth: c.interAzGbPerMonth ?? COST_DEFAULTS.interAzGbPerMonth,
    internetEgressGbPerMonth: c.internetEgressGbPerMonth ?? COST_DEFAULTS.internetEgressGbPerMonth,
    spotDiscountPercent: c.spotDiscountPercent ?? COST_DEFAULTS.spotDiscountPercent,
    spotDiscountByFamily: c.spotDiscountByFamily ?? {},
  };
}

/** The assumed spot discount for an instance type, by its family (`m6i.large` → m6i). */
export function spotDiscount(a: CostAssumptions, instanceType: string): number {
  return (a.spotDiscountByFamily[instanceType.split('.')[0]!] ?? a.spotDiscountPercent) / 100;
}
