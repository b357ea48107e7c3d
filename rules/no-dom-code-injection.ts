// no-dom-code-injection: the browser's ways of turning strings into running script. A script
// element made with `document.createElement('script')` (also with a folded tag name) runs its
// `text` / `textContent` / `innerText` / appended text, and loads its `src`;
// `document.write('<script>...')` runs inline script; `javascript:` URLs run when assigned to
// `location`, `href`, `src`, `action` or passed to `location.assign` / `window.open` /
// `setAttribute`; an `on...` attribute set with `setAttribute` is compiled as a handler; HTML
// written with `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `srcdoc` or
// `createContextualFragment` runs inline handlers (`<img onerror=...>`); and a `Worker`,
// `SharedWorker`, service worker or `importScripts` started from a `blob:`, `data:` or remote URL
// runs code no analysis has seen. Values are folded (partially where needed) before they are
// judged; words in plain strings are not findings.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate, HOLE, partialString, urlScheme } from './_modules.js';

const SCRIPT_TEXT_PROPS: ReadonlySet<string> = new Set(['text', 'textContent', 'innerText', 'innerHTML', 'outerText']);
const URL_PROPS: ReadonlySet<string> = new Set(['href', 'src', 'action', 'formAction', 'data', 'location']);
const HTML_PROPS: ReadonlySet<string> = new Set(['innerHTML', 'outerHTML', 'srcdoc']);
const URL_ATTRIBUTES: ReadonlySet<string> = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data']);
const LOCATION_PATHS: ReadonlySet<string> = new Set(['location', 'document.location', 'location.href', 'document.location.href', 'document.URL']);
const NAVIGATORS: ReadonlySet<string> = new Set([
  'location.assign', 'location.replace', 'document.location.assign', 'document.location.replace', 'open', 'document.open',
]);
const WRITERS: ReadonlySet<string> = new Set(['document.write', 'document.writeln']);
const WORKER_CONSTRUCTORS: ReadonlySet<string> = new Set(['Worker', 'SharedWorker']);
const CALL_KEYS: ReadonlySet<string> = new Set([
  'write', 'writeln', 'setAttribute', 'setAttributeNS', 'insertAdjacentHTML', 'createContextualFragment', 'assign', 'replace',
  'open', 'register', 'append', 'appendChild', 'prepend', 'replaceChildren', 'insertAdjacentText', 'importScripts',
]);


/** `type` values of a script element that the browser runs as JavaScript. */
const JS_SCRIPT_TYPE = /^(?:|module|(?:text|application)\/(?:x-)?(?:java|ecma)script|text\/(?:javascript|jscript|livescript)(?:1\.\d)?|text\/babel)$/i;

/** `{ __html: <constant> }`. */
function constantHtmlObject(context: RuleContext, node: Node | undefined): boolean {
  if (node === undefined) return false;
  const object = unwrap(node) as Node & Record<string, any>;
  if (object.type !== 'ObjectExpression') return false;
  const properties: readonly Record<string, any>[] = object.properties;
  return properties.every((p) => p.type === 'ObjectProperty' && context.foldStrings(p.value) !== null);
}

type Verdict = { kind: 'script' | 'handler' | 'jsUrl'; shown: string } | null;

export default defineRule({
  id: 'no-dom-code-injection',
  meta: {
    type: 'problem',
    category: 'browser',
    description: 'Disallows script-element text and src writes, document.write of scripts, javascript: URLs, on* attributes, HTML with inline handlers and workers from blob:, data: or remote URLs.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      scriptText: 'This sets the code of a `<script>` element (`{{target}}`), which the browser runs.',
      scriptSrc: 'This sets the `src` of a `<script>` element to {{value}}, loading and running that script.',
      writeScript: '`{{callee}}` writes a `<script>` into the page ({{value}}), which the browser runs.',
      inlineHandler: 'This HTML ({{value}}) carries an inline event handler, which the browser compiles and runs.',
      jsUrl: 'This sends the browser to a `javascript:` URL ({{value}}), which runs as code.',
      handlerAttribute: '`setAttribute({{name}}, ...)` sets an event-handler attribute, which the browser compiles as code.',
      jsxHandler: 'The JSX attribute `{{name}}` is given code as a string ({{value}}); where it becomes an HTML attribute the browser compiles it as a handler.',
      jsxScript: 'A JSX `<script>` element with content ({{target}}): where it is rendered as HTML, the browser runs it.',
      workerSource: '`{{callee}}` runs code from {{value}}, which no analysis has seen.',
    },
  },
  create(context) {
    const lenient = context.profile !== 'strict';

    const reportUrlValue = (node: Node, value: Node): boolean => {
      const text = partialString(context, value);
      if (text === null || !isJavascriptUrl(text)) return false;
      context.report({ node, messageId: 'jsUrl', data: { value: show(text) } });
      return true;
    };

    const checkHtml = (node: Node, value: Node, allowScript: boolean): void => {
      const verdict = judgeHtml(context, value, allowScript);
      if (verdict === null) return;
      if (verdict.kind === 'script') context.report({ node, messageId: 'writeScript', data: { callee: abbreviate(context.text(node), 40), value: verdict.shown } });
      else context.report({ node, messageId: verdict.kind === 'handler' ? 'inlineHandler' : 'jsUrl', data: { value: verdict.shown } });
    };

    const checkScriptSrc = (node: Node, value: Node): void => {
      const source = classifyUrl(context, value);
      const shown = source.text !== null ? show(source.text) : `\`${abbreviate(context.text(value))}\``;
      const severe = source.kind === 'inline' || source.kind === 'unknown' || source.kind === 'javascript';
      context.report({ node, messageId: 'scriptSrc', data: { value: shown }, ...(!severe && lenient ? { severity: 'warn' as const } : {}) });
    };

    function checkAssignment(node: Node & { left: Node; right: Node; operator: string }): void {
      const left = unwrap(node.left);
      if (left.type === 'Identifier') {
        // `location = 'javascript:...'`
        if (left.name === 'location' && context.isGlobalRef(left)) reportUrlValue(node, node.right);
        return;
      }
      if (left.type !== 'MemberExpression' && left.type !== 'OptionalMemberExpression') return;
      const keys = context.memberKeys(left);
      if (keys === null || keys.length !== 1) return;
      const key = keys[0]!;
      const interesting = SCRIPT_TEXT_PROPS.has(key) || URL_PROPS.has(key) || HTML_PROPS.has(key);
      if (!interesting) return;
      if ((SCRIPT_TEXT_PROPS.has(key) || key === 'src') && isScriptElement(context, left.object, 0)) {
        if (key === 'src') checkScriptSrc(left, node.right);
        else context.report({ node: left, messageId: 'scriptText', data: { target: abbreviate(context.text(left)) } });
        return;
      }
      if (URL_PROPS.has(key) && reportUrlValue(left, node.right)) return;
      if (key === 'href' || key === 'location') return;
      if (HTML_PROPS.has(key)) checkHtml(left, node.right, key === 'srcdoc');
    }

    function checkCall(node: Node & { callee: Node; arguments: Node[] }): void {
      const callee = unwrap(node.callee);
      let key: string | null = null;
      if (callee.type === 'Identifier') {
        if (callee.name !== 'importScripts' && callee.name !== 'open') return;
        if (!context.isGlobalRef(callee)) return;
        key = callee.name;
      } else if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') {
        const keys = context.memberKeys(callee);
        if (keys === null || keys.length !== 1 || !CALL_KEYS.has(keys[0]!)) return;
        key = keys[0]!;
      } else return;
      const args = node.arguments;
      const arg = (i: number): Node | null => {
        const a = args[i];
        return a === undefined || a.type === 'SpreadElement' ? null : a;
      };
      switch (key) {
        case 'write':
        case 'writeln': {
          const values = context.values(callee);
          let writer = false;
          for (const v of values) if (WRITERS.has(v)) writer = true;
          if (!writer) return;
          for (let i = 0; i < args.length; i++) {
            const a = arg(i);
            if (a !== null) checkHtml(node, a, true);
          }
          return;
        }
        case 'createContextualFragment':
          if (arg(0) !== null) checkHtml(node, arg(0)!, true);
          return;
        case 'insertAdjacentHTML':
          if (arg(1) !== null) checkHtml(node, arg(1)!, false);
          return;
        case 'setAttribute':
        case 'setAttributeNS': {
          const offset = key === 'setAttributeNS' ? 1 : 0;
          const nameNode = arg(offset);
          const valueNode = arg(offset + 1);
          if (nameNode === null || valueNode === null) return;
          const names = context.foldStrings(nameNode);
          if (names === null) return;
          for (const raw of names) {
            const name = raw.toLowerCase();
            if (/^on[a-z]+$/.test(name)) {
              const cleared = context.foldStrings(valueNode);
              if (cleared !== null && cleared.every((v) => v === '')) return;
              context.report({ node, messageId: 'handlerAttribute', data: { name: `'${raw}'` } });
              return;
            }
            if (name === 'src' && callee.type !== 'Identifier' && isScriptElement(context, callee.object, 0)) {
              checkScriptSrc(node, valueNode);
              return;
            }
            if (URL_ATTRIBUTES.has(name) && reportUrlValue(node, valueNode)) return;
            if (name === 'srcdoc') checkHtml(node, valueNode, true);
          }
          return;
        }
        case 'append':
        case 'prepend':
        case 'appendChild':
        case 'replaceChildren':
        case 'insertAdjacentText': {
          if (callee.type === 'Identifier' || !isScriptElement(context, callee.object, 0)) return;
          const content = key === 'insertAdjacentText' ? arg(1) : arg(0);
          if (content === null) return;
          // Appending a text node or a string to a script element sets its code.
          const inner = unwrap(content);
          const isText =
            inner.type === 'StringLiteral' ||
            inner.type === 'TemplateLiteral' ||
            context.foldStrings(inner) !== null ||
            ((inner.type === 'CallExpression' || inner.type === 'Identifier') && isTextNode(context, inner, 0));
          if (isText || key === 'append' || key === 'prepend' || key === 'replaceChildren') {
            context.report({ node, messageId: 'scriptText', data: { target: abbreviate(context.text(node)) } });
          }
          return;
        }
        case 'assign':
        case 'replace':
        case 'open': {
          const values = context.values(callee);
          let navigates = false;
          for (const v of values) if (NAVIGATORS.has(v)) navigates = true;
          if (!navigates || arg(0) === null) return;
          reportUrlValue(node, arg(0)!);
          return;
        }
        case 'register': {
          if (callee.type === 'Identifier' || !context.values(callee.object).has('navigator.serviceWorker')) return;
          if (arg(0) !== null) checkWorkerSource(node, arg(0)!, 'navigator.serviceWorker.register');
          return;
        }
        case 'importScripts':
          for (let i = 0; i < args.length; i++) if (arg(i) !== null) checkWorkerSource(node, arg(i)!, 'importScripts');
          return;
        default:
          return;
      }
    }

    function checkWorkerSource(node: Node, source: Node, callee: string): void {
      const url = classifyUrl(context, source);
      if (url.kind !== 'inline' && url.kind !== 'remote') return;
      const value = url.text !== null ? show(url.text) : `\`${abbreviate(context.text(source))}\``;
      context.report({ node, messageId: 'workerSource', data: { callee, value: url.kind === 'inline' ? `an inline URL ${value}` : `a remote URL ${value}` } });
    }

    /** JSX is rendered to DOM attributes by many runtimes (Preact, Solid, hyperscript, server HTML). */
    function checkJsxAttribute(node: Node & Record<string, any>): void {
      const nameNode = node.name;
      const name: string | null =
        nameNode.type === 'JSXIdentifier' ? nameNode.name : nameNode.type === 'JSXNamespacedName' ? `${nameNode.namespace.name}:${nameNode.name.name}` : null;
      const value = node.value as (Node & Record<string, any>) | null;
      if (name === null || value === null) return;
      const expression: Node | null =
        value.type === 'StringLiteral' ? value : value.type === 'JSXExpressionContainer' && value.expression.type !== 'JSXEmptyExpression' ? value.expression : null;
      if (expression === null) return;
      const lower = name.toLowerCase();
      if (/^on[a-z]+$/.test(lower)) {
        // `onClick={handler}` passes a function; only a string is compiled.
        const code = context.foldStrings(expression);
        if (code === null || code.every((v) => v.trim() === '')) return;
        context.report({ node, messageId: 'jsxHandler', data: { name, value: show(code[0]!) } });
        return;
      }
      if (URL_ATTRIBUTES.has(lower) || lower === 'xlinkhref') {
        reportUrlValue(node, expression);
        return;
      }
      if (lower === 'srcdoc') {
        checkHtml(node, expression, true);
        return;
      }
      if (name === 'dangerouslySetInnerHTML') {
        const object = unwrap(expression) as Node & Record<string, any>;
        if (object.type !== 'ObjectExpression') return;
        const properties: readonly Record<string, any>[] = (object as Record<string, any>).properties;
        for (const property of properties) {
          if (property.type !== 'ObjectProperty' || property.computed) continue;
          if (property.key.name === '__html' || property.key.value === '__html') checkHtml(node, property.value, false);
        }
      }
    }

    return {
      JSXAttribute: checkJsxAttribute,
      JSXElement(node: Node & Record<string, any>) {
        const opening = node.openingElement;
        if (opening.name.type !== 'JSXIdentifier' || opening.name.name !== 'script') return;
        const attributes: readonly Record<string, any>[] = opening.attributes;
        const attribute = (name: string): Record<string, any> | undefined =>
          attributes.find((a) => a.type === 'JSXAttribute' && a.name.type === 'JSXIdentifier' && a.name.name === name);
        // `<script type="application/ld+json">` and other data blocks are not run.
        const type = attribute('type')?.value;
        const typeNode = type?.type === 'JSXExpressionContainer' ? type.expression : type;
        const types = typeNode ? context.foldStrings(typeNode) : [''];
        if (types !== null && types.every((t) => !JS_SCRIPT_TYPE.test(t.trim()))) return;
        const children: readonly Record<string, any>[] = node.children;
        const content = children.filter((child) => child.type !== 'JSXText' || child.value.trim() !== '');
        const inner = attribute('dangerouslySetInnerHTML');
        if (content.length === 0 && inner === undefined) return;
        // Constant inline code (an analytics snippet) is a warning outside strict; computed code is not.
        const constant =
          content.every((child) => child.type === 'JSXText' || (child.type === 'JSXExpressionContainer' && context.foldStrings(child.expression) !== null)) &&
          (inner === undefined || (inner.value?.type === 'JSXExpressionContainer' && context.foldStrings(inner.value.expression) !== null) || constantHtmlObject(context, inner.value?.expression));
        context.report({ node: opening, messageId: 'jsxScript', data: { target: abbreviate(context.text(node), 40) }, ...(constant && lenient ? { severity: 'warn' as const } : {}) });
      },
      AssignmentExpression: checkAssignment,
      CallExpression: checkCall,
      OptionalCallExpression: checkCall,
      NewExpression(node: Node & { callee: Node; arguments: Node[] }) {
        const callee = unwrap(node.callee);
        if (callee.type !== 'Identifier' && callee.type !== 'MemberExpression') return;
        let name: string | null = null;
        for (const v of context.values(callee)) if (WORKER_CONSTRUCTORS.has(v)) name = v;
        if (name === null) return;
        const first = node.arguments[0];
        if (first !== undefined && first.type !== 'SpreadElement') checkWorkerSource(node, first, `new ${name}`);
      },
      ObjectProperty(node: Node & { key: Node; computed: boolean; value: Node }) {
        // `Object.assign(document.createElement('script'), { text: code })`.
        if (node.computed || node.key.type !== 'Identifier') return;
        const key = node.key.name;
        if (!SCRIPT_TEXT_PROPS.has(key) && key !== 'src') return;
        const object = context.parentOf(node);
        const call = object === null ? null : context.parentOf(object);
        if (call === null || call.type !== 'CallExpression' || call.arguments[0] === object) return;
        if (!context.values(call.callee).has('Object.assign')) return;
        const target = call.arguments[0];
        if (target === undefined || target.type === 'SpreadElement' || !isScriptElement(context, target, 0)) return;
        if (key === 'src') checkScriptSrc(node, node.value);
        else context.report({ node, messageId: 'scriptText', data: { target: key } });
      },
    };
  },
});

/** A `<script>` element: `document.createElement('script')`, directly or through a variable. */
function isScriptElement(context: RuleContext, raw: Node, depth: number): boolean {
  if (depth > 4) return false;
  const node = unwrap(raw);
  if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
    const values = context.values(node.callee);
    let index = -1;
    if (values.has('document.createElement')) index = 0;
    else if (values.has('document.createElementNS')) index = 1;
    else if (values.has('Object.assign')) {
      const target = node.arguments[0];
      return target !== undefined && target.type !== 'SpreadElement' && isScriptElement(context, target, depth + 1);
    }
    if (index === -1) return false;
    const tag = node.arguments[index];
    if (tag === undefined || tag.type === 'SpreadElement') return false;
    const names = context.foldStrings(tag);
    return names !== null && names.some((n) => n.trim().toLowerCase() === 'script');
  }
  if (node.type === 'Identifier') {
    const binding = context.resolve(node);
    if (!binding || binding.path.length > 0) return false;
    if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return false;
    const sources = [...(binding.init ? [binding.init] : []), ...binding.assignments];
    return sources.some((s) => s !== null && isScriptElement(context, s, depth + 1));
  }
  return false;
}

/** `document.createTextNode(x)`, directly or through a variable. */
function isTextNode(context: RuleContext, raw: Node, depth: number): boolean {
  const node = unwrap(raw);
  if (node.type === 'CallExpression') return context.values(node.callee).has('document.createTextNode');
  if (node.type === 'Identifier' && depth < 3) {
    const binding = context.resolve(node);
    return !!binding && binding.init !== null && binding.path.length === 0 && isTextNode(context, binding.init, depth + 1);
  }
  return false;
}

/** Where a URL points: a blob/data URL (inline), a remote URL, `javascript:`, a relative path, or unknown. */
function classifyUrl(context: RuleContext, raw: Node): { kind: 'inline' | 'remote' | 'javascript' | 'local' | 'unknown'; text: string | null } {
  const node = unwrap(raw);
  if (createsObjectUrl(context, node, 0)) return { kind: 'inline', text: 'blob:…' };
  let text = partialString(context, node);
  if (text === null && node.type === 'NewExpression' && context.values(node.callee).has('URL')) {
    const first = node.arguments[0];
    text = first !== undefined && first.type !== 'SpreadElement' ? partialString(context, first) : null;
  }
  if (text === null || text.startsWith(HOLE)) return { kind: 'unknown', text };
  if (isJavascriptUrl(text)) return { kind: 'javascript', text };
  const scheme = urlScheme(text);
  if (scheme === 'blob' || scheme === 'data') return { kind: 'inline', text };
  if (scheme === 'http' || scheme === 'https' || text.startsWith('//')) return { kind: 'remote', text };
  return { kind: 'local', text };
}

function createsObjectUrl(context: RuleContext, node: Node, depth: number): boolean {
  if (node.type === 'CallExpression') {
    const values = context.values(node.callee);
    return values.has('URL.createObjectURL') || values.has('webkitURL.createObjectURL');
  }
  if (node.type === 'Identifier' && depth < 3) {
    const binding = context.resolve(node);
    return !!binding && binding.init !== null && binding.path.length === 0 && createsObjectUrl(context, unwrap(binding.init), depth + 1);
  }
  return false;
}

/** True for a `javascript:` (or `vbscript:`) URL that does something (not `javascript:void(0)`). */
function isJavascriptUrl(text: string): boolean {
  // Browsers drop tabs and newlines anywhere in a URL and leading controls and spaces.
  const url = text.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  const match = /^(?:javascript|vbscript):([\s\S]*)$/i.exec(url);
  if (match === null) return false;
  const body = match[1]!.trim();
  return !/^(?:void\s*\(?\s*0\s*\)?\s*;?|;|)$/i.test(body);
}

/** Judges an HTML string for script tags, inline handlers and javascript: URLs. */
function judgeHtml(context: RuleContext, value: Node, allowScript: boolean): Verdict {
  const text = partialString(context, value);
  if (text === null || !text.includes('<')) return null;
  const found = scanHtml(text);
  if (allowScript && found.script) return { kind: 'script', shown: show(text) };
  if (found.handler) return { kind: 'handler', shown: show(text) };
  if (found.jsUrl) return { kind: 'jsUrl', shown: show(text) };
  return null;
}

const HTML_URL_ATTRIBUTES: ReadonlySet<string> = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href']);

/**
 * A small tag and attribute scanner (quotes respected, unknown stretches opaque): does the HTML
 * open a `<script>`, carry an `on...=` attribute, or a URL attribute with a `javascript:` URL?
 */
function scanHtml(text: string): { script: boolean; handler: boolean; jsUrl: boolean } {
  const found = { script: false, handler: false, jsUrl: false };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const open = text.indexOf('<', i);
    if (open === -1 || open + 1 >= n) break;
    i = open + 1;
    if (!/[a-zA-Z]/.test(text[i]!)) continue;
    let name = '';
    while (i < n && /[\w:-]/.test(text[i]!)) name += text[i++]!;
    if (name.toLowerCase() === 'script') found.script = true;
    // Attributes until the tag ends.
    while (i < n) {
      while (i < n && /[\s/]/.test(text[i]!)) i++;
      if (i >= n || text[i] === '>' || text[i] === '<') break;
      let attribute = '';
      while (i < n && !/[\s/>=]/.test(text[i]!)) attribute += text[i++]!;
      while (i < n && /\s/.test(text[i]!)) i++;
      let attributeValue = '';
      if (text[i] === '=') {
        i++;
        while (i < n && /\s/.test(text[i]!)) i++;
        const quote = text[i];
        if (quote === '"' || quote === "'") {
          const close = text.indexOf(quote, i + 1);
          attributeValue = text.slice(i + 1, close === -1 ? n : close);
          i = close === -1 ? n : close + 1;
        } else {
          while (i < n && !/[\s>]/.test(text[i]!)) attributeValue += text[i++]!;
        }
      }
      if (attribute === '') {
        i++;
        continue;
      }
      const lower = attribute.toLowerCase();
      if (/^on[a-z]+$/.test(lower)) found.handler = true;
      else if (HTML_URL_ATTRIBUTES.has(lower) && isJavascriptUrl(attributeValue)) found.jsUrl = true;
    }
  }
  return found;
}

function show(text: string): string {
  return `'${abbreviate(text.replace(/\u0000/g, '…'), 60)}'`;
}
