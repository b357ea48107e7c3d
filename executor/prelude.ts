// The realm-side half of the sandbox. `realmPrelude` is never called in the host: its source text is
// compiled inside each fresh realm (worker.ts), before any guest code, and it must therefore reference
// nothing outside itself (no imports, no module-level values; types only).
//
// What it does, and why (DESIGN.md, "Facts that shape the design"):
// - captures the realm's intrinsics once, so nothing below re-reads a global or prototype method that
//   guest code could replace (ses `commons.js` style); internal arrays and records have no prototype,
//   so a setter or `toJSON` guest code puts on Array.prototype/Object.prototype never sees them;
// - shadows the names a global object inherits (`constructor`, `toString`, `__proto__`, ...) with the
//   realm's own, non-configurable, so no lookup on the global can fall back to a host object;
// - installs a non-writable Error.prepareStackTrace of its own: call sites never reach guest code, host
//   frames are left out of `.stack`, and a Symbol (or throwing) error name cannot make `.stack` throw;
// - wraps eval and the four function constructors so dynamically compiled code can never contain
//   `import` (Node resolves such an `import()` with the host's own loader), and removes what calls back
//   into host code or schedules work outside a run (WebAssembly streaming, FinalizationRegistry,
//   Atomics.waitAsync) unless the policy grants it;
// - meters what the heap limit does not see (ArrayBuffer and typed array backing stores);
// - provides console, timers, queueMicrotask, require and exit as realm code. The host is reached only
//   through one function held in this closure (handed over through the membrane), called with
//   primitives; every call is wrapped so a host error never reaches guest code;
// - awaits the run's value inside the realm, and encodes it as a string the host decodes (codec.ts).
/* eslint-disable */

/** Per-run settings, as JSON. */
export interface RealmRunConfig {
  allowExit: boolean;
  /** Extra globals granted by the policy (see GRANTABLE_GLOBALS in realm.ts). */
  globals: string[];
  /** Budget for ArrayBuffer / typed array backing stores, in bytes. */
  externalBytes: number;
  /** Where the entry's `require` resolves from (a gateway referrer), or null for the hooks' root. */
  entryLocation: string | null;
  /** JSON text of the run's `input` global (absent: no such global). */
  input?: string;
}

/** What the worker calls on a realm. Arguments and results are primitives or raw realm values. */
export interface RealmController {
  configure(configJson: string): void;
  /** Marks a file name as guest code (its stack frames are shown). */
  guestFile(filename: string): void;
  /** Hands over the completion value (or thrown value) of the entry script. */
  settle(value: unknown, threw: boolean): void;
  /** Defines a module from its compiled wrapper function (before the `require` answer returns). */
  defineModule(location: string, fn: unknown, filename: string, format: string, isAsync: boolean): void;
  /** Runs a defined module as the entry; its value is its default export or its exports. */
  runEntryModule(location: string): void;
  /** Requires a specifier as the entry (r_import); its value is the module's exports. */
  runEntryRequire(specifier: string): void;
  fire(timerId: number): void;
  /** Called by the host after each macrotask: finishes the run when it settled and nothing is pending. */
  poll(): void;
  /** An unhandled promise rejection (the raw reason). */
  unhandled(reason: unknown): void;
  /** The run is over (host side): drop timers, refuse further work. */
  close(): void;
  /** A short description of any value (for host-side diagnostics). */
  describe(value: unknown): string;
}

export function realmPrelude(channelKey: string, preludeFile: string): RealmController {
  'use strict';
  const G: any = globalThis;

  // ---- intrinsics, captured once ------------------------------------------------------------------
  const ObjectC = G.Object;
  const FunctionC = G.Function;
  const ArrayC = G.Array;
  const StringC = G.String;
  const NumberC = G.Number;
  const SymbolC = G.Symbol;
  const ErrorC = G.Error;
  const TypeErrorC = G.TypeError;
  const RangeErrorC = G.RangeError;
  const SyntaxErrorC = G.SyntaxError;
  const PromiseC = G.Promise;
  const MapC = G.Map;
  const SetC = G.Set;
  const WeakMapC = G.WeakMap;
  const WeakSetC = G.WeakSet;
  const ProxyC = G.Proxy;
  const DateC = G.Date;
  const RegExpC = G.RegExp;
  const JSONC = G.JSON;
  const MathC = G.Math;
  const ReflectC = G.Reflect;
  const ArrayBufferC = G.ArrayBuffer;
  const SharedArrayBufferC = G.SharedArrayBuffer;
  const DataViewC = G.DataView;
  const FinalizationRegistryC = G.FinalizationRegistry;
  const WebAssemblyO = G.WebAssembly;
  const Uint8ArrayC = G.Uint8Array;
  const evalF = G.eval;

  const apply = ReflectC.apply;
  const construct = ReflectC.construct;
  const defineProperty = ReflectC.defineProperty;
  const deleteProperty = ReflectC.deleteProperty;
  const getOwnPropertyDescriptor = ReflectC.getOwnPropertyDescriptor;
  const getPrototypeOf = ReflectC.getPrototypeOf;
  const setPrototypeOf = ReflectC.setPrototypeOf;
  const ownKeys = ReflectC.ownKeys;
  const isExtensible = ReflectC.isExtensible;
  const freeze = ObjectC.freeze;
  const isArray = ArrayC.isArray;
  const arrayFrom = ArrayC.from;
  const objectIs = ObjectC.is;
  const jsonStringify = JSONC.stringify;
  const jsonParseF = JSONC.parse;
  /** JSON.parse as captured (a guest's replacement never sees the run's settings or gateway answers). */
  const jsonParse = (text: string): any => apply(jsonParseF, JSONC, [text]);
  const mathMin = MathC.min;
  const mathMax = MathC.max;
  const mathFloor = MathC.floor;
  const numberIsFinite = NumberC.isFinite;
  const numberIsSafeInteger = NumberC.isSafeInteger;

  const uncurry = (fn: Function) => (self: unknown, ...args: unknown[]) => apply(fn, self, args);
  const ObjectProto = ObjectC.prototype;
  const FunctionProto = FunctionC.prototype;
  const hasOwn = uncurry(ObjectProto.hasOwnProperty);
  const objectToString = uncurry(ObjectProto.toString);
  const functionToString = uncurry(FunctionProto.toString);
  const stringSlice = uncurry(StringC.prototype.slice);
  const stringIndexOf = uncurry(StringC.prototype.indexOf);
  const stringCharCodeAt = uncurry(StringC.prototype.charCodeAt);
  const stringRepeat = uncurry(StringC.prototype.repeat);
  const stringToLowerCase = uncurry(StringC.prototype.toLowerCase);
  const symbolToString = uncurry(SymbolC.prototype.toString);
  const symbolDescription = getOwnPropertyDescriptor(SymbolC.prototype, 'description').get;
  const numberToString = uncurry(NumberC.prototype.toString);
  const bigintToString = uncurry(G.BigInt.prototype.toString);
  const mapGet = uncurry(MapC.prototype.get);
  const mapSet = uncurry(MapC.prototype.set);
  const mapHas = uncurry(MapC.prototype.has);
  const mapDelete = uncurry(MapC.prototype.delete);
  const mapClear = uncurry(MapC.prototype.clear);
  const mapForEach = uncurry(MapC.prototype.forEach);
  const mapSizeGet = getOwnPropertyDescriptor(MapC.prototype, 'size').get;
  const setAdd = uncurry(SetC.prototype.add);
  const setHas = uncurry(SetC.prototype.has);
  const setForEach = uncurry(SetC.prototype.forEach);
  const setSizeGet = getOwnPropertyDescriptor(SetC.prototype, 'size').get;
  const weakMapGet = uncurry(WeakMapC.prototype.get);
  const weakMapSet = uncurry(WeakMapC.prototype.set);
  const weakMapHas = uncurry(WeakMapC.prototype.has);
  const weakSetAdd = uncurry(WeakSetC.prototype.add);
  const weakSetHas = uncurry(WeakSetC.prototype.has);
  const promiseThenRaw = PromiseC.prototype.then;
  /**
   * `then` on a promise the prelude made, immune to guest hooks: the promise gets an own `constructor`
   * with no species, so `then` builds its derived promise with the realm's own Promise and never reads
   * a guest `Promise.prototype.constructor` or `Promise[Symbol.species]`.
   */
  const NO_SPECIES = freeze({ __proto__: null });
  const promiseThen = (p: any, onFulfilled?: Function, onRejected?: Function): unknown => {
    defineProperty(p, 'constructor', { __proto__: null, value: NO_SPECIES, writable: false, enumerable: false, configurable: false } as any);
    return apply(promiseThenRaw, p, [onFulfilled, onRejected]);
  };
  const promiseResolve = (v: unknown) => construct(PromiseC, [(resolve: Function) => resolve(v)]);
  const dateGetTime = uncurry(DateC.prototype.getTime);
  const dateToISOString = uncurry(DateC.prototype.toISOString);
  const regexpSourceGet = getOwnPropertyDescriptor(RegExpC.prototype, 'source').get;
  const regexpFlagsGet = getOwnPropertyDescriptor(RegExpC.prototype, 'flags').get;
  const errorToString = uncurry(ErrorC.prototype.toString);
  const TypedArray = getPrototypeOf(G.Uint8Array);
  const TypedArrayProto = TypedArray.prototype;
  const typedArrayLengthGet = getOwnPropertyDescriptor(TypedArrayProto, 'length').get;
  const typedArrayBufferGet = getOwnPropertyDescriptor(TypedArrayProto, 'buffer').get;
  const typedArrayOffsetGet = getOwnPropertyDescriptor(TypedArrayProto, 'byteOffset').get;
  const typedArrayByteLengthGet = getOwnPropertyDescriptor(TypedArrayProto, 'byteLength').get;
  const typedArrayTagGet = getOwnPropertyDescriptor(TypedArrayProto, SymbolC.toStringTag).get;
  const typedArraySet = uncurry(TypedArrayProto.set);
  const arrayBufferByteLengthGet = getOwnPropertyDescriptor(ArrayBufferC.prototype, 'byteLength').get;
  const arrayBufferSlice = uncurry(ArrayBufferC.prototype.slice);
  const sharedByteLengthGet = SharedArrayBufferC ? getOwnPropertyDescriptor(SharedArrayBufferC.prototype, 'byteLength').get : undefined;
  const dataViewBufferGet = getOwnPropertyDescriptor(DataViewC.prototype, 'buffer').get;
  const dataViewOffsetGet = getOwnPropertyDescriptor(DataViewC.prototype, 'byteOffset').get;
  const dataViewLengthGet = getOwnPropertyDescriptor(DataViewC.prototype, 'byteLength').get;
  const numberValueOf = uncurry(NumberC.prototype.valueOf);
  const stringValueOf = uncurry(StringC.prototype.valueOf);
  const booleanValueOf = uncurry(G.Boolean.prototype.valueOf);
  const bigintValueOf = uncurry(G.BigInt.prototype.valueOf);
  const symbolValueOf = uncurry(SymbolC.prototype.valueOf);
  const fromCharCode = StringC.fromCharCode;
  const regexpExecRaw = uncurry(RegExpC.prototype.exec);
  const SYMBOL_ITERATOR = SymbolC.iterator;
  const SYMBOL_TO_STRING_TAG = SymbolC.toStringTag;

  /** A realm-side record with no prototype: assignments never reach a guest setter. */
  const record = (): any => ({ __proto__: null }) as any;
  /** A data descriptor with no prototype (a guest `Object.prototype.get` cannot turn it into an accessor). */
  const dataDesc = (value: unknown, writable: boolean, enumerable: boolean, configurable: boolean): PropertyDescriptor => {
    const d = record();
    d.value = value;
    d.writable = writable;
    d.enumerable = enumerable;
    d.configurable = configurable;
    return d;
  };
  /** An array with no prototype (for internal lists: no inherited setters, iterators or toJSON). */
  const list = (): any[] => {
    const a: any[] = [];
    setPrototypeOf(a, null);
    return a;
  };
  const push = (a: any[], v: unknown) => {
    a[a.length] = v;
  };
  /** Tries a getter on a value; undefined when it does not apply (wrong receiver). */
  const tryGet = (getter: Function | undefined, value: unknown): any => {
    if (getter === undefined) return undefined;
    try {
      return apply(getter, value, []);
    } catch {
      return undefined;
    }
  };
  const isObjectLike = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

  // ---- the one channel to the host ----------------------------------------------------------------
  // Handed over through the membrane (a realm-side proxy of a host function) and deleted from the
  // global object before any guest code runs. Only primitives go in; only primitives come back; a host
  // error (including a stack overflow inside the membrane) is caught here and never rethrown.
  const channelFn = G[channelKey];
  deleteProperty(G, channelKey);
  const hostCall = (op: string, a?: unknown, b?: unknown, c?: unknown): unknown => {
    let out: unknown;
    try {
      out = channelFn(op, a, b, c);
    } catch {
      throw new ErrorC('airlock: the host refused the request');
    }
    return isObjectLike(out) ? undefined : out;
  };

  // ---- safe strings -------------------------------------------------------------------------------
  /** A string for any value without throwing (guest toString may run; its errors are swallowed). */
  const safeString = (v: unknown): string => {
    try {
      if (typeof v === 'string') return v;
      if (typeof v === 'symbol') return symbolToString(v);
      return StringC(v);
    } catch {
      try {
        return '[' + objectToString(v) + ']';
      } catch {
        return '[object]';
      }
    }
  };
  /** Bounds on what the realm hands the host (names, messages, encoded values), in characters. */
  const MAX_NAME_CHARS = 1000;
  const MAX_MESSAGE_CHARS = 100000;
  /**
   * Cutting a string copies all of it first when it is a rope (what `repeat` and `+` build cheaply), so
   * longer strings are not cut but replaced by their length: the prelude never makes a copy of a
   * size the guest chose.
   */
  const MAX_CUT_SOURCE = 4194304;
  /** A string cut to `max` characters (before it is escaped, copied or sent). */
  const clipText = (text: string, max: number): string => {
    if (text.length <= max) return text;
    if (text.length > MAX_CUT_SOURCE) return '[a string of ' + numberToString(text.length) + ' characters]';
    return stringSlice(text, 0, max) + '... (' + numberToString(text.length - max) + ' more characters)';
  };
  /** A property read that never throws and never returns a getter's value from the prototype chain. */
  const ownData = (o: any, key: PropertyKey): any => {
    try {
      const d = getOwnPropertyDescriptor(o, key);
      return d !== undefined && hasOwn(d, 'value') ? d.value : undefined;
    } catch {
      return undefined;
    }
  };
  const readProp = (o: any, key: PropertyKey): any => {
    try {
      return o[key];
    } catch {
      return undefined;
    }
  };

  // ---- global names inherited from Object.prototype, shadowed -------------------------------------
  const INHERITED = [
    'constructor',
    'toString',
    'toLocaleString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    '__defineGetter__',
    '__defineSetter__',
    '__lookupGetter__',
    '__lookupSetter__',
    '__proto__',
  ];
  for (let i = 0; i < INHERITED.length; i++) {
    const name = INHERITED[i]!;
    const d = getOwnPropertyDescriptor(ObjectProto, name);
    if (d === undefined) continue;
    const own = record();
    if (hasOwn(d, 'value')) {
      own.value = d.value;
      own.writable = true;
    } else {
      own.get = d.get;
      own.set = d.set;
    }
    own.enumerable = false;
    own.configurable = false;
    defineProperty(G, name, own);
  }

  // ---- stack traces -------------------------------------------------------------------------------
  const guestFiles = new SetC();
  let callSiteGetFileName: Function | undefined;
  let callSiteToString: Function | undefined;
  try {
    G.Error.prepareStackTrace = (_e: unknown, sites: any[]) => sites;
    const sites = new ErrorC().stack;
    deleteProperty(G.Error, 'prepareStackTrace');
    const proto = getPrototypeOf(sites[0]);
    callSiteGetFileName = proto.getFileName;
    callSiteToString = proto.toString;
  } catch {
    deleteProperty(G.Error, 'prepareStackTrace');
  }
  /** `Name: message`, for any thrown value, without throwing and without running host code. */
  const errorHeader = (e: unknown): string => {
    if (!isObjectLike(e)) return safeString(e);
    let name: unknown;
    let message: unknown;
    try {
      name = (e as any).name;
    } catch {
      name = undefined;
    }
    try {
      message = (e as any).message;
    } catch {
      message = undefined;
    }
    const n = name === undefined ? 'Error' : safeString(name);
    const m = message === undefined ? '' : safeString(message);
    if (n === '') return m;
    if (m === '') return n;
    return n + ': ' + m;
  };
  const formatStack = (error: unknown, sites: any): string => {
    let out = errorHeader(error);
    try {
      const n = sites.length;
      for (let i = 0; i < n; i++) {
        const site = sites[i];
        let file: unknown;
        try {
          file = apply(callSiteGetFileName!, site, []);
        } catch {
          continue;
        }
        if (typeof file === 'string' && file !== '' && !setHas(guestFiles, file)) continue;
        try {
          out += '\n    at ' + apply(callSiteToString!, site, []);
        } catch {}
      }
    } catch {}
    return out;
  };
  const ErrorCtor = G.Error;
  defineProperty(ErrorCtor, 'prepareStackTrace', {
    value: function prepareStackTrace(error: unknown, sites: unknown) {
      return formatStack(error, sites);
    },
    writable: false,
    enumerable: false,
    configurable: false,
  });
  // Node formats a realm error's stack with `<realm global>.Error.prepareStackTrace`: pin the binding.
  defineProperty(G, 'Error', { value: ErrorCtor, writable: false, enumerable: false, configurable: false });

  // ---- dynamic code: eval and the function constructors -------------------------------------------
  /** True when `import` appears as a word (an `import()` or `import.meta` would need it). */
  const mentionsImport = (text: string): boolean => {
    let from = 0;
    for (;;) {
      const at = stringIndexOf(text, 'import', from);
      if (at < 0) return false;
      const before = at === 0 ? 0 : stringCharCodeAt(text, at - 1);
      const after = stringCharCodeAt(text, at + 6);
      if (!isIdentifierChar(before) && !isIdentifierChar(after)) return true;
      from = at + 1;
    }
  };
  /**
   * Whether a UTF-16 unit can continue an identifier. Beyond ASCII only what Unicode calls ID_Continue
   * does: a no-break space, a byte-order mark or a line separator is whitespace to the engine, so
   * `\u00A0import(...)` is an import, not part of a longer name. A lone surrogate counts as a boundary
   * (refusing too much, never too little).
   */
  const ID_CONTINUE = new RegExpC('^[\\p{ID_Continue}\\u200C\\u200D]$', 'u');
  const isIdentifierChar = (c: number): boolean =>
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95 || (c > 127 && regexpExecRaw(ID_CONTINUE, fromCharCode(c)) !== null);
  const refuseImport = (): never => {
    throw new SyntaxErrorC('import() and import.meta are not available in airlock (dynamically compiled code may not use `import`); use require()');
  };
  const codeArgs = (args: any): any[] => {
    const out: any[] = list();
    const n = args.length;
    for (let i = 0; i < n; i++) {
      const text = safeStringStrict(args[i]);
      if (mentionsImport(text)) refuseImport();
      out[i] = text;
    }
    return out;
  };
  /** ToString as the function constructors do it (errors propagate, as they would). */
  const safeStringStrict = (v: unknown): string => (typeof v === 'string' ? v : StringC(v));
  const wrapCodeConstructor = (Target: any): any => {
    const handler = record();
    handler.apply = (_t: unknown, _self: unknown, args: unknown[]) => construct(Target, codeArgs(args));
    handler.construct = (_t: unknown, args: unknown[], newTarget: any) => construct(Target, codeArgs(args), newTarget === wrapped ? Target : newTarget);
    const wrapped = new ProxyC(Target, handler);
    return wrapped;
  };
  const FunctionW = wrapCodeConstructor(FunctionC);
  const hiddenConstructors = [
    getPrototypeOf(async function () {}),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function* () {}),
  ];
  defineProperty(FunctionProto, 'constructor', { value: FunctionW, writable: true, enumerable: false, configurable: true });
  defineProperty(G, 'Function', { value: FunctionW, writable: true, enumerable: false, configurable: true });
  for (let i = 0; i < hiddenConstructors.length; i++) {
    const proto = hiddenConstructors[i];
    const wrapped = wrapCodeConstructor(proto.constructor);
    defineProperty(proto, 'constructor', { value: wrapped, writable: false, enumerable: false, configurable: true });
  }
  const evalHandler = record();
  evalHandler.apply = (_t: unknown, _self: unknown, args: any) => {
    const code = args[0];
    if (typeof code !== 'string') return code;
    if (mentionsImport(code)) refuseImport();
    return evalF(code);
  };
  defineProperty(G, 'eval', { value: new ProxyC(evalF, evalHandler), writable: true, enumerable: false, configurable: true });

  // ---- what calls back into the host or schedules work outside a run ------------------------------
  if (WebAssemblyO !== undefined) {
    deleteProperty(WebAssemblyO, 'compileStreaming');
    deleteProperty(WebAssemblyO, 'instantiateStreaming');
    deleteProperty(G, 'WebAssembly');
  }
  if (FinalizationRegistryC !== undefined) deleteProperty(G, 'FinalizationRegistry');
  if (G.Atomics !== undefined) deleteProperty(G.Atomics, 'waitAsync');

  // ---- output -------------------------------------------------------------------------------------
  let outputStopped = false;
  const write = (stream: 1 | 2, text: string): void => {
    if (outputStopped) throwLimit('output', 'AIRLOCK_OUTPUT_LIMIT', 'output limit reached');
    const r = hostCall('write', stream, text);
    if (r !== 0) {
      outputStopped = true;
      throwLimit('output', 'AIRLOCK_OUTPUT_LIMIT', 'output limit reached');
    }
  };
  /** The code each error the prelude made was made with (its `code` property is guest-writable). */
  const airlockErrors = new WeakMapC();
  const makeError = (Ctor: any, code: string, message: string): any => {
    const e = new Ctor(message);
    defineProperty(e, 'code', dataDesc(code, true, true, true));
    weakMapSet(airlockErrors, e, code);
    return e;
  };
  const throwLimit = (_kind: string, code: string, message: string): never => {
    throw makeError(RangeErrorC, code, message);
  };

  // ---- inspect (console formatting and descriptions of values) ------------------------------------
  const IDENT = /^[A-Za-z_$][\w$]*$/;
  const regexpExec = uncurry(RegExpC.prototype.exec);
  defineProperty(IDENT, 'exec', { value: RegExpC.prototype.exec });
  const isIdentifier = (s: string): boolean => regexpExec(IDENT, s) !== null;
  const quote = (s: string): string => {
    let q = "'";
    if (stringIndexOf(s, "'") >= 0) q = stringIndexOf(s, '"') < 0 ? '"' : stringIndexOf(s, '`') < 0 ? '`' : "'";
    let out = q;
    for (let i = 0; i < s.length; i++) {
      const c = stringCharCodeAt(s, i);
      if (c === 10) out += '\\n';
      else if (c === 9) out += '\\t';
      else if (c === 13) out += '\\r';
      else if (c === 92) out += '\\\\';
      else if (c < 32 || c === 127) out += '\\x' + (c < 16 ? '0' : '') + numberToString(c, 16);
      else if (fromCharCode(c) === q) out += '\\' + q;
      else out += fromCharCode(c);
    }
    return out + q;
  };
  const numberText = (n: number): string => (objectIs(n, -0) ? '-0' : StringC(n));
  const functionName = (f: Function): string => {
    const n = ownData(f, 'name');
    return typeof n === 'string' ? clipText(n, 1000) : '';
  };
  const isClass = (f: Function): boolean => {
    try {
      const text = functionToString(f);
      return stringSlice(text, 0, 6) === 'class ' || stringSlice(text, 0, 6) === 'class{';
    } catch {
      return false;
    }
  };
  /** The constructor name of an object, read from descriptors only (no getters run). */
  const constructorName = (o: object): string | null => {
    let proto: any;
    try {
      proto = getPrototypeOf(o);
    } catch {
      return null;
    }
    for (let depth = 0; proto !== null && depth < 50; depth++) {
      const c = ownData(proto, 'constructor');
      if (typeof c === 'function') {
        const n = functionName(c);
        if (n !== '') return n;
      }
      try {
        proto = getPrototypeOf(proto);
      } catch {
        return null;
      }
    }
    return null;
  };
  const tagOf = (o: object): string => {
    try {
      return stringSlice(objectToString(o), 8, -1);
    } catch {
      return 'Object';
    }
  };
  const isTypedArray = (v: unknown): boolean => tryGet(typedArrayTagGet, v) !== undefined;
  const isArrayBuffer = (v: unknown): boolean => tryGet(arrayBufferByteLengthGet, v) !== undefined;
  const isSharedArrayBuffer = (v: unknown): boolean => tryGet(sharedByteLengthGet, v) !== undefined;
  const isDataView = (v: unknown): boolean => tryGet(dataViewLengthGet, v) !== undefined;
  const isMap = (v: unknown): boolean => tryGet(mapSizeGet, v) !== undefined;
  const isSet = (v: unknown): boolean => tryGet(setSizeGet, v) !== undefined;
  const isDate = (v: unknown): boolean => {
    try {
      dateGetTime(v);
      return true;
    } catch {
      return false;
    }
  };
  const isRegExp = (v: unknown): boolean => tryGet(regexpSourceGet, v) !== undefined && v !== RegExpC.prototype;
  const isError = (v: unknown): boolean => {
    if (!isObjectLike(v)) return false;
    const tag = tagOf(v);
    if (tag === 'Error') return true;
    let proto: any = v;
    for (let d = 0; d < 50; d++) {
      try {
        proto = getPrototypeOf(proto);
      } catch {
        return false;
      }
      if (proto === null) return false;
      if (proto === ErrorC.prototype) return true;
    }
    return false;
  };
  const boxedPrimitive = (v: object): { type: string; value: unknown } | null => {
    const tries: [string, (x: unknown) => unknown][] = [
      ['Number', numberValueOf],
      ['String', stringValueOf],
      ['Boolean', booleanValueOf],
      ['BigInt', bigintValueOf],
      ['Symbol', symbolValueOf],
    ];
    for (let i = 0; i < tries.length; i++) {
      try {
        const value = tries[i]![1](v);
        return { type: tries[i]![0], value };
      } catch {}
    }
    return null;
  };
  const isPromise = (v: unknown): boolean => {
    if (!isObjectLike(v)) return false;
    return tagOf(v) === 'Promise';
  };

  const MAX_INSPECT_DEPTH = 2;
  const MAX_ITEMS = 100;
  const MAX_STRING = 10000;
  /**
   * Characters one description may still produce (reset by `describe` and `format`): depth and item
   * bounds alone allow 100 ** 3 strings of 10000 characters each, so the total is bounded too.
   */
  const MAX_DESCRIBE_CHARS = 1000000;
  let inspectLeft = MAX_DESCRIBE_CHARS;
  const inspect = (value: unknown, depth: number, seen: any[], top: boolean): string => {
    if (inspectLeft <= 0) return '...';
    inspectLeft -= 8;
    switch (typeof value) {
      case 'string': {
        if (top) return value;
        const keep = mathMax(0, mathMin(MAX_STRING, inspectLeft));
        inspectLeft -= mathMin(value.length, keep);
        if (value.length <= keep) return quote(value);
        if (value.length > MAX_CUT_SOURCE) return '[a string of ' + numberToString(value.length) + ' characters]';
        return quote(stringSlice(value, 0, keep)) + '... ' + (value.length - keep) + ' more characters';
      }
      case 'number':
        return numberText(value);
      case 'bigint':
        return bigintToString(value) + 'n';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return 'undefined';
      case 'symbol':
        return clipText(symbolToString(value), 1000);
      default:
        break;
    }
    if (value === null) return 'null';
    const o = value as any;
    for (let i = 0; i < seen.length; i++) if (seen[i] === o) return '[Circular]';
    if (typeof o === 'function') {
      const name = functionName(o);
      if (isClass(o)) return '[class ' + (name === '' ? '(anonymous)' : name) + ']';
      return '[Function: ' + (name === '' ? '(anonymous)' : name) + ']';
    }
    if (isError(o)) {
      const stack = ownData(o, 'stack');
      const text = typeof stack === 'string' ? stack : '[' + errorHeader(o) + ']';
      const keep = mathMax(0, mathMin(MAX_STRING * 10, inspectLeft));
      inspectLeft -= mathMin(text.length, keep);
      return clipText(text, keep);
    }
    if (isDate(o)) {
      try {
        return dateToISOString(o);
      } catch {
        return 'Invalid Date';
      }
    }
    if (isRegExp(o)) return '/' + tryGet(regexpSourceGet, o) + '/' + tryGet(regexpFlagsGet, o);
    const boxed = boxedPrimitive(o);
    if (boxed !== null) return '[' + boxed.type + ': ' + inspect(boxed.value, depth, seen, false) + ']';
    if (isPromise(o)) return 'Promise { <unknown> }';
    const tag = tagOf(o);
    if (tag === 'WeakMap' || tag === 'WeakSet' || tag === 'WeakRef') return tag + ' { <items unknown> }';
    if (isArrayBuffer(o)) return 'ArrayBuffer { byteLength: ' + tryGet(arrayBufferByteLengthGet, o) + ' }';
    if (isSharedArrayBuffer(o)) return 'SharedArrayBuffer { byteLength: ' + tryGet(sharedByteLengthGet, o) + ' }';
    if (isDataView(o)) return 'DataView { byteLength: ' + tryGet(dataViewLengthGet, o) + ' }';
    const name = constructorName(o);
    let prefix = '';
    const entries = list();
    const nextSeen = list();
    for (let i = 0; i < seen.length; i++) push(nextSeen, seen[i]);
    push(nextSeen, o);
    const deeper = depth + 1;
    let open = '{';
    let close = '}';
    let more = 0;
    const typed = isTypedArray(o);
    if (typed || isArray(o)) {
      open = '[';
      close = ']';
      let length = 0;
      try {
        length = typed ? tryGet(typedArrayLengthGet, o) : o.length;
      } catch {}
      if (typed) prefix = tryGet(typedArrayTagGet, o) + '(' + length + ') ';
      else if (name !== 'Array') prefix = (name === null ? '[Array: null prototype]' : name) + '(' + length + ') ';
      if (depth > MAX_INSPECT_DEPTH) return typed ? prefix + '[...]' : '[Array]';
      const shown = mathMin(length, MAX_ITEMS);
      let holes = 0;
      for (let i = 0; i < shown; i++) {
        const d = safeDescriptor(o, StringC(i));
        if (d === undefined) {
          holes++;
          continue;
        }
        if (holes > 0) {
          push(entries, '<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
          holes = 0;
        }
        push(entries, describeDescriptor(d, deeper, nextSeen));
      }
      if (holes > 0) push(entries, '<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
      more = length - shown;
      if (!typed) addOwnProps(o, entries, deeper, nextSeen, true);
    } else if (isMap(o)) {
      prefix = (name ?? 'Map') + '(' + tryGet(mapSizeGet, o) + ') ';
      if (depth > MAX_INSPECT_DEPTH) return '[Map]';
      let count = 0;
      try {
        mapForEach(o, (v: unknown, k: unknown) => {
          if (count++ < MAX_ITEMS) push(entries, inspect(k, deeper, nextSeen, false) + ' => ' + inspect(v, deeper, nextSeen, false));
        });
      } catch {}
      more = count - MAX_ITEMS;
    } else if (isSet(o)) {
      prefix = (name ?? 'Set') + '(' + tryGet(setSizeGet, o) + ') ';
      if (depth > MAX_INSPECT_DEPTH) return '[Set]';
      let count = 0;
      try {
        setForEach(o, (v: unknown) => {
          if (count++ < MAX_ITEMS) push(entries, inspect(v, deeper, nextSeen, false));
        });
      } catch {}
      more = count - MAX_ITEMS;
    } else {
      if (name === null) prefix = '[Object: null prototype] ';
      else if (name !== 'Object') prefix = name + ' ';
      if (depth > MAX_INSPECT_DEPTH) return name === null || name === 'Object' ? '[Object]' : '[' + name + ']';
      addOwnProps(o, entries, deeper, nextSeen, false);
    }
    if (more > 0) push(entries, '... ' + more + ' more item' + (more > 1 ? 's' : ''));
    if (entries.length === 0) return prefix + open + close;
    let total = prefix.length;
    let multiline = false;
    for (let i = 0; i < entries.length; i++) {
      total += entries[i].length + 2;
      if (stringIndexOf(entries[i], '\n') >= 0) multiline = true;
    }
    if (!multiline && total <= 72) {
      let body = '';
      for (let i = 0; i < entries.length; i++) body += (i === 0 ? '' : ', ') + entries[i];
      return prefix + open + ' ' + body + ' ' + close;
    }
    const indent = stringRepeat('  ', depth + 1);
    let body = '';
    for (let i = 0; i < entries.length; i++) body += (i === 0 ? '' : ',\n') + indent + indentLines(entries[i], indent);
    return prefix + open + '\n' + body + '\n' + stringRepeat('  ', depth) + close;
  };
  const indentLines = (text: string, indent: string): string => {
    let out = '';
    let from = 0;
    for (;;) {
      const at = stringIndexOf(text, '\n', from);
      if (at < 0) return out + stringSlice(text, from);
      out += stringSlice(text, from, at) + '\n' + indent;
      from = at + 1;
    }
  };
  const safeDescriptor = (o: object, key: PropertyKey): PropertyDescriptor | undefined => {
    try {
      return getOwnPropertyDescriptor(o, key);
    } catch {
      return undefined;
    }
  };
  const describeDescriptor = (d: PropertyDescriptor, depth: number, seen: any[]): string => {
    if (hasOwn(d, 'value')) return inspect(d.value, depth, seen, false);
    if (d.get !== undefined && d.set !== undefined) return '[Getter/Setter]';
    if (d.get !== undefined) return '[Getter]';
    return '[Setter]';
  };
  const addOwnProps = (o: object, entries: any[], depth: number, seen: any[], skipIndices: boolean): void => {
    let keys: any;
    try {
      keys = ownKeys(o);
    } catch {
      return;
    }
    let shown = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (skipIndices && typeof key === 'string' && (key === 'length' || isIndex(key))) continue;
      const d = safeDescriptor(o, key);
      if (d === undefined || !d.enumerable) continue;
      if (shown++ >= MAX_ITEMS) {
        push(entries, '...');
        return;
      }
      let k: string;
      if (typeof key === 'symbol') k = '[' + clipText(symbolToString(key), 1000) + ']';
      else k = isIdentifier(key) ? clipText(key, 1000) : quote(clipText(key, 1000));
      inspectLeft -= k.length;
      push(entries, k + ': ' + describeDescriptor(d, depth, seen));
    }
  };
  const isIndex = (key: string): boolean => {
    if (key.length === 0 || key.length > 10) return false;
    for (let i = 0; i < key.length; i++) {
      const c = stringCharCodeAt(key, i);
      if (c < 48 || c > 57) return false;
    }
    return key === '0' || stringCharCodeAt(key, 0) !== 48;
  };
  const describe = (v: unknown): string => {
    inspectLeft = MAX_DESCRIBE_CHARS;
    try {
      return inspect(v, 0, list(), false);
    } catch {
      return '[value]';
    }
  };

  /** util.format: `%s %d %i %f %j %o %O %c %%` and the rest joined with spaces. */
  const format = (args: any): string => {
    const n = args.length;
    if (n === 0) return '';
    let out = '';
    let next = 0;
    const first = args[0];
    if (typeof first === 'string' && stringIndexOf(first, '%') >= 0) {
      next = 1;
      let last = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (stringCharCodeAt(first, i) !== 37) continue;
        const c = fromCharCode(stringCharCodeAt(first, i + 1));
        let piece: string | null = null;
        if (c === '%') piece = '%';
        else if (next < n) {
          const arg = args[next];
          if (c === 's') piece = typeof arg === 'string' ? arg : typeof arg === 'bigint' ? bigintToString(arg) + 'n' : typeof arg === 'symbol' || isObjectLike(arg) ? describe(arg) : safeString(arg);
          else if (c === 'd' || c === 'i') {
            if (typeof arg === 'bigint') piece = bigintToString(arg) + 'n';
            else if (typeof arg === 'symbol' || isObjectLike(arg)) piece = 'NaN';
            else {
              const num = NumberC(arg);
              piece = numberText(c === 'i' ? (numberIsFinite(num) ? (num < 0 ? -mathFloor(-num) : mathFloor(num)) : num) : num);
            }
          } else if (c === 'f') piece = typeof arg === 'symbol' ? 'NaN' : numberText(NumberC(safeString(arg)));
          else if (c === 'j') {
            try {
              piece = StringC(jsonStringify(arg));
            } catch {
              piece = '[Circular]';
            }
          } else if (c === 'o' || c === 'O') piece = describe(arg);
          else if (c === 'c') piece = '';
          if (piece !== null) next++;
        }
        if (piece === null) continue;
        out += stringSlice(first, last, i) + piece;
        last = i + 2;
        i++;
      }
      out += stringSlice(first, last);
    }
    for (let i = next; i < n; i++) {
      const arg = args[i];
      inspectLeft = MAX_DESCRIBE_CHARS;
      out += (i === 0 ? '' : ' ') + (typeof arg === 'string' ? arg : inspect(arg, 0, list(), false));
    }
    return out;
  };

  // ---- console --------------------------------------------------------------------------------------
  let groupIndent = '';
  const counts = new MapC();
  const timersByLabel = new MapC();
  const emit = (stream: 1 | 2, text: string): void => {
    if (groupIndent !== '') text = groupIndent + indentLines(text, groupIndent);
    write(stream, text + '\n');
  };
  const consoleObject = record();
  const method = (name: string, fn: Function) => {
    defineProperty(consoleObject, name, { value: fn, writable: true, enumerable: true, configurable: true });
  };
  method('log', function log(...args: unknown[]) {
    emit(1, format(args));
  });
  method('info', function info(...args: unknown[]) {
    emit(1, format(args));
  });
  method('debug', function debug(...args: unknown[]) {
    emit(1, format(args));
  });
  method('error', function error(...args: unknown[]) {
    emit(2, format(args));
  });
  method('warn', function warn(...args: unknown[]) {
    emit(2, format(args));
  });
  method('trace', function trace(...args: unknown[]) {
    const e = new ErrorC();
    let stack = '';
    try {
      stack = safeString(e.stack);
    } catch {}
    const at = stringIndexOf(stack, '\n');
    emit(2, 'Trace' + (args.length > 0 ? ': ' + format(args) : '') + (at >= 0 ? stringSlice(stack, at) : ''));
  });
  method('dir', function dir(value: unknown) {
    emit(1, describe(value));
  });
  method('dirxml', function dirxml(...args: unknown[]) {
    emit(1, format(args));
  });
  method('table', function table(...args: unknown[]) {
    emit(1, format(args));
  });
  method('assert', function assert(condition: unknown, ...args: unknown[]) {
    if (condition) return;
    emit(2, 'Assertion failed' + (args.length > 0 ? ': ' + format(args) : ''));
  });
  method('count', function count(label?: unknown) {
    const key = label === undefined ? 'default' : safeString(label);
    const n = (mapGet(counts, key) ?? 0) + 1;
    mapSet(counts, key, n);
    emit(1, key + ': ' + n);
  });
  method('countReset', function countReset(label?: unknown) {
    mapDelete(counts, label === undefined ? 'default' : safeString(label));
  });
  method('group', function group(...args: unknown[]) {
    if (args.length > 0) emit(1, format(args));
    groupIndent += '  ';
  });
  method('groupCollapsed', function groupCollapsed(...args: unknown[]) {
    if (args.length > 0) emit(1, format(args));
    groupIndent += '  ';
  });
  method('groupEnd', function groupEnd() {
    groupIndent = stringSlice(groupIndent, 0, mathMax(0, groupIndent.length - 2));
  });
  const now = (): number => {
    const t = hostCall('now');
    return typeof t === 'number' ? t : 0;
  };
  method('time', function time(label?: unknown) {
    mapSet(timersByLabel, label === undefined ? 'default' : safeString(label), now());
  });
  const elapsed = (label: unknown): string | null => {
    const key = label === undefined ? 'default' : safeString(label);
    const start = mapGet(timersByLabel, key);
    if (start === undefined) return null;
    const ms = now() - start;
    return key + ': ' + (ms < 1000 ? numberToString(mathFloor(ms * 1000) / 1000) + 'ms' : numberToString(mathFloor(ms) / 1000) + 's');
  };
  method('timeEnd', function timeEnd(label?: unknown) {
    const text = elapsed(label);
    mapDelete(timersByLabel, label === undefined ? 'default' : safeString(label));
    if (text !== null) emit(1, text);
  });
  method('timeLog', function timeLog(label?: unknown, ...args: unknown[]) {
    const text = elapsed(label);
    if (text !== null) emit(1, text + (args.length > 0 ? ' ' + format(args) : ''));
  });
  setPrototypeOf(consoleObject, ObjectProto);
  defineProperty(G, 'console', { value: consoleObject, writable: true, enumerable: false, configurable: true });

  // ---- run state ------------------------------------------------------------------------------------
  const state = record();
  state.active = false; // a run is in progress
  state.settled = false;
  state.finished = false;
  state.outcome = null; // { kind: 'ok'|'error'|'exit', value }
  state.exited = false;
  state.exitCode = 0;
  state.refTimers = 0;
  state.externalUsed = 0;
  state.externalBudget = 64 * 1024 * 1024;
  state.memoryLimitHit = false;

  const EXIT_SIGNAL = freeze({ __proto__: null, airlock: 'exit' });

  // ---- timers -----------------------------------------------------------------------------------------
  const MAX_TIMERS = 100000;
  const timers = new MapC(); // id -> record { fn, args, repeat, ms, ref, handle }
  let nextTimerId = 1;
  let liveTimers = 0;
  const TimeoutProto = record();
  const timerOf = (handle: unknown): any => {
    if (typeof handle === 'number') return mapGet(timers, handle);
    if (isObjectLike(handle)) {
      const id = weakMapGet(timerIds, handle);
      return id === undefined ? undefined : mapGet(timers, id);
    }
    return undefined;
  };
  const timerIds = new WeakMapC();
  const makeHandle = (id: number): any => {
    const handle = { __proto__: TimeoutProto };
    weakMapSet(timerIds, handle, id);
    return handle;
  };
  const handleId = (handle: unknown): number | undefined => (isObjectLike(handle) ? weakMapGet(timerIds, handle) : undefined);
  defineProperty(TimeoutProto, 'ref', {
    value: function ref(this: unknown) {
      const t = timerOf(this);
      if (t !== undefined && !t.ref) {
        t.ref = true;
        state.refTimers++;
      }
      return this;
    },
  });
  defineProperty(TimeoutProto, 'unref', {
    value: function unref(this: unknown) {
      const t = timerOf(this);
      if (t !== undefined && t.ref) {
        t.ref = false;
        state.refTimers--;
      }
      return this;
    },
  });
  defineProperty(TimeoutProto, 'hasRef', {
    value: function hasRef(this: unknown) {
      const t = timerOf(this);
      return t !== undefined && t.ref;
    },
  });
  defineProperty(TimeoutProto, 'refresh', {
    value: function refresh(this: unknown) {
      const id = handleId(this);
      const t = id === undefined ? undefined : mapGet(timers, id);
      if (t !== undefined) hostCall('setTimer', id, t.ms);
      return this;
    },
  });
  defineProperty(TimeoutProto, SymbolC.toPrimitive, {
    value: function toPrimitive(this: unknown) {
      return handleId(this);
    },
  });
  setPrototypeOf(TimeoutProto, ObjectProto);
  const clampDelay = (ms: unknown): number => {
    const n = typeof ms === 'number' ? ms : NumberC(typeof ms === 'symbol' ? NaN : ms);
    if (!(n >= 1) || !(n <= 2147483647)) return 1;
    return n;
  };
  const addTimer = (fn: unknown, ms: unknown, args: any[], repeat: boolean, immediate: boolean): any => {
    if (typeof fn !== 'function') {
      throw new TypeErrorC('The "callback" argument must be of type function' + (typeof fn === 'string' ? ' (strings are not compiled)' : ''));
    }
    if (!state.active) throw makeError(ErrorC, 'AIRLOCK_CLOSED', 'timers are not available outside a run');
    if (liveTimers >= MAX_TIMERS) throw new RangeErrorC('too many pending timers (' + MAX_TIMERS + ')');
    const id = nextTimerId++;
    const t = record();
    t.fn = fn;
    t.args = args;
    t.repeat = repeat;
    t.ms = immediate ? 0 : clampDelay(ms);
    t.ref = true;
    mapSet(timers, id, t);
    liveTimers++;
    state.refTimers++;
    hostCall('setTimer', id, t.ms);
    return makeHandle(id);
  };
  const removeTimer = (id: number): void => {
    const t = mapGet(timers, id);
    if (t === undefined) return;
    mapDelete(timers, id);
    liveTimers--;
    if (t.ref) state.refTimers--;
  };
  const clearTimer = (handle: unknown): void => {
    let id: unknown = handle;
    if (isObjectLike(handle)) id = handleId(handle);
    else if (typeof handle === 'string') id = NumberC(handle);
    if (typeof id !== 'number') return;
    if (!mapHas(timers, id)) return;
    removeTimer(id);
    hostCall('clearTimer', id);
  };
  const argsFrom = (args: any, start: number): any[] => {
    const out: any[] = list();
    for (let i = start; i < args.length; i++) out[i - start] = args[i];
    return out;
  };
  const timerGlobals = record();
  timerGlobals.setTimeout = function setTimeout(fn: unknown, ms?: unknown, ...args: unknown[]) {
    return addTimer(fn, ms, argsFrom(args, 0), false, false);
  };
  timerGlobals.setInterval = function setInterval(fn: unknown, ms?: unknown, ...args: unknown[]) {
    return addTimer(fn, ms, argsFrom(args, 0), true, false);
  };
  timerGlobals.setImmediate = function setImmediate(fn: unknown, ...args: unknown[]) {
    return addTimer(fn, 0, argsFrom(args, 0), false, true);
  };
  timerGlobals.clearTimeout = function clearTimeout(handle: unknown) {
    clearTimer(handle);
  };
  timerGlobals.clearInterval = function clearInterval(handle: unknown) {
    clearTimer(handle);
  };
  timerGlobals.clearImmediate = function clearImmediate(handle: unknown) {
    clearTimer(handle);
  };
  timerGlobals.queueMicrotask = function queueMicrotask(fn: unknown) {
    if (typeof fn !== 'function') throw new TypeErrorC('The "callback" argument must be of type function');
    promiseThen(promiseResolve(undefined), () => {
      try {
        apply(fn, undefined, []);
      } catch (e) {
        uncaught(e);
      }
    });
  };
  const timerNames = ownKeys(timerGlobals);
  for (let i = 0; i < timerNames.length; i++) {
    defineProperty(G, timerNames[i], { value: timerGlobals[timerNames[i]], writable: true, enumerable: false, configurable: true });
  }

  // ---- external memory (ArrayBuffer and typed array backing stores) ---------------------------------
  // The worker's heap limit does not cover these; without a meter one run could fill the host's RAM.
  const registry = FinalizationRegistryC !== undefined ? new FinalizationRegistryC((bytes: number) => {
    state.externalUsed -= bytes;
  }) : undefined;
  /** Objects already charged (a species copy made through a metered constructor is not charged twice). */
  const chargedObjects = new WeakSetC();
  const registryRegister: Function | undefined = registry !== undefined ? FinalizationRegistryC.prototype.register : undefined;
  const registerBytes = (target: object, bytes: number): void => {
    if (bytes <= 0) return;
    if (state.externalUsed + bytes > state.externalBudget) {
      state.memoryLimitHit = true;
      try {
        hostCall('limit', 'memory');
      } catch {}
      throw makeError(RangeErrorC, 'AIRLOCK_MEMORY_LIMIT', 'Native allocation failed (array buffer or Intl object): the run\'s memory limit is reached');
    }
    state.externalUsed += bytes;
    weakSetAdd(chargedObjects, target);
    if (registry !== undefined) {
      try {
        apply(registryRegister!, registry, [target, bytes]);
      } catch {}
    }
  };
  const preCharge = (bytes: number): void => {
    if (!(bytes >= 0)) return;
    if (state.externalUsed + bytes > state.externalBudget) {
      state.memoryLimitHit = true;
      try {
        hostCall('limit', 'memory');
      } catch {}
      throw makeError(RangeErrorC, 'AIRLOCK_MEMORY_LIMIT', 'Native allocation failed (array buffer or Intl object): the run\'s memory limit is reached');
    }
  };
  const toIndex = (v: unknown): number => {
    if (v === undefined) return 0;
    const n = NumberC(v);
    if (n !== n) return 0;
    const i = n < 0 ? -mathFloor(-n) : mathFloor(n);
    if (i < 0 || !numberIsSafeInteger(i)) throw new RangeErrorC('Invalid array length');
    return i;
  };
  const bufferOptions = (options: unknown): any => {
    if (!isObjectLike(options)) return undefined;
    const max = (options as any).maxByteLength;
    if (max === undefined) return undefined;
    const o = record();
    o.maxByteLength = toIndex(max);
    return o;
  };
  const meterBufferConstructor = (Target: any): any => {
    const handler = record();
    handler.construct = (_t: unknown, args: any, newTarget: any) => {
      const length = toIndex(args[0]);
      const options = bufferOptions(args[1]);
      const bytes = mathMax(length, options === undefined ? 0 : options.maxByteLength);
      preCharge(bytes);
      const real = options === undefined ? [length] : [length, options];
      const made = construct(Target, real, newTarget === wrapped ? Target : newTarget);
      registerBytes(made, bytes);
      return made;
    };
    const wrapped = new ProxyC(Target, handler);
    defineProperty(Target.prototype, 'constructor', { value: wrapped, writable: true, enumerable: false, configurable: true });
    return wrapped;
  };
  const meterTypedArray = (Target: any): any => {
    const bpe = Target.BYTES_PER_ELEMENT;
    const handler = record();
    handler.construct = (_t: unknown, args: any, newTarget: any) => {
      const nt = newTarget === wrapped ? Target : newTarget;
      const first = args[0];
      if (!isObjectLike(first)) {
        const length = toIndex(first);
        preCharge(length * bpe);
        const made = construct(Target, [length], nt);
        registerBytes(made, length * bpe);
        return made;
      }
      if (isArrayBuffer(first) || isSharedArrayBuffer(first)) {
        const real: any[] = list();
        for (let i = 0; i < args.length && i < 3; i++) real[i] = args[i];
        return construct(Target, real, nt);
      }
      let source: any;
      let length: number;
      if (isTypedArray(first)) {
        source = first;
        length = tryGet(typedArrayLengthGet, first);
      } else {
        // An iterable or array-like: an array-like's length is charged before anything is copied;
        // then it is copied once, so the length cannot change under us.
        let iterable = false;
        try {
          iterable = typeof (first as any)[SYMBOL_ITERATOR] === 'function';
        } catch {}
        if (!iterable) {
          let hint = 0;
          try {
            hint = toIndex((first as any).length);
          } catch {
            hint = 0;
          }
          preCharge(hint * bpe);
        }
        const copy = apply(arrayFrom, ArrayC, [first]);
        setPrototypeOf(copy, null);
        source = copy;
        length = copy.length;
      }
      preCharge(length * bpe);
      const made = construct(Target, [length], nt);
      registerBytes(made, length * bpe);
      typedArraySet(made, source);
      return made;
    };
    const wrapped = new ProxyC(Target, handler);
    defineProperty(Target.prototype, 'constructor', { value: wrapped, writable: true, enumerable: false, configurable: true });
    return wrapped;
  };
  defineProperty(G, 'ArrayBuffer', { value: meterBufferConstructor(ArrayBufferC), writable: true, enumerable: false, configurable: true });
  if (SharedArrayBufferC !== undefined) {
    defineProperty(G, 'SharedArrayBuffer', { value: meterBufferConstructor(SharedArrayBufferC), writable: true, enumerable: false, configurable: true });
  }
  const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
  for (let i = 0; i < TYPED.length; i++) {
    const Target = G[TYPED[i]!];
    if (typeof Target !== 'function') continue;
    defineProperty(G, TYPED[i]!, { value: meterTypedArray(Target), writable: true, enumerable: false, configurable: true });
  }
  // ES2023 copying methods allocate without going through the species constructor.
  const COPYING = ['toReversed', 'toSorted', 'with'];
  for (let i = 0; i < COPYING.length; i++) {
    const name = COPYING[i]!;
    const original = TypedArrayProto[name];
    if (typeof original !== 'function') continue;
    const fn = {
      [name](this: unknown, ...args: unknown[]) {
        const length = tryGet(typedArrayLengthGet, this);
        const byteLength = tryGet(typedArrayByteLengthGet, this);
        const bytes = typeof byteLength === 'number' ? byteLength : 0;
        preCharge(bytes);
        const made = apply(original, this, args);
        registerBytes(made, bytes);
        void length;
        return made;
      },
    }[name];
    defineProperty(TypedArrayProto, name, { value: fn, writable: true, enumerable: false, configurable: true });
  }
  // Methods that allocate a new backing store through a species constructor: a guest that sets
  // `constructor` to undefined gets the realm's intrinsic constructor (not the metered wrapper), so
  // each is charged here with the size it copies (or, for transfer, the size asked for).
  const meterMethod = (proto: any, name: string, size: (self: unknown, args: any) => unknown): void => {
    const original = proto === undefined ? undefined : getOwnPropertyDescriptor(proto, name)?.value;
    if (typeof original !== 'function') return;
    const fn = {
      [name](this: unknown, ...args: unknown[]) {
        const n = size(this, args);
        const bytes = typeof n === 'number' && n >= 0 ? n : 0;
        preCharge(bytes);
        const made = apply(original, this, args);
        if (isObjectLike(made) && !weakSetHas(chargedObjects, made)) registerBytes(made, bytes);
        return made;
      },
    }[name];
    defineProperty(proto, name, { value: fn, writable: true, enumerable: false, configurable: true });
  };
  const typedBytes = (self: unknown): unknown => tryGet(typedArrayByteLengthGet, self);
  meterMethod(TypedArrayProto, 'slice', typedBytes);
  meterMethod(TypedArrayProto, 'map', typedBytes);
  meterMethod(TypedArrayProto, 'filter', typedBytes);
  meterMethod(ArrayBufferC.prototype, 'slice', (self) => tryGet(arrayBufferByteLengthGet, self));
  if (SharedArrayBufferC !== undefined) meterMethod(SharedArrayBufferC.prototype, 'slice', (self) => tryGet(sharedByteLengthGet, self));
  const transferSize = (self: unknown, args: any): unknown => (args.length > 0 && args[0] !== undefined ? toIndex(args[0]) : tryGet(arrayBufferByteLengthGet, self));
  meterMethod(ArrayBufferC.prototype, 'transfer', transferSize);
  meterMethod(ArrayBufferC.prototype, 'transferToFixedLength', transferSize);
  // ICU objects (Intl) hold native memory the heap limit does not see either: a DateTimeFormat is some
  // 150 bytes of heap and 30 KB of ICU state, so a 32 MiB heap could keep gigabytes alive. Each is
  // charged an estimate of its native size against the same budget, and credited when collected.
  const IntlO = G.Intl;
  const INTL_COSTS: [string, number][] = [
    ['DateTimeFormat', 32768],
    ['RelativeTimeFormat', 16384],
    ['Segmenter', 8192],
    ['Collator', 4096],
    ['NumberFormat', 4096],
    ['PluralRules', 4096],
    ['ListFormat', 4096],
    ['DisplayNames', 4096],
    ['DurationFormat', 4096],
    ['Locale', 2048],
  ];
  const meterNative = (Target: any, bytes: number): any => {
    const handler = record();
    const charged = (made: unknown): unknown => {
      if (isObjectLike(made) && !weakSetHas(chargedObjects, made)) registerBytes(made, bytes);
      return made;
    };
    // Collator, DateTimeFormat and NumberFormat also construct when called without `new`.
    handler.apply = (_t: unknown, self: unknown, args: any) => {
      preCharge(bytes);
      return charged(apply(Target, self, args));
    };
    handler.construct = (_t: unknown, args: any, newTarget: any) => {
      preCharge(bytes);
      return charged(construct(Target, args, newTarget === wrapped ? Target : newTarget));
    };
    const wrapped = new ProxyC(Target, handler);
    defineProperty(Target.prototype, 'constructor', { value: wrapped, writable: true, enumerable: false, configurable: true });
    return wrapped;
  };
  if (isObjectLike(IntlO)) {
    for (let i = 0; i < INTL_COSTS.length; i++) {
      const name = INTL_COSTS[i]![0];
      const Target = ownData(IntlO, name);
      if (typeof Target !== 'function') continue;
      defineProperty(IntlO, name, { value: meterNative(Target, INTL_COSTS[i]![1]), writable: true, enumerable: false, configurable: true });
    }
    const SegmenterC = ownData(IntlO, 'Segmenter');
    if (typeof SegmenterC === 'function') {
      // A segmenter's `segment()` and each iterator over its segments clone an ICU break iterator. The
      // segments' prototype is metered on the first call (a probe here would cost every realm ~1 ms).
      const segmentF = ownData(SegmenterC.prototype, 'segment');
      let iteratorMetered = false;
      if (typeof segmentF === 'function') {
        const segment = {
          segment(this: unknown, ...args: unknown[]) {
            preCharge(4096);
            const made = apply(segmentF, this, args);
            if (!isObjectLike(made)) return made;
            if (!iteratorMetered) {
              iteratorMetered = true;
              meterMethod(getPrototypeOf(made), SYMBOL_ITERATOR as unknown as string, () => 4096);
            }
            if (!weakSetHas(chargedObjects, made)) registerBytes(made, 4096);
            return made;
          },
        }.segment;
        defineProperty(SegmenterC.prototype, 'segment', { value: segment, writable: true, enumerable: false, configurable: true });
      }
    }
  }
  // WebAssembly memories are array buffers too (when the policy grants WebAssembly). A memory grows
  // from inside wasm code, where no wrapper sees it, so each is charged its maximum size: a module's
  // own memories (read from its memory section) for every instance made of it, and a memory made with
  // WebAssembly.Memory when it is built (one without a maximum gets a quarter of the budget as its own).
  // Bytes are copied before they are read, so nothing can change them between the meter and V8.
  // (Done when the policy grants WebAssembly, see grantGlobal.)
  let wasmMetered = false;
  function meterWebAssembly(W: any): void {
    const PAGE = 65536;
    const MAX_PAGES = 65536;
    const UNKNOWN = MAX_PAGES * PAGE;
    const ModuleC = ownData(W, 'Module');
    const InstanceC = ownData(W, 'Instance');
    const MemoryC = ownData(W, 'Memory');
    const compileF = ownData(W, 'compile');
    const instantiateF = ownData(W, 'instantiate');
    if (typeof ModuleC !== 'function' || typeof InstanceC !== 'function' || typeof MemoryC !== 'function') return;
    /** Bytes the instances of a module may allocate, by module. */
    const charges = new WeakMapC();
    /** A private copy of a BufferSource's bytes, or the argument itself when it is not one (V8 refuses it). */
    const copyBytes = (source: unknown): unknown => {
      let view: any;
      if (isTypedArray(source)) view = construct(Uint8ArrayC, [tryGet(typedArrayBufferGet, source), tryGet(typedArrayOffsetGet, source), tryGet(typedArrayByteLengthGet, source)]);
      else if (isDataView(source)) view = construct(Uint8ArrayC, [tryGet(dataViewBufferGet, source), tryGet(dataViewOffsetGet, source), tryGet(dataViewLengthGet, source)]);
      else if (isArrayBuffer(source) || isSharedArrayBuffer(source)) view = construct(Uint8ArrayC, [source]);
      else return source;
      const copy = construct(Uint8ArrayC, [tryGet(typedArrayLengthGet, view)]);
      typedArraySet(copy, view);
      return copy;
    };
    /** The most memory a module's own memories can reach, from its memory section (UNKNOWN when unreadable). */
    const memoryBytes = (bytes: unknown): number => {
      if (!isTypedArray(bytes)) return UNKNOWN;
      const b = bytes as any;
      const n = tryGet(typedArrayLengthGet, b);
      let i = 8;
      const leb = (): number => {
        let result = 0;
        for (let shift = 0; shift < 35; shift += 7) {
          if (i >= n) throw new RangeErrorC('truncated');
          const byte = b[i++];
          result += (byte & 0x7f) * 2 ** shift;
          if ((byte & 0x80) === 0) return result;
        }
        throw new RangeErrorC('too long');
      };
      let total = 0;
      try {
        while (i < n) {
          const id = b[i++];
          const size = leb();
          const end = i + size;
          if (id === 5) {
            const count = leb();
            for (let k = 0; k < count; k++) {
              const flags = leb();
              if ((flags & ~3) !== 0) return UNKNOWN;
              const min = leb();
              const max = (flags & 1) !== 0 ? leb() : MAX_PAGES;
              total += mathMin(mathMax(min, max), MAX_PAGES) * PAGE;
            }
          }
          i = end;
        }
      } catch {
        return UNKNOWN;
      }
      return total;
    };
    const chargeOf = (module: unknown): number => {
      const c = isObjectLike(module) ? weakMapGet(charges, module) : undefined;
      return typeof c === 'number' ? c : UNKNOWN;
    };
    const remember = (module: unknown, bytes: number): unknown => {
      if (isObjectLike(module)) weakMapSet(charges, module, bytes);
      return module;
    };
    const charge = (made: unknown, bytes: number): unknown => {
      if (isObjectLike(made) && !weakSetHas(chargedObjects, made)) registerBytes(made, bytes);
      return made;
    };
    /**
     * Async compilation settles from a V8 task, not a timer: while one is pending the run is held open
     * (by an internal timer), and when it settles a zero-delay timer makes the host poll the run again.
     */
    const holdRun = (): (() => void) => {
      let handle: unknown;
      try {
        handle = addTimer(() => {}, 2147483647, list(), false, false);
      } catch {
        return () => {};
      }
      return () => {
        const id = handleId(handle);
        if (id === undefined || !mapHas(timers, id) || !state.active) return;
        removeTimer(id);
        try {
          addTimer(() => {}, 0, list(), false, true);
        } catch {}
      };
    };
    const settled = (promise: unknown, onFulfilled: Function): unknown => {
      const release = holdRun();
      return promiseThen(
        promise,
        (v: unknown) => {
          release();
          return onFulfilled(v);
        },
        (e: unknown) => {
          release();
          throw e;
        },
      );
    };
    const moduleHandler = record();
    moduleHandler.construct = (_t: unknown, args: any, newTarget: any) => {
      const bytes = copyBytes(args[0]);
      const size = memoryBytes(bytes);
      return remember(construct(ModuleC, [bytes], newTarget === WrappedModule ? ModuleC : newTarget), size);
    };
    const WrappedModule = new ProxyC(ModuleC, moduleHandler);
    const instanceHandler = record();
    instanceHandler.construct = (_t: unknown, args: any, newTarget: any) => {
      const bytes = chargeOf(args[0]);
      preCharge(bytes);
      return charge(construct(InstanceC, [args[0], args[1]], newTarget === WrappedInstance ? InstanceC : newTarget), bytes);
    };
    const WrappedInstance = new ProxyC(InstanceC, instanceHandler);
    const memoryHandler = record();
    memoryHandler.construct = (_t: unknown, args: any, newTarget: any) => {
      const given = args[0];
      const desc = record();
      if (isObjectLike(given)) {
        desc.initial = (given as any).initial;
        desc.maximum = (given as any).maximum;
        desc.shared = (given as any).shared;
      }
      const initial = toIndex(desc.initial);
      let maximum = desc.maximum === undefined ? -1 : toIndex(desc.maximum);
      // Without a maximum it may grow to a quarter of the budget (what is left of it at most).
      if (maximum < 0) maximum = mathMax(initial, mathMin(MAX_PAGES, mathFloor(mathMin(state.externalBudget / 4, state.externalBudget - state.externalUsed) / PAGE)));
      desc.initial = initial;
      desc.maximum = maximum;
      const bytes = mathMin(mathMax(initial, maximum), MAX_PAGES) * PAGE;
      preCharge(bytes);
      return charge(construct(MemoryC, [desc], newTarget === WrappedMemory ? MemoryC : newTarget), bytes);
    };
    const WrappedMemory = new ProxyC(MemoryC, memoryHandler);
    defineProperty(ModuleC.prototype, 'constructor', { value: WrappedModule, writable: true, enumerable: false, configurable: true });
    defineProperty(InstanceC.prototype, 'constructor', { value: WrappedInstance, writable: true, enumerable: false, configurable: true });
    defineProperty(MemoryC.prototype, 'constructor', { value: WrappedMemory, writable: true, enumerable: false, configurable: true });
    defineProperty(W, 'Module', { value: WrappedModule, writable: true, enumerable: false, configurable: true });
    defineProperty(W, 'Instance', { value: WrappedInstance, writable: true, enumerable: false, configurable: true });
    defineProperty(W, 'Memory', { value: WrappedMemory, writable: true, enumerable: false, configurable: true });
    if (typeof compileF === 'function') {
      const compile = function compile(source: unknown) {
        const bytes = copyBytes(source);
        const size = memoryBytes(bytes);
        return settled(apply(compileF, W, [bytes]), (module: unknown) => remember(module, size));
      };
      defineProperty(W, 'compile', { value: compile, writable: true, enumerable: false, configurable: true });
    }
    if (typeof instantiateF === 'function') {
      const instantiate = function instantiate(source: unknown, imports?: unknown) {
        if (isObjectLike(source) && weakMapHas(charges, source)) {
          const bytes = chargeOf(source);
          preCharge(bytes);
          return settled(apply(instantiateF, W, [source, imports]), (instance: unknown) => charge(instance, bytes));
        }
        const copy = copyBytes(source);
        const bytes = memoryBytes(copy);
        preCharge(bytes);
        return settled(apply(instantiateF, W, [copy, imports]), (pair: unknown) => {
          remember(ownData(pair, 'module'), bytes);
          charge(ownData(pair, 'instance'), bytes);
          return pair;
        });
      };
      defineProperty(W, 'instantiate', { value: instantiate, writable: true, enumerable: false, configurable: true });
    }
  }
  void arrayBufferSlice;

  // ---- modules ------------------------------------------------------------------------------------------
  const modules = new MapC(); // location -> record { fn, filename, format, isAsync, module, state }
  const makeRequire = (referrer: string | null): any => {
    const req = function require(specifier: unknown) {
      if (typeof specifier !== 'string') throw new TypeErrorC('The "id" argument must be of type string');
      return requireFrom(specifier, referrer);
    };
    return req;
  };
  const gatewayError = (answer: any): any => {
    const Ctor = answer.name === 'SyntaxError' ? SyntaxErrorC : ErrorC;
    const e = makeError(Ctor, typeof answer.code === 'string' ? answer.code : 'AIRLOCK_HOOK_ERROR', typeof answer.message === 'string' ? answer.message : 'module refused');
    return e;
  };
  const requireFrom = (specifier: string, referrer: string | null): any => {
    const raw = hostCall('require', specifier, referrer === null ? '' : referrer);
    if (typeof raw !== 'string') throw makeError(ErrorC, 'AIRLOCK_HOOK_ERROR', "Cannot load '" + specifier + "': the import gateway did not answer");
    let answer: any;
    try {
      answer = jsonParse(raw);
      setPrototypeOf(answer, null);
    } catch {
      throw makeError(ErrorC, 'AIRLOCK_HOOK_ERROR', "Cannot load '" + specifier + "': malformed gateway answer");
    }
    if (answer.ok !== true) throw gatewayError(answer);
    return instantiate(answer.location);
  };
  const instantiate = (location: string): any => {
    const m = mapGet(modules, location);
    if (m === undefined) throw makeError(ErrorC, 'AIRLOCK_HOOK_ERROR', "Cannot load '" + location + "': module not defined");
    if (m.state === 'failed') throw m.error;
    if (m.state !== 'new') return m.module.exports;
    m.state = 'loading';
    const moduleObject: any = {};
    const exportsObject: any = {};
    defineProperty(moduleObject, 'exports', dataDesc(exportsObject, true, true, true));
    defineProperty(moduleObject, 'id', dataDesc(location, true, true, true));
    defineProperty(moduleObject, 'filename', dataDesc(m.filename, true, true, true));
    defineProperty(moduleObject, 'loaded', dataDesc(false, true, true, true));
    const req = makeRequire(location);
    defineProperty(moduleObject, 'require', dataDesc(req, true, false, true));
    m.module = moduleObject;
    const fn = m.fn;
    m.fn = undefined;
    const slash = stringIndexOf(m.filename, '/') >= 0 ? m.filename : '';
    let dirname = '/';
    if (slash !== '') {
      let cut = m.filename.length - 1;
      while (cut > 0 && stringCharCodeAt(m.filename, cut) !== 47) cut--;
      dirname = cut <= 0 ? '/' : stringSlice(m.filename, 0, cut);
    }
    try {
      const r = apply(fn, exportsObject, [exportsObject, req, moduleObject, m.filename, dirname]);
      m.result = r;
    } catch (e) {
      // As the gateway keeps the location, later requires of it rethrow the same error.
      m.state = 'failed';
      m.error = e;
      throw e;
    }
    m.state = 'done';
    try {
      moduleObject.loaded = true;
    } catch {}
    return moduleObject.exports;
  };

  // ---- exit -----------------------------------------------------------------------------------------
  const exitFunction = function exit(code?: unknown) {
    // A reference kept from a call that was granted exit() does not work in one that is not.
    if (!state.allowExit) throw makeError(ErrorC, 'AIRLOCK_EXIT', 'exit() is not granted by the policy');
    const n = code === undefined ? 0 : NumberC(typeof code === 'symbol' ? NaN : code);
    const c = n === n && numberIsFinite(n) ? (n < 0 ? -mathFloor(-n) : mathFloor(n)) | 0 : 1;
    if (!state.exited) {
      state.exited = true;
      state.exitCode = c;
      hostCall('exit', c);
    }
    throw EXIT_SIGNAL;
  };

  // ---- grantable globals ----------------------------------------------------------------------------
  const processShim = (): any => {
    const env = {};
    const p: any = {};
    const props = record();
    props.env = env;
    props.argv = [];
    props.execArgv = [];
    props.pid = 0;
    props.platform = 'airlock';
    props.title = 'airlock';
    props.version = '';
    props.versions = {};
    props.cwd = function cwd() {
      return '/';
    };
    props.nextTick = function nextTick(fn: unknown, ...args: unknown[]) {
      if (typeof fn !== 'function') throw new TypeErrorC('The "callback" argument must be of type function');
      const copy = argsFrom(args, 0);
      promiseThen(promiseResolve(undefined), () => {
        try {
          apply(fn, undefined, copy);
        } catch (e) {
          uncaught(e);
        }
      });
    };
    props.exit = function exit(code?: unknown) {
      if (!state.allowExit) throw makeError(ErrorC, 'AIRLOCK_EXIT', 'process.exit() is not granted by the policy');
      return exitFunction(code);
    };
    const keys = ownKeys(props);
    for (let i = 0; i < keys.length; i++) defineProperty(p, keys[i], dataDesc(props[keys[i]], true, true, true));
    return p;
  };
  const grantGlobal = (name: string): void => {
    let value: unknown;
    if (name === 'WebAssembly') {
      if (!wasmMetered && isObjectLike(WebAssemblyO)) {
        wasmMetered = true;
        meterWebAssembly(WebAssemblyO);
      }
      value = WebAssemblyO;
    }
    else if (name === 'FinalizationRegistry') value = FinalizationRegistryC;
    else if (name === 'global') value = G;
    else if (name === 'process') value = processShim();
    else return;
    if (value === undefined) return;
    defineProperty(G, name, dataDesc(value, true, false, true));
  };

  // ---- finishing a run ----------------------------------------------------------------------------
  const encodeError = (e: unknown): string => {
    const out = record();
    if (isObjectLike(e)) {
      let name: unknown;
      let message: unknown;
      try {
        name = (e as any).name;
      } catch {}
      try {
        message = (e as any).message;
      } catch {}
      out.name = name === undefined ? 'Error' : safeString(name);
      out.message = message === undefined ? describe(e) : safeString(message);
      // The code it was made with: a guest that rewrites `code` on a caught airlock error cannot make
      // the host report a limit (memory, output) the run did not reach.
      const code = weakMapGet(airlockErrors, e);
      if (typeof code === 'string') out.code = code;
      if (!isError(e) && name === undefined && message === undefined) {
        out.name = 'Error';
        out.message = 'Uncaught ' + describe(e);
      }
    } else {
      out.name = 'Error';
      out.message = 'Uncaught ' + describe(e);
    }
    // Bounded before anything copies them: a message built cheaply (a rope of repeats) is not
    // flattened whole here nor sent to the host.
    return '{"name":' + jsonStringify(clipText(out.name, MAX_NAME_CHARS)) + ',"message":' + jsonStringify(clipText(out.message, MAX_MESSAGE_CHARS)) + (out.code !== undefined ? ',"code":' + jsonStringify(out.code) : '') + '}';
  };
  const dropTimers = (): void => {
    mapForEach(timers, (_t: unknown, id: number) => {
      try {
        hostCall('clearTimer', id);
      } catch {}
    });
    mapClear(timers);
    liveTimers = 0;
    state.refTimers = 0;
  };
  const finish = (kind: 'ok' | 'error' | 'exit', payload: string, description: string): void => {
    if (state.finished) return;
    state.finished = true;
    state.active = false;
    dropTimers();
    hostCall('done', kind, payload, description);
  };
  const uncaught = (e: unknown): void => {
    if (state.finished) return;
    if (e === EXIT_SIGNAL || state.exited) {
      finish('exit', StringC(state.exitCode), '');
      return;
    }
    finish('error', encodeError(e), '');
  };
  const tryFinish = (): void => {
    if (state.finished || !state.settled) return;
    if (state.exited) {
      finish('exit', StringC(state.exitCode), '');
      return;
    }
    if (state.refTimers > 0) return;
    const outcome = state.outcome;
    if (outcome.kind === 'error') {
      finish('error', encodeError(outcome.value), '');
      return;
    }
    let encoded: string | null;
    try {
      encoded = encode(outcome.value);
    } catch (e) {
      if (state.finished) return;
      if (e === EXIT_SIGNAL || state.exited) {
        finish('exit', StringC(state.exitCode), '');
        return;
      }
      encoded = null;
    }
    if (encoded === null) finish('ok', '', describe(outcome.value));
    else finish('ok', encoded, '');
  };
  // The run finishes from poll() only (the host calls it after each macrotask): by then microtasks
  // have drained, timers they set are counted, and an unhandled rejection has been reported.
  const settleWith = (kind: 'ok' | 'error', value: unknown): void => {
    if (state.settled) return;
    state.settled = true;
    const o = record();
    o.kind = kind;
    o.value = value;
    state.outcome = o;
  };
  const settle = (value: unknown, threw: boolean): void => {
    if (state.finished) return;
    if (threw) {
      if (value === EXIT_SIGNAL || state.exited) {
        finish('exit', StringC(state.exitCode), '');
        return;
      }
      settleWith('error', value);
      return;
    }
    let thenable = false;
    if (isObjectLike(value)) {
      try {
        thenable = typeof (value as any).then === 'function';
      } catch (e) {
        settleWith('error', e);
        return;
      }
    }
    if (!thenable) {
      settleWith('ok', value);
      return;
    }
    let p: any;
    try {
      p = new PromiseC((resolve: Function) => resolve(value));
    } catch (e) {
      settleWith('error', e);
      return;
    }
    promiseThen(
      p,
      (v: unknown) => settleWith('ok', v),
      (e: unknown) => {
        if (e === EXIT_SIGNAL || state.exited) {
          finish('exit', StringC(state.exitCode), '');
          return;
        }
        settleWith('error', e);
      },
    );
  };

  // ---- value encoding (decoded by codec.ts) ---------------------------------------------------------
  // JSON text with tagged nodes; null when the value holds something structured clone refuses
  // (functions, symbols, promises, weak collections), so the host reports a description instead.
  const UNCLONEABLE = freeze({ __proto__: null, airlock: 'uncloneable' });
  const TOO_LARGE = freeze({ __proto__: null, airlock: 'too-large' });
  const base64Chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytesToBase64 = (view: any, offset: number, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i += 3) {
      const a = view[offset + i];
      const b = i + 1 < length ? view[offset + i + 1] : 0;
      const c = i + 2 < length ? view[offset + i + 2] : 0;
      const n = (a << 16) | (b << 8) | c;
      out += base64Chars[(n >> 18) & 63]! + base64Chars[(n >> 12) & 63]! + (i + 1 < length ? base64Chars[(n >> 6) & 63]! : '=') + (i + 2 < length ? base64Chars[n & 63]! : '=');
    }
    return out;
  };
  /**
   * The encoded value's budget, in characters: an eighth of the run's memory limit, between 1 and 16
   * MiB. Past it (or past MAX_ENCODE_STEPS elements, array holes included) the host gets a description,
   * so no result costs the host (or the worker's heap headroom) more than the guest paid for it.
   */
  const encodeBudget = (): number => mathMax(1048576, mathMin(16777216, mathFloor(state.externalBudget / 8)));
  const MAX_ENCODE_STEPS = 5000000;
  const MAX_ENCODE_DEPTH = 1000;
  const encode = (value: unknown): string | null => {
    const ids = new MapC();
    let nextId = 0;
    let steps = 0;
    let left = encodeBudget();
    const charge = (n: number): void => {
      left -= n;
      if (left < 0) throw TOO_LARGE;
    };
    const str = (text: string): string => {
      charge(text.length + 2);
      const out = jsonStringify(text);
      charge(out.length - text.length - 2);
      return out;
    };
    // Nesting is bounded too: the host decodes (and its callers serialize or inspect) recursively, on
    // a smaller stack than the worker's.
    let level = 0;
    const enc = (v: unknown): string => {
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return encValue(v);
      if (++level > MAX_ENCODE_DEPTH) throw TOO_LARGE;
      try {
        return encValue(v);
      } finally {
        level--;
      }
    };
    const encValue = (v: unknown): string => {
      if (++steps > MAX_ENCODE_STEPS) throw TOO_LARGE;
      charge(16);
      switch (typeof v) {
        case 'string':
          return str(v);
        case 'boolean':
          return v ? 'true' : 'false';
        case 'number':
          if (v !== v) return '{"$":"n","v":"NaN"}';
          if (v === Infinity) return '{"$":"n","v":"Infinity"}';
          if (v === -Infinity) return '{"$":"n","v":"-Infinity"}';
          if (objectIs(v, -0)) return '{"$":"n","v":"-0"}';
          return numberToString(v);
        case 'bigint':
          return '{"$":"b","v":' + str(bigintToString(v)) + '}';
        case 'undefined':
          return '{"$":"u"}';
        case 'symbol':
        case 'function':
          throw UNCLONEABLE;
        default:
          break;
      }
      if (v === null) return 'null';
      const o = v as any;
      const seenId = mapGet(ids, o);
      if (seenId !== undefined) return '{"$":"ref","i":' + seenId + '}';
      const id = nextId++;
      mapSet(ids, o, id);
      if (isArray(o)) {
        let length = 0;
        try {
          length = o.length;
        } catch (e) {
          throw e;
        }
        // Every index is visited (holes included): a sparse array of 2 ** 32 - 1 holes is too large.
        if (typeof length !== 'number' || !(length >= 0)) length = 0;
        steps += length;
        if (steps > MAX_ENCODE_STEPS) throw TOO_LARGE;
        let out = '{"$":"a","i":' + id + ',"l":' + length + ',"v":[';
        let first = true;
        for (let i = 0; i < length; i++) {
          const key = StringC(i);
          if (!hasOwn(o, key)) continue;
          out += (first ? '' : ',') + '[' + i + ',' + enc(o[key]) + ']';
          first = false;
        }
        out += ']';
        const extra = ownEnumerable(o, true);
        if (extra !== '') out += ',"p":[' + extra + ']';
        return out + '}';
      }
      if (isDate(o)) return '{"$":"d","i":' + id + ',"v":' + jsonStringify(numberToString(dateGetTime(o))) + '}';
      if (isRegExp(o)) return '{"$":"r","i":' + id + ',"s":' + str(safeString(tryGet(regexpSourceGet, o))) + ',"f":' + str(safeString(tryGet(regexpFlagsGet, o))) + '}';
      if (isMap(o)) {
        let out = '{"$":"m","i":' + id + ',"v":[';
        let first = true;
        const pairs = list();
        mapForEach(o, (val: unknown, key: unknown) => {
          push(pairs, key);
          push(pairs, val);
        });
        for (let i = 0; i < pairs.length; i += 2) {
          out += (first ? '' : ',') + '[' + enc(pairs[i]) + ',' + enc(pairs[i + 1]) + ']';
          first = false;
        }
        return out + ']}';
      }
      if (isSet(o)) {
        let out = '{"$":"s","i":' + id + ',"v":[';
        const items = list();
        setForEach(o, (val: unknown) => push(items, val));
        for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + enc(items[i]);
        return out + ']}';
      }
      if (isError(o)) {
        let name: unknown = ownOrProto(o, 'name');
        let message: unknown = ownData(o, 'message');
        const stack = ownData(o, 'stack');
        let out = '{"$":"e","i":' + id + ',"n":' + str(typeof name === 'string' ? name : 'Error') + ',"m":' + str(typeof message === 'string' ? message : '');
        if (typeof stack === 'string') out += ',"k":' + str(stack);
        const d = safeDescriptor(o, 'cause');
        if (d !== undefined && hasOwn(d, 'value')) out += ',"c":' + enc(d.value);
        return out + '}';
      }
      if (isArrayBuffer(o)) {
        const length = tryGet(arrayBufferByteLengthGet, o);
        charge(length * 4 / 3 + 4);
        const view = construct(Uint8ArrayC, [o]);
        return '{"$":"ab","i":' + id + ',"v":' + jsonStringify(bytesToBase64(view, 0, length)) + '}';
      }
      if (isTypedArray(o) || isDataView(o)) {
        const isView = isDataView(o);
        const buffer = isView ? tryGet(dataViewBufferGet, o) : tryGet(typedArrayBufferGet, o);
        const offset = isView ? tryGet(dataViewOffsetGet, o) : tryGet(typedArrayOffsetGet, o);
        const byteLength = isView ? tryGet(dataViewLengthGet, o) : tryGet(typedArrayByteLengthGet, o);
        if (isSharedArrayBuffer(buffer)) throw UNCLONEABLE;
        charge(byteLength * 4 / 3 + 4);
        const view = construct(Uint8ArrayC, [buffer]);
        const type = isView ? 'DataView' : tryGet(typedArrayTagGet, o);
        return '{"$":"ta","i":' + id + ',"t":' + jsonStringify(type) + ',"v":' + jsonStringify(bytesToBase64(view, offset, byteLength)) + '}';
      }
      if (isSharedArrayBuffer(o) || isPromise(o)) throw UNCLONEABLE;
      const tag = tagOf(o);
      if (tag === 'WeakMap' || tag === 'WeakSet' || tag === 'WeakRef' || tag === 'FinalizationRegistry' || tag === 'Generator' || tag === 'AsyncGenerator') throw UNCLONEABLE;
      const boxed = boxedPrimitive(o);
      if (boxed !== null) {
        if (boxed.type === 'Symbol') throw UNCLONEABLE;
        return '{"$":"x","i":' + id + ',"t":' + jsonStringify(boxed.type) + ',"v":' + enc(boxed.value) + '}';
      }
      return '{"$":"o","i":' + id + ',"v":[' + ownEnumerable(o, false) + ']}';
    };
    const ownEnumerable = (o: any, skipIndices: boolean): string => {
      const keys = ownKeys(o);
      let out = '';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (typeof key !== 'string') continue;
        if (skipIndices && (key === 'length' || isIndex(key))) continue;
        const d = getOwnPropertyDescriptor(o, key);
        if (d === undefined || !d.enumerable) continue;
        out += (first ? '' : ',') + '[' + str(key) + ',' + enc(o[key]) + ']';
        first = false;
      }
      return out;
    };
    try {
      return enc(value);
    } catch (e) {
      if (e === UNCLONEABLE || e === TOO_LARGE) return null;
      throw e;
    }
  };
  const ownOrProto = (o: any, key: string): unknown => {
    let p = o;
    for (let i = 0; i < 50 && p !== null; i++) {
      const d = safeDescriptor(p, key);
      if (d !== undefined) return hasOwn(d, 'value') ? d.value : undefined;
      try {
        p = getPrototypeOf(p);
      } catch {
        return undefined;
      }
    }
    return undefined;
  };

  // ---- the controller the worker calls -----------------------------------------------------------------
  const controller = record();
  controller.configure = (configJson: string) => {
    const config = jsonParse(configJson);
    setPrototypeOf(config, null);
    state.active = true;
    state.settled = false;
    state.finished = false;
    state.outcome = null;
    state.exited = false;
    state.exitCode = 0;
    state.memoryLimitHit = false;
    state.allowExit = config.allowExit === true;
    outputStopped = false;
    groupIndent = '';
    if (typeof config.externalBytes === 'number') state.externalBudget = config.externalBytes;
    try {
      if (state.allowExit) defineProperty(G, 'exit', dataDesc(exitFunction, true, false, true));
      else if (ownData(G, 'exit') === exitFunction) deleteProperty(G, 'exit');
    } catch {}
    const globals = config.globals;
    if (isArray(globals)) {
      for (let i = 0; i < globals.length; i++) {
        try {
          if (typeof globals[i] === 'string') grantGlobal(globals[i]);
        } catch {}
      }
    }
    // The run's input, parsed realm-side (a realm object, never a host one).
    try {
      if (typeof config.input === 'string') {
        state.input = jsonParse(config.input);
        defineProperty(G, 'input', dataDesc(state.input, true, false, true));
      } else if (state.input !== undefined) {
        if (ownData(G, 'input') === state.input) deleteProperty(G, 'input');
        state.input = undefined;
      }
    } catch {}
    // The entry's `require` resolves from the entry's location (execFile) or the hooks' root.
    const entry = typeof config.entryLocation === 'string' ? config.entryLocation : null;
    try {
      defineProperty(G, 'require', dataDesc(makeRequire(entry), true, false, true));
    } catch {}
  };
  controller.guestFile = (filename: string) => {
    setAdd(guestFiles, filename);
  };
  controller.settle = settle;
  controller.defineModule = (location: string, fn: unknown, filename: string, format: string, isAsync: boolean) => {
    const m = record();
    m.fn = fn;
    m.filename = filename;
    m.format = format;
    m.isAsync = isAsync;
    m.state = 'new';
    m.module = null;
    m.result = undefined;
    mapSet(modules, location, m);
    setAdd(guestFiles, filename);
  };
  controller.runEntryModule = (location: string) => {
    let exportsValue: unknown;
    let m: any;
    try {
      exportsValue = instantiate(location);
      m = mapGet(modules, location);
    } catch (e) {
      settle(e, true);
      return;
    }
    const pick = (exp: unknown): unknown => {
      if (m !== undefined && m.format === 'module' && isObjectLike(exp)) {
        const d = safeDescriptor(exp, 'default');
        if (d !== undefined) return hasOwn(d, 'value') ? d.value : readProp(exp, 'default');
      }
      return exp;
    };
    if (m !== undefined && m.isAsync && isObjectLike(m.result)) {
      let p: any;
      try {
        p = new PromiseC((resolve: Function) => resolve(m.result));
      } catch (e) {
        settle(e, true);
        return;
      }
      promiseThen(
        p,
        () => settle(pick(m.module.exports), false),
        (e: unknown) => settle(e, true),
      );
      return;
    }
    settle(pick(m === undefined ? exportsValue : m.module.exports), false);
  };
  controller.runEntryRequire = (specifier: string) => {
    let value: unknown;
    try {
      value = requireFrom(specifier, null);
    } catch (e) {
      settle(e, true);
      return;
    }
    settle(value, false);
  };
  controller.fire = (id: number) => {
    const t = mapGet(timers, id);
    if (t === undefined || state.finished) return;
    if (t.repeat) hostCall('setTimer', id, t.ms);
    else removeTimer(id);
    try {
      apply(t.fn, undefined, t.args);
    } catch (e) {
      uncaught(e);
    }
  };
  controller.poll = () => {
    if (state.finished || !state.active) return;
    if (!state.settled && state.refTimers === 0) {
      // Nothing left that could settle the run's promise: report it rather than wait for the timeout.
      settleWith('error', makeError(ErrorC, 'AIRLOCK_GUEST_ERROR', "the run's promise never settled (nothing left to wait for)"));
    }
    tryFinish();
  };
  controller.unhandled = (reason: unknown) => {
    if (state.finished || !state.active) return;
    uncaught(reason);
  };
  controller.close = () => {
    state.active = false;
    if (!state.finished) {
      state.finished = true;
      dropTimers();
    }
  };
  controller.describe = describe;
  // Nothing guest code does may make a controller method throw into the worker (where the error would
  // be read on the host side): what escapes one ends the run from here, encoded realm-side.
  const GUARDED = ['settle', 'runEntryModule', 'runEntryRequire', 'fire', 'poll', 'unhandled'];
  for (let i = 0; i < GUARDED.length; i++) {
    const name = GUARDED[i]!;
    const fn = controller[name];
    controller[name] = (a?: unknown, b?: unknown) => {
      try {
        fn(a, b);
      } catch (e) {
        try {
          uncaught(e);
        } catch {
          try {
            finish('error', '{"name":"Error","message":"the run failed"}', '');
          } catch {}
        }
      }
    };
  }
  void preludeFile;
  void list;
  void WeakMapC;
  void weakMapHas;
  void weakSetAdd;
  void weakSetHas;
  void isExtensible;
  void stringToLowerCase;
  void symbolDescription;
  return freeze(controller);
}
