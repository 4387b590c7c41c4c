import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { requireUser } from '@ott/kit';
import { Content } from '../content/content.stub';
import type { Context } from '../context';
import { MyListItem, type MyListEntry } from './my-list-item.model';

@Resolver(() => MyListItem)
export class MyListResolver {
  @Mutation(() => MyListItem, { description: 'Saves a title to the signed-in user’s list.' })
  addToMyList(@Arg('contentId', () => ID) contentId: string, @Ctx() ctx: Context): Promise<MyListEntry> {
    return ctx.myList.add(requireUser(ctx).id, contentId, (id) => ctx.loaders.content.load(id));
  }

  @Mutation(() => Boolean, { description: 'Removes a title from the signed-in user’s list.' })
  removeFromMyList(@Arg('contentId', () => ID) contentId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.myList.remove(requireUser(ctx).id, contentId);
  }

  @FieldResolver(() => Content, { description: 'The saved title; catalog resolves its fields.' })
  content(@Root() item: MyListEntry): Content {
    return { id: item.contentId };
  }
}
