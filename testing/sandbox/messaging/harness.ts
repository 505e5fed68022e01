/**
 * A sandbox server with the Chime messaging module mounted, wired like the full sandbox: the real
 * server (sandbox/server.ts), SigV4 verification and credential store (sandbox/core), IAM
 * evaluation of the project's Chime user policy (contracts/chime-user-policy.ts) with each
 * caller's principal tag. Only the user directory is a map (the full sandbox creates users through
 * the Cognito trigger and its Chime identity service).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  DefaultMessagingSession,
  type Logger,
  type Message,
  MessagingSessionConfiguration,
  NoOpLogger,
  PrefetchOn,
  type WebSocketAdapter,
  WebSocketReadyState,
} from 'amazon-chime-sdk-js';
import { WebSocket } from 'ws';
import { chimeUserPolicyDocument } from '../../../contracts/chime-user-policy';
import { DEFAULT_PRINCIPAL_TAG_KEY } from '../../../contracts/principal-tag';
import { Authorizer } from '../../../sandbox/core/authorize';
import { CredentialStore, type Session } from '../../../sandbox/core/credentials';
import { verifySigV4 } from '../../../sandbox/core/sigv4';
import { SandboxState } from '../../../sandbox/core/state';
import type { SandboxResources } from '../../../sandbox/resources';
import { SandboxClock } from '../../../sandbox/core/clock';
import { type SandboxContext, SandboxServer } from '../../../sandbox/server';
import { WebOrigins } from '../../../sandbox/core/browser-access';
import { chimeMessagingModule } from '../../../sandbox/services/chime-messaging';

export const REGION = 'us-east-1';
export const APP_INSTANCE_ARN =
  'arn:aws:chime:us-east-1:000000000000:app-instance/4f6e2a51-8d2b-4c1e-9a57-0c1f3f0b7e21';
export const ROLE_ARN = 'arn:aws:iam::000000000000:role/ChimeCognitoAuth-AuthenticatedRole';

export const userArn = (id: string) => `${APP_INSTANCE_ARN}/user/${id}`;

/** A SigV4 signer for the Chime service with a session's credentials (raw and presigned requests). */
export function chimeSigner(session: {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}): SignatureV4 {
  return new SignatureV4({
    service: 'chime',
    region: REGION,
    sha256: Sha256,
    credentials: {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    },
  });
}

export interface MessagingSandbox {
  readonly url: string;
  readonly host: string;
  readonly credentials: CredentialStore;
  /** Creates an AppInstanceUser. */
  addUser(id: string, name: string): string;
  /** Identity-pool-like credentials: the authenticated role, tagged with the user's id. */
  sessionFor(id: string): Session;
  client(id: string, session?: Session): ChimeSDKMessagingClient;
  /** Stops the server and starts a new one on the same state directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMessagingSandbox(): Promise<MessagingSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'messaging-sandbox-'));
  const state = new SandboxState(dir);
  const credentials = new CredentialStore(state);
  const users = new Map<string, string>();
  const policies = [
    {
      name: 'AuthenticatedRole/ChimeUser',
      source: 'inline' as const,
      document: chimeUserPolicyDocument({
        appInstanceArn: APP_INSTANCE_ARN,
        principalTagKey: DEFAULT_PRINCIPAL_TAG_KEY,
      }),
    },
  ];
  const authorizer = new Authorizer((roleArn) => (roleArn === ROLE_ARN ? policies : undefined));

  let server: SandboxServer;
  let module: ReturnType<typeof chimeMessagingModule>;
  let url = '';

  async function start(): Promise<void> {
    server = new SandboxServer({
      webOrigins: new WebOrigins(),
      onError: (error) => console.error('sandbox error', error),
    });
    module = chimeMessagingModule({ users: { nameOf: (arn) => users.get(arn) } });
    const ctx: SandboxContext = {
      region: REGION,
      accountId: '000000000000',
      get url() {
        return url;
      },
      state,
      credentials,
      resources: { appInstanceArn: APP_INSTANCE_ARN } as SandboxResources,
      services: {},
      clock: new SandboxClock(),
      authenticate: (req, options) => verifySigV4(req, { ...options, region: REGION, credentials }),
      authorize: (caller, request) => authorizer.authorize(caller, request),
      log: () => {},
    };
    await module.register(server, ctx);
    const port = await server.listen(0);
    url = `http://127.0.0.1:${port}`;
  }

  async function stop(): Promise<void> {
    await module.close?.();
    await server.close();
  }

  function sessionFor(id: string): Session {
    return credentials.issue({
      roleArn: ROLE_ARN,
      roleSessionName: 'CognitoIdentityCredentials',
      durationSeconds: 3600,
      principalTags: { [DEFAULT_PRINCIPAL_TAG_KEY]: id },
      issuedBy: 'test',
    });
  }

  await start();
  return {
    get url() {
      return url;
    },
    get host() {
      return new URL(url).host;
    },
    credentials,
    addUser(id, name) {
      users.set(userArn(id), name);
      return userArn(id);
    },
    sessionFor,
    client(id, session = sessionFor(id)) {
      return new ChimeSDKMessagingClient({
        region: REGION,
        endpoint: url,
        maxAttempts: 1,
        credentials: {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken,
        },
      });
    },
    async restart() {
      await stop();
      await start();
    },
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The SDK types it as the DOM's `EventListener`, which the Node program here does not know (so it
 * would be an unchecked `any`): the `ws` listener is what this adapter passes on.
 */
type Listener = (event: WebSocket.MessageEvent) => void;

/**
 * amazon-chime-sdk-js always signs `wss://<endpoint>/connect` and uses the browser's WebSocket;
 * in Node (no global WebSocket before Node 22) with a plain-HTTP sandbox, this adapter opens the
 * same signed URL with the `ws` package over `ws://`.
 */
export class NodeWebSocketAdapter implements WebSocketAdapter {
  private connection: WebSocket | undefined;

  create(url: string, protocols: string[]): void {
    this.connection = new WebSocket(url.replace(/^wss:/, 'ws:'), protocols);
    this.connection.binaryType = 'arraybuffer';
  }
  send(message: Uint8Array | string): boolean {
    if (!this.connection) return false;
    this.connection.send(message);
    return true;
  }
  close(code?: number, reason?: string): void {
    this.connection?.close(code, reason);
  }
  destroy(): void {
    this.connection = undefined;
  }
  addEventListener(handler: string, eventListener: Listener): void {
    this.connection?.addEventListener(handler as 'message', eventListener);
  }
  removeEventListener(handler: string, eventListener: Listener): void {
    this.connection?.removeEventListener(handler as 'message', eventListener);
  }
  readyState(): WebSocketReadyState {
    switch (this.connection?.readyState) {
      case WebSocket.CONNECTING:
        return WebSocketReadyState.Connecting;
      case WebSocket.OPEN:
        return WebSocketReadyState.Open;
      case WebSocket.CLOSING:
        return WebSocketReadyState.Closing;
      case WebSocket.CLOSED:
        return WebSocketReadyState.Closed;
      default:
        return WebSocketReadyState.None;
    }
  }
}

export interface OpenSession {
  readonly session: DefaultMessagingSession;
  readonly messages: Message[];
  /** Resolves with the first received message (after SESSION_ESTABLISHED) matching `predicate`. */
  next(predicate: (message: Message) => boolean, timeoutMs?: number): Promise<Message>;
  stop(): void;
}

const quiet: Logger = new NoOpLogger();

/** Starts a DefaultMessagingSession for `userArn` with `client`'s credentials and endpoint. */
export async function openSession(
  client: ChimeSDKMessagingClient,
  arn: string,
  options: { prefetch?: boolean } = {},
): Promise<OpenSession> {
  const configuration = new MessagingSessionConfiguration(arn, null, undefined, client);
  if (options.prefetch) configuration.prefetchOn = PrefetchOn.Connect;
  const session = new DefaultMessagingSession(configuration, quiet, new NodeWebSocketAdapter());
  const messages: Message[] = [];
  const waiters: { predicate: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  session.addObserver({
    messagingSessionDidReceiveMessage(message) {
      if (message.type === 'SESSION_ESTABLISHED') return;
      messages.push(message);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    },
  });
  await session.start();
  return {
    session,
    messages,
    next(predicate, timeoutMs = 5000) {
      const seen = messages.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching message arrived')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    stop: () => session.stop(),
  };
}
