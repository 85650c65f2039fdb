// Fresh EC2 on-demand prices from the AWS Price List API, in the shape of the bundled tables. The
// only code that talks to AWS here; it takes the client, so tests give it a mock.
// Types only at the top: a runtime import here would make the CLI bundle load the SDK for every command.
import type { PricingClient } from '@aws-sdk/client-pricing';
import { KuberatorError } from '../errors.js';
import type { Ec2Prices } from '../facts/index.js';

interface PriceListItem {
  product?: { attributes?: { instanceType?: string } };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
}

/** Linux, shared tenancy, no pre-installed software, used capacity: the price kuberator estimates with. */
export function ec2PriceFilters(region: string) {
  const f = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
  return [f('regionCode', region), f('operatingSystem', 'Linux'), f('tenancy', 'Shared'), f('preInstalledSw', 'NA'), f('capacitystatus', 'Used'), f('licenseModel', 'No License required')];
}

/** The hourly USD price of one price-list item, or undefined when it has none. */
export function hourlyPrice(item: PriceListItem): number | undefined {
  for (const term of Object.values(item.terms?.OnDemand ?? {})) {
    for (const dim of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dim.pricePerUnit?.USD);
      if (dim.unit === 'Hrs' && Number.isFinite(usd) && usd > 0) return usd;
    }
  }
  return undefined;
}

export async function fetchEc2Prices(client: PricingClient, region: string, today: string): Promise<Ec2Prices> {
  const { GetProductsCommand } = await import('@aws-sdk/client-pricing');
  const source = `aws-price-list-api-${today}`;
  const prices: Ec2Prices['prices'] = {};
  let token: string | undefined;
  let pages = 0;
  do {
    let out;
    try {
      out = await client.send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', Filters: ec2PriceFilters(region), FormatVersion: 'aws_v1', MaxResults: 100, NextToken: token }));
    } catch (e) {
      throw new KuberatorError('KBR-PRICE001', `the AWS Price List API refused the request: ${(e as Error).message}`);
    }
    for (const raw of out.PriceList ?? []) {
      const item = (typeof raw === 'string' ? JSON.parse(raw) : raw) as PriceListItem;
      const type = item.product?.attributes?.instanceType;
      const usd = hourlyPrice(item);
      if (type && usd !== undefined) prices[type] = { usd, source };
    }
    token = out.NextToken;
    if (++pages > 500) throw new KuberatorError('KBR-PRICE002', 'the AWS Price List API kept paging past 500 pages', 'internal');
  } while (token);
  if (Object.keys(prices).length === 0) throw new KuberatorError('KBR-PRICE003', `the AWS Price List API returned no EC2 prices for ${region}`);
  const sorted = Object.fromEntries(Object.keys(prices).sort().map((k) => [k, prices[k]!]));
  return { region, sources: { [source]: { description: 'AWS Price List API (pricing:GetProducts), fetched by kuberator prices update', date: today } }, prices: sorted };
}
