/** The signed-in person's ID token, for the project's HTTP API (its JWT authorizer's audience). */
import { fetchAuthSession } from 'aws-amplify/auth';

export async function idToken(): Promise<string> {
  const token = (await fetchAuthSession()).tokens?.idToken?.toString();
  if (!token) throw new Error('not signed in: no ID token for the HTTP API');
  return token;
}
