import type { FastifyReply } from 'fastify';

/** Every page is plain text: nothing a query parameter carries can become markup. */
export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

/** What a person sees when something failed inside: no internal detail, a reference to quote. */
export function genericFailure(requestId: string): string {
  return `Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, quote this reference to support: ${requestId}`;
}
