import { rule } from 'graphql-shield';
import type { RequestContext } from './context';
import { forbidden, unauthenticated } from './errors';

/**
 * The four kinds of rule (docs/architecture.md, "Identity and authorization"). Rules return
 * errors carrying our codes, so shield never answers with its generic "Not Authorised!".
 */
export const isSignedIn = rule({ cache: 'contextual' })((_parent, _args, ctx: RequestContext) => (ctx.user ? true : unauthenticated()));

export const isAdmin = rule({ cache: 'contextual' })((_parent, _args, ctx: RequestContext) => {
  if (!ctx.user) return unauthenticated();
  return ctx.user.role === 'ADMIN' ? true : forbidden('Only an administrator can do this.');
});

/** The parent object belongs to the caller (by `ownerField`), or the caller is an ADMIN. */
export const isOwnerOrAdmin = (ownerField: string) =>
  rule(`isOwnerOrAdmin:${ownerField}`, { cache: 'no_cache' })((parent: Record<string, unknown>, _args, ctx: RequestContext) => {
    if (!ctx.user) return unauthenticated();
    if (ctx.user.role === 'ADMIN') return true;
    return String(parent[ownerField]) === ctx.user.id ? true : forbidden('This belongs to another user.');
  });

export { allow as isPublic } from 'graphql-shield';
