/**
 * The local OpenID Connect provider: oidc-provider (a certified OpenID Provider implementation)
 * configured for loopback development, with the test people of people.ts and its own sign-in page.
 * Runs in its own process (main.ts): the package is ESM-only, and an identity provider is a
 * separate server anyway.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, {
  type ClientMetadata,
  type GrantInstance,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { MemoryAdapter } from './memory-adapter';
import { errorPage, type HtmlResponse, loginPage } from './pages';
import { claimsOf, type LocalPerson } from './people';

export interface LocalOidcProviderOptions {
  /** `http://127.0.0.1:<port>` */
  readonly issuer: string;
  readonly clients: readonly ClientMetadata[];
  readonly people: readonly LocalPerson[];
  /** The RSA private key (JWK) that signs ID tokens. */
  readonly signingKey: Record<string, unknown>;
  /** Keys for the provider's signed cookies. */
  readonly cookieKeys: readonly string[];
}

/** Scopes and the claims they release (OIDC Core 5.4). */
const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
};

const MAX_FORM_BYTES = 8 * 1024;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, page: HtmlResponse): void {
  res.writeHead(page.status, page.headers);
  res.end(page.body);
}

export function createLocalOidcProvider(options: LocalOidcProviderOptions) {
  const bySub = new Map(options.people.map((p) => [p.sub, p]));
  const byUsername = new Map(options.people.map((p) => [p.username, p]));

  const provider: Provider = new Provider(options.issuer, {
    adapter: MemoryAdapter,
    clients: [...options.clients],
    jwks: { keys: [options.signingKey] },
    cookies: { keys: [...options.cookieKeys] },
    claims: CLAIMS,
    // The ID token carries the claims of the granted scopes (not only userinfo does): Cognito
    // and the vending API read them from the token.
    conformIdTokenClaims: false,
    findAccount(_ctx, id) {
      const person = bySub.get(id);
      if (!person) return Promise.resolve(undefined);
      return Promise.resolve({
        accountId: person.sub,
        claims: () => Promise.resolve(claimsOf(person)),
      });
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    // First-party test clients: consent is implied (no consent page), as corporate IdPs do for
    // applications their administrators registered.
    async loadExistingGrant(ctx: KoaContextWithOIDC): Promise<GrantInstance | undefined> {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const existing = ctx.oidc.session?.grantIdFor(clientId);
      if (existing) {
        const found: GrantInstance | undefined = await provider.Grant.find(existing);
        if (found) return found;
      }
      const grant: GrantInstance = new provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });

  const oidc = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (!match) return send(res, errorPage('unknown page'));
    // Login CSRF: only this provider's own page may post the form.
    const origin = req.headers.origin;
    if (
      req.method === 'POST' &&
      origin !== undefined &&
      origin !== new URL(options.issuer).origin
    ) {
      res.writeHead(403).end();
      return;
    }
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return send(
        res,
        errorPage(
          'this sign-in has expired or belongs to another browser: start again from the app',
        ),
      );
    }
    if (details.uid !== match[1]) return send(res, errorPage('unknown sign-in'));
    const clientId = details.params.client_id;
    const clientName = typeof clientId === 'string' ? clientId : 'the application';
    if (req.method === 'GET' && !match[2]) {
      return send(res, loginPage({ uid: details.uid, clientName, people: options.people }));
    }
    if (req.method !== 'POST' || !match[2]) {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const form = await readForm(req);
    const username = form.get('username')?.trim() ?? '';
    const person = byUsername.get(username);
    if (!person || !sameSecret(form.get('password') ?? '', person.password)) {
      return send(
        res,
        loginPage({
          uid: details.uid,
          clientName,
          people: options.people,
          username,
          error: 'Wrong username or password.',
        }),
      );
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: person.sub } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    provider,
    /** The HTTP handler: the provider's own routes, and its sign-in page. */
    handle(this: void, req: IncomingMessage, res: ServerResponse): void {
      const url = new URL(req.url ?? '/', options.issuer);
      if (url.pathname.startsWith('/interaction/')) {
        interaction(req, res, url).catch(() => {
          if (!res.headersSent) send(res, errorPage('the sign-in failed'));
        });
        return;
      }
      oidc(req, res);
    },
  };
}
