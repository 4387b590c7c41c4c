import { createRequestContext, type Logger, type RequestContext, type TokenConfig, type ServiceRequest } from '@ott/kit';
import type { EntitlementsService } from './entitlements/entitlements.service';
import { createInvoiceLoaders } from './invoice/invoice.loaders';
import type { InvoiceService } from './invoice/invoice.service';
import { createMembershipLoaders } from './membership/membership.loaders';
import type { MembershipService } from './membership/membership.service';
import type { PlanService } from './plan/plan.service';
import type { RenewalService } from './renewal/renewal.service';

export interface BillingServices {
  plans: PlanService;
  memberships: MembershipService;
  renewals: RenewalService;
  invoices: InvoiceService;
  entitlements: EntitlementsService;
}

export interface Context extends RequestContext, BillingServices {
  loaders: ReturnType<typeof createMembershipLoaders> & ReturnType<typeof createInvoiceLoaders>;
}

export function contextFactory(services: BillingServices, tokens: TokenConfig, logger: Logger) {
  return async (req: ServiceRequest, requestId: string): Promise<Context> => ({
    ...createRequestContext(req.headers, requestId, tokens, logger),
    ...services,
    loaders: { ...createMembershipLoaders(services.memberships, services.entitlements), ...createInvoiceLoaders(services.invoices) },
  });
}
