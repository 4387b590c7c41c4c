import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { errorCodes, graphql, uniqueTag, usersTestEnv } from '@ott/kit/testing';
import { start } from '../src/index';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id displayName } } }`;
const UPDATE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName } }`;
const NAME = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { displayName } } }`;

/** Names other members would be shown: each must be refused, naming the field. */
const REFUSED: [string, string, RegExp][] = [
  ['a right-to-left override', 'evil\u202Egnp.exe', /bidirectional control characters \(found U\+202E/],
  ['a left-to-right embedding', '\u202Aname', /bidirectional control characters \(found U\+202A/],
  ['a first-strong isolate', 'name\u2068x', /bidirectional control characters \(found U\+2068/],
  ['a right-to-left mark', 'name\u200F', /bidirectional control characters \(found U\+200F/],
  ['an Arabic letter mark', '\u061Cname', /bidirectional control characters \(found U\+061C/],
  ['a control character', 'na\u0007me', /control characters \(found U\+0007/],
  ['a NUL', 'name\u0000', /control characters \(found U\+0000/],
  ['zero-width characters only', '\u200B\u200C\u200D', /must contain a visible character/],
  ['a word joiner and byte order marks only', '\u2060\uFEFF \u2060', /must contain a visible character/],
  ['white space only', ' \t ', /must not be empty/],
];

let users: Service;
let tag: string;
let seq = 0;

function register(displayName: string) {
  seq += 1;
  return graphql<{ register: { accessToken: string; user: { id: string; displayName: string } } }>(users.url, REGISTER, {
    input: { email: `${tag}-${seq}@example.test`, password: 'a long enough password', displayName },
  });
}

beforeAll(async () => {
  tag = uniqueTag('users_names');
  users = await start(usersTestEnv(tag, { REGISTRATIONS_PER_IP: '1000' }));
});
afterAll(() => users?.close());

describe('display names', () => {
  it.each(REFUSED)('are refused at registration when they hold %s, and no account is created', async (_what, displayName, message) => {
    seq += 1;
    const email = `${tag}-refused-${seq}@example.test`;
    const refused = await graphql(users.url, REGISTER, { input: { email, password: 'a long enough password', displayName } });
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.message).toMatch(/^displayName: /);
    expect(refused.errors![0]!.message).toMatch(message);
    expect(refused.errors![0]!.extensions?.field).toBe('displayName');
    // Nothing half-written: the address is still free.
    const retried = await graphql(users.url, REGISTER, { input: { email, password: 'a long enough password', displayName: 'Fine Name' } });
    expect(retried.errors).toBeUndefined();
  });

  it.each(REFUSED)('are refused by updateProfile when they hold %s, and the old name stays', async (_what, displayName, message) => {
    const member = (await register('Original')).data!.register;
    const refused = await graphql(users.url, UPDATE, { input: { displayName, favoriteGenreIds: [] } }, { token: member.accessToken });
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.message).toMatch(/^displayName: /);
    expect(refused.errors![0]!.message).toMatch(message);
    const stored = await graphql<{ _entities: { displayName: string }[] }>(users.url, NAME, { reps: [{ __typename: 'User', id: member.user.id }] });
    expect(stored.data?._entities).toEqual([{ displayName: 'Original' }]);
  });

  it('keep what real names use: accents (stored NFC), right-to-left scripts, emoji joined by U+200D', async () => {
    const decomposed = 'Zoe\u0301 Ba\u0308r';
    const accented = await register(decomposed);
    expect(accented.errors).toBeUndefined();
    expect(accented.data!.register.user.displayName).toBe(decomposed.normalize('NFC'));
    for (const displayName of ['שרה כהן', 'مريم', '👩\u200D💻 Dev']) {
      const response = await register(displayName);
      expect(response.errors).toBeUndefined();
      expect(response.data!.register.user.displayName).toBe(displayName);
    }
    const member = (await register('Before')).data!.register;
    const renamed = await graphql(users.url, UPDATE, { input: { displayName: '  Après  ' } }, { token: member.accessToken });
    expect(renamed.data).toEqual({ updateProfile: { displayName: 'Après' } });
  });
});
