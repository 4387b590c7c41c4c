/**
 * What billing needs from a card processor. The built-in TestModePaymentProvider behaves like a
 * processor's test mode; a real processor is one more class implementing this interface.
 */
export interface PaymentProvider {
  /**
   * Exchanges a one-time client token for a reusable payment method reference (`pm_…`) that
   * renewals charge later. Throws InvalidPaymentTokenError for a token the processor rejects.
   */
  createPaymentMethod(request: { token: string; idempotencyKey: string }): Promise<PaymentMethod>;

  /**
   * Charges at most once per idempotency key: repeating a key (after a timeout, a crash, a
   * concurrent duplicate) answers the first outcome. Throws PaymentDeclinedError when the
   * card is declined and TransientPaymentError when the outcome is unknown and may be retried.
   */
  charge(request: ChargeRequest): Promise<Charge>;

  /**
   * Refunds a succeeded charge in full, at most once per idempotency key (a repeated key
   * answers the first refund) and once per charge. Throws TransientPaymentError when the
   * outcome is unknown and may be retried with the same key.
   */
  refund(request: RefundRequest): Promise<Refund>;
}

export interface PaymentMethod {
  id: string;
  /** Safe to show and log, e.g. "tok_…visa"; never the token. */
  label: string;
}

export interface ChargeRequest {
  idempotencyKey: string;
  paymentMethodId: string;
  amountCents: number;
  currency: string;
  description: string;
}

export interface Charge {
  id: string;
  amountCents: number;
  currency: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  chargeId: string;
  amountCents: number;
  reason: string;
}

export interface Refund {
  id: string;
  chargeId: string;
  amountCents: number;
}

export class InvalidPaymentTokenError extends Error {
  override name = 'InvalidPaymentTokenError';
}

export class PaymentDeclinedError extends Error {
  override name = 'PaymentDeclinedError';
  constructor(readonly chargeId: string) {
    super('the card was declined');
  }
}

export class TransientPaymentError extends Error {
  override name = 'TransientPaymentError';
}

/** Shows enough of a token to recognise it in support, never enough to reuse it. */
export function maskToken(token: string): string {
  return token.length <= 8 ? `${token.slice(0, 4)}…` : `${token.slice(0, 4)}…${token.slice(-4)}`;
}
