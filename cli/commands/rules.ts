// `airlock rules`: the rule list with each profile's severity, as a table or JSON.
import type { Command } from 'commander';
import { Option } from 'commander';
import { RULES } from '../../rules/index.js';
import type { CommandContext } from '../context.js';

export function registerRulesCommand(program: Command, context: CommandContext): void {
  program
    .command('rules')
    .description('list the rules and their severity in each profile')
    .addOption(new Option('-f, --format <name>', 'output format').choices(['table', 'json']).default('table'))
    .action((flags: { format: string }) => {
      if (flags.format === 'json') {
        const rows = RULES.map((rule) => ({
          id: rule.id,
          type: rule.meta.type,
          category: rule.meta.category,
          description: rule.meta.description,
          defaults: rule.meta.defaults,
          messages: rule.meta.messages,
          docs: `docs/rules/${rule.id}.md`,
        }));
        context.io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const width = Math.max(...RULES.map((r) => r.id.length));
      const catWidth = Math.max(...RULES.map((r) => r.meta.category.length));
      const lines = [`${'rule'.padEnd(width)}  ${'category'.padEnd(catWidth)}  strict  recommended  audit  description`];
      for (const rule of RULES) {
        const d = rule.meta.defaults;
        lines.push(
          `${rule.id.padEnd(width)}  ${rule.meta.category.padEnd(catWidth)}  ${d.strict.padEnd(6)}  ${d.recommended.padEnd(11)}  ${d.audit.padEnd(5)}  ${rule.meta.description}`,
        );
      }
      context.io.stdout(`${lines.join('\n')}\n`);
    });
}
