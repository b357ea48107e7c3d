import rule from '../../rules/env-read-secret.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const port = process.env.PORT || 3000; const mode = process.env.NODE_ENV;',
    'const { LOG_LEVEL, DEBUG, HOME } = process.env;',
    'if (process.env.CI && process.env.GITHUB_ACTIONS) console.log(process.env.GITHUB_REF, process.env.AWS_REGION);',
    'process.env.NPM_TOKEN = "x"; delete process.env.GITHUB_TOKEN;',
    'const config = { token: getToken(), password: "not-an-env-read" };',
    'const env = { API_KEY: "x" }; env.API_KEY;',
    'function f(process) { return process.env.SECRET }',
    'const name = process.env.npm_package_name; const v = process.env.npm_config_registry;',
    '"use the GITHUB_TOKEN environment variable"; // process.env.GITHUB_TOKEN',
    'const k = process.env.KEYBOARD_LAYOUT; const a = process.env.AUTHOR_NAME;',
  ],
  invalid: [
    { code: 'const { NPM_TOKEN = "" } = process.env;', errors: [{ messageId: 'secret', line: 1, column: 9 }] },
    { code: 'const a = Object.getOwnPropertyDescriptor(process.env, "GITHUB_TOKEN").value;', errors: [{ messageId: 'secret', line: 1, column: 11 }] },
    { code: 'const b = Reflect.get(process.env, "AWS_SECRET_ACCESS_KEY");', errors: [{ messageId: 'secret', line: 1, column: 11 }] },
    { code: 'const token = process.env.GITHUB_TOKEN;', errors: [{ messageId: 'secret', line: 1, column: 15, message: 'GITHUB_TOKEN' }] },
    { code: 'const { NPM_TOKEN, PORT } = process.env;', errors: [{ messageId: 'secret', line: 1, column: 9 }] },
    { code: 'const e = process.env;\nsend(e.AWS_SECRET_ACCESS_KEY);', errors: [{ messageId: 'secret', line: 2, column: 6 }] },
    { code: "process['env']['DB_' + 'PASSWORD']", errors: [{ messageId: 'secret', line: 1, column: 1 }] },
    { code: 'const k = "STRIPE_SECRET_KEY";\nprocess.env[k];', errors: [{ messageId: 'secret', line: 2, column: 1 }] },
    { code: 'globalThis.process.env.ACTIONS_RUNTIME_TOKEN', errors: [{ messageId: 'secret', line: 1, column: 1 }] },
    { code: 'const { env } = process;\nenv.OPENAI_API_KEY;', errors: [{ messageId: 'secret', line: 2, column: 1 }] },
    { code: 'const { env: { CI_JOB_TOKEN: t } } = process;', errors: [{ messageId: 'secret', line: 1, column: 16 }] },
    { code: 'process.env?.NODE_AUTH_TOKEN', errors: [{ messageId: 'secret', line: 1, column: 1 }] },
    { code: 'require("process").env.AWS_ACCESS_KEY_ID', errors: [{ messageId: 'secret', line: 1, column: 1 }] },
  ],
});
