// prices update against a mocked AWS Price List API (aws-sdk-client-mock): paging, parsing, the
// cache file, and the cache overriding the bundled prices in estimates.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { fetchEc2Prices, hourlyPrice } from '../src/prices/update.js';
import { runCliAsync, runCli } from './helpers/run-cli.js';

const item = (instanceType: string, usd: string) =>
  JSON.stringify({
    product: { attributes: { instanceType, operatingSystem: 'Linux' } },
    terms: { OnDemand: { 'X.JRTCKXETXF': { priceDimensions: { 'X.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: usd } } } } } },
  });

describe('prices update', () => {
  test('pages through the Price List and keeps Linux on-demand hourly prices', async () => {
    const mock = mockClient(PricingClient);
    mock.on(GetProductsCommand).resolvesOnce({ PriceList: [item('m5.large', '0.1070000000'), item('t3.micro', '0.0114')], NextToken: 'page2' }).resolvesOnce({ PriceList: [item('m6i.large', '0.1070000000'), item('weird', '0.0000000000')] });
    const prices = await fetchEc2Prices(new PricingClient({ region: 'us-east-1' }), 'eu-west-1', '2026-11-22');
    assert.deepEqual(Object.keys(prices.prices), ['m5.large', 'm6i.large', 't3.micro']);
    assert.deepEqual(prices.prices['m5.large'], { usd: 0.107, source: 'aws-price-list-api-2026-11-22' });
    const calls = mock.commandCalls(GetProductsCommand);
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.args[0].input.NextToken, 'page2');
    assert.deepEqual(calls[0]!.args[0].input.Filters!.find((f) => f.Field === 'regionCode'), { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' });
    mock.restore();
  });
  test('a refused request is a clear error, not a stack trace', async () => {
    const mock = mockClient(PricingClient);
    mock.on(GetProductsCommand).rejects(new Error('UnrecognizedClientException: The security token included in the request is invalid'));
    const dir = mkdtempSync(join(tmpdir(), 'kbr-prices-'));
    const r = await runCliAsync(['prices', 'update', '--region', 'eu-west-1', '--cache-dir', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: the AWS Price List API refused the request: UnrecognizedClientException/);
    assert.equal(existsSync(join(dir, 'ec2-prices-eu-west-1.json')), false, 'nothing written');
    mock.restore();
  });
  test('the cache file overrides the bundled prices in cost estimates', async () => {
    const mock = mockClient(PricingClient);
    mock.on(GetProductsCommand).resolves({ PriceList: [item('m5.large', '0.5')] });
    const dir = mkdtempSync(join(tmpdir(), 'kbr-prices-'));
    const r = await runCliAsync(['prices', 'update', '--region', 'us-east-1', '--cache-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 1 EC2 prices for us-east-1/);
    assert.equal((JSON.parse(readFileSync(join(dir, 'ec2-prices-us-east-1.json'), 'utf8')) as { region: string }).region, 'us-east-1');
    process.env.KUBERATOR_CACHE_DIR = dir;
    const spec = 'apiVersion: kuberator.dev/v1alpha1\nkind: Cluster\nmetadata: { name: c }\nspec:\n  region: us-east-1\n  kubernetesVersion: "1.35"\n  nodeGroups: [{ name: s, role: system, instanceTypes: [m5.large], minSize: 1, maxSize: 1 }]\n';
    const cost = runCli(['cost', 's.yaml', '-o', 'json'], { files: { 's.yaml': spec } });
    const nodes = (JSON.parse(cost.stdout) as { items: Array<{ category: string; unitPriceUsd: number; source: string }> }).items.find((i) => i.category === 'nodes')!;
    assert.deepEqual([nodes.unitPriceUsd, nodes.source], [0.5, 'EC2 aws-price-list-api-2026-11-22']);
    delete process.env.KUBERATOR_CACHE_DIR;
    mock.restore();
  });
  test('usage errors', async () => {
    assert.match((await runCliAsync(['prices', 'update'])).stderr, /needs --region/);
    assert.match((await runCliAsync(['prices', 'update', '--region', 'eu-west-9'])).stderr, /unknown region 'eu-west-9'; did you mean/);
    assert.match((await runCliAsync(['prices', 'refresh', '--region', 'eu-west-1'])).stderr, /unknown action 'refresh'/);
  });
  test('hourly price: only Hrs dimensions with a positive USD price', () => {
    assert.equal(hourlyPrice(JSON.parse(item('a', '0.2')) as object), 0.2);
    assert.equal(hourlyPrice({ terms: { OnDemand: { t: { priceDimensions: { d: { unit: 'Quantity', pricePerUnit: { USD: '1' } } } } } } }), undefined);
  });
});
