/**
 * The services the sandbox's parts share with each other and with tests, typed (in the spirit of
 * cognito-local's `interface Services`): one member per shared object, set once by the part that
 * owns it, read as a property, never looked up by name or cast.
 *
 * A registry on the context rather than an argument of each module's factory, because the readers
 * are not only the built-in modules: modules added with `startSandbox({ modules })` and tests read
 * the same objects, and some exist only once their module has registered (the Chime identity
 * directory needs the state directory and the clock of the context), so readers look them up when
 * a request comes, not when they are built.
 */
import type { MessagingService } from './chime-messaging/service';
import type { ChimeIdentityDirectory } from './chime-identity';
import type { UserPoolView } from './user-pool/view';

export interface SandboxServices {
  /** The user pool (signing key, users, sign-outs): set by `startSandbox` before any module. */
  userPool?: UserPoolView;
  /** AppInstanceUsers: set by the chime-identity module (sandbox/services/chime-identity/). */
  chimeIdentity?: ChimeIdentityDirectory;
  /** Channels and messages: set by the chime-messaging module (sandbox/services/chime-messaging/). */
  chimeMessaging?: MessagingService;
}
