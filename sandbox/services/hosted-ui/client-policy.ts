/**
 * What the app client allows, read from its template `Properties` (`AWS::Cognito::UserPoolClient`):
 * which client, its callback and sign-out URLs (plus the local app URLs the sandbox serves), its
 * OAuth scopes and whether it may use the authorization code flow. The template's client has no
 * secret (`GenerateSecret: false`), so none is checked.
 */
import { OAuthError } from './oauth';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export class ClientPolicy {
  /** The client's `AllowedOAuthScopes`: what an authorize request without `scope` is granted. */
  readonly allowedScopes: readonly string[];
  /** `AllowedOAuthFlowsUserPoolClient` and `code` among `AllowedOAuthFlows`. */
  readonly allowsCodeFlow: boolean;
  private readonly callbackUrls: Set<string>;
  private readonly logoutUrls: Set<string>;

  /**
   * @param clientId the app client's id
   * @param client the resolved `Properties` of the template's `AWS::Cognito::UserPoolClient`
   * @param localAppUrls accepted as callback and sign-out URLs besides the template's
   */
  constructor(
    readonly clientId: string,
    client: Record<string, unknown>,
    localAppUrls: readonly string[] = [],
  ) {
    this.allowedScopes = strings(client.AllowedOAuthScopes);
    this.allowsCodeFlow =
      client.AllowedOAuthFlowsUserPoolClient === true &&
      strings(client.AllowedOAuthFlows).includes('code');
    this.callbackUrls = new Set([...strings(client.CallbackURLs), ...localAppUrls]);
    this.logoutUrls = new Set([...strings(client.LogoutURLs), ...localAppUrls]);
  }

  /** `id` names this app client (`unknown`: the description when it names another). */
  assertClient(id: string | undefined, unknown = 'client does not exist'): asserts id is string {
    if (!id) throw new OAuthError('invalid_request', "'client_id' is required");
    if (id !== this.clientId) throw new OAuthError('invalid_client', unknown);
  }

  /** `uri` is one of the client's callback URLs (exactly, as Cognito compares them). */
  assertCallbackUrl(uri: string | undefined): asserts uri is string {
    if (!uri) throw new OAuthError('invalid_request', "'redirect_uri' is required");
    if (!this.callbackUrls.has(uri)) {
      throw new OAuthError('redirect_mismatch', `'${uri}' is not a callback URL of the app client`);
    }
  }

  /** `uri` is one of the client's sign-out URLs. */
  assertLogoutUrl(uri: string | undefined): asserts uri is string {
    if (!uri) throw new OAuthError('invalid_request', "'logout_uri' is required");
    if (!this.logoutUrls.has(uri)) {
      throw new OAuthError('redirect_mismatch', `'${uri}' is not a sign-out URL of the app client`);
    }
  }

  /** The scopes an authorize request asks for: its `scope` (deduplicated), or all the client's. */
  requestedScopes(scope: string | undefined): string[] {
    return scope ? [...new Set(scope.split(' ').filter(Boolean))] : [...this.allowedScopes];
  }

  /** Those of `scopes` the client is not allowed. */
  refusedScopes(scopes: readonly string[]): string[] {
    return scopes.filter((s) => !this.allowedScopes.includes(s));
  }

  /** Accepts more app URLs as callback and sign-out URLs (a web demo on a free port). */
  addAppUrls(urls: readonly string[]): void {
    for (const url of urls) {
      this.callbackUrls.add(url);
      this.logoutUrls.add(url);
    }
  }

  listCallbackUrls(): string[] {
    return [...this.callbackUrls];
  }

  listLogoutUrls(): string[] {
    return [...this.logoutUrls];
  }
}
