import { ProviderCharge, ProviderPaymentMethod, ProviderRefund } from './payment/test-mode.provider';
import { Plan } from './plan/plan.model';
import { Membership } from './membership/membership.model';
import { Operation } from './operation/operation.model';
import { Invoice, InvoiceSequence } from './invoice/invoice.model';

/** Every collection this subgraph keeps, each declaring how it shards (its class's static `sharding`). */
export const SHARDING_DEFAULT_DB = 'ott_billing';
export const MODEL_CLASSES = [Plan, Membership, Operation, Invoice, InvoiceSequence, ProviderPaymentMethod, ProviderCharge, ProviderRefund];
