import { connectionType, type Page } from '@ott/kit';
import { Invoice, type InvoiceDocument } from './invoice.model';

export const InvoiceConnection = connectionType('Invoice', () => Invoice, { description: 'Invoices, newest first.' });
export type InvoiceConnection = Page<InvoiceDocument>;
