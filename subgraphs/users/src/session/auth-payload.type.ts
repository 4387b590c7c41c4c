import { Field, Int, ObjectType } from 'type-graphql';
import { User } from '../user/user.model';

@ObjectType({ description: 'The result of signing in: keep the refresh token secret and use it once.' })
export class AuthPayload {
  @Field(() => String, { description: 'JWT for the Authorization header; short-lived.' })
  accessToken: string;

  @Field(() => String, { description: 'Opaque and single use: refreshToken() returns a new one.' })
  refreshToken: string;

  @Field(() => Int, { description: 'Seconds until accessToken expires.' })
  expiresIn: number;

  @Field(() => User)
  user: User;
}
