// The sandbox worker: a worker thread (started by sandbox.ts, in the host process or in the
// process-isolation child) that builds near-membrane realms ahead of demand and runs guest code in them.
// It holds nothing worth stealing: an empty environment, no handles but its message ports. Guest code
// reaches it only through the one channel function each realm gets (see prelude.ts), which takes and
// returns primitives. `require` is synchronous: the worker posts the request and blocks in Atomics.wait
// until the host has answered on the synchronous port.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { types as utilTypes } from 'node:util';
import { realmPrelude } from './prelude.js';
import type { RealmController } from './prelude.js';
import type { FromWorker, RequireAnswer, RunMessage, ToWorker, WorkerData } from './protocol.js';

const require = createRequire(import.meta.url);
// near-membrane-node calls `vm.runInNewContext('globalThis')` on the CommonJS module object at call
// time; we substitute our own context creation for the duration of createVirtualEnvironment (below).
const cjsVm = require('node:vm') as typeof vm;
const createVirtualEnvironment = require('@locker/near-membrane-node') as (
  global: typeof globalThis,
  options: { globalObjectShape?: object; distortionCallback?: (target: object) => object; endowments?: PropertyDescriptorMap },
) => { evaluate(source: string): unknown };

const port = parentPort!;
const data = workerData as WorkerData;
const syncFlag = new Int32Array(data.syncBuffer);
const syncPort: MessagePort = data.syncPort;

/** Files of airlock itself, shown as such in nothing the guest can read. */
const PRELUDE_FILE = 'airlock:prelude';
const MEMBRANE_FILE = 'airlock:membrane';

const DONT_CONTEXTIFY = (vm.constants as unknown as { DONT_CONTEXTIFY?: symbol } | undefined)?.DONT_CONTEXTIFY;
// Every script compiled into a realm refuses import() (see refuseImport), the prelude's and the
// membrane's included: code that eval or a function constructor compiles has the script that called
// it as its referrer, and without a callback there Node rejects the import with a host TypeError.
const preludeScript = new vm.Script(`(${realmPrelude.toString()})`, { filename: PRELUDE_FILE, importModuleDynamically: refuseImport as unknown as vm.ScriptOptions['importModuleDynamically'] });
const scriptCache = new Map<string, vm.Script>();
/** An empty shape: the realm keeps its own intrinsics instead of the host's being remapped into it. */
const EMPTY_SHAPE = Object.freeze(Object.create(null) as object);
/** What the membrane hands the realm in place of any host value that is not a channel. */
const POISON = Object.freeze(Object.create(null) as object);
/**
 * The reflective functions near-membrane replaces in the realm with proxies that serve its lazily
 * remapped global properties. With an empty global shape nothing is remapped, and the wrappers only do
 * harm: each call asks the host side about its target, through the membrane's WeakMaps, whose `get`
 * is read from the realm's (guest-writable) WeakMap.prototype. A guest that replaced it saw the
 * prelude's internal objects and had the host side call a guest function as a "pointer". The
 * originals are saved before the membrane runs and put back before the prelude.
 */
const SAVE_REFLECTIVE = new vm.Script(
  `(function () {
  var O = Object, R = Reflect, P = Object.prototype;
  return [R, 'defineProperty', R.defineProperty, R, 'getOwnPropertyDescriptor', R.getOwnPropertyDescriptor,
    O, 'getOwnPropertyDescriptor', O.getOwnPropertyDescriptor, O, 'getOwnPropertyDescriptors', O.getOwnPropertyDescriptors,
    P, '__defineGetter__', P.__defineGetter__, P, '__defineSetter__', P.__defineSetter__,
    P, '__lookupGetter__', P.__lookupGetter__, P, '__lookupSetter__', P.__lookupSetter__];
})()`,
  { filename: MEMBRANE_FILE, importModuleDynamically: refuseImport as unknown as vm.ScriptOptions['importModuleDynamically'] },
);

function restoreReflective(saved: ArrayLike<unknown>): void {
  for (let i = 0; i + 2 < saved.length; i += 3) {
    const ok = Reflect.defineProperty(saved[i] as object, saved[i + 1] as string, { value: saved[i + 2], writable: true, enumerable: false, configurable: true });
    if (!ok) throw new Error('airlock: could not restore a realm intrinsic');
  }
}

function send(message: FromWorker): void {
  port.postMessage(message);
}

interface ActiveRun {
  id: number;
  outputLeft: number;
  outputNoticed: boolean;
  timers: Map<number, NodeJS.Timeout>;
  deadline: number;
  keepRealm: boolean;
  done: boolean;
  nextReq: number;
  /** Answers already given in this run, by referrer and specifier (repeats never reach the host). */
  requireMemo: Map<string, string>;
}

interface Realm {
  context: vm.Context;
  controller: RealmController;
  run: ActiveRun | null;
  /** The realm's own Promise.prototype (to attribute unhandled rejections). */
  promiseProto: object;
  /** The realm's own Object.prototype (to attribute uncaught errors). */
  objectProto: object;
  /** Whether guest code ever ran in it (a fresh one is handed to one-shot runs). */
  used: boolean;
  pollScheduled: boolean;
}

/**
 * Refuses `import()` in code compiled by the worker (a backstop: the transform routes `import()`
 * through `require`, and the prelude refuses dynamically compiled text that mentions `import`). The
 * refusal is a primitive: compiled scripts are shared between realms, so the callback cannot tell
 * which realm called it, and an error made in the active realm would hand that realm's intrinsics to
 * a finished realm whose deferred callback (a granted FinalizationRegistry or WebAssembly promise)
 * runs during another tenant's run.
 */
function refuseImport(): never {
  throw 'SyntaxError: import() is not available in airlock; use require()';
}

/** Compiled scripts by file name and text: the same formula or module compiles once per worker. */
const compiled = new Map<string, vm.Script>();
let compiledChars = 0;
const COMPILED_CHARS_LIMIT = 1024 * 1024;

function compile(_realm: Realm, code: string, filename: string): vm.Script {
  const key = `${filename}\u0000${code}`;
  const hit = compiled.get(key);
  if (hit !== undefined) {
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const script = new vm.Script(code, {
    filename,
    importModuleDynamically: refuseImport as unknown as vm.ScriptOptions['importModuleDynamically'],
  });
  if (key.length <= COMPILED_CHARS_LIMIT / 4) {
    compiled.set(key, script);
    compiledChars += key.length;
    while (compiledChars > COMPILED_CHARS_LIMIT) {
      const oldest = compiled.keys().next().value as string;
      compiled.delete(oldest);
      compiledChars -= oldest.length;
    }
  }
  return script;
}

// Sizes of what a realm may hand the host. The realm bounds them itself (prelude.ts); these are the
// worker's own bounds, so a guest string built cheaply (a rope of repeats) never reaches the host whole.
/** Error names and messages, in characters. */
const MAX_ERROR_TEXT = 200_000;
/** A value's description (when it cannot be cloned), in characters. */
const MAX_DESCRIPTION = 1_000_000;
/** A `require` specifier, in characters (longer ones are refused before the host sees them). */
const MAX_SPECIFIER = 4096;
/** Longer guest strings are never cut (which copies a rope whole) by the worker. */
const MAX_CUT_SOURCE = 4 * 1024 * 1024;

/** The worker's own Object.prototype (never handed to the guest realm). */
const HOST_OBJECT_PROTO = Object.prototype;
const reflectGetPrototypeOf = Reflect.getPrototypeOf;
const isProxy = utilTypes.isProxy;

/**
 * The prototype chain of an object, walked without running guest code: it stops at the first Proxy
 * (whose getPrototypeOf trap would be guest code) and after 64 steps.
 */
function protoChainHas(value: unknown, proto: object): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  let current: object = value;
  for (let i = 0; i < 64; i++) {
    if (isProxy(current)) return false;
    const next = reflectGetPrototypeOf(current);
    if (next === null) return false;
    if (next === proto) return true;
    current = next;
  }
  return false;
}

/**
 * True for an object or function of the worker's own realm (never handed to the guest realm). Decided
 * without running guest code: a guest Proxy (or one in a chain) is the guest's, whatever its traps say.
 */
function isHostValue(value: unknown): boolean {
  return protoChainHas(value, HOST_OBJECT_PROTO);
}

/** An own data property of a host value, as a string of bounded length (never a getter, never guest code). */
function ownText(value: unknown, key: string, fallback: string, max: number): string {
  if (!isHostValue(value)) return fallback;
  try {
    const d = Reflect.getOwnPropertyDescriptor(value as object, key) ?? Reflect.getOwnPropertyDescriptor(reflectGetPrototypeOf(value as object) ?? {}, key);
    const v = d !== undefined && 'value' in d ? d.value : undefined;
    return typeof v === 'string' ? clip(v, max) : fallback;
  } catch {
    return fallback;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

function buildRealm(): Realm {
  let context: vm.Context | undefined;
  let reflective: ArrayLike<unknown> | undefined;
  const originalRunInNewContext = cjsVm.runInNewContext;
  const realm = { run: null, used: false, pollScheduled: false } as unknown as Realm;
  const channel = makeChannel(realm);
  cjsVm.runInNewContext = ((code: string) => {
    if (code !== 'globalThis') throw new Error('airlock: unexpected realm creation request');
    // The context's own callback covers code with no referrer script at all.
    const contextOptions = { importModuleDynamically: refuseImport } as unknown as vm.CreateContextOptions;
    context = DONT_CONTEXTIFY !== undefined ? vm.createContext(DONT_CONTEXTIFY as unknown as vm.Context, contextOptions) : vm.createContext(Object.create(null) as vm.Context, contextOptions);
    const ctx = context;
    reflective = SAVE_REFLECTIVE.runInContext(ctx) as ArrayLike<unknown>;
    // The membrane's red half is compiled once per worker and reused by every realm.
    return {
      eval(source: string): unknown {
        let script = scriptCache.get(source);
        if (script === undefined) {
          script = new vm.Script(source, { filename: MEMBRANE_FILE, importModuleDynamically: refuseImport as unknown as vm.ScriptOptions['importModuleDynamically'] });
          scriptCache.set(source, script);
        }
        return script.runInContext(ctx);
      },
    };
  }) as typeof cjsVm.runInNewContext;
  let env: { evaluate(source: string): unknown };
  try {
    env = createVirtualEnvironment(globalThis, {
      globalObjectShape: EMPTY_SHAPE,
      // Allow-list: the channel is the only host value that may ever cross into the realm.
      distortionCallback: (target: object) => (target === (channel as object) ? target : POISON),
    });
  } finally {
    cjsVm.runInNewContext = originalRunInNewContext;
  }
  if (context === undefined || reflective === undefined) throw new Error('airlock: the membrane did not create a realm');
  restoreReflective(reflective);
  realm.context = context;
  realm.promiseProto = vm.runInContext('Promise.prototype', context) as object;
  realm.objectProto = vm.runInContext('Object.prototype', context) as object;
  const key = `__airlock_${randomBytes(12).toString('hex')}`;
  const install = env.evaluate(`(function (channel) { Object.defineProperty(globalThis, ${JSON.stringify(key)}, { value: channel, configurable: true }); })`) as (
    channel: unknown,
  ) => void;
  install(channel);
  const prelude = preludeScript.runInContext(context) as typeof realmPrelude;
  realm.controller = prelude(key, PRELUDE_FILE);
  return realm;
}

/** The host end of a realm's channel. Primitives in, primitives out; it never throws. */
function makeChannel(realm: Realm): (op: unknown, a: unknown, b: unknown, c: unknown) => unknown {
  return function airlockChannel(op: unknown, a: unknown, b: unknown, c: unknown): unknown {
    try {
      const run = realm.run;
      switch (op) {
        case 'now':
          return performance.now();
        case 'write': {
          if (run === null || run.done) return 1;
          return writeOutput(run, a === 2 ? 2 : 1, typeof b === 'string' ? b : '');
        }
        case 'setTimer': {
          if (run === null || run.done || typeof a !== 'number' || typeof b !== 'number') return 0;
          const old = run.timers.get(a);
          if (old !== undefined) clearTimeout(old);
          const id = a;
          run.timers.set(
            id,
            setTimeout(() => fireTimer(realm, run, id), b),
          );
          return 0;
        }
        case 'clearTimer': {
          if (run === null || typeof a !== 'number') return 0;
          const old = run.timers.get(a);
          if (old !== undefined) {
            clearTimeout(old);
            run.timers.delete(a);
          }
          return 0;
        }
        case 'require': {
          if (run === null || run.done || typeof a !== 'string' || typeof b !== 'string') return undefined;
          if (a.length > MAX_SPECIFIER || b.length > MAX_SPECIFIER) {
            return JSON.stringify({ ok: false, code: 'AIRLOCK_MODULE_NOT_FOUND', name: 'Error', message: `Cannot find module '${a.slice(0, 64)}...': the specifier is longer than ${MAX_SPECIFIER} characters` });
          }
          return requireModule(realm, run, a, b === '' ? null : b);
        }
        case 'exit': {
          if (run === null || run.done) return 0;
          send({ type: 'notice', id: run.id, kind: 'exit', exitCode: typeof a === 'number' ? a : 1 });
          return 0;
        }
        case 'limit': {
          if (run === null || run.done) return 0;
          if (a === 'memory') send({ type: 'notice', id: run.id, kind: 'memory-limit' });
          return 0;
        }
        case 'done': {
          if (run === null || run.done) return 0;
          finishRun(realm, run, a, typeof b === 'string' ? b : '', typeof c === 'string' ? clip(c, MAX_DESCRIPTION) : '');
          return 0;
        }
        default:
          return undefined;
      }
    } catch {
      return undefined;
    }
  };
}

function writeOutput(run: ActiveRun, stream: 1 | 2, text: string): number {
  if (run.outputLeft <= 0) return 1;
  // A UTF-8 byte is at most one UTF-16 unit: cut by length first. Cutting copies a rope whole, so a
  // text far past the limit (and past what the realm could hold flat) is dropped instead.
  let over = false;
  if (text.length > run.outputLeft + 1) {
    over = true;
    text = text.length > MAX_CUT_SOURCE ? '' : text.slice(0, run.outputLeft + 1);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (!over && bytes <= run.outputLeft) {
    run.outputLeft -= bytes;
    send({ type: 'out', id: run.id, stream, text });
    return 0;
  }
  // Cut at the limit (on a character boundary) and tell the host.
  const cut = Buffer.from(text, 'utf8').subarray(0, run.outputLeft).toString('utf8').replace(/\uFFFD$/, '');
  run.outputLeft = 0;
  if (cut !== '') send({ type: 'out', id: run.id, stream, text: cut });
  if (!run.outputNoticed) {
    run.outputNoticed = true;
    send({ type: 'notice', id: run.id, kind: 'output-limit' });
  }
  return 1;
}

function fireTimer(realm: Realm, run: ActiveRun, id: number): void {
  run.timers.delete(id);
  if (run.done || realm.run !== run) return;
  realm.controller.fire(id);
  schedulePoll(realm);
}

function schedulePoll(realm: Realm): void {
  if (realm.pollScheduled) return;
  realm.pollScheduled = true;
  setImmediate(() => {
    realm.pollScheduled = false;
    const run = realm.run;
    if (run === null || run.done) return;
    realm.controller.poll();
  });
}

/**
 * Requests one run may send the host's import gateway. The watchdog pauses while the host serves one
 * (host time is not the guest's), so without a bound a loop of requires would hold the host's gateway
 * far past the time limit; repeats are answered from the run's memo and cost nothing.
 */
const MAX_REQUIRE_REQUESTS = 10_000;
/** Answers that may change on a retry (a hook failure, a late gateway) are not remembered. */
const UNSTABLE_CODES = new Set(['AIRLOCK_HOOK_ERROR', 'AIRLOCK_TIMEOUT']);

function requireModule(realm: Realm, run: ActiveRun, specifier: string, referrer: string | null): string {
  const key = `${referrer ?? ''}\u0000${specifier}`;
  const known = run.requireMemo.get(key);
  if (known !== undefined) return known;
  if (run.nextReq > MAX_REQUIRE_REQUESTS) {
    return JSON.stringify({ ok: false, code: 'AIRLOCK_MODULE_LIMIT', name: 'Error', message: `Cannot load '${clip(specifier, 200)}': more than ${MAX_REQUIRE_REQUESTS} require requests in one call` });
  }
  const answer = askGateway(realm, run, specifier, referrer);
  if (run.requireMemo.size < MAX_REQUIRE_REQUESTS) {
    let code: unknown;
    try {
      code = (JSON.parse(answer) as { code?: unknown }).code;
    } catch {
      code = 'AIRLOCK_HOOK_ERROR';
    }
    if (typeof code !== 'string' || !UNSTABLE_CODES.has(code)) run.requireMemo.set(key, answer);
  }
  return answer;
}

function askGateway(realm: Realm, run: ActiveRun, specifier: string, referrer: string | null): string {
  const req = run.nextReq++;
  Atomics.store(syncFlag, 0, 0);
  send({ type: 'require', id: run.id, req, specifier, referrer });
  const answer = waitForAnswer(req, run.deadline);
  if (answer === null) {
    return JSON.stringify({ ok: false, code: 'AIRLOCK_TIMEOUT', name: 'Error', message: `Cannot load '${specifier}': the import gateway did not answer in time` });
  }
  if (!answer.ok) return JSON.stringify({ ok: false, code: answer.code, name: answer.name, message: clip(String(answer.message), MAX_ERROR_TEXT) });
  if (answer.module !== undefined) {
    const m = answer.module;
    let fn: unknown;
    try {
      fn = compile(realm, m.wrapped, m.filename).runInContext(realm.context);
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown };
      return JSON.stringify({
        ok: false,
        code: 'AIRLOCK_GUEST_ERROR',
        name: typeof e?.name === 'string' ? e.name : 'SyntaxError',
        message: `${m.filename}: ${typeof e?.message === 'string' ? e.message : 'does not compile'}`,
      });
    }
    realm.controller.defineModule(answer.location, fn, m.filename, m.format, m.async);
  }
  return JSON.stringify({ ok: true, location: answer.location });
}

function waitForAnswer(req: number, deadline: number): RequireAnswer | null {
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const waited = Atomics.wait(syncFlag, 0, 0, left);
    for (;;) {
      const received = receiveMessageOnPort(syncPort);
      if (received === undefined) break;
      const answer = received.message as RequireAnswer;
      if (answer.req === req) {
        Atomics.store(syncFlag, 0, 0);
        return answer;
      }
    }
    Atomics.store(syncFlag, 0, 0);
    if (waited === 'timed-out') return null;
  }
}

function finishRun(realm: Realm, run: ActiveRun, outcome: unknown, payload: string, description: string): void {
  run.done = true;
  for (const timer of run.timers.values()) clearTimeout(timer);
  run.timers.clear();
  if (outcome === 'ok') {
    send({ type: 'result', id: run.id, outcome: 'ok', value: payload, ...(payload === '' ? { description } : {}) });
  } else if (outcome === 'exit') {
    send({ type: 'result', id: run.id, outcome: 'exit', exitCode: Number.parseInt(payload, 10) || 0 });
  } else {
    let error: { name: string; message: string; code?: string } = { name: 'Error', message: 'unknown error' };
    try {
      const parsed = JSON.parse(payload) as { name?: unknown; message?: unknown; code?: unknown };
      error = {
        name: typeof parsed.name === 'string' ? clip(parsed.name, 1000) : 'Error',
        message: typeof parsed.message === 'string' ? clip(parsed.message, MAX_ERROR_TEXT) : '',
        ...(typeof parsed.code === 'string' ? { code: parsed.code } : {}),
      };
    } catch {
      // keep the default
    }
    send({ type: 'result', id: run.id, outcome: 'error', error });
  }
  afterRun(realm, run);
}

// ---- realm stock and runs ---------------------------------------------------------------------------

/** Realms built ahead of demand (one-shot runs take one each). */
const stock: Realm[] = [];
/** The realm an Executor keeps between calls. */
let current: Realm | null = null;
/** The realm of the run in progress. */
let active: Realm | null = null;
let readyScheduled = false;

/**
 * Tells the host this worker can take a run, once a realm is ready. Sent from a macrotask, so it
 * only goes out after the previous run's leftover microtasks have drained: a worker stuck in a
 * guest's leftover loop never reports ready and the host replaces it.
 */
function scheduleReady(): void {
  if (readyScheduled) return;
  readyScheduled = true;
  setImmediate(() => {
    readyScheduled = false;
    // Only now, after the microtasks a finished run left: its transport bounds how long they may take.
    send({ type: 'drained' });
    try {
      if (current === null && stock.length === 0) stock.push(buildRealm());
    } catch (error) {
      send({ type: 'fatal', message: `could not build a realm: ${(error as Error)?.message ?? String(error)}` });
      return;
    }
    send({ type: 'ready' });
    topUpStock();
  });
}

/** Builds the extra warm realms, one per macrotask, while idle. */
function topUpStock(): void {
  if (current !== null || stock.length >= data.warmRealms || active !== null) return;
  setImmediate(() => {
    if (current !== null || stock.length >= data.warmRealms || active !== null) return;
    try {
      stock.push(buildRealm());
    } catch {
      return;
    }
    topUpStock();
  });
}

function takeRealm(keep: boolean): Realm {
  if (current !== null) return current;
  const realm = stock.shift() ?? buildRealm();
  if (keep) current = realm;
  return realm;
}

function afterRun(realm: Realm, run: ActiveRun): void {
  if (realm.run === run) realm.run = null;
  if (active === realm) active = null;
  if (!run.keepRealm) {
    // The used realm is dropped; a fresh one is ready before the host is told to send more.
    realm.controller.close();
    if (current === realm) current = null;
  }
  scheduleReady();
}

/** Whether a rejected promise belongs to the realm (by its prototype chain, without running guest code). */
function promiseOfRealm(realm: Realm, promise: unknown): boolean {
  try {
    return protoChainHas(promise, realm.promiseProto);
  } catch {
    return false;
  }
}

function startRun(message: RunMessage): void {
  let realm: Realm;
  try {
    realm = takeRealm(message.keepRealm);
  } catch (error) {
    send({ type: 'result', id: message.id, outcome: 'error', error: { name: 'Error', message: `airlock: could not build a realm (${(error as Error).message})`, code: 'AIRLOCK_WORKER_CRASH' } });
    return;
  }
  realm.used = true;
  active = realm;
  const run: ActiveRun = {
    id: message.id,
    outputLeft: message.maxOutputBytes,
    outputNoticed: false,
    timers: new Map(),
    // The host answers or replaces this worker; the wait is bounded only as a last resort.
    deadline: Date.now() + Math.max(message.timeoutMs * 10, 300_000),
    keepRealm: message.keepRealm,
    done: false,
    nextReq: 1,
    requireMemo: new Map(),
  };
  realm.run = run;
  const controller = realm.controller;
  controller.configure(JSON.stringify(message.config));
  const entry = message.entry;
  if (entry.kind === 'script') {
    let script: vm.Script;
    try {
      script = compile(realm, entry.code, entry.filename);
    } catch (error) {
      failCompile(realm, run, error, entry.filename);
      return;
    }
    controller.guestFile(entry.filename);
    let value: unknown;
    let threw = false;
    try {
      value = script.runInContext(realm.context);
    } catch (error) {
      value = error;
      threw = true;
    }
    if (run.done) return;
    if (threw && isHostValue(value)) {
      // A host-side error (not the guest's): report it without handing it to the realm.
      failWith(realm, run, value);
      return;
    }
    controller.settle(value, threw);
  } else if (entry.kind === 'module') {
    let fn: unknown;
    try {
      fn = compile(realm, entry.wrapped, entry.filename).runInContext(realm.context);
    } catch (error) {
      failCompile(realm, run, error, entry.filename);
      return;
    }
    controller.defineModule(entry.location, fn, entry.filename, entry.format, entry.async);
    controller.runEntryModule(entry.location);
  } else {
    controller.runEntryRequire(entry.specifier);
  }
  if (!run.done) schedulePoll(realm);
}

function failCompile(realm: Realm, run: ActiveRun, error: unknown, filename: string): void {
  const e = error as { name?: unknown; message?: unknown };
  const name = typeof e?.name === 'string' ? e.name : 'SyntaxError';
  const message = typeof e?.message === 'string' ? e.message : 'does not compile';
  finishRun(realm, run, 'error', JSON.stringify({ name, message: `${filename}: ${message}` }), '');
}

/**
 * Ends a run with an error raised outside guest code. A host error is reported by its own data
 * properties; a guest value (a realm object or a Proxy) is never read here, where its getters and
 * traps would run on the worker's stack: the realm encodes it, or it is reported as a failure.
 */
function failWith(realm: Realm, run: ActiveRun, error: unknown): void {
  if ((typeof error === 'object' || typeof error === 'function') && error !== null && !isHostValue(error)) {
    try {
      realm.controller.unhandled(error);
    } catch {
      // fall through to the generic report
    }
    if (run.done) return;
    finishRun(realm, run, 'error', JSON.stringify({ name: 'Error', message: 'the run failed' }), '');
    return;
  }
  const name = ownText(error, 'name', 'Error', 1000);
  const message = typeof error === 'string' ? clip(error, MAX_ERROR_TEXT) : ownText(error, 'message', 'the run failed', MAX_ERROR_TEXT);
  finishRun(realm, run, 'error', JSON.stringify({ name, message }), '');
}

process.on('unhandledRejection', (reason, promise) => {
  // A guest promise rejected with nobody listening ends the run, as Node would end a process; here
  // only the run ends. Rejections from other realms (a finished run's leftovers) are ignored.
  const realm = active;
  if (realm === null || realm.run === null || realm.run.done) return;
  if (isHostValue(reason) || !promiseOfRealm(realm, promise)) return;
  realm.controller.unhandled(reason);
});
process.on('uncaughtException', (error) => {
  const realm = active;
  if (realm !== null && realm.run !== null && !realm.run.done) {
    // A guest object of another realm (a finished run's leftover callback) does not end this run,
    // and is never handed to this realm.
    if ((typeof error === 'object' || typeof error === 'function') && error !== null && !isHostValue(error) && !protoChainHas(error, realm.objectProto)) return;
    failWith(realm, realm.run, error);
    return;
  }
  // Outside a run: described from a host error's own data only (a guest value's toString never runs here).
  send({ type: 'fatal', message: `uncaught: ${typeof error === 'string' ? clip(error, 1000) : ownText(error, 'message', 'a value thrown outside a run', 1000)}` });
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') {
    startRun(message);
    return;
  }
  if (message.type === 'reset') {
    if (current !== null) {
      current.controller.close();
      current = null;
    }
    scheduleReady();
  }
});

scheduleReady();
