import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { RegisterInput } from '../user/user.inputs';
import { AuthPayload } from './auth-payload.type';
import type { IssuedTokens } from './session.service';

/** The caller proved who they are in this request, so the payload's user is their own. */
function signedIn(ctx: Context, issued: IssuedTokens): IssuedTokens {
  ctx.user = { id: issued.user.id, role: issued.user.role };
  return issued;
}

@Resolver(() => AuthPayload)
export class SessionResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account and signs it in.' })
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context): Promise<IssuedTokens> {
    return signedIn(ctx, await ctx.sessions.issue(await ctx.users.register(input, ctx.clientIp)));
  }

  @Mutation(() => AuthPayload, { description: 'Signs in with email and password.' })
  async login(@Arg('email', () => String) email: string, @Arg('password', () => String) password: string, @Ctx() ctx: Context): Promise<IssuedTokens> {
    return signedIn(ctx, await ctx.sessions.login(email, password, ctx.clientIp));
  }

  @Mutation(() => AuthPayload, { description: 'Trades a refresh token for new tokens; the old one stops working.' })
  async refreshToken(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: Context): Promise<IssuedTokens> {
    return signedIn(ctx, await ctx.sessions.refresh(refreshToken));
  }

  @Mutation(() => Boolean, { description: 'Ends the session the refresh token belongs to; false if it was unknown.' })
  logout(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.sessions.logout(refreshToken);
  }
}
