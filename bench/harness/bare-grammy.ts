// Starts the Telegram webhook benchmark's baseline (bare-grammy-server.ts: grammY alone behind the
// same route shape as ours) as its own process on the server's core.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { cores, onCore } from './cores.ts';
import type { TelegramEmulator } from '../../tests/support/telegram-emulator.ts';

export interface BareGrammyServer {
  pid: number;
  /** Its webhook route. */
  url: string;
  stop(): Promise<void>;
}

export async function startBareGrammy(emulator: TelegramEmulator, secret: string): Promise<BareGrammyServer> {
  const script = resolve(import.meta.dirname, 'bare-grammy-server.ts');
  const options = JSON.stringify({ token: emulator.token, apiRoot: emulator.apiRoot, secret });
  const [command, args] = onCore(cores.server, process.execPath, [script, options]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolvePort, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match !== null) resolvePort(Number(match[1]));
    });
    child.once('exit', (code) => {
      reject(new Error(`the bare grammY server exited (${String(code)})`));
    });
  });
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      resolveExit();
    }),
  );
  return {
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${String(port)}/telegram/webhook`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
