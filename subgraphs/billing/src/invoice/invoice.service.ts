import { isDuplicateKeyError, keysetPage, objectIdOrNull, type Page } from '@ott/kit';
import { isValidObjectId } from 'mongoose';
import { InvoiceStatus, type InvoiceDocument, type InvoiceLine, type InvoiceModel, type InvoiceSequenceModel } from './invoice.model';

export interface IssueInvoice {
  sourceKey: string;
  userId: string;
  membershipId: string;
  currency: string;
  lines: InvoiceLine[];
  status: typeof InvoiceStatus.PAID | typeof InvoiceStatus.OPEN;
  issuedAt: Date;
}

export type InvoicePage = Page<InvoiceDocument>;

// Far more than concurrent issuers of one year will ever collide; a bound so a bug cannot spin.
const MAX_NUMBER_CLAIMS = 200;

export const formatInvoiceNumber = (year: number, seq: number) => `INV-${year}-${String(seq).padStart(6, '0')}`;

export class InvoiceService {
  constructor(
    private readonly invoices: InvoiceModel,
    private readonly sequences: InvoiceSequenceModel,
  ) {}

  /**
   * Issues the invoice of `sourceKey` once. The next number of the year is claimed by the
   * insert: a collision means another invoice took it (try the next) or this source was
   * already issued (return that one), so retries and resumed operations never burn a number.
   */
  async issue(request: IssueInvoice): Promise<InvoiceDocument> {
    const existing = await this.invoices.findOne({ sourceKey: request.sourceKey }).exec();
    if (existing) return existing;
    const year = request.issuedAt.getUTCFullYear();
    let seq = (await this.lastSeq(year)) + 1;
    for (let attempt = 0; attempt < MAX_NUMBER_CLAIMS; attempt += 1) {
      try {
        const invoice = await this.invoices.create({
          ...request,
          year,
          seq,
          number: formatInvoiceNumber(year, seq),
          amountCents: request.lines.reduce((sum, line) => sum + line.amountCents, 0),
          paidAt: request.status === InvoiceStatus.PAID ? request.issuedAt : null,
        });
        await this.recordIssued(year, seq);
        return invoice;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const issued = await this.invoices.findOne({ sourceKey: request.sourceKey }).exec();
        if (issued) return issued;
        seq = Math.max(seq + 1, (await this.lastSeq(year)) + 1);
      }
    }
    throw new Error(`could not claim an invoice number for ${year} after ${MAX_NUMBER_CLAIMS} attempts`);
  }

  /** Open invoices (declined renewals) are replaced by a new subscription or ended with the membership. */
  async voidOpen(userId: string): Promise<void> {
    await this.invoices.updateMany({ userId, status: InvoiceStatus.OPEN }, { $set: { status: InvoiceStatus.VOID } }).exec();
  }

  /**
   * Voids the invoice of `sourceKey`, if it was issued: its charge was refunded because its
   * change could not be completed. It gives up the source key, which a later attempt at the
   * same change (a renewal's period) issues its own invoice under.
   */
  async voidRefunded(sourceKey: string, operationId: string): Promise<void> {
    await this.invoices.updateOne({ sourceKey }, { $set: { status: InvoiceStatus.VOID, sourceKey: `${sourceKey}:void:${operationId}` } }).exec();
  }

  async findByIds(ids: readonly string[]): Promise<InvoiceDocument[]> {
    const valid = ids.filter((id) => isValidObjectId(id));
    return valid.length === 0 ? [] : this.invoices.find({ _id: { $in: valid } }).exec();
  }

  /** Newest first. */
  listForUser(userId: string, first: number | null | undefined, after: string | null | undefined): Promise<InvoicePage> {
    return keysetPage<InvoiceDocument>({
      filter: { userId },
      sortField: 'issuedAt',
      find: (filter, sort, limit) => this.invoices.find(filter).sort(sort).limit(limit).exec(),
      count: () => this.invoices.countDocuments({ userId }).exec(),
      valueOf: (invoice) => invoice.issuedAt,
      idOf: (invoice) => invoice.id,
      parseId: objectIdOrNull,
      first,
      after,
    });
  }

  private async lastSeq(year: number): Promise<number> {
    const hint = await this.sequences.findById(year).lean().exec();
    if (hint) return hint.last;
    // the year's first invoice, or invoices issued before the hint existed
    const last = await this.invoices.findOne({ year }).sort({ seq: -1 }).exec();
    return last?.seq ?? 0;
  }

  /** Raises the year's hint to `seq`; a concurrent issuer may leave it one behind, which the next claim's collision corrects. */
  private async recordIssued(year: number, seq: number): Promise<void> {
    const { matchedCount } = await this.sequences.updateOne({ _id: year, last: { $lt: seq } }, { $set: { last: seq } }).exec();
    if (matchedCount > 0) return;
    await this.sequences.create({ _id: year, last: seq }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }
}
