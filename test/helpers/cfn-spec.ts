// Checks a rendered CloudFormation template against the CloudFormation resource specification
// shipped in @aws-cdk/aws-service-spec: every resource type must exist, and every property name
// must exist for its type, recursively through nested property types (objects, lists of objects,
// maps of objects). Values that are intrinsic functions (Ref, Fn::*, Condition) are accepted
// wherever a value may appear; Fn::If branches are checked as values of the same type.
//
// It also rejects what a plain template rendered without CDK bootstrapping must not contain:
// Custom:: resources (and AWS::CloudFormation::CustomResource), any AWS::Lambda::* resource,
// asset or bootstrap parameters, and the CheckBootstrapVersion rule.
//
// The spec database is loaded once per process (about 0.6 s) on first use.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';
import { suggest } from '../../src/util/suggest.js';

let cached: { db: SpecDatabase; loadMillis: number; resourceTypes: string[] } | undefined;

/** The spec database, loaded on first use and cached for the rest of the process. */
export function specDatabase(): { db: SpecDatabase; loadMillis: number } {
  if (cached === undefined) {
    const start = performance.now();
    const db = loadAwsServiceSpecSync();
    const loadMillis = performance.now() - start;
    cached = { db, loadMillis, resourceTypes: db.all('resource').map((r) => r.cloudFormationType) };
  }
  return cached;
}

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);

const FORBIDDEN_PARAMETER = /^AssetParameters|BootstrapVersion/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{ Ref: ... }`, `{ "Fn::...": ... }` or `{ Condition: ... }`: a value CloudFormation computes. */
function isIntrinsic(v: unknown): v is Record<string, unknown> {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const k = keys[0]!;
  return k === 'Ref' || k === 'Condition' || k.startsWith('Fn::');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** The closest candidate to `name`, if it is close enough to be a plausible misspelling. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  return suggest(name, candidates, 1)[0];
}

function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean ${c}?)`;
}

class Checker {
  readonly problems: string[] = [];
  constructor(
    private readonly db: SpecDatabase,
    private readonly name: string,
  ) {}

  report(path: string, message: string): void {
    this.problems.push(`${this.name}: ${path}: ${message}`);
  }

  /**
   * Checks the keys of an object against a property bag: a resource's (owner `AWS::EC2::FlowLog`)
   * or a nested type definition's (owner `AWS::EC2::LaunchTemplate.MetadataOptions`).
   */
  checkProperties(value: Record<string, unknown>, properties: Record<string, Property>, resourceType: string, owner: string, path: string): void {
    for (const [key, v] of Object.entries(value)) {
      const prop = properties[key];
      const at = `${path}.${key}`;
      if (prop === undefined) {
        this.report(at, `unknown property of ${owner}${didYouMean(key, Object.keys(properties))}`);
        continue;
      }
      this.checkValue(v, [prop.type, ...(prop.previousTypes ?? [])], resourceType, at);
    }
  }

  /**
   * Checks a value against the types a property may have (its current type and previous ones,
   * union members flattened). The value passes if it fits any of them; otherwise the problems of
   * the best fit are reported, preferring types whose shape (object, list, scalar) matches.
   */
  checkValue(value: unknown, types: PropertyType[], resourceType: string, path: string): void {
    if (isIntrinsic(value)) {
      const ifArgs = value['Fn::If'];
      if (Array.isArray(ifArgs) && ifArgs.length === 3) {
        this.checkValue(ifArgs[1], types, resourceType, `${path}.Fn::If[1]`);
        this.checkValue(ifArgs[2], types, resourceType, `${path}.Fn::If[2]`);
      }
      return;
    }
    let best: { problems: string[]; score: number } | undefined;
    for (const type of flattenUnions(types)) {
      const sub = new Checker(this.db, this.name);
      sub.checkOne(value, type, resourceType, path);
      if (sub.problems.length === 0) return;
      const score = sub.problems.length + (shapeMatches(value, type) ? 0 : 1000);
      if (best === undefined || score < best.score) best = { problems: sub.problems, score };
    }
    if (best !== undefined) this.problems.push(...best.problems);
  }

  private checkOne(value: unknown, type: PropertyType, resourceType: string, path: string): void {
    if (!shapeMatches(value, type)) {
      const expected = type.type === 'ref' ? `an object (${resourceType}.${this.db.get('typeDefinition', type.reference).name})` : EXPECTED[type.type] ?? `a ${type.type}`;
      this.report(path, `expected ${expected}, got ${describe(value)}`);
      return;
    }
    switch (type.type) {
      case 'ref': {
        const def: TypeDefinition = this.db.get('typeDefinition', type.reference);
        this.checkProperties(value as Record<string, unknown>, def.properties, resourceType, `${resourceType}.${def.name}`, path);
        return;
      }
      case 'tag':
        for (const key of Object.keys(value as object)) {
          if (key !== 'Key' && key !== 'Value') this.report(`${path}.${key}`, `unknown property of a tag${didYouMean(key, ['Key', 'Value'])}`);
        }
        return;
      case 'array':
        (value as unknown[]).forEach((element, i) => this.checkValue(element, [type.element], resourceType, `${path}[${i}]`));
        return;
      case 'map':
        for (const [k, v] of Object.entries(value as object)) this.checkValue(v, [type.element], resourceType, `${path}.${k}`);
        return;
      case 'union':
        this.checkValue(value, type.types, resourceType, path);
        return;
      default:
        // json and scalars: nothing below to check. CloudFormation converts between strings,
        // numbers and booleans, so only a structural mismatch (checked above) is a problem.
        return;
    }
  }
}

const EXPECTED: Partial<Record<PropertyType['type'], string>> = {
  tag: 'a tag object with Key and Value',
  array: 'a list',
  map: 'a map',
};

/** Whether a value has the right structure for a type: an object, a list or a scalar. */
function shapeMatches(value: unknown, type: PropertyType): boolean {
  switch (type.type) {
    case 'json':
    case 'union':
      return true;
    case 'ref':
    case 'tag':
    case 'map':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    default:
      return !isObject(value) && !Array.isArray(value);
  }
}

function flattenUnions(types: PropertyType[]): PropertyType[] {
  return types.flatMap((t) => (t.type === 'union' ? flattenUnions(t.types) : [t]));
}

/** Looks up a resource type in the spec; undefined if the type does not exist. */
export function lookupResourceType(cfnType: string): Resource | undefined {
  return specDatabase().db.lookup('resource', 'cloudFormationType', 'equals', cfnType)[0];
}

/**
 * Returns human-readable problems with a template (empty when it is fine), each prefixed with
 * `name` and the path inside the template, e.g.
 * `network.template.json: Resources.VpcFlowLog.Properties.LogDestinationTyp: unknown property of AWS::EC2::FlowLog (did you mean LogDestinationType?)`.
 */
export function checkTemplateAgainstSpec(template: object, name: string): string[] {
  const { db } = specDatabase();
  const checker = new Checker(db, name);
  const t = template as Record<string, Json>;

  const params = t['Parameters'];
  if (isObject(params)) {
    for (const p of Object.keys(params)) {
      if (FORBIDDEN_PARAMETER.test(p)) checker.report(`Parameters.${p}`, 'asset or bootstrap parameter; the template must deploy without CDK bootstrapping');
    }
  }
  const rules = t['Rules'];
  if (isObject(rules) && 'CheckBootstrapVersion' in rules) {
    checker.report('Rules.CheckBootstrapVersion', 'bootstrap version rule; the template must deploy without CDK bootstrapping');
  }

  const resources = t['Resources'];
  if (resources === undefined) return checker.problems;
  if (!isObject(resources)) {
    checker.report('Resources', `expected an object, got ${describe(resources)}`);
    return checker.problems;
  }
  for (const [id, resource] of Object.entries(resources)) {
    const at = `Resources.${id}`;
    if (!isObject(resource)) {
      checker.report(at, `expected a resource object, got ${describe(resource)}`);
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_ATTRIBUTES.has(key)) checker.report(`${at}.${key}`, `unknown resource attribute${didYouMean(key, RESOURCE_ATTRIBUTES)}`);
    }
    const type = resource['Type'];
    if (typeof type !== 'string') {
      checker.report(`${at}.Type`, `missing or not a string`);
      continue;
    }
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
      checker.report(`${at}.Type`, `custom resource ${type} is not allowed (it needs a Lambda or SNS provider)`);
      continue;
    }
    if (type.startsWith('AWS::Lambda::')) {
      checker.report(`${at}.Type`, `${type} is not allowed (templates must not contain Lambda resources)`);
      continue;
    }
    const spec = lookupResourceType(type);
    if (spec === undefined) {
      checker.report(`${at}.Type`, `unknown resource type ${type}${didYouMean(type, cached!.resourceTypes)}`);
      continue;
    }
    const props = resource['Properties'];
    if (props === undefined || isIntrinsic(props)) continue;
    if (!isObject(props)) {
      checker.report(`${at}.Properties`, `expected an object, got ${describe(props)}`);
      continue;
    }
    checker.checkProperties(props, spec.properties, type, type, `${at}.Properties`);
  }
  return checker.problems;
}
