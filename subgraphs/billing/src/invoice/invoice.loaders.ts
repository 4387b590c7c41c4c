import DataLoader from 'dataloader';
import type { InvoiceDocument } from './invoice.model';
import type { InvoiceService } from './invoice.service';

export function createInvoiceLoaders(invoices: InvoiceService) {
  return {
    invoiceById: new DataLoader<string, InvoiceDocument | null>(async (ids) => {
      const found = new Map((await invoices.findByIds(ids)).map((invoice) => [invoice.id, invoice]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
