// Engine rule: lifecycle scripts (`preinstall`, `install`, `postinstall`, `prepare`) in a
// package.json. They run on `npm install` with the installing user's rights, which makes them the
// usual entry point of malicious packages. The dependency audit (`airlock audit --deps`) reports
// them on the package.json, names the files they run, and raises the findings in those files.
import { defineRule } from '../analyzer/rule-api.js';

export default defineRule({
  id: 'install-script',
  meta: {
    type: 'problem',
    category: 'install-time',
    description: 'Reports package.json lifecycle scripts that run at install time, and the risky commands in them.',
    defaults: { strict: 'off', audit: 'warn', recommended: 'off' },
    messages: {
      script: '`{{hook}}` script runs at install time: `{{command}}`{{details}}.',
    },
    engine: true,
  },
  create: () => ({}),
});
