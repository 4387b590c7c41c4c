import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Content } from '../content/content.stub';
import { Episode } from '../episode/episode.stub';
import { WatchProgress, type WatchProgressEntry } from './progress.model';

@Resolver(() => WatchProgress)
export class WatchProgressResolver {
  @FieldResolver(() => Content, { description: 'The film or show; catalog resolves its fields (removed titles too).' })
  content(@Root() entry: WatchProgressEntry): Content {
    return { id: entry.contentId };
  }

  @FieldResolver(() => Episode, { nullable: true, description: 'The episode, for shows.' })
  episode(@Root() entry: WatchProgressEntry): Episode | null {
    return entry.episodeId ? { id: entry.episodeId } : null;
  }
}
