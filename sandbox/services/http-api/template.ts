/**
 * The HTTP API as the template declares it: `AWS::ApiGatewayV2::Api` (CORS), `Stage` (name,
 * default and per-route throttling), `Authorizer` (JWT issuer, audience, identity source),
 * `Route` (route key, authorizer, scopes, target) and `Integration` (Lambda, payload format), plus
 * the `AWS::Lambda::Permission` that lets API Gateway invoke each function.
 */
import { resourcesOfType } from '../../cloudformation/template';
import type { SandboxResources } from '../../resources';

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface JwtAuthorizerSpec {
  readonly issuer: string;
  readonly audience: readonly string[];
  /** Where the token is, e.g. `$request.header.Authorization`. */
  readonly identitySource: string;
}

export interface RouteSpec {
  /** `GET /users` */
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  readonly authorizer?: JwtAuthorizerSpec;
  readonly scopes: readonly string[];
  /** Function name or ARN the integration invokes. */
  readonly functionArn: string;
  readonly payloadFormatVersion: string;
  readonly throttle?: Throttle;
  /** True when an `AWS::Lambda::Permission` lets this API invoke the function on this route. */
  readonly invokePermitted: boolean;
}

export interface CorsSpec {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge?: number;
  readonly allowCredentials: boolean;
}

export interface HttpApiSpec {
  readonly apiId: string;
  readonly stageName: string;
  readonly defaultThrottle?: Throttle;
  readonly cors?: CorsSpec;
  readonly routes: readonly RouteSpec[];
}

export class HttpApiTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpApiTemplateError';
  }
}

type Props = Record<string, unknown>;

function throttleOf(settings: unknown): Throttle | undefined {
  const s = settings as
    { ThrottlingRateLimit?: unknown; ThrottlingBurstLimit?: unknown } | undefined;
  if (s?.ThrottlingRateLimit === undefined && s?.ThrottlingBurstLimit === undefined) {
    return undefined;
  }
  return {
    rateLimit: Number(s.ThrottlingRateLimit ?? 0),
    burstLimit: Number(s.ThrottlingBurstLimit ?? 0),
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Does `pattern` (a permission's `SourceArn`, with `*`) match this route's execute-api ARN? */
function arnMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(arn);
}

/** The template's HTTP API (exactly one, with one stage), or undefined when it has none. */
export function httpApiOf(resources: SandboxResources): HttpApiSpec | undefined {
  const { template } = resources.stack;
  const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
  if (apis.length === 0) return undefined;
  if (apis.length > 1)
    throw new HttpApiTemplateError(`the sandbox serves one HTTP API, found ${apis.length}`);
  const apiLogicalId = apis[0]!;
  const apiId = resources.env.resources[apiLogicalId]?.ref ?? apiLogicalId;
  const api = resources.properties(apiLogicalId);
  if (api.ProtocolType !== 'HTTP') throw new HttpApiTemplateError('only HTTP APIs are served');
  const ofApi = (type: string) =>
    resourcesOfType(template, type)
      .map((id) => ({ id, props: resources.properties(id) }))
      .filter((r) => r.props.ApiId === apiId);

  const stages = ofApi('AWS::ApiGatewayV2::Stage');
  if (stages.length !== 1) {
    throw new HttpApiTemplateError(`the sandbox serves one stage, found ${stages.length}`);
  }
  const stage = stages[0]!.props;
  const stageName = String(stage.StageName);
  const routeThrottles = (stage.RouteSettings ?? {}) as Record<string, unknown>;

  const authorizers = new Map<string, JwtAuthorizerSpec>();
  for (const { id, props } of ofApi('AWS::ApiGatewayV2::Authorizer')) {
    if (props.AuthorizerType !== 'JWT') {
      throw new HttpApiTemplateError(`authorizer ${id}: only JWT authorizers are served`);
    }
    const jwt = (props.JwtConfiguration ?? {}) as Props;
    const ref = resources.env.resources[id]?.ref ?? id;
    authorizers.set(ref, {
      issuer: String(jwt.Issuer),
      audience: strings(jwt.Audience),
      identitySource: strings(props.IdentitySource)[0] ?? '$request.header.Authorization',
    });
  }
  const integrations = new Map<string, Props>();
  for (const { id, props } of ofApi('AWS::ApiGatewayV2::Integration')) {
    integrations.set(resources.env.resources[id]?.ref ?? id, props);
  }
  const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').map((id) =>
    resources.properties(id),
  );

  const routes: RouteSpec[] = ofApi('AWS::ApiGatewayV2::Route').map(({ id, props }) => {
    const routeKey = String(props.RouteKey);
    const [method = '', path = ''] = routeKey.split(' ');
    const target = /^integrations\/(.+)$/.exec(
      typeof props.Target === 'string' ? props.Target : '',
    )?.[1];
    const integration = target ? integrations.get(target) : undefined;
    if (!integration || integration.IntegrationType !== 'AWS_PROXY') {
      throw new HttpApiTemplateError(
        `route ${id} (${routeKey}): only Lambda proxy integrations are served`,
      );
    }
    const functionArn = String(integration.IntegrationUri);
    let authorizer: JwtAuthorizerSpec | undefined;
    if (props.AuthorizationType === 'JWT') {
      authorizer = authorizers.get(String(props.AuthorizerId));
      if (!authorizer) throw new HttpApiTemplateError(`route ${id}: unknown authorizer`);
    } else if (props.AuthorizationType !== undefined && props.AuthorizationType !== 'NONE') {
      throw new HttpApiTemplateError(
        `route ${id}: authorization ${JSON.stringify(props.AuthorizationType)} is not served`,
      );
    }
    const sourceArn = `arn:aws:execute-api:${resources.region}:${resources.accountId}:${apiId}/${stageName}/${method}${path}`;
    const invokePermitted = permissions.some(
      (p) =>
        p.Action === 'lambda:InvokeFunction' &&
        p.Principal === 'apigateway.amazonaws.com' &&
        String(p.FunctionName) === functionArn &&
        typeof p.SourceArn === 'string' &&
        arnMatches(p.SourceArn, sourceArn),
    );
    const throttle = throttleOf(routeThrottles[routeKey]);
    return {
      routeKey,
      method,
      path,
      ...(authorizer && { authorizer }),
      scopes: strings(props.AuthorizationScopes),
      functionArn,
      payloadFormatVersion:
        typeof integration.PayloadFormatVersion === 'string'
          ? integration.PayloadFormatVersion
          : '2.0',
      ...(throttle && { throttle }),
      invokePermitted,
    };
  });

  const cors = api.CorsConfiguration as Props | undefined;
  const defaultThrottle = throttleOf(stage.DefaultRouteSettings);
  return {
    apiId,
    stageName,
    ...(defaultThrottle && { defaultThrottle }),
    ...(cors && {
      cors: {
        allowOrigins: strings(cors.AllowOrigins),
        allowMethods: strings(cors.AllowMethods),
        allowHeaders: strings(cors.AllowHeaders).map((h) => h.toLowerCase()),
        exposeHeaders: strings(cors.ExposeHeaders),
        ...(cors.MaxAge !== undefined && { maxAge: Number(cors.MaxAge) }),
        allowCredentials: cors.AllowCredentials === true,
      },
    }),
    routes,
  };
}
