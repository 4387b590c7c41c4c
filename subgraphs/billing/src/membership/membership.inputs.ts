import { Field, InputType } from 'type-graphql';
import { PlanCode } from '../plan/plan.model';

@InputType()
export class SubscribeToPlanInput {
  @Field(() => PlanCode)
  planCode: PlanCode;

  @Field(() => String, {
    description: 'One-time card token from the payment provider. In test mode: tok_visa, tok_chargeDeclined or tok_processingError.',
  })
  paymentToken: string;

  @Field(() => String, {
    description: 'A new random value (e.g. a UUID; letters, digits, "-", "_", at most 128) per purchase; resend it to retry safely.',
  })
  idempotencyKey: string;
}
