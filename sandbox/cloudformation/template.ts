/**
 * Reads a synthesized CloudFormation template the way CloudFormation would deploy it: resolves the
 * intrinsic functions CDK emits against a {@link TemplateEnvironment} of physical ids (fake ones
 * come from ./fake-environment.ts; IAM roles are read from the resolved template by
 * sandbox/iam/roles.ts).
 *
 * Hand-written on purpose: no maintained library resolves CloudFormation intrinsics offline (the CDK
 * `Template` assertions compare the unresolved JSON). The resolver is strict: an intrinsic or a
 * reference it cannot resolve throws {@link TemplateResolutionError} naming it, so a policy is never
 * evaluated half-resolved.
 */
import { readFileSync } from 'node:fs';
import { fakeUuid } from './fake-environment';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
}

/** What `Ref` and `Fn::GetAtt` return for one resource once deployed. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The deployment a template is resolved against. */
export interface TemplateEnvironment {
  readonly accountId: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'amazonaws.com' */
  readonly urlSuffix?: string;
  /** @default 'Stack' */
  readonly stackName?: string;
  /** @default - an ARN built from the stack name and a fixed UUID */
  readonly stackId?: string;
  /** Physical resources by logical id. */
  readonly resources: Readonly<Record<string, PhysicalResource>>;
  /** Parameter values by name (parameters without one use their `Default`). */
  readonly parameters?: Readonly<Record<string, string>>;
}

export class TemplateResolutionError extends Error {
  constructor(message: string, path: readonly (string | number)[] = []) {
    super(path.length > 0 ? `${message} (at ${path.join('.')})` : message);
    this.name = 'TemplateResolutionError';
  }
}

export function loadTemplateFile(path: string): CfnTemplate {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return asTemplate(parsed, path);
}

/** Checks the minimal shape of a template (e.g. the output of `Template.fromStack(s).toJSON()`). */
export function asTemplate(value: unknown, source = 'template'): CfnTemplate {
  if (!isRecord(value) || !isRecord(value.Resources)) {
    throw new TemplateResolutionError(`${source} is not a CloudFormation template: no Resources`);
  }
  return value as unknown as CfnTemplate;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves every intrinsic function inside `value`: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If` (with `Fn::Equals`/`Not`/`And`/`Or`
 * conditions) and the pseudo parameters. `AWS::NoValue` removes the property or list element.
 */
export function resolveIntrinsics(
  value: unknown,
  template: CfnTemplate,
  env: TemplateEnvironment,
): unknown {
  const resolved = new Resolver(template, env).resolve(value, []);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Resolves `value` and checks the result is a string. */
export function resolveString(
  value: unknown,
  template: CfnTemplate,
  env: TemplateEnvironment,
): string {
  const resolved = resolveIntrinsics(value, template, env);
  if (typeof resolved !== 'string') {
    throw new TemplateResolutionError(`expected a string, got ${JSON.stringify(resolved)}`);
  }
  return resolved;
}

class Resolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly env: TemplateEnvironment,
  ) {}

  resolve(value: unknown, path: (string | number)[]): unknown {
    if (Array.isArray(value)) {
      return value
        .map((item, i) => this.resolve(item, [...path, i]))
        .filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const fn = keys.length === 1 ? keys[0] : undefined;
    if (fn !== undefined && (fn === 'Ref' || fn.startsWith('Fn::'))) {
      return this.intrinsic(fn, value[fn], [...path, fn]);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const item = this.resolve(value[key], [...path, key]);
      if (item !== NO_VALUE) out[key] = item;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown, path: (string | number)[]): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(this.string(arg, path), path);
      case 'Fn::GetAtt':
        return this.getAtt(arg, path);
      case 'Fn::Join': {
        const [sep, parts] = this.tuple(arg, 2, path);
        const items = this.resolve(parts, path);
        if (!Array.isArray(items)) throw new TemplateResolutionError('Fn::Join needs a list', path);
        return items.map((item) => this.string(item, path)).join(this.string(sep, path));
      }
      case 'Fn::Select': {
        const [index, list] = this.tuple(arg, 2, path);
        const items = this.resolve(list, path);
        const i = Number(this.resolve(index, path));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new TemplateResolutionError(`Fn::Select index ${i} out of range`, path);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, source] = this.tuple(arg, 2, path);
        return this.string(this.resolve(source, path), path).split(this.string(sep, path));
      }
      case 'Fn::Sub':
        return this.sub(arg, path);
      case 'Fn::FindInMap': {
        const [map, top, second] = this.tuple(arg, 3, path).map((a) =>
          this.string(this.resolve(a, path), path),
        );
        const found = this.template.Mappings?.[map!]?.[top!]?.[second!];
        if (found === undefined) {
          throw new TemplateResolutionError(
            `Fn::FindInMap ${map}.${top}.${second} not found`,
            path,
          );
        }
        return found;
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.tuple(arg, 3, path);
        return this.resolve(
          this.condition(this.string(condition, path), path) ? whenTrue : whenFalse,
          path,
        );
      }
      case 'Fn::Equals': {
        const [a, b] = this.tuple(arg, 2, path);
        return JSON.stringify(this.resolve(a, path)) === JSON.stringify(this.resolve(b, path));
      }
      case 'Fn::Not':
        return !this.bool(this.tuple(arg, 1, path)[0], path);
      case 'Fn::And':
        return this.list(arg, path).every((c) => this.bool(c, path));
      case 'Fn::Or':
        return this.list(arg, path).some((c) => this.bool(c, path));
      default:
        throw new TemplateResolutionError(`unsupported intrinsic ${fn}`, path);
    }
  }

  private ref(name: string, path: (string | number)[]): unknown {
    const env = this.env;
    const partition = env.partition ?? 'aws';
    const stackName = env.stackName ?? 'Stack';
    switch (name) {
      case 'AWS::AccountId':
        return env.accountId;
      case 'AWS::Region':
        return env.region;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return env.urlSuffix ?? 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return (
          env.stackId ??
          `arn:${partition}:cloudformation:${env.region}:${env.accountId}:stack/${stackName}/${fakeUuid(stackName)}`
        );
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = env.parameters?.[name] ?? parameter.Default;
      if (value === undefined) {
        throw new TemplateResolutionError(`parameter ${name} has no value and no Default`, path);
      }
      return value;
    }
    return this.physical(name, path).ref;
  }

  private getAtt(arg: unknown, path: (string | number)[]): string {
    let logicalId: string;
    let attribute: string;
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      logicalId = arg.slice(0, dot);
      attribute = arg.slice(dot + 1);
    } else {
      const [l, a] = this.tuple(arg, 2, path);
      logicalId = this.string(l, path);
      attribute = this.string(this.resolve(a, path), path);
    }
    const value = this.physical(logicalId, path).attributes[attribute];
    if (value === undefined) {
      throw new TemplateResolutionError(
        `no fake value for ${logicalId}.${attribute}: pass it in TemplateEnvironment.resources`,
        path,
      );
    }
    return value;
  }

  private sub(arg: unknown, path: (string | number)[]): string {
    const [body, vars] = typeof arg === 'string' ? [arg, {}] : this.tuple(arg, 2, path);
    const variables = this.resolve(vars, path);
    if (!isRecord(variables)) throw new TemplateResolutionError('Fn::Sub variables', path);
    return this.string(body, path).replace(/\$\{(!?)([^}]*)\}/g, (_match, bang, name: string) => {
      if (bang === '!') return '${' + name + '}';
      if (name in variables) return this.string(variables[name], path);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return this.getAtt([name.slice(0, dot), name.slice(dot + 1)], path);
      }
      return this.string(this.ref(name, path), path);
    });
  }

  private condition(name: string, path: (string | number)[]): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) {
      throw new TemplateResolutionError(`condition ${name} is not defined`, path);
    }
    return this.bool(definition, [...path, name]);
  }

  private bool(value: unknown, path: (string | number)[]): boolean {
    // `{ "Condition": "Name" }` refers to a named condition, only inside condition functions.
    if (isRecord(value) && Object.keys(value).length === 1 && typeof value.Condition === 'string') {
      return this.condition(value.Condition, path);
    }
    const resolved = this.resolve(value, path);
    if (typeof resolved !== 'boolean') {
      throw new TemplateResolutionError(`expected a condition, got ${JSON.stringify(value)}`, path);
    }
    return resolved;
  }

  private physical(logicalId: string, path: (string | number)[]): PhysicalResource {
    const physical = this.env.resources[logicalId];
    if (physical === undefined) {
      const known = logicalId in this.template.Resources ? 'has no physical id' : 'does not exist';
      throw new TemplateResolutionError(`resource ${logicalId} ${known}`, path);
    }
    return physical;
  }

  private tuple(arg: unknown, length: number, path: (string | number)[]): unknown[] {
    if (!Array.isArray(arg) || arg.length < length) {
      throw new TemplateResolutionError(`expected a list of ${length}`, path);
    }
    return arg;
  }

  private list(arg: unknown, path: (string | number)[]): unknown[] {
    if (!Array.isArray(arg)) throw new TemplateResolutionError('expected a list', path);
    return arg;
  }

  private string(value: unknown, path: (string | number)[]): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw new TemplateResolutionError(`expected a string, got ${JSON.stringify(value)}`, path);
  }
}

/** Logical ids of the resources of a type. */
export function resourcesOfType(template: CfnTemplate, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/** The logical id a `Ref` / `Fn::GetAtt` value points to, without resolving it. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** A plain JSON object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
