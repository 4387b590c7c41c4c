export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
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

export type Query = {
  __typename?: 'Query';
  /** The signed-in user; null when signed out. */
  me: Maybe<User>;
  /** Any account, by id. ADMIN only. */
  user: Maybe<User>;
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};

/** A member of the service. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  /** Visible to the user themself and to ADMIN only. */
  email: Scalars['String']['output'];
  displayName: Scalars['String']['output'];
  role: Role;
  createdAt: Scalars['DateTime']['output'];
  /** Genres the user picked; resolved by the catalog. */
  favoriteGenres: Array<Genre>;
};

/** What an account may do: ADMIN also manages the catalogue and every account. */
export type Role =
  | 'USER'
  | 'ADMIN';

export type Genre = {
  __typename?: 'Genre';
  id: Scalars['ID']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Creates an account and signs it in. */
  register: AuthPayload;
  /** Signs in with email and password. */
  login: AuthPayload;
  /** Trades a refresh token for new tokens; the old one stops working. */
  refreshToken: AuthPayload;
  /** Ends the session the refresh token belongs to; false if it was unknown. */
  logout: Scalars['Boolean']['output'];
  /** Changes the signed-in user’s profile. */
  updateProfile: User;
};


export type MutationRegisterArgs = {
  input: RegisterInput;
};


export type MutationLoginArgs = {
  password: Scalars['String']['input'];
  email: Scalars['String']['input'];
};


export type MutationRefreshTokenArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationLogoutArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};

/** The result of signing in: keep the refresh token secret and use it once. */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** JWT for the Authorization header; short-lived. */
  accessToken: Scalars['String']['output'];
  /** Opaque and single use: refreshToken() returns a new one. */
  refreshToken: Scalars['String']['output'];
  /** Seconds until accessToken expires. */
  expiresIn: Scalars['Int']['output'];
  user: User;
};

export type RegisterInput = {
  email: Scalars['String']['input'];
  /** At least 8 characters. */
  password: Scalars['String']['input'];
  displayName: Scalars['String']['input'];
};

/** Only the fields given are changed. */
export type UpdateProfileInput = {
  displayName?: InputMaybe<Scalars['String']['input']>;
  favoriteGenreIds?: InputMaybe<Array<Scalars['ID']['input']>>;
};
