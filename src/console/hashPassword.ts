import { hashConsolePassword } from './auth';

/** `npm run console-hash` < password-file: prints a CONSOLE_PASSWORD_HASH value (the password never goes in argv). */
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length < 12) throw new Error('the password must be at least 12 characters');
  console.log(await hashConsolePassword(password));
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
