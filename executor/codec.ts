// Host-side decoder of the value encoding the realm produces (prelude.ts, `encode`): JSON text with
// tagged nodes for what JSON cannot say (undefined, NaN, -0, BigInt, Date, RegExp, Map, Set, errors,
// binary data, shared and circular references). The text comes from the sandbox, so it is decoded
// defensively: properties are defined (never assigned, so `__proto__` is only a key), unknown tags
// and malformed nodes become `undefined`, and nothing is evaluated.

type Node = unknown;

const TYPED_ARRAYS: Readonly<Record<string, new (buffer: ArrayBuffer) => ArrayBufferView>> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

const ERROR_TYPES: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function isTagged(node: unknown): node is Record<string, unknown> & { $: string } {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && typeof (node as { $?: unknown }).$ === 'string';
}

/** Decodes the realm's encoding of a value. Throws only on text that is not JSON. */
export function decodeValue(text: string): unknown {
  const root = JSON.parse(text) as Node;
  const refs = new Map<number, unknown>();
  const remember = (node: Record<string, unknown>, value: unknown): void => {
    if (typeof node.i === 'number') refs.set(node.i, value);
  };
  const dec = (node: Node): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (!isTagged(node)) return undefined;
    switch (node.$) {
      case 'u':
        return undefined;
      case 'n':
        return node.v === 'NaN' ? NaN : node.v === 'Infinity' ? Infinity : node.v === '-Infinity' ? -Infinity : node.v === '-0' ? -0 : undefined;
      case 'b':
        try {
          return BigInt(String(node.v));
        } catch {
          return undefined;
        }
      case 'ref':
        return typeof node.i === 'number' ? refs.get(node.i) : undefined;
      case 'd': {
        const d = new Date(Number(node.v));
        remember(node, d);
        return d;
      }
      case 'r': {
        let r: RegExp;
        try {
          r = new RegExp(String(node.s), String(node.f));
        } catch {
          r = new RegExp('(?:)');
        }
        remember(node, r);
        return r;
      }
      case 'a': {
        const length = typeof node.l === 'number' && Number.isSafeInteger(node.l) && node.l >= 0 && node.l <= 2 ** 32 - 1 ? node.l : 0;
        const out: unknown[] = [];
        remember(node, out);
        if (length > 0) out.length = length;
        for (const entry of Array.isArray(node.v) ? node.v : []) {
          if (!Array.isArray(entry) || typeof entry[0] !== 'number' || entry[0] < 0 || entry[0] >= length) continue;
          define(out, entry[0], dec(entry[1]));
        }
        for (const entry of Array.isArray(node.p) ? node.p : []) {
          if (Array.isArray(entry) && typeof entry[0] === 'string') define(out, entry[0], dec(entry[1]));
        }
        return out;
      }
      case 'o': {
        const out: Record<string, unknown> = {};
        remember(node, out);
        for (const entry of Array.isArray(node.v) ? node.v : []) {
          if (Array.isArray(entry) && typeof entry[0] === 'string') define(out, entry[0], dec(entry[1]));
        }
        return out;
      }
      case 'm': {
        const out = new Map<unknown, unknown>();
        remember(node, out);
        for (const entry of Array.isArray(node.v) ? node.v : []) if (Array.isArray(entry)) out.set(dec(entry[0]), dec(entry[1]));
        return out;
      }
      case 's': {
        const out = new Set<unknown>();
        remember(node, out);
        for (const entry of Array.isArray(node.v) ? node.v : []) out.add(dec(entry));
        return out;
      }
      case 'e': {
        const name = typeof node.n === 'string' ? node.n : 'Error';
        const Ctor = Object.prototype.hasOwnProperty.call(ERROR_TYPES, name) ? ERROR_TYPES[name]! : Error;
        const out = new Ctor(typeof node.m === 'string' ? node.m : '');
        remember(node, out);
        if (Ctor === Error && name !== 'Error') define(out, 'name', name);
        if (typeof node.k === 'string') Object.defineProperty(out, 'stack', { value: node.k, writable: true, enumerable: false, configurable: true });
        else delete (out as { stack?: string }).stack;
        if ('c' in node) Object.defineProperty(out, 'cause', { value: dec(node.c), writable: true, enumerable: false, configurable: true });
        return out;
      }
      case 'ab': {
        const bytes = Buffer.from(String(node.v), 'base64');
        const out = new ArrayBuffer(bytes.length);
        new Uint8Array(out).set(bytes);
        remember(node, out);
        return out;
      }
      case 'ta': {
        const bytes = Buffer.from(String(node.v), 'base64');
        const buffer = new ArrayBuffer(bytes.length);
        new Uint8Array(buffer).set(bytes);
        const type = String(node.t);
        let out: unknown;
        if (type === 'DataView') out = new DataView(buffer);
        else {
          const Ctor = Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, type) ? TYPED_ARRAYS[type]! : Uint8Array;
          const size = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
          out = bytes.length % size === 0 ? new Ctor(buffer) : new Uint8Array(buffer);
        }
        remember(node, out);
        return out;
      }
      case 'x': {
        const inner = dec(node.v);
        const out = Object(inner) as object;
        remember(node, out);
        return out;
      }
      default:
        return undefined;
    }
  };
  return dec(root);
}
