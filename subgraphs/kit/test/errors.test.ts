import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { appError, createErrorFormatter, createLogger, ErrorCode, isPublicError, notFound } from '../src';

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('test', 'info', sink), lines };
}

describe('error formatting', () => {
  it('passes errors with our codes through, without stack traces', () => {
    const { logger } = capturingLogger();
    const error = notFound('content', 'c1');
    const formatted = createErrorFormatter(logger)({ ...error.toJSON(), extensions: { ...error.extensions, stacktrace: ['at x'] } }, error);
    expect(formatted).toEqual({ message: 'No content with id "c1".', extensions: { code: 'NOT_FOUND', id: 'c1' } });
  });

  it('passes a service’s own code only when the service declares it, and masks it otherwise', () => {
    const { logger } = capturingLogger();
    const error = appError('STREAM_LIMIT_REACHED', 'All your streams are playing.', { maxStreams: 2 });
    expect(createErrorFormatter(logger, ['STREAM_LIMIT_REACHED'])(error.toJSON(), error)).toEqual({
      message: 'All your streams are playing.',
      extensions: { code: 'STREAM_LIMIT_REACHED', maxStreams: 2 },
    });
    expect(createErrorFormatter(logger)(error.toJSON(), error).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(isPublicError(error.toJSON(), new Set(['STREAM_LIMIT_REACHED']))).toBe(true);
    expect(isPublicError(error.toJSON())).toBe(false);
  });

  it('drops what the gateway adds to a subgraph’s error: the subgraph’s name, URL, status and raw body', () => {
    const { logger } = capturingLogger();
    const error = new GraphQLError('Sign in to do this.', {
      extensions: {
        code: 'UNAUTHENTICATED',
        serviceName: 'my-list',
        response: { url: 'http://localhost:4003/graphql', status: 401, body: '{}' },
        http: { status: 401 },
      },
    });
    expect(createErrorFormatter(logger)(error.toJSON(), error)).toEqual({ message: 'Sign in to do this.', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('masks unexpected errors, including ones already labelled INTERNAL_SERVER_ERROR, and logs them', () => {
    const { logger, lines } = capturingLogger();
    const format = createErrorFormatter(logger);
    const crash = new GraphQLError("Cannot read properties of undefined (reading 'map')", {
      originalError: new TypeError("Cannot read properties of undefined (reading 'map')"),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
    const formatted = format(crash.toJSON(), crash);
    expect(formatted.message).not.toMatch(/undefined/);
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(lines.join('')).toMatch(/reading 'map'/);

    const driverError = new GraphQLError('E11000 duplicate key error collection: users index: email_1');
    expect(format(driverError.toJSON(), driverError).message).not.toMatch(/E11000/);
  });

  it('logs a cause once, however many fields it nulled (one failed subgraph call)', () => {
    const { logger, lines } = capturingLogger();
    const format = createErrorFormatter(logger);
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:4004');
    for (const field of ['ratingsCount', 'averageRating']) {
      const perField = new GraphQLError('the ratings subgraph did not answer', {
        path: ['content', field],
        originalError: cause,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
      });
      const atGateway = new GraphQLError(perField.message, {
        path: ['content', field],
        originalError: perField,
        extensions: { ...perField.extensions, serviceName: 'ratings' },
      });
      expect(format(atGateway.toJSON(), atGateway)).toMatchObject({ path: ['content', field], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    expect(lines.filter((line) => line.includes('ECONNREFUSED'))).toHaveLength(1);
  });

  it('never writes passwords, tokens or payment tokens to the log', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ input: { password: 'hunter22', paymentToken: 'tok_visa_4242' }, refreshToken: 'r1', headers: { authorization: 'Bearer abc' } }, 'x');
    const line = lines.join('');
    for (const secret of ['hunter22', 'tok_visa_4242', '"r1"', 'Bearer abc']) expect(line).not.toContain(secret);
  });
});
