/**
 * The sandbox's administrator (not in the template): what an operator's own AWS credentials are
 * on AWS. Allowed everything; used for the IAM-only Cognito operations (`Admin*`, `ListUsers`).
 * Its credentials are issued at every start and written to `<stateDir>/admin-credentials.json`.
 */
import { join } from 'node:path';
import { type CredentialStore, SANDBOX_ACCOUNT_ID } from '../core/credentials';
import { writeFileAtomic } from '../core/state';
import type { NamedPolicy } from '../iam/roles';

export const SANDBOX_ADMIN_ROLE_ARN = `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/SandboxAdministrator`;

export const ADMIN_POLICIES: readonly NamedPolicy[] = [
  {
    name: 'SandboxAdministrator/AdministratorAccess',
    source: 'inline',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    },
  },
];

const ADMIN_CREDENTIALS_SECONDS = 12 * 3600;

export interface AdminCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

/** Issues the administrator's credentials and writes them (mode 0600) into `stateDir`. */
export function issueAdminCredentials(
  credentials: CredentialStore,
  stateDir: string,
): AdminCredentials {
  const admin = credentials.issue({
    roleArn: SANDBOX_ADMIN_ROLE_ARN,
    roleSessionName: 'sandbox-admin',
    durationSeconds: ADMIN_CREDENTIALS_SECONDS,
    issuedBy: 'sandbox start',
  });
  const adminCredentials: AdminCredentials = {
    accessKeyId: admin.accessKeyId,
    secretAccessKey: admin.secretAccessKey,
    sessionToken: admin.sessionToken,
    expiration: new Date(admin.expiration).toISOString(),
  };
  writeFileAtomic(
    join(stateDir, 'admin-credentials.json'),
    `${JSON.stringify(adminCredentials, null, 2)}\n`,
  );
  return adminCredentials;
}
