import { Arg, Ctx, Directive, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AssumedSize, requireUser } from '@ott/kit';
import type { Context } from '../context';
import { Genre } from './genre.stub';
import { UpdateProfileInput } from './user.inputs';
import { User } from './user.model';
import type { UserDocument } from './user.service';

@Resolver(() => User)
export class UserResolver {
  // Shareable: my-list answers `me` too, so the home screen's list needs no hop through users.
  @Directive('@shareable')
  @Query(() => User, { nullable: true, description: 'The signed-in user; null when signed out.' })
  me(@Ctx() ctx: Context): Promise<UserDocument | null> | null {
    return ctx.user ? ctx.loaders.userById.load(ctx.user.id) : null;
  }

  @Query(() => User, { nullable: true, description: 'Any account, by id. ADMIN only.' })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<UserDocument | null> {
    return ctx.loaders.userById.load(id);
  }

  @AssumedSize(5)
  @FieldResolver(() => [Genre], { description: 'Genres the user picked; resolved by the catalog.' })
  // Typed as the document, not the class: type-graphql would copy a class-typed root into a
  // new instance and lose the document's getters.
  favoriteGenres(@Root() user: UserDocument): Genre[] {
    return user.favoriteGenreIds.map((id) => ({ id }));
  }

  @Mutation(() => User, { description: 'Changes the signed-in user’s profile.' })
  updateProfile(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: Context): Promise<UserDocument> {
    return ctx.users.updateProfile(requireUser(ctx).id, input, ctx.requestId);
  }
}
