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

/**
 * Output is coalesced: guest code writing many small chunks (a loop of console.log) would otherwise
 * cost one IPC message each, and a run could spend its whole time limit relaying them. Chunks of one
 * run are joined per stream (the result keeps stdout and stderr apart, so only the order within a
 * stream matters) until the next turn of the event loop, until 64 KiB, or until any other message of
 * the worker, which is always sent after the output before it.
 */
const OUTPUT_BATCH_CHARS = 64 * 1024;
type OutMessage = Extract<FromWorker, { type: 'out' }>;
const pending: ({ epoch: number; message: OutMessage } | null)[] = [null, null];
let flushScheduled = false;

function flushStream(index: 0 | 1): void {
  const held = pending[index];
  pending[index] = null;
  if (held) send({ type: 'worker', epoch: held.epoch, message: held.message });
}

function flushOutput(): void {
  flushStream(0);
  flushStream(1);
}

function relay(epochOfWorker: number, message: FromWorker): void {
  if (message.type === 'out') {
    const index = message.stream === 2 ? 1 : 0;
    const held = pending[index];
    if (held && (held.epoch !== epochOfWorker || held.message.id !== message.id || held.message.text.length + message.text.length > OUTPUT_BATCH_CHARS)) flushStream(index);
    const current = pending[index];
    if (current) current.message.text += message.text;
    else pending[index] = { epoch: epochOfWorker, message: { ...message } };
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        flushOutput();
      });
    }
    return;
  }
  flushOutput();
  send({ type: 'worker', epoch: epochOfWorker, message });
}

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
        if (transport === t) relay(mine, message);
      },
      exit: (reason, detail) => {
        if (transport !== t) return;
        transport = null;
        flushOutput();
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
