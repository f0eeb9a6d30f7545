import type { Config } from '../config';
import { sessionKey, type ConsoleCredential } from './auth';

/** The console is on when an operator credential is configured; null when it is off. */
export function consoleOptions(c: Pick<Config, 'CONSOLE_PASSWORD_HASH' | 'CONSOLE_TOKEN' | 'CONSOLE_SESSION_SECRET'>): { credential: ConsoleCredential; sessionKey: string } | null {
  if (!c.CONSOLE_PASSWORD_HASH && !c.CONSOLE_TOKEN) return null;
  const credential: ConsoleCredential = { passwordHash: c.CONSOLE_PASSWORD_HASH, token: c.CONSOLE_TOKEN };
  return { credential, sessionKey: sessionKey({ ...credential, sessionSecret: c.CONSOLE_SESSION_SECRET }) };
}
