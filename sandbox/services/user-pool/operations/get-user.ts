/**
 * GetUser: the attributes the app client may read (`ReadAttributes`, by default the standard
 * attributes and the verified flags), for an enabled user. cognito-local returns every attribute.
 */
import { type Operation, type PoolServices, accessTokenUser, attributePolicy } from './services';

export function getUser(services: Pick<PoolServices, 'cognito'>, inner: Operation): Operation {
  return async (ctx, req) => {
    const { client, pool } = await accessTokenUser(services, ctx, req.AccessToken);
    const out = (await inner(ctx, req)) as { UserAttributes?: { Name: string }[] };
    const readable = attributePolicy(pool, client).readable();
    return {
      ...out,
      UserAttributes: (out.UserAttributes ?? []).filter((a) => readable.has(a.Name)),
    };
  };
}
