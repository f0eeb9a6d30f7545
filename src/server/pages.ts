import type { FastifyReply } from 'fastify';

/**
 * Every page is plain text: nothing a query parameter carries can become markup. A refusal or
 * failure carries the request's id, which is also on every log line about it.
 */
export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  const ref = status >= 400 && !text.includes(reply.request.id) ? `\nReference: ${reply.request.id}` : '';
  return reply.code(status).type('text/plain; charset=utf-8').send(`${text}${ref}\n`);
}

/** What a person sees when something failed inside: no internal detail, a reference to quote. */
export function genericFailure(requestId: string): string {
  return `Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, quote this reference to support: ${requestId}`;
}
