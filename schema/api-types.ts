export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
};

/** The result of signing in: keep the refresh token secret and use it once. */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** JWT for the Authorization header; short-lived. */
  accessToken: Scalars['String']['output'];
  /** Seconds until accessToken expires. */
  expiresIn: Scalars['Int']['output'];
  /** Opaque and single use: refreshToken() returns a new one. */
  refreshToken: Scalars['String']['output'];
  user: User;
};

/** A film or a series in the catalogue. */
export type Content = {
  /** false once the title has been removed from the catalogue; removed titles still resolve so lists and history render, but cannot be played, rated or added. */
  available: Scalars['Boolean']['output'];
  /** Members’ average score, 1 decimal; null until someone rates it. */
  averageRating: Maybe<Scalars['Float']['output']>;
  featured: Scalars['Boolean']['output'];
  genres: Array<Genre>;
  id: Scalars['ID']['output'];
  /** Whether the signed-in user saved this title; false when signed out. */
  inMyList: Maybe<Scalars['Boolean']['output']>;
  /** e.g. "PG-13" or "TV-MA". */
  maturityRating: Maybe<Scalars['String']['output']>;
  /** The signed-in member’s rating; null when signed out or not rated. */
  myRating: Maybe<Rating>;
  /** How many times the title was started, ever. */
  playCount: Maybe<Scalars['Int']['output']>;
  posterUrl: Maybe<Scalars['String']['output']>;
  /** Members’ ratings and reviews of the title, newest first. Public. */
  ratings: RatingConnection;
  /** How many members rated it. */
  ratingsCount: Maybe<Scalars['Int']['output']>;
  releaseYear: Maybe<Scalars['Int']['output']>;
  /** Other titles sharing the most genres with this one, best rated first. */
  similar: Array<Content>;
  synopsis: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
};


/** A film or a series in the catalogue. */
export type ContentRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A film or a series in the catalogue. */
export type ContentSimilarArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ContentConnection = {
  __typename?: 'ContentConnection';
  edges: Array<ContentEdge>;
  pageInfo: PageInfo;
  /** Matches of the filter, on every page. */
  totalCount: Scalars['Int']['output'];
};

export type ContentEdge = {
  __typename?: 'ContentEdge';
  cursor: Scalars['String']['output'];
  node: Content;
};

/** Every given criterion must match. */
export type ContentFilter = {
  genreSlug?: InputMaybe<Scalars['String']['input']>;
  kind?: InputMaybe<ContentKind>;
  /** Inclusive. */
  releaseYearFrom?: InputMaybe<Scalars['Int']['input']>;
  /** Inclusive. */
  releaseYearTo?: InputMaybe<Scalars['Int']['input']>;
};

/** Whether a title is a film or a series. */
export type ContentKind =
  | 'MOVIE'
  | 'TV_SHOW';

/** Order of a browse. Titles without a year or rating come after those with one. */
export type ContentSort =
  /** Most watched first (IMDB votes for imported titles). */
  | 'POPULARITY_DESC'
  /** Best rated first, by the rating the catalogue holds for sorting. */
  | 'RATING_DESC'
  /** Newest first. */
  | 'RELEASE_YEAR_DESC'
  /** A to Z, ignoring case, accents and punctuation. */
  | 'TITLE';

/** What the user may stream now, from their ACTIVE membership. */
export type Entitlements = {
  __typename?: 'Entitlements';
  /** False without a membership, and when it is PAST_DUE or CANCELED. */
  canStream: Scalars['Boolean']['output'];
  maxQuality: VideoQuality;
  /** 0 without an ACTIVE membership. */
  maxStreams: Scalars['Int']['output'];
};

/** One episode of a TV show. */
export type Episode = {
  __typename?: 'Episode';
  episodeNumber: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  runtimeMinutes: Maybe<Scalars['Int']['output']>;
  seasonNumber: Scalars['Int']['output'];
  show: TvShow;
  title: Scalars['String']['output'];
};

export type EpisodeInput = {
  episodeNumber: Scalars['Int']['input'];
  runtimeMinutes?: InputMaybe<Scalars['Int']['input']>;
  seasonNumber: Scalars['Int']['input'];
  title: Scalars['String']['input'];
};

/** A genre of films and shows. */
export type Genre = {
  __typename?: 'Genre';
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Stable, URL-safe name, e.g. "thriller-suspense"; what browse filters by. */
  slug: Scalars['String']['output'];
};

/** An invoice of the signed-in user (ADMIN: of anyone). */
export type Invoice = {
  __typename?: 'Invoice';
  /** Sum of the lines, in cents. */
  amountCents: Scalars['Int']['output'];
  currency: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  issuedAt: Scalars['DateTime']['output'];
  lines: Array<InvoiceLine>;
  /** Sequential per year without gaps, e.g. INV-2026-000042. */
  number: Scalars['String']['output'];
  paidAt: Maybe<Scalars['DateTime']['output']>;
  status: InvoiceStatus;
  user: User;
};

/** Invoices, newest first. */
export type InvoiceConnection = {
  __typename?: 'InvoiceConnection';
  edges: Array<InvoiceEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type InvoiceEdge = {
  __typename?: 'InvoiceEdge';
  cursor: Scalars['String']['output'];
  node: Invoice;
};

/** One line of an invoice; credits are negative. */
export type InvoiceLine = {
  __typename?: 'InvoiceLine';
  amountCents: Scalars['Int']['output'];
  description: Scalars['String']['output'];
};

/** PAID: charged. OPEN: a declined renewal still owed. VOID: an open invoice replaced by a new subscription, or a paid one refunded because its change could not be completed. */
export type InvoiceStatus =
  | 'OPEN'
  | 'PAID'
  | 'VOID';

/** The signed-in user’s membership of a plan, billed monthly in advance. */
export type Membership = {
  __typename?: 'Membership';
  /** Canceled by the member: stays ACTIVE until currentPeriodEnd, then ends. */
  cancelAtPeriodEnd: Scalars['Boolean']['output'];
  /** Credit from downgrades, in cents, taken off the next invoices. */
  creditCents: Scalars['Int']['output'];
  /** Access lasts until then; the renewal run bills the next period at this instant. */
  currentPeriodEnd: Scalars['DateTime']['output'];
  currentPeriodStart: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  plan: Plan;
  status: MembershipStatus;
};

/** ACTIVE: paid up and streaming. PAST_DUE: a renewal was declined. CANCELED: ended. */
export type MembershipStatus =
  | 'ACTIVE'
  | 'CANCELED'
  | 'PAST_DUE';

/** A feature film. */
export type Movie = Content & {
  __typename?: 'Movie';
  /** false once the title has been removed from the catalogue; removed titles still resolve so lists and history render, but cannot be played, rated or added. */
  available: Scalars['Boolean']['output'];
  /** Members’ average score, 1 decimal; null until someone rates it. */
  averageRating: Maybe<Scalars['Float']['output']>;
  cast: Array<Scalars['String']['output']>;
  director: Maybe<Scalars['String']['output']>;
  featured: Scalars['Boolean']['output'];
  genres: Array<Genre>;
  id: Scalars['ID']['output'];
  /** Whether the signed-in user saved this title; false when signed out. */
  inMyList: Maybe<Scalars['Boolean']['output']>;
  /** e.g. "PG-13" or "TV-MA". */
  maturityRating: Maybe<Scalars['String']['output']>;
  /** The signed-in member’s rating; null when signed out or not rated. */
  myRating: Maybe<Rating>;
  /** How many times the title was started, ever. */
  playCount: Maybe<Scalars['Int']['output']>;
  posterUrl: Maybe<Scalars['String']['output']>;
  /** Members’ ratings and reviews of the title, newest first. Public. */
  ratings: RatingConnection;
  /** How many members rated it. */
  ratingsCount: Maybe<Scalars['Int']['output']>;
  releaseYear: Maybe<Scalars['Int']['output']>;
  runtimeMinutes: Maybe<Scalars['Int']['output']>;
  /** Other titles sharing the most genres with this one, best rated first. */
  similar: Array<Content>;
  synopsis: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
};


/** A feature film. */
export type MovieRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A feature film. */
export type MovieSimilarArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type MovieInput = {
  cast?: InputMaybe<Array<Scalars['String']['input']>>;
  director?: InputMaybe<Scalars['String']['input']>;
  genreIds: Array<Scalars['ID']['input']>;
  maturityRating?: InputMaybe<Scalars['String']['input']>;
  /** An http(s) URL. */
  posterUrl?: InputMaybe<Scalars['String']['input']>;
  releaseYear?: InputMaybe<Scalars['Int']['input']>;
  runtimeMinutes?: InputMaybe<Scalars['Int']['input']>;
  synopsis?: InputMaybe<Scalars['String']['input']>;
  title: Scalars['String']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Adds an episode to a show; a season is created by its first episode. ADMIN only. */
  addEpisode: Episode;
  /** Saves a title to the signed-in user’s list. */
  addToMyList: MyListItem;
  /** Stops renewal: the membership stays ACTIVE until currentPeriodEnd, then ends. */
  cancelMembership: Membership;
  /** Switches plan now: an upgrade charges the prorated difference for the rest of the period, a downgrade credits it to the next invoice. */
  changePlan: Membership;
  /** Adds a film. ADMIN only. */
  createMovie: Movie;
  /** Adds a series without episodes; add them with addEpisode. ADMIN only. */
  createTvShow: TvShow;
  /** Removes a title from the catalogue: it no longer appears in browse, search or content(id), and cannot be played, rated or added; existing references still resolve with available false, and saved lists drop it shortly after. ADMIN only. */
  deleteContent: Scalars['Boolean']['output'];
  /** Removes the signed-in member’s rating of a title: true if there was one, false if not. */
  deleteRating: Scalars['Boolean']['output'];
  /** Signs in with email and password. */
  login: AuthPayload;
  /** Ends the session the refresh token belongs to; false if it was unknown. */
  logout: Scalars['Boolean']['output'];
  /** Rates a title for the signed-in member: creates their rating or replaces its score and review (one per member and title). */
  rateContent: Rating;
  /** Trades a refresh token for new tokens; the old one stops working. */
  refreshToken: AuthPayload;
  /** Creates an account and signs it in. */
  register: AuthPayload;
  /** Removes a title from the signed-in user’s list. */
  removeFromMyList: Scalars['Boolean']['output'];
  /** ADMIN: bills every membership whose period ended by asOf. Idempotent: running it again for the same date changes nothing. */
  runRenewals: RenewalReport;
  /** Adds a title to, or removes it from, the featured list. ADMIN only. */
  setFeatured: Content;
  /** Starts playing a title: needs an ACTIVE membership (MEMBERSHIP_REQUIRED) and a free stream of the plan (STREAM_LIMIT_REACHED); resumes where the member left off. */
  startPlayback: PlaybackSession;
  /** Ends a session and frees its stream. */
  stopPlayback: PlaybackSession;
  /** Charges the plan’s first month now, issues a PAID invoice and activates the membership. Replaying the idempotencyKey answers the first result without charging again. */
  subscribeToPlan: Membership;
  /** The player’s heartbeat (every 10 to 30 s): position and PLAYING / PAUSED. A session without one for the playback timeout (90 s by default) ends. */
  updatePlayback: PlaybackSession;
  /** Changes the signed-in user’s profile. */
  updateProfile: User;
};


export type MutationAddEpisodeArgs = {
  input: EpisodeInput;
  showId: Scalars['ID']['input'];
};


export type MutationAddToMyListArgs = {
  contentId: Scalars['ID']['input'];
};


export type MutationChangePlanArgs = {
  planCode: PlanCode;
};


export type MutationCreateMovieArgs = {
  input: MovieInput;
};


export type MutationCreateTvShowArgs = {
  input: TvShowInput;
};


export type MutationDeleteContentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteRatingArgs = {
  contentId: Scalars['ID']['input'];
};


export type MutationLoginArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationLogoutArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRateContentArgs = {
  contentId: Scalars['ID']['input'];
  review?: InputMaybe<Scalars['String']['input']>;
  score: Scalars['Int']['input'];
};


export type MutationRefreshTokenArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationRegisterArgs = {
  input: RegisterInput;
};


export type MutationRemoveFromMyListArgs = {
  contentId: Scalars['ID']['input'];
};


export type MutationRunRenewalsArgs = {
  asOf: Scalars['DateTime']['input'];
};


export type MutationSetFeaturedArgs = {
  contentId: Scalars['ID']['input'];
  featured: Scalars['Boolean']['input'];
};


export type MutationStartPlaybackArgs = {
  input: StartPlaybackInput;
};


export type MutationStopPlaybackArgs = {
  sessionId: Scalars['ID']['input'];
};


export type MutationSubscribeToPlanArgs = {
  input: SubscribeToPlanInput;
};


export type MutationUpdatePlaybackArgs = {
  input: UpdatePlaybackInput;
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};

/** The signed-in user’s list, newest first. */
export type MyListConnection = {
  __typename?: 'MyListConnection';
  edges: Array<MyListEdge>;
  pageInfo: PageInfo;
  /** Items in the whole list, on every page. */
  totalCount: Scalars['Int']['output'];
};

export type MyListEdge = {
  __typename?: 'MyListEdge';
  cursor: Scalars['String']['output'];
  node: MyListItem;
};

/** A title the signed-in user saved to watch later. */
export type MyListItem = {
  __typename?: 'MyListItem';
  /** When the title was added. */
  addedAt: Scalars['DateTime']['output'];
  /** The saved title; catalog resolves its fields. */
  content: Content;
  id: Scalars['ID']['output'];
};

/** How many titles of each kind the signed-in user has saved. */
export type MyListStats = {
  __typename?: 'MyListStats';
  movies: Scalars['Int']['output'];
  total: Scalars['Int']['output'];
  tvShows: Scalars['Int']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** A plan a member can subscribe to. Prices are integer cents. */
export type Plan = {
  __typename?: 'Plan';
  code: PlanCode;
  /** ISO 4217 code. */
  currency: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  maxQuality: VideoQuality;
  /** How many streams may play at once. */
  maxStreams: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  /** Price of one monthly period, in cents of `currency`. */
  priceCents: Scalars['Int']['output'];
};

/** The plans on offer, cheapest first. */
export type PlanCode =
  | 'BASIC'
  | 'PREMIUM'
  | 'STANDARD';

/** Why a session ended. */
export type PlaybackEndReason =
  /** The title was removed from the catalogue while it played. */
  | 'CONTENT_REMOVED'
  /** The player reported the end of the video (updatePlayback with state ENDED). */
  | 'FINISHED'
  /** stopPlayback was called. */
  | 'STOPPED'
  /** No heartbeat arrived for the playback timeout (90 s by default). */
  | 'TIMED_OUT';

/** A playback of one title on one device. Visible to its owner and to ADMIN only. */
export type PlaybackSession = {
  __typename?: 'PlaybackSession';
  /** The film or show; catalog resolves its fields. */
  content: Content;
  /** What the player said it plays on, e.g. "living-room-tv". */
  device: Scalars['String']['output'];
  /** Set once the session ENDED. */
  endReason: Maybe<PlaybackEndReason>;
  endedAt: Maybe<Scalars['DateTime']['output']>;
  /** The episode, for TV shows. */
  episode: Maybe<Episode>;
  id: Scalars['ID']['output'];
  /** The HLS master playlist to play: a signed URL valid for an hour (by default) from this answer, and already expired once the session ended. Ask again for a fresh one. */
  playbackUrl: Scalars['String']['output'];
  /** The last position the player reported, in seconds from the start. */
  positionSeconds: Scalars['Int']['output'];
  /** The quality the session may use: what was asked for, capped by the plan. */
  quality: VideoQuality;
  startedAt: Scalars['DateTime']['output'];
  state: PlaybackState;
  updatedAt: Scalars['DateTime']['output'];
  user: User;
  /** Grows by one with every change: of two updates of a session, the higher version is the later. */
  version: Scalars['Int']['output'];
};

/** Where a playback session stands; ENDED is final. */
export type PlaybackState =
  | 'ENDED'
  | 'PAUSED'
  | 'PLAYING';

export type Query = {
  __typename?: 'Query';
  /** The catalogue, filtered and sorted, a page at a time (at most 100). */
  browse: ContentConnection;
  /** A film or show by id; null when there is none or it was removed from the catalogue. */
  content: Maybe<Content>;
  /** Titles the editors feature, most popular first. */
  featured: Array<Content>;
  /** Every genre, by name. */
  genres: Array<Genre>;
  /** One of the signed-in user’s invoices (ADMIN: anyone’s); null if there is none with this id. */
  invoice: Maybe<Invoice>;
  /** The signed-in user; null when signed out. */
  me: Maybe<User>;
  /** What the signed-in user may stream now (cached; what streaming asks on every start). */
  myEntitlements: Entitlements;
  /** Every plan on offer, cheapest first. */
  plans: Array<Plan>;
  /** A playback session, for its owner or an ADMIN; NOT_FOUND for anyone else. */
  playbackSession: Maybe<PlaybackSession>;
  /** Titles matching the query, ignoring case and accents: titles starting with it first, then titles containing it. */
  search: Array<Content>;
  /** The titles started most often in the last 7 days, most first (1 to 100). */
  trending: Array<Content>;
  /** Any account, by id. ADMIN only. */
  user: Maybe<User>;
};


export type QueryBrowseArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ContentFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ContentSort>;
};


export type QueryContentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryFeaturedArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryInvoiceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPlaybackSessionArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySearchArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  query: Scalars['String']['input'];
};


export type QueryTrendingArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};

/** A member’s score of a title, with an optional review. Public: anyone may read it. */
export type Rating = {
  __typename?: 'Rating';
  /** The rated title. */
  content: Content;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** Plain text as the author wrote it, at most 2,000 characters. Clients escape it. */
  review: Maybe<Scalars['String']['output']>;
  /** 1 (worst) to 10 (best). */
  score: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
  /** The author; users resolves the public profile (never the email of someone else). */
  user: User;
};

export type RatingConnection = {
  __typename?: 'RatingConnection';
  edges: Array<RatingEdge>;
  pageInfo: PageInfo;
  /** All ratings in the list, on every page. */
  totalCount: Scalars['Int']['output'];
};

export type RatingEdge = {
  __typename?: 'RatingEdge';
  cursor: Scalars['String']['output'];
  node: Rating;
};

export type RegisterInput = {
  displayName: Scalars['String']['input'];
  email: Scalars['String']['input'];
  /** At least 8 characters. */
  password: Scalars['String']['input'];
};

/** What one renewal run did; a second run for the same date reports zeros. */
export type RenewalReport = {
  __typename?: 'RenewalReport';
  asOf: Scalars['DateTime']['output'];
  /** Canceled memberships ended at their period end. */
  ended: Scalars['Int']['output'];
  /** Memberships made PAST_DUE by a declined renewal (an OPEN invoice each). */
  pastDue: Scalars['Int']['output'];
  /** Periods renewed and invoiced as PAID. */
  renewed: Scalars['Int']['output'];
};

/** What an account may do: ADMIN also manages the catalogue and every account. */
export type Role =
  | 'ADMIN'
  | 'USER';

/** The episodes of one season, in order. */
export type Season = {
  __typename?: 'Season';
  episodes: Array<Episode>;
  number: Scalars['Int']['output'];
};

/** What to play, and on what. */
export type StartPlaybackInput = {
  contentId: Scalars['ID']['input'];
  /** The player’s name for the device, 1 to 64 characters, e.g. "living-room-tv". */
  device: Scalars['String']['input'];
  /** For a TV show: the episode; without it, the show’s first episode. */
  episodeId?: InputMaybe<Scalars['ID']['input']>;
  /** Asked-for quality; capped by the plan (default: the best it allows). */
  quality?: InputMaybe<VideoQuality>;
};

export type SubscribeToPlanInput = {
  /** A new random value (e.g. a UUID; letters, digits, "-", "_", at most 128) per purchase; resend it to retry safely. */
  idempotencyKey: Scalars['String']['input'];
  /** One-time card token from the payment provider. In test mode: tok_visa, tok_chargeDeclined or tok_processingError. */
  paymentToken: Scalars['String']['input'];
  planCode: PlanCode;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Every change to any playback session of the signed-in member: starts, heartbeats, pauses, stops and expiries. */
  myPlaybackSessions: PlaybackSession;
  /**
   * Every change of one playback session (start, heartbeat, pause, end), as its owner (or an ADMIN) would read it.
   * Anyone else gets NOT_FOUND and no events.
   */
  playbackSessionUpdated: PlaybackSession;
};


export type SubscriptionPlaybackSessionUpdatedArgs = {
  sessionId: Scalars['ID']['input'];
};

/** A series; its episodes are grouped by season. */
export type TvShow = Content & {
  __typename?: 'TvShow';
  /** false once the title has been removed from the catalogue; removed titles still resolve so lists and history render, but cannot be played, rated or added. */
  available: Scalars['Boolean']['output'];
  /** Members’ average score, 1 decimal; null until someone rates it. */
  averageRating: Maybe<Scalars['Float']['output']>;
  featured: Scalars['Boolean']['output'];
  genres: Array<Genre>;
  id: Scalars['ID']['output'];
  /** Whether the signed-in user saved this title; false when signed out. */
  inMyList: Maybe<Scalars['Boolean']['output']>;
  /** e.g. "PG-13" or "TV-MA". */
  maturityRating: Maybe<Scalars['String']['output']>;
  /** The signed-in member’s rating; null when signed out or not rated. */
  myRating: Maybe<Rating>;
  /** How many times the title was started, ever. */
  playCount: Maybe<Scalars['Int']['output']>;
  posterUrl: Maybe<Scalars['String']['output']>;
  /** Members’ ratings and reviews of the title, newest first. Public. */
  ratings: RatingConnection;
  /** How many members rated it. */
  ratingsCount: Maybe<Scalars['Int']['output']>;
  releaseYear: Maybe<Scalars['Int']['output']>;
  /** Seasons in order, each with its episodes in order; none once the show was removed. */
  seasons: Array<Season>;
  /** Other titles sharing the most genres with this one, best rated first. */
  similar: Array<Content>;
  synopsis: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
};


/** A series; its episodes are grouped by season. */
export type TvShowRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A series; its episodes are grouped by season. */
export type TvShowSimilarArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type TvShowInput = {
  genreIds: Array<Scalars['ID']['input']>;
  maturityRating?: InputMaybe<Scalars['String']['input']>;
  /** An http(s) URL. */
  posterUrl?: InputMaybe<Scalars['String']['input']>;
  releaseYear?: InputMaybe<Scalars['Int']['input']>;
  synopsis?: InputMaybe<Scalars['String']['input']>;
  title: Scalars['String']['input'];
};

/** A heartbeat: where the player is, and whether it plays. */
export type UpdatePlaybackInput = {
  /** Seconds from the start, 0 or more (and within the title’s runtime). */
  positionSeconds: Scalars['Int']['input'];
  sessionId: Scalars['ID']['input'];
  /** PLAYING or PAUSED (default: unchanged); ENDED when the player reached the end. */
  state?: InputMaybe<PlaybackState>;
};

/** Only the fields given are changed. */
export type UpdateProfileInput = {
  displayName?: InputMaybe<Scalars['String']['input']>;
  favoriteGenreIds?: InputMaybe<Array<Scalars['ID']['input']>>;
};

/** A member of the service. */
export type User = {
  __typename?: 'User';
  /** Sessions playing or paused now, each holding one of the plan’s streams; newest first. */
  activeSessions: Maybe<Array<PlaybackSession>>;
  /** Unfinished titles, most recent first, one per title (a show at its latest episode). */
  continueWatching: Maybe<Array<WatchProgress>>;
  createdAt: Scalars['DateTime']['output'];
  displayName: Scalars['String']['output'];
  /** Visible to the user themself and to ADMIN only. */
  email: Scalars['String']['output'];
  entitlements: Maybe<Entitlements>;
  /** Genres the user picked; resolved by the catalog. */
  favoriteGenres: Array<Genre>;
  id: Scalars['ID']['output'];
  invoices: Maybe<InvoiceConnection>;
  /** Null when the user never subscribed. */
  membership: Maybe<Membership>;
  /** Titles the user saved, newest first. The user themself only. */
  myList: Maybe<MyListConnection>;
  /** Counts of the saved titles. The user themself only. */
  myListStats: Maybe<MyListStats>;
  /** The member’s ratings, newest first. Public, like the reviews themselves. */
  ratings: Maybe<RatingConnection>;
  role: Role;
  /** Everything watched, finished or not, most recent first. */
  watchHistory: Maybe<WatchProgressConnection>;
};


/** A member of the service. */
export type UserContinueWatchingArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A member of the service. */
export type UserInvoicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A member of the service. */
export type UserMyListArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A member of the service. */
export type UserRatingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A member of the service. */
export type UserWatchHistoryArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Picture quality, lowest first. */
export type VideoQuality =
  | 'HD'
  | 'SD'
  | 'UHD';

/** How far the member got in a film or an episode. */
export type WatchProgress = {
  __typename?: 'WatchProgress';
  /** Watched to 95 % of its runtime, or played to the end. */
  completed: Scalars['Boolean']['output'];
  /** The film or show; catalog resolves its fields (removed titles too). */
  content: Content;
  /** The episode, for shows. */
  episode: Maybe<Episode>;
  /** Where to resume, in seconds from the start. */
  positionSeconds: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

/** What the member watched, most recent first. */
export type WatchProgressConnection = {
  __typename?: 'WatchProgressConnection';
  edges: Array<WatchProgressEdge>;
  pageInfo: PageInfo;
  /** Entries in the whole history, on every page. */
  totalCount: Scalars['Int']['output'];
};

export type WatchProgressEdge = {
  __typename?: 'WatchProgressEdge';
  cursor: Scalars['String']['output'];
  node: WatchProgress;
};
