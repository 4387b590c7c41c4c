import { byIdLoader } from '@ott/kit';
import type { InvoiceDocument } from './invoice.model';
import type { InvoiceService } from './invoice.service';

/** Per-request loaders: one `$in` query per batch of ids, answered in key order. */
export function createInvoiceLoaders(invoices: InvoiceService) {
  return {
    invoiceById: byIdLoader<InvoiceDocument>(
      (ids) => invoices.findByIds(ids),
      (invoice) => invoice.id as string,
    ),
  };
}
