// The process-isolation child: started by sandbox.ts with Node's permission model (no file writes, no
// child processes, reads only of airlock's executor code and the membrane package) and an empty
// environment. It runs one sandbox worker thread and relays between it and the host over IPC; guest
// code never runs on this thread, so it always answers, and restarts its worker when the host says.
import { ThreadTransport } from './thread-transport.js';
import type { WorkerExitReason } from './thread-transport.js';
import type { FromWorker, RequireAnswer, ToWorker } from './protocol.js';

/** Host → child. */
export type ToChild =
  | { type: 'init'; memoryMb: number; warmRealms: number }
  | { type: 'post'; message: ToWorker }
  | { type: 'answer'; answer: RequireAnswer }
  /** Terminate the worker and start a fresh one, whose messages carry this epoch. */
  | { type: 'restart'; epoch: number }
  | { type: 'close' };

/** Child → host; `epoch` says which worker (the host drops what an old one said). */
export type FromChild = { type: 'worker'; epoch: number; message: FromWorker } | { type: 'worker-exit'; epoch: number; reason: WorkerExitReason; detail: string };

const send = (message: FromChild): void => {
  if (process.connected) process.send!(message);
};

let transport: ThreadTransport | null = null;
let settings: { memoryMb: number; warmRealms: number } | null = null;
let epoch = 0;

function start(): void {
  if (settings === null) return;
  const mine = epoch;
  const t = new ThreadTransport(
    { memoryMb: settings.memoryMb, warmRealms: settings.warmRealms, workerUrl: new URL('./worker.js', import.meta.url) },
    {
      message: (message) => {
        if (transport === t) send({ type: 'worker', epoch: mine, message });
      },
      exit: (reason, detail) => {
        if (transport !== t) return;
        transport = null;
        send({ type: 'worker-exit', epoch: mine, reason, detail });
      },
    },
  );
  transport = t;
}

process.on('message', (message: ToChild) => {
  switch (message.type) {
    case 'init':
      settings = { memoryMb: message.memoryMb, warmRealms: message.warmRealms };
      start();
      break;
    case 'post':
      transport?.post(message.message);
      break;
    case 'answer':
      transport?.answer(message.answer);
      break;
    case 'restart': {
      const old = transport;
      transport = null;
      epoch = message.epoch;
      const done = old === null ? Promise.resolve() : old.terminate();
      // The host asked: it does not need to hear about the old worker's exit.
      void done.then(() => start());
      break;
    }
    case 'close':
      void (transport?.terminate() ?? Promise.resolve()).then(() => process.exit(0));
      break;
  }
});
process.on('disconnect', () => {
  void (transport?.terminate() ?? Promise.resolve()).then(() => process.exit(0));
});
