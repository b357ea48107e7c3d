// Shared helpers of the audit rules (process, filesystem, environment, network, browser data,
// install time). Four layers, each usable alone:
//
//   1. Pure classifiers over strings: secret-looking environment variable names, suspicious shell
//      commands, suspicious network endpoints, sensitive file paths.
//   2. Symbolic folding: the strings an expression may be, where the parts that cannot be known
//      are holes and the well-known roots (`os.homedir()`, `process.env.HOME`, `'~'`, TMP,
//      `process.cwd()`, `__dirname`) are symbols, through `path.join/resolve`, templates,
//      concatenation, `[...].join`, parameters of local functions and callbacks over literal lists.
//   3. Classifying calls: child-process calls and their command lines, file-system calls and their
//      paths, network sinks with their destination and data-bearing parts (including the
//      `req.write(...)` / `ws.send(...)` methods of instances created by network calls).
//   4. Per-file facts gathered during the one walk, and the taint spec and flow decisions shared by
//      exfiltration-flow, browser-data-theft, suspicious-endpoint and friends.
//
// Files whose names start with `_` are helpers, not rules.
import type { Node } from '@babel/types';
import { Buffer } from 'node:buffer';
import type { RuleContext, Visitor, VisitorHandler } from '../analyzer/rule-api.js';
import { memberPath, unwrap } from '../analyzer/evaluate.js';
import {
  CLEAN,
  callSitesOf,
  isFunction,
  literalObject,
  localFunction,
  logicalParent,
  mergeTaint,
  parameterOf,
  propertyName,
  sourceTaint,
  staticMemberName,
  taintEngine,
} from '../analyzer/taint.js';
import type { Taint, TaintSpec } from '../analyzer/taint.js';
import type { Binding, PathStep } from '../analyzer/scope.js';
import { fileCache } from '../analyzer/file-cache.js';

// =================================================================================================
// 1. Pure classifiers

/** The marker folding puts where a part of a string cannot be known. */
export const HOLE = '\u0000';

/** Shortens text for messages; holes are shown as `…`. */
export function abbreviate(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').split(HOLE).join('…');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

// ---- Environment variable names ----------------------------------------------------------------

/** Names that are configuration, not secrets, even though a pattern below would match them. */
const BENIGN_ENV_NAMES: ReadonlySet<string> = new Set([
  'NODE_ENV',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'DEBUG',
  'PWD',
  'PATH',
  'HOME',
  'TZ',
  'LANG',
  'CI',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_EXECUTION_ENV',
  'AWS_SDK_LOAD_CONFIG',
  'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'GITHUB_ACTIONS',
  'GITHUB_WORKSPACE',
  'GITHUB_REPOSITORY',
  'GITHUB_REPOSITORY_OWNER',
  'GITHUB_REF',
  'GITHUB_REF_NAME',
  'GITHUB_REF_TYPE',
  'GITHUB_SHA',
  'GITHUB_HEAD_REF',
  'GITHUB_BASE_REF',
  'GITHUB_EVENT_NAME',
  'GITHUB_EVENT_PATH',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_NUMBER',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_SERVER_URL',
  'GITHUB_API_URL',
  'GITHUB_GRAPHQL_URL',
  'GITHUB_ACTOR',
  'GITHUB_JOB',
  'GITHUB_WORKFLOW',
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_ACTION',
  'GITHUB_ACTION_PATH',
  'GITHUB_RETENTION_DAYS',
  'NPM_CONFIG_REGISTRY',
  'NPM_CONFIG_USERCONFIG',
  'NPM_CONFIG_CACHE',
  'NPM_CONFIG_PREFIX',
  'NPM_CONFIG_LOGLEVEL',
  'NPM_CONFIG_USER_AGENT',
  'NPM_EXECPATH',
  'NPM_NODE_EXECPATH',
  'NPM_COMMAND',
]);

const SECRET_WORDS = /TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PRIVATE|APIKEY|ACCESSKEY|SECRETKEY|AUTHKEY|CLIENTKEY|SIGNINGKEY|COOKIE/;
const SECRET_SEGMENTS: ReadonlySet<string> = new Set(['KEY', 'PASS', 'PWD', 'AUTH', 'PAT', 'JWT', 'SESSION']);
const SECRET_PREFIXES = /^(?:AWS_|NPM_|NODE_AUTH_|GITHUB_|GH_|ACTIONS_|CI_JOB_|CI_REGISTRY_|CIRCLE_TOKEN|GITLAB_|BUILDKITE_AGENT_|AZURE_|GOOGLE_APPLICATION_CREDENTIALS|VAULT_|HEROKU_API|NETLIFY_AUTH|VERCEL_TOKEN|DOCKER_PASS|SLACK_|DISCORD_|TELEGRAM_|STRIPE_|TWILIO_|SENTRY_AUTH)/;

/** True when an environment variable name looks like it holds a secret (token, key, password...). */
export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (BENIGN_ENV_NAMES.has(upper)) return false;
  if (upper.startsWith('NPM_PACKAGE_') || upper.startsWith('NPM_LIFECYCLE_')) return false;
  if (upper.startsWith('NPM_CONFIG_')) return /AUTH|TOKEN|PASSWORD|_PASS|EMAIL|CERT|KEY/.test(upper.slice(11));
  if (SECRET_WORDS.test(upper)) return true;
  for (const segment of upper.split(/[^A-Z0-9]+/)) if (SECRET_SEGMENTS.has(segment)) return true;
  return SECRET_PREFIXES.test(upper);
}

/** Variables that identify the user or machine (sent home by reconnaissance payloads). */
const IDENTITY_ENV_NAMES: ReadonlySet<string> = new Set(['USER', 'USERNAME', 'LOGNAME', 'HOSTNAME', 'COMPUTERNAME', 'USERDOMAIN', 'USERDNSDOMAIN']);

/** True for variables naming the user or the machine. */
export function isIdentityEnvName(name: string): boolean {
  return IDENTITY_ENV_NAMES.has(name.toUpperCase());
}

/** Variables npm sets while it runs a package script (install hooks included). */
export function isLifecycleEnvName(name: string): boolean {
  return /^npm_(?:lifecycle_event|lifecycle_script|config_|package_)/i.test(name);
}

// ---- Commands ----------------------------------------------------------------------------------

export type CommandThreat =
  | 'downloadExec'
  | 'encodedPowershell'
  | 'reverseShell'
  | 'miner'
  | 'persistence'
  | 'lolbin'
  | 'defenseEvasion'
  | 'inlineCode'
  | 'chmodExec'
  | 'destructive';

export interface CommandFinding {
  threat: CommandThreat;
  /** What the pattern means, for messages. */
  label: string;
  /** The matched text. */
  match: string;
}

const SH = String.raw`(?:sudo\s+)?(?:\/(?:usr\/)?bin\/)?(?:ba|z|da|k|c|fi)?sh\b`;
const HOME_PREFIX = String.raw`(?:~|\$HOME|\$\{HOME\}|%USERPROFILE%|\/root|\/home\/[^\/\s]+|\/Users\/[^\/\s]+)`;
const TMP_PATH = String.raw`(?:\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\$TMPDIR|%TEMP%|%TMP%|~\/\.|\$HOME\/\.|\/\.)`;

/** Where a command word may start: the beginning, after a shell operator, `$(`, sudo or a quote. */
const CMD_START = String.raw`(?:^|[;&|(\x60{]|\$\(|\bsudo\s|\bexec\s|["'])\s*(?:[^\s;&|]*\/)?`;

const COMMAND_PATTERNS: readonly { threat: CommandThreat; label: string; re: RegExp }[] = [
  // Download and execute.
  { threat: 'downloadExec', label: 'pipes a download into a shell', re: new RegExp(String.raw`${CMD_START}(?:curl|wget|fetch)\b[^|;&\n]*\|\s*${SH}`, 'i') },
  {
    threat: 'downloadExec',
    label: 'pipes a download into an interpreter',
    re: new RegExp(String.raw`${CMD_START}(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:python[23]?|perl|ruby|node|php|powershell|pwsh)(?:\.exe)?\b`, 'i'),
  },
  {
    threat: 'downloadExec',
    label: 'downloads a file and runs it',
    re: new RegExp(String.raw`${CMD_START}(?:curl|wget)\b[^;&|\n]*?(?:\s-o|\s-O|--output(?:-document)?|>)\s*["']?[^\s"';&|]+["']?\s*(?:&&|;|\|\|)\s*(?:sudo\s+)?(?:chmod\s+[+0-7ugoa]|(?:ba|z)?sh\s|\.\/|\/tmp\/|~\/|\$HOME|%TEMP%|%APPDATA%|node\s|python[23]?\s|start\s|cmd\s)`, 'i'),
  },
  { threat: 'downloadExec', label: 'runs the output of a download', re: /\b(?:ba|z)?sh\s+(?:-c\s+)?["']?\$\(\s*(?:curl|wget)\b/i },
  { threat: 'downloadExec', label: 'runs a downloaded script', re: /\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b/i },
  {
    threat: 'downloadExec',
    label: 'downloads and invokes PowerShell code',
    re: /\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring|downloadfile|downloaddata|net\.webclient|start-bitstransfer)\b[\s\S]*?(?:\biex\b|invoke-expression|start-process|\|\s*powershell|&\s*\$)/i,
  },
  { threat: 'downloadExec', label: 'invokes downloaded PowerShell code', re: /\b(?:iex|invoke-expression)\b[\s\S]*?\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring|net\.webclient)\b/i },
  { threat: 'downloadExec', label: 'decodes base64 into a shell', re: new RegExp(String.raw`\bbase64\s+(?:-d|--decode|-D)\b[^;&\n]*\|\s*${SH}`, 'i') },
  // Encoded PowerShell.
  {
    threat: 'encodedPowershell',
    label: 'runs an encoded PowerShell command',
    re: /\b(?:powershell|pwsh)(?:\.exe)?["']?\b[^|;&\n]*?\s[-\/](?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)\s+["']?[A-Za-z0-9+\/=]{12,}/i,
  },
  // Reverse shells.
  { threat: 'reverseShell', label: 'opens a shell over /dev/tcp', re: /\/dev\/(?:tcp|udp)\/[^\s\/]+\/\d*/i },
  { threat: 'reverseShell', label: 'binds a shell to netcat', re: /\b(?:nc|ncat|netcat)(?:\.exe)?\s[^|;&\n]*-[a-z]*[ec]\s+["']?\S*(?:sh|cmd|powershell)\b/i },
  { threat: 'reverseShell', label: 'binds a shell to ncat', re: /\bncat\b[^;&\n]*--(?:exec|sh-exec|lua-exec)\b/i },
  { threat: 'reverseShell', label: 'redirects an interactive shell', re: /\b(?:ba|z)?sh\s+-i\s*(?:>&|&>|<&|0?[<>]|\|)/i },
  { threat: 'reverseShell', label: 'wires a shell to a named pipe', re: /\bmkfifo\b[\s\S]*\b(?:nc|ncat|netcat|telnet|openssl\s+s_client|(?:ba|z)?sh\s+-i)\b/i },
  { threat: 'reverseShell', label: 'binds a shell with socat', re: /\bsocat\b[^;&\n]*\bexec:/i },
  { threat: 'reverseShell', label: 'pipes telnet into a shell', re: new RegExp(String.raw`\btelnet\b[^;&\n]*\|\s*${SH}`, 'i') },
  { threat: 'reverseShell', label: 'opens a Python socket shell', re: /\bsocket\.socket\b[\s\S]*\b(?:subprocess|pty\.spawn|os\.dup2)\b/ },
  { threat: 'reverseShell', label: 'opens a Perl socket shell', re: /\buse\s+Socket\b[\s\S]*\b(?:exec|system)\b/ },
  { threat: 'reverseShell', label: 'opens a PowerShell TCP shell', re: /\bNet\.Sockets\.TCPClient\b/i },
  // Miners.
  { threat: 'miner', label: 'connects to a mining pool', re: /\bstratum\+(?:tcp|ssl|tls):\/\//i },
  { threat: 'miner', label: 'runs a cryptocurrency miner', re: /\b(?:xmrig|xmr-stak|minerd|cpuminer|cgminer|bfgminer|ethminer|nbminer|phoenixminer|lolminer|nanominer|gminer)\b/i },
  { threat: 'miner', label: 'runs a cryptocurrency miner', re: /--donate-level\b|\bcryptonight\b|\b(?:minexmr|supportxmr|moneroocean|hashvault)\.\w+/i },
  // Persistence.
  { threat: 'persistence', label: 'installs a cron job', re: /\|\s*crontab\b|\bcrontab\s+(?:-u\s+\S+\s+)?(?:-(?:\s|$)|[^-\s])|@reboot\b/i },
  { threat: 'persistence', label: 'creates a scheduled task', re: /\bschtasks(?:\.exe)?\s+\/create\b|\bRegister-ScheduledTask\b|\bNew-ScheduledTaskTrigger\b/i },
  { threat: 'persistence', label: 'loads a launchd agent', re: /\blaunchctl\s+(?:load|bootstrap|submit|enable)\b/i },
  { threat: 'persistence', label: 'enables a systemd service', re: /\bsystemctl\s+(?:--user\s+)?enable\b/i },
  {
    threat: 'persistence',
    label: 'appends to a shell start-up file',
    re: new RegExp(String.raw`(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?${HOME_PREFIX}?\/?\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc)\b`, 'i'),
  },
  { threat: 'persistence', label: 'adds an SSH authorized key', re: /(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?\S*\.ssh\/authorized_keys\b/i },
  { threat: 'persistence', label: 'adds a Run registry key', re: /\b(?:reg(?:\.exe)?\s+add|New-ItemProperty|Set-ItemProperty)\b[^;\n]*\\CurrentVersion\\Run(?:Once)?\b/i },
  {
    threat: 'persistence',
    label: 'writes a system start-up location',
    re: /(?:>>?|\btee\s+(?:-a\s+)?|\b(?:cp|mv|ln\s+-s)\s+\S+\s+)["']?\/etc\/(?:rc\.local|init\.d\/|cron|crontab|systemd\/system|profile\.d|ld\.so\.preload)/i,
  },
  { threat: 'persistence', label: 'registers an init script', re: /\bupdate-rc\.d\s+\S+\s+defaults\b|\bchkconfig\s+\S+\s+on\b/i },
  { threat: 'persistence', label: 'writes a launch agent', re: /(?:>>?|\btee\b|\bcp\b|\bmv\b)[^;&|\n]*Library\/Launch(?:Agents|Daemons)\//i },
  { threat: 'persistence', label: 'writes the Startup folder', re: /Start Menu\\Programs\\Startup|shell:startup/i },
  // Living-off-the-land binaries.
  { threat: 'lolbin', label: 'downloads or decodes with certutil', re: /\bcertutil(?:\.exe)?\b[^;&|\n]*[-\/](?:urlcache|decode|decodehex)\b/i },
  { threat: 'lolbin', label: 'downloads with bitsadmin', re: /\bbitsadmin(?:\.exe)?\b[^;&|\n]*\/(?:transfer|addfile|create)\b/i },
  { threat: 'lolbin', label: 'runs mshta', re: /\bmshta(?:\.exe)?["']?\s/i },
  {
    threat: 'lolbin',
    label: 'runs code through rundll32',
    re: /\brundll32(?:\.exe)?["']?\s+(?!["']?(?:url|shell32|user32|printui|keymgr|inetcpl\.cpl|sysdm\.cpl|desk\.cpl)(?:\.dll)?,)/i,
  },
  { threat: 'lolbin', label: 'runs a remote scriptlet through regsvr32', re: /\bregsvr32(?:\.exe)?["']?\s[^;&|\n]*(?:\/i:|scrobj|https?:)/i },
  { threat: 'lolbin', label: 'creates a process through WMI', re: /\bwmic(?:\.exe)?\b[^;&|\n]*\bprocess\s+call\s+create\b/i },
  { threat: 'lolbin', label: 'runs a proxy-execution binary', re: /\b(?:installutil|regasm|regsvcs|cmstp|msxsl|odbcconf|pcalua)(?:\.exe)?["']?\s/i },
  { threat: 'lolbin', label: 'installs a remote MSI package', re: /\bmsiexec(?:\.exe)?\b[^;&|\n]*\s\/(?:i|package)\s+["']?https?:/i },
  // Defence evasion.
  { threat: 'defenseEvasion', label: 'disables antivirus protection', re: /\bSet-MpPreference\b[^;\n]*-Disable|\bAdd-MpPreference\b[^;\n]*-Exclusion/i },
  { threat: 'defenseEvasion', label: 'disables security controls or history', re: /\bsetenforce\s+0\b|\bufw\s+disable\b|\biptables\s+-F\b|\bhistory\s+-c\b|\bunset\s+HISTFILE\b|\bHISTFILE=\/dev\/null/i },
  // Inline code.
  { threat: 'inlineCode', label: 'runs inline JavaScript with node', re: /(?:^|[\s;&|"'\/\\(])node(?:js)?(?:\.exe)?["']?(?:\s+--?[a-z][\w-]*(?:=\S+)?)*\s+(?:-e|--eval|-p|--print|-pe)(?:\s|=|$)/i },
  { threat: 'inlineCode', label: 'runs inline code that opens sockets or runs commands', re: /(?:^|[\s;&|"'\/])(?:python[23]?|perl|ruby)(?:\.exe)?\s+-[ce]\s[\s\S]*\b(?:socket|urllib|urlopen|base64|os\.system|subprocess|exec\(|eval\(|IO::Socket)\b/i },
  // chmod then run, from a temporary or hidden location.
  {
    threat: 'chmodExec',
    label: 'makes a file executable and runs it',
    re: new RegExp(String.raw`\bchmod\s+(?:[ugoa]*\+[rwx]*x[rwx]*|[0-7]?[0-7][0-7][1357])\s+["']?${TMP_PATH}[^\s"';&|]*["']?\s*(?:&&|;|\|\|)`, 'i'),
  },
];

const DESTRUCTIVE_PATTERNS: readonly { label: string; re: RegExp }[] = [
  { label: 'deletes the home folder or the root', re: new RegExp(String.raw`\brm\s+(?:-[a-zA-Z]*\s+|--[a-z-]+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-[a-zA-Z]+\s+|--[a-z-]+\s+)*["']?(?:\/|\/\*|${HOME_PREFIX}\/?\*?|\.\/?\*?|\*|\/(?:etc|usr|bin|sbin|boot|lib|var|home|Users|opt|System)\/?\*?)["']?(?:\s|$|;|&|\|)`, 'i') },
  { label: 'deletes the home folder or the root', re: new RegExp(String.raw`\brm\s+(?:-[a-zA-Z]+\s+)*["']?(?:\/|${HOME_PREFIX})\/?\*?["']?\s+-[a-zA-Z]*[rR]`, 'i') },
  { label: 'deletes a whole drive or system folder', re: /\b(?:rd|rmdir)\s+\/s\s+(?:\/q\s+)?["']?(?:[a-z]:\\?|%USERPROFILE%|%SystemRoot%|[a-z]:\\Windows|[a-z]:\\Users)["']?(?:\s|$)/i },
  { label: 'deletes a whole drive or system folder', re: /\bdel\s+(?:\/[a-z]\s+)*["']?(?:[a-z]:\\\*|[a-z]:\\|%USERPROFILE%\\?\*?)["']?(?:\s|$)/i },
  { label: 'deletes the home folder or a drive', re: /\bRemove-Item\b[^;\n]*(?:-Recurse\b[^;\n]*(?:~|\$env:USERPROFILE|\$HOME|[a-z]:\\)(?:\s|$|["'])|(?:~|\$env:USERPROFILE|\$HOME|[a-z]:\\)["']?\s[^;\n]*-Recurse\b)/i },
  { label: 'formats or overwrites a disk', re: /\bmkfs(?:\.[a-z0-9]+)?\s+\/dev\/|\bdd\s+[^;\n]*of=\/dev\/(?:sd|hd|nvme|xvd|vd|disk)|\bformat\s+[a-z]:|\bshred\b[^;\n]*\/dev\//i },
  { label: 'starts a fork bomb', re: /:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/ },
];

/** Suspicious patterns in one command line (holes allowed). Encoded PowerShell is decoded and rechecked. */
export function commandThreats(command: string, depth = 0): CommandFinding[] {
  const found: CommandFinding[] = [];
  if (command.length === 0) return found;
  for (const { threat, label, re } of COMMAND_PATTERNS) {
    if (found.some((f) => f.threat === threat)) continue;
    const match = re.exec(command);
    if (match !== null) found.push({ threat, label, match: match[0] });
  }
  for (const { label, re } of DESTRUCTIVE_PATTERNS) {
    const match = re.exec(command);
    if (match !== null) {
      found.push({ threat: 'destructive', label, match: match[0] });
      break;
    }
  }
  if (depth === 0) {
    const decoded = decodedPowershell(command);
    if (decoded !== null) {
      for (const inner of commandThreats(decoded, 1)) {
        if (!found.some((f) => f.threat === inner.threat)) found.push({ ...inner, label: `${inner.label} (inside the encoded command)` });
      }
    }
  }
  return found;
}

/** The text of `powershell -EncodedCommand <base64>` (UTF-16LE), or null. */
export function decodedPowershell(command: string): string | null {
  const match = /\s[-\/]e[a-z]*\s+["']?([A-Za-z0-9+\/=]{12,})/i.exec(command);
  if (match === null || !/\b(?:powershell|pwsh)\b/i.test(command)) return null;
  const text = Buffer.from(match[1]!, 'base64').toString('utf16le');
  return /^[\x09\x0a\x0d\x20-\x7e]+$/.test(text) ? text : null;
}

/** Shell command lines that destroy the home folder, the root, a drive or a disk. */
export function destructiveCommand(command: string): CommandFinding | null {
  return commandThreats(command, 1).find((f) => f.threat === 'destructive') ?? null;
}

/** Tools that a build or CLI legitimately spawns with constant arguments. */
const ALLOWED_TOOLS: ReadonlySet<string> = new Set([
  'git',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'node',
  'tsc',
  'make',
  'cmake',
  'gcc',
  'g++',
  'cc',
  'clang',
  'go',
  'cargo',
  'rustc',
  'javac',
  'java',
  'mvn',
  'gradle',
  'which',
  'where',
  'uname',
  'sw_vers',
  'ldd',
  'getconf',
  'xcode-select',
  'xcrun',
  'lsb_release',
  'hg',
  'svn',
  'node-gyp',
  'prebuild-install',
  'docker',
  'code',
  'open',
  'xdg-open',
  'explorer',
  'tput',
  'stty',
  'echo',
  'pwd',
  'ls',
  'tar',
  'unzip',
]);

const SHELL_METACHARACTERS = /[|;&`$<>(){}\n*?]/;

/**
 * True when a command line is a plain run of a common build/CLI tool with constant arguments
 * (`git status`, `npm install`): no holes, no shell operators, no inline code.
 */
export function isPlainToolCommand(command: string): boolean {
  if (command.includes(HOLE) || SHELL_METACHARACTERS.test(command)) return false;
  const words = command.trim().split(/\s+/);
  const tool = (words[0] ?? '').replace(/^["']|["']$/g, '').split(/[\\/]/).pop()!.toLowerCase().replace(/\.(?:exe|cmd|bat)$/, '');
  if (!ALLOWED_TOOLS.has(tool)) return false;
  if (tool === 'node' || tool === 'bun') return !words.slice(1).some((w) => /^(?:-e|--eval|-p|--print|-pe|-r|--require|--import|--loader)$/.test(w));
  return true;
}

// ---- Network endpoints -------------------------------------------------------------------------

export type EndpointCategory =
  | 'rawIp'
  | 'shadyTld'
  | 'tunnel'
  | 'oast'
  | 'webhook'
  | 'paste'
  | 'fileShare'
  | 'messenger'
  | 'dynamicDns'
  | 'shortener'
  | 'ipLookup'
  | 'cloudMetadata';

export interface EndpointFinding {
  category: EndpointCategory;
  host: string;
  /** Human description: 'a request-bin service (webhook.site)'. */
  label: string;
}

const ENDPOINT_DESCRIPTIONS: Readonly<Record<EndpointCategory, string>> = {
  rawIp: 'a raw public IP address',
  shadyTld: 'a domain under a TLD favoured by malware',
  tunnel: 'a tunnelling service',
  oast: 'an out-of-band interaction (OAST) service',
  webhook: 'a request-bin / webhook capture service',
  paste: 'a paste site',
  fileShare: 'an anonymous file-sharing service',
  messenger: 'a messenger bot/webhook API',
  dynamicDns: 'a dynamic-DNS host',
  shortener: 'a URL shortener',
  ipLookup: 'a public-IP lookup service',
  cloudMetadata: 'the cloud instance-metadata service',
};

const HOST_SUFFIXES: ReadonlyMap<string, EndpointCategory> = new Map<string, EndpointCategory>([
  ...[
    'ngrok.io',
    'ngrok.app',
    'ngrok-free.app',
    'ngrok.dev',
    'ngrok-free.dev',
    'trycloudflare.com',
    'serveo.net',
    'serveousercontent.com',
    'localtunnel.me',
    'loca.lt',
    'localhost.run',
    'lhr.life',
    'pagekite.me',
    'bore.pub',
    'pinggy.io',
    'pinggy.link',
    'telebit.cloud',
    'localxpose.io',
    'loclx.io',
    'devtunnels.ms',
    'ply.gg',
    'playit.gg',
  ].map((h) => [h, 'tunnel'] as const),
  ...[
    'burpcollaborator.net',
    'burpcollaborator.me',
    'oastify.com',
    'interact.sh',
    'interactsh.com',
    'oast.pro',
    'oast.live',
    'oast.site',
    'oast.online',
    'oast.fun',
    'oast.me',
    'canarytokens.com',
    'canarytokens.org',
    'dnslog.cn',
    'dnslog.link',
    'ceye.io',
    'requestrepo.com',
    'eyes.sh',
    'dnsbin.zhack.ca',
  ].map((h) => [h, 'oast'] as const),
  ...[
    'webhook.site',
    'pipedream.net',
    'requestbin.net',
    'requestbin.com',
    'beeceptor.com',
    'hookbin.com',
    'postb.in',
    'ptsv2.com',
    'ptsv3.com',
    'requestcatcher.com',
    'webhook.cool',
    'webhook-test.com',
    'typedwebhook.tools',
    'requestinspector.com',
    'mockbin.io',
  ].map((h) => [h, 'webhook'] as const),
  ...[
    'pastebin.com',
    'paste.ee',
    'hastebin.com',
    'ghostbin.com',
    'ghostbin.co',
    'ghostbin.site',
    'rentry.co',
    'rentry.org',
    'controlc.com',
    'dpaste.com',
    'dpaste.org',
    'pastebin.pl',
    'justpaste.it',
    'termbin.com',
    'ix.io',
    'sprunge.us',
    'paste.rs',
  ].map((h) => [h, 'paste'] as const),
  ...[
    'transfer.sh',
    'file.io',
    'filetransfer.io',
    'anonfiles.com',
    'gofile.io',
    'catbox.moe',
    'temp.sh',
    '0x0.st',
    'filebin.net',
    'bashupload.com',
    'oshi.at',
    'sendspace.com',
    'uguu.se',
    'pixeldrain.com',
    'ufile.io',
    'tmpfiles.org',
    'keep.sh',
    'anonymfile.com',
  ].map((h) => [h, 'fileShare'] as const),
  ...[
    'duckdns.org',
    'no-ip.com',
    'no-ip.org',
    'no-ip.biz',
    'ddns.net',
    'hopto.org',
    'zapto.org',
    'sytes.net',
    'servebeer.com',
    'serveftp.com',
    'dynu.net',
    'dyndns.org',
    'afraid.org',
    'ddnsfree.com',
    'myftp.biz',
  ].map((h) => [h, 'dynamicDns'] as const),
  ...['bit.ly', 'tinyurl.com', 'is.gd', 'v.gd', 'cutt.ly', 't.ly', 'rb.gy', 'shorturl.at', 'ow.ly', 'goo.gl', 'tiny.cc', 'rebrand.ly'].map(
    (h) => [h, 'shortener'] as const,
  ),
  ...[
    'ipinfo.io',
    'ip-api.com',
    'ifconfig.me',
    'ifconfig.co',
    'ipify.org',
    'icanhazip.com',
    'checkip.amazonaws.com',
    'ident.me',
    'myexternalip.com',
    'ipecho.net',
    'wtfismyip.com',
    'ip.sb',
    'ipwho.is',
    'ip.me',
    'jsonip.com',
    'geolocation-db.com',
  ].map((h) => [h, 'ipLookup'] as const),
  ['metadata.google.internal', 'cloudMetadata'],
]);

const SHADY_TLDS: ReadonlySet<string> = new Set([
  'tk',
  'ml',
  'ga',
  'cf',
  'gq',
  'pw',
  'top',
  'xyz',
  'link',
  'club',
  'sbs',
  'date',
  'quest',
  'bid',
  'cyou',
  'icu',
  'cam',
  'zip',
  'mov',
  'onion',
  'su',
  'buzz',
  'rest',
  'monster',
  'click',
  'country',
  'kim',
  'loan',
  'men',
  'party',
  'review',
  'stream',
  'trade',
  'win',
  'racing',
  'download',
  'accountant',
  'science',
  'faith',
  'cricket',
  'gdn',
  'mw',
]);

/** Path prefixes that turn an ordinary host into an exfiltration channel. */
const URL_PATH_ENDPOINTS: readonly { re: RegExp; category: EndpointCategory; label: string }[] = [
  { re: /^(?:[a-z0-9-]+\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\//, category: 'messenger', label: 'a Discord webhook' },
  { re: /^api\.telegram\.org\/bot/, category: 'messenger', label: 'the Telegram bot API' },
  { re: /^hooks\.slack\.com\/(?:services|workflows|triggers)\//, category: 'messenger', label: 'a Slack incoming webhook' },
  { re: /^cdn\.discordapp\.com\/attachments\//, category: 'fileShare', label: 'a Discord attachment' },
];

function ipv4Category(host: string): 'private' | 'public' | 'metadata' | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (match === null) return null;
  const [a, b, c, d] = match.slice(1).map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((n) => n > 255)) return null;
  if (a === 169 && b === 254 && c === 169 && d === 254) return 'metadata';
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'metadata';
  if (a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return 'private';
  if (a >= 224 || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

/** Extracts the host of a URL or host string (lower-cased, port stripped); null when there is none. */
export function hostOf(text: string): string | null {
  let rest = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme !== null) rest = rest.slice(scheme[0].length);
  else if (rest.startsWith('//')) rest = rest.slice(2);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(rest) && !/^[^\/]+:\d/.test(rest)) return null; // mailto:, data:...
  rest = rest.replace(/^[^@\/]*@/, '');
  const end = rest.search(/[\/?#]/);
  let host = end === -1 ? rest : rest.slice(0, end);
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else host = host.replace(/:[^:]*$/, '');
  host = host.toLowerCase().replace(/\.$/, '');
  return host.length === 0 ? null : host;
}

/** True when a folded destination is on this machine or a private network. */
export function isLocalHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || host === '::1' || host.endsWith('.local') || host.endsWith('.internal')) {
    return host !== 'metadata.google.internal';
  }
  return ipv4Category(host) === 'private';
}

/**
 * Classifies a URL or host (folded, holes allowed) as a suspicious endpoint, or null. Loopback
 * and private addresses are never suspicious; the cloud metadata address has its own category.
 */
export function classifyEndpoint(text: string): EndpointFinding | null {
  const host = hostOf(text);
  if (host === null) return null;
  const describe = (category: EndpointCategory, detail = host): EndpointFinding => ({
    category,
    host,
    label: `${ENDPOINT_DESCRIPTIONS[category]} (${abbreviate(detail, 60)})`,
  });
  const ip = ipv4Category(host);
  if (ip === 'metadata') return describe('cloudMetadata');
  if (ip === 'public') return describe('rawIp');
  if (ip === 'private') return null;
  if (host === '[fd00:ec2::254]') return describe('cloudMetadata');
  if (host.startsWith('[') && !/^\[(?:::1|f[cd][0-9a-f]*:|fe80:)/.test(host)) return describe('rawIp');
  if (host.includes(HOLE) && !/\.[a-z0-9-]+\.[a-z]{2,}$/.test(host)) return null;
  const withoutScheme = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^\/\//, '').replace(/^[^@\/]*@/, '').toLowerCase();
  for (const { re, category, label } of URL_PATH_ENDPOINTS) {
    if (re.test(withoutScheme)) return { category, host, label: `${label} (${abbreviate(withoutScheme, 60)})` };
  }
  const labels = host.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const suffix = labels.slice(i).join('.');
    const category = HOST_SUFFIXES.get(suffix);
    if (category !== undefined) return describe(category);
  }
  const tld = labels[labels.length - 1]!;
  if (labels.length >= 2 && SHADY_TLDS.has(tld) && !host.includes(HOLE)) return describe('shadyTld');
  return null;
}

/** URLs (with a scheme) mentioned in a command line or text. */
export function urlsIn(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/\b(?:https?|ftp|wss?|tcp|udp):\/\/[^\s'"`|;&<>)]+/gi)) out.push(match[0]);
  return out;
}

// ---- Sensitive paths ---------------------------------------------------------------------------

export type PathCategory = 'credential' | 'system' | 'browser' | 'wallet' | 'persistence' | 'credentialWrite' | 'envFile';

export interface PathFinding {
  category: PathCategory;
  /** What the path is: 'an SSH key or config', 'the npm credentials file'... */
  label: string;
}

/** Symbols that folding puts for well-known roots. */
export const ROOT_HOME = '~';
export const ROOT_TMP = '$tmp';
export const ROOT_CWD = '$cwd';
export const ROOT_DIR = '$dir';

/**
 * Normalises a folded path for matching: forward slashes, lower case, `.`/`..` resolved, and every
 * spelling of the home folder (`~`, `$HOME`, `%USERPROFILE%`, `/home/x`, `/Users/x`, `C:\Users\x`,
 * `/root`) turned into `~`.
 */
export function normalizePath(path: string): string {
  let p = path.replace(/\\+/g, '/').toLowerCase().trim();
  p = p.replace(/^["']|["']$/g, '').replace(/^file:\/\/(?:localhost)?(?=\/)/, '').replace(/^\/([a-z]:\/)/, '$1');
  p = p.replace(/%userprofile%|\$\{?home\}?|\$env:userprofile|%homedrive%%homepath%/g, '~');
  p = p.replace(/%appdata%|\$env:appdata/g, '~/appdata/roaming').replace(/%localappdata%|\$env:localappdata/g, '~/appdata/local');
  p = p.replace(/%programdata%/g, 'c:/programdata').replace(/%systemroot%|%windir%/g, 'c:/windows').replace(/%temp%|%tmp%|\$tmpdir/g, ROOT_TMP);
  p = p.replace(/^(?:[a-z]:)?\/(?:home|users)\/[^\/]+(?=\/|$)/, '~').replace(/^\/root(?=\/|$)/, '~');
  p = p.replace(/^\/(?:var\/)?tmp(?=\/|$)/, ROOT_TMP);
  p = p.replace(/\/{2,}/g, '/');
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && out.length > 0 && out[out.length - 1] !== '..' && !out[out.length - 1]!.startsWith('$') && out[out.length - 1] !== ROOT_HOME) {
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  if (absolute) return `/${joined}`;
  return joined === '' && p !== '' ? '.' : joined;
}

const H = String.raw`(?:~|\x00)`; // the home folder, or an unknown root
const CREDENTIAL_PATHS: readonly { re: RegExp; label: string; home?: boolean }[] = [
  { re: /(?:^|\/)\.ssh(?:\/(?!authorized_keys|known_hosts|config$)[^\/]*)?$/, label: 'SSH keys' },
  { re: /(?:^|\/)\.aws(?:\/(?:credentials|config|sso\/cache)\b.*)?$/, label: 'AWS credentials' },
  { re: /(?:^|\/)\.azure(?:\/.*)?$/, label: 'Azure credentials' },
  { re: /(?:^|\/)\.config\/gcloud(?:\/|$)/, label: 'Google Cloud credentials' },
  { re: /(?:^|\/)\.kube(?:\/config)?$/, label: 'Kubernetes credentials' },
  { re: /(?:^|\/)\.docker\/config\.json$/, label: 'Docker registry credentials' },
  { re: new RegExp(String.raw`^${H}\/\.npmrc$`), label: 'npm credentials (~/.npmrc)', home: true },
  { re: new RegExp(String.raw`^${H}\/\.yarnrc(?:\.yml)?$`), label: 'Yarn credentials', home: true },
  { re: new RegExp(String.raw`^${H}\/_?\.?netrc$`), label: 'the netrc credentials file', home: true },
  { re: /(?:^|\/)\.git-credentials$/, label: 'Git credentials' },
  { re: /(?:^|\/)\.config\/(?:gh|hub)\/(?:hosts\.yml|config\.yml)?$|(?:^|\/)\.config\/hub$/, label: 'GitHub CLI tokens' },
  { re: /(?:^|\/)\.pypirc$/, label: 'PyPI credentials' },
  { re: /(?:^|\/)\.gnupg(?:\/|$)/, label: 'GnuPG keys' },
  { re: /(?:^|\/)\.password-store(?:\/|$)/, label: 'the pass password store' },
  { re: /(?:^|\/)\.vault-token$/, label: 'a Vault token' },
  { re: /(?:^|\/)\.terraform\.d\/credentials\.tfrc\.json$/, label: 'Terraform credentials' },
  { re: /(?:^|\/)\.cargo\/credentials(?:\.toml)?$/, label: 'Cargo credentials' },
  { re: /(?:^|\/)\.(?:boto|s3cfg|pgpass|my\.cnf)$/, label: 'service credentials' },
  { re: new RegExp(String.raw`^${H}\/\.(?:bash|zsh|sh)_history$`), label: 'shell history', home: true },
  { re: /(?:^|\/)library\/keychains(?:\/|$)/, label: 'macOS keychains' },
  { re: /(?:^|\/)appdata\/roaming\/microsoft\/(?:credentials|protect)(?:\/|$)/, label: 'Windows credentials' },
  { re: /(?:^|\/)(?:discord|discordcanary|discordptb|lightcord)\/local storage\/leveldb(?:\/|$)/, label: 'Discord tokens' },
  { re: /(?:^|\/)telegram desktop\/tdata(?:\/|$)/, label: 'a Telegram session' },
];
const SYSTEM_PATHS: readonly { re: RegExp; label: string }[] = [
  { re: /^\/etc\/(?:passwd|shadow|gshadow|sudoers|master\.passwd)$/, label: 'system account data' },
];
const BROWSER_PATHS: readonly { re: RegExp; label: string }[] = [
  {
    re: /appdata\/local\/(?:google\/chrome(?: sxs| beta| dev)?|chromium|bravesoftware\/brave-browser|microsoft\/edge|yandex\/yandexbrowser|vivaldi|epic privacy browser|centbrowser|7star\/7star|amigo|torch|kometa|orbitum)\/user data(?:\/|$)/,
    label: 'a browser profile',
  },
  {
    re: /library\/application support\/(?:google\/chrome|chromium|bravesoftware\/brave-browser|microsoft edge|vivaldi|yandex\/yandexbrowser|com\.operasoftware\.opera|firefox|arc\/user data)(?:\/|$)/,
    label: 'a browser profile',
  },
  { re: /(?:^|\/)\.config\/(?:google-chrome|chromium|bravesoftware\/brave-browser|microsoft-edge|vivaldi|opera|yandex-browser)(?:\/|$)/, label: 'a browser profile' },
  { re: /appdata\/roaming\/(?:opera software|mozilla\/firefox)(?:\/|$)|(?:^|\/)\.mozilla\/firefox(?:\/|$)/, label: 'a browser profile' },
  { re: /(?:^|\/)(?:login data|login data for account|web data|local state|logins\.json|key[34]\.db|cookies\.sqlite|signons\.sqlite|formhistory\.sqlite)$/, label: 'browser passwords or cookies' },
  { re: /(?:^|\/)(?:default|profile \d+)\/(?:network\/)?cookies$/, label: 'browser cookies' },
  { re: /(?:^|\/)local extension settings(?:\/|$)/, label: 'browser extension storage' },
  { re: /library\/(?:containers\/com\.apple\.safari\/data\/)?library\/cookies\/cookies\.binarycookies$|(?:^|\/)cookies\.binarycookies$|library\/safari\/(?:localstorage|databases)(?:\/|$)/, label: 'Safari cookies or storage' },
];
const WALLET_PATHS: readonly { re: RegExp; label: string }[] = [
  {
    re: /(?:^|\/)(?:\.?electrum(?:\/wallets)?|exodus(?:\/exodus\.wallet)?|\.?atomic\/local storage|ethereum\/keystore|\.ethereum\/keystore|\.?bitcoin\/wallets?|\.?litecoin|\.?dogecoin|\.?monero|\.?zcash|armory|coinomi|guarda|jaxx|ledger live|com\.ledger\.live)(?:\/|$)/,
    label: 'a cryptocurrency wallet',
  },
  { re: /(?:^|\/)wallet\.dat$|(?:^|\/)\.config\/solana\/id\.json$|(?:^|\/)solana\/id\.json$/, label: 'a cryptocurrency wallet' },
  {
    re: /(?:nkbihfbeogaeaoehlefnkodbefgpgknn|ejbalbakoplchlghecdalmeeeajnimhm|bfnaelmomeimhlpmgjnjophhpkkoljpa|ibnejdfjmmkpcnlpebklmnkoeoihofec|hnfanknocfeofbddgcijnmhnfnkdnaad|fhbohimaelbohpjbbldcngcnapndodjp|egjidjbpglichdcondbcbdnbeeppgdph|aeachknmefphepccionboohckonoeemg|acmacodkjbdgmoleebolmdjonilkdbch|dmkamcknogkgcdfhhbddcghachkejeap)/,
    label: 'a browser wallet extension (MetaMask, Phantom, ...)',
  },
];
const PERSISTENCE_PATHS: readonly { re: RegExp; label: string }[] = [
  { re: new RegExp(String.raw`^${H}\/\.(?:bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc)$|^${H}\/\.config\/fish\/config\.fish$`), label: 'a shell start-up file' },
  { re: /(?:^|\/)\.ssh\/authorized_keys2?$/, label: 'SSH authorized keys' },
  { re: /^\/etc\/(?:cron\.[a-z]+\/|crontab$|cron\.d\/)|^\/var\/spool\/cron(?:\/|$)|^\/usr\/lib\/cron\/tabs(?:\/|$)/, label: 'a cron table' },
  { re: /(?:^|\/)library\/launch(?:agents|daemons)(?:\/|$)/, label: 'a launchd agent' },
  { re: /(?:^|\/)\.config\/autostart(?:\/|$)|^\/etc\/xdg\/autostart(?:\/|$)/, label: 'an autostart entry' },
  { re: /^\/etc\/systemd\/system(?:\/|$)|(?:^|\/)\.config\/systemd\/user(?:\/|$)|^\/(?:usr\/)?lib\/systemd\/system(?:\/|$)/, label: 'a systemd unit' },
  { re: /^\/etc\/(?:rc\.local|init\.d\/|profile\.d\/|profile$|bash\.bashrc$|zshrc$|environment$|ld\.so\.preload$|hosts$|sudoers(?:\.d\/|$))/, label: 'a system start-up or resolver file' },
  { re: /start menu\/programs\/startup(?:\/|$)/, label: 'the Windows Startup folder' },
];
const CREDENTIAL_WRITE_PATHS: readonly { re: RegExp; label: string }[] = [
  { re: new RegExp(String.raw`^${H}\/\.npmrc$`), label: 'npm credentials (~/.npmrc)' },
  { re: new RegExp(String.raw`^${H}\/\.gitconfig$`), label: 'the global Git configuration' },
  { re: /(?:^|\/)\.ssh\/config$/, label: 'the SSH client configuration' },
  { re: /(?:^|\/)\.aws\/(?:credentials|config)$/, label: 'AWS credentials' },
  { re: /(?:^|\/)\.docker\/config\.json$/, label: 'Docker registry credentials' },
];

export type FsOperation = 'read' | 'write' | 'delete' | 'probe';

/** Classifies a normalized, folded path for an operation; null when it is not sensitive. */
export function classifyPath(path: string, op: FsOperation): PathFinding | null {
  if (path.length === 0) return null;
  const writing = op === 'write' || op === 'delete';
  if (writing) {
    for (const { re, label } of PERSISTENCE_PATHS) if (re.test(path)) return { category: 'persistence', label };
    for (const { re, label } of CREDENTIAL_WRITE_PATHS) if (re.test(path)) return { category: 'credentialWrite', label };
  }
  for (const { re, label } of SYSTEM_PATHS) if (re.test(path) && op !== 'probe') return { category: 'system', label };
  for (const { re, label } of WALLET_PATHS) if (re.test(path)) return { category: 'wallet', label };
  for (const { re, label } of BROWSER_PATHS) if (re.test(path)) return { category: 'browser', label };
  if (op === 'read' || op === 'probe') {
    for (const { re, label } of CREDENTIAL_PATHS) if (re.test(path)) return { category: 'credential', label };
    if (isOutsideEnvFile(path)) return { category: 'envFile', label: 'a .env file outside the package' };
  }
  return null;
}

/** A `.env` file in the home folder, at an absolute path, or two or more levels above the code. */
function isOutsideEnvFile(path: string): boolean {
  const segments = path.split('/');
  const last = segments[segments.length - 1]!;
  if (!/^\.env(?:\.[\w-]+)?$/.test(last) || /\.(?:example|sample|template|dist|defaults)$/.test(last)) return false;
  const first = segments[0]!;
  if (first === ROOT_HOME) return true;
  if (path.startsWith('/') && !path.includes(HOLE)) return true;
  const ups = segments.filter((s) => s === '..').length;
  return ups >= 2 && (first === '..' || first === ROOT_DIR || first === ROOT_CWD);
}

/** Paths whose recursive deletion wipes the user's data or the system. */
export function isDestructiveTarget(path: string): boolean {
  const p = path.replace(/\/\*$/, '').replace(/\/$/, '');
  if (p === '' || p === '/' || p === ROOT_HOME || p === ROOT_CWD || p === '.' || p === '*') return path !== '';
  if (/^[a-z]:$/.test(p)) return true;
  if (/^\/(?:etc|usr|bin|sbin|boot|lib|lib64|var|home|users|opt|system|library|applications|root|srv)$/.test(p)) return true;
  if (/^[a-z]:\/(?:windows|users|program files(?: \(x86\))?|programdata)$/.test(p)) return true;
  if (/^~\/(?:documents|desktop|downloads|pictures|music|videos|library|\.ssh|\.config|appdata)$/.test(p)) return true;
  return false;
}

// =================================================================================================
// 2. Symbolic folding

const MAX_SYMBOLIC = 32;
const MAX_SYMBOLIC_LENGTH = 1 << 16;
const MAX_SYMBOLIC_DEPTH = 12;

/** Environment variables that name well-known folders, and the symbol folding puts for them. */
const ENV_ROOTS: ReadonlyMap<string, string> = new Map([
  ['HOME', ROOT_HOME],
  ['USERPROFILE', ROOT_HOME],
  ['HOMEPATH', ROOT_HOME],
  ['APPDATA', '~/appdata/roaming'],
  ['LOCALAPPDATA', '~/appdata/local'],
  ['XDG_CONFIG_HOME', '~/.config'],
  ['XDG_DATA_HOME', '~/.local/share'],
  ['TEMP', ROOT_TMP],
  ['TMP', ROOT_TMP],
  ['TMPDIR', ROOT_TMP],
  ['PROGRAMDATA', 'c:/programdata'],
  ['ALLUSERSPROFILE', 'c:/programdata'],
  ['SYSTEMROOT', 'c:/windows'],
  ['WINDIR', 'c:/windows'],
  ['PWD', ROOT_CWD],
  ['INIT_CWD', ROOT_CWD],
]);

const PATH_JOIN: ReadonlySet<string> = new Set([
  'module:path.join',
  'module:path.posix.join',
  'module:path.win32.join',
  'module:path.normalize',
  'module:path.posix.normalize',
  'module:path.win32.normalize',
  'module:upath.join',
  'module:upath.normalize',
  'module:slash',
]);
const PATH_RESOLVE: ReadonlySet<string> = new Set(['module:path.resolve', 'module:path.posix.resolve', 'module:path.win32.resolve', 'module:upath.resolve']);
const CALLBACK_ITERATORS: ReadonlySet<string> = new Set(['forEach', 'map', 'filter', 'some', 'every', 'flatMap', 'find', 'findIndex']);

const symbolicCache = fileCache<Node, string[]>();

/**
 * The strings an expression may evaluate to, folded as far as possible: unknown parts are HOLE,
 * and well-known roots are symbols (`~` for the home folder, `$tmp`, `$cwd`, `$dir` for
 * `__dirname`, `node` for `process.execPath`). Never empty; `[HOLE]` when nothing is known.
 */
export function symbolicStrings(ctx: RuleContext, node: Node): string[] {
  const cached = symbolicCache.get(node);
  if (cached !== undefined) return cached;
  let result: string[];
  try {
    result = symbolic(ctx, node, 0);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    result = [HOLE];
  }
  symbolicCache.set(node, result);
  return result;
}

function dedupeStrings(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const v = value.length > MAX_SYMBOLIC_LENGTH ? HOLE : value;
    if (!out.includes(v)) out.push(v);
    if (out.length >= MAX_SYMBOLIC) break;
  }
  return out.length === 0 ? [HOLE] : out;
}

function productStrings(parts: string[][], separator: string): string[] {
  let acc: string[] = [''];
  parts.forEach((choices, index) => {
    const next: string[] = [];
    for (const prefix of acc) for (const choice of choices) next.push(index === 0 ? choice : prefix + separator + choice);
    acc = next.length > MAX_SYMBOLIC ? next.slice(0, MAX_SYMBOLIC) : next;
  });
  return dedupeStrings(acc);
}

function symbolic(ctx: RuleContext, node: Node, depth: number): string[] {
  if (depth > MAX_SYMBOLIC_DEPTH) return [HOLE];
  const folded = ctx.foldStrings(node);
  if (folded !== null && folded.length > 0 && folded.length <= MAX_SYMBOLIC) return folded;
  const n = unwrap(node);
  const next = (child: Node): string[] => symbolic(ctx, child, depth + 1);
  switch (n.type) {
    case 'StringLiteral':
      return [n.value];
    case 'TemplateLiteral': {
      const parts: string[][] = [];
      n.quasis.forEach((quasi, i) => {
        parts.push([quasi.value.cooked ?? quasi.value.raw]);
        const expression = n.expressions[i];
        if (expression) parts.push(next(expression as Node));
      });
      return productStrings(parts, '');
    }
    case 'BinaryExpression':
      if (n.operator !== '+' || n.left.type === 'PrivateName') return [HOLE];
      return productStrings([next(n.left), next(n.right)], '');
    case 'ConditionalExpression':
      return dedupeStrings([...next(n.consequent), ...next(n.alternate)]);
    case 'LogicalExpression':
      return dedupeStrings([...next(n.left), ...next(n.right)]);
    case 'AssignmentExpression':
      return n.operator === '=' ? next(n.right) : [HOLE];
    case 'SequenceExpression':
      return next(n.expressions[n.expressions.length - 1]!);
    case 'Identifier':
      return symbolicIdentifier(ctx, n, depth);
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return symbolicMember(ctx, n, depth);
    case 'CallExpression':
    case 'OptionalCallExpression':
    case 'NewExpression':
      return symbolicCall(ctx, n, depth);
    default:
      return [HOLE];
  }
}

/** The symbol for a host path naming a well-known folder or program, or null. */
function rootSymbol(value: string): string | null {
  if (value.startsWith('process.env.')) return ENV_ROOTS.get(value.slice(12).toUpperCase()) ?? null;
  if (value === 'process.execPath' || value === 'process.argv0' || value === 'process.argv.0') return 'node';
  if (value === 'module:path.sep' || value === 'module:path.posix.sep') return '/';
  return null;
}

function symbolicIdentifier(ctx: RuleContext, node: Node & { name: string }, depth: number): string[] {
  const binding = ctx.resolve(node as never);
  if (binding === null) {
    if (node.name === '__dirname') return [ROOT_DIR];
    if (node.name === '__filename') return [`${ROOT_DIR}/${HOLE}`];
    return [HOLE];
  }
  if (binding === undefined) return [HOLE];
  for (const value of ctx.values(node)) {
    const root = rootSymbol(value);
    if (root !== null) return [root];
  }
  const next = (child: Node): string[] => symbolic(ctx, child, depth + 1);
  if (binding.kind === 'param') {
    const param = parameterOf(binding);
    if (param === null) return [HOLE];
    const { fn, index } = param;
    // A callback over a literal list: `['.ssh/id_rsa', '.npmrc'].forEach((f) => ...)`,
    // `Object.entries(paths).forEach(([name, dir]) => ...)`.
    const { parent, key } = logicalParent(fn);
    if (parent !== null && key === 'arguments' && (parent.type === 'CallExpression' || parent.type === 'OptionalCallExpression')) {
      const callee = unwrap(parent.callee as Node);
      const method = staticMemberName(callee);
      if (method !== null && index === 0 && CALLBACK_ITERATORS.has(method)) {
        return iterationStrings(ctx, (callee as Node & { object: Node }).object, binding.path, depth) ?? [HOLE];
      }
      return [HOLE];
    }
    if (binding.path.length > 0) return [HOLE];
    const sites = callSitesOf(ctx, fn);
    if (sites.length === 0) return [HOLE];
    const out: string[] = [];
    for (const site of sites) {
      const arg = site.args[index];
      out.push(...(arg ? next(arg) : [HOLE]));
    }
    return dedupeStrings(out);
  }
  if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return [HOLE];
  const out: string[] = [];
  // `for (const f of ['a', 'b'])`, `for (const [name, dir] of Object.entries(paths))`
  const declaration = ctx.parentOf(binding.declaration);
  const loop = declaration === null ? null : ctx.parentOf(declaration);
  if (loop !== null && loop.type === 'ForOfStatement' && binding.init === null) {
    return iterationStrings(ctx, loop.right, binding.path, depth) ?? [HOLE];
  }
  if (binding.path.length > 0) {
    // `const { dir } = { dir: '~/.ssh' }`: a literal member.
    const step = binding.path.length === 1 ? binding.path[0]! : null;
    const literal = step !== null && 'key' in step && binding.init !== null ? literalObject(ctx, binding.init) : null;
    const property = literal?.properties.find((p) => propertyName(ctx, p) === (step as { key: string }).key) as (Node & { value: Node }) | undefined;
    out.push(...(property ? next(property.value) : [HOLE]));
  } else if (binding.init !== null) out.push(...next(binding.init));
  else if (binding.assignments.length === 0) out.push(HOLE);
  for (const assigned of binding.assignments) out.push(...(assigned === null ? [HOLE] : next(assigned)));
  return dedupeStrings(out);
}

/**
 * The strings a loop variable or callback parameter takes when iterating `iterable`, reached by
 * `path` (destructuring): list elements, `Object.keys/values/entries` of a literal object, a key of
 * each literal object in a list. Null when unknown.
 */
function iterationStrings(ctx: RuleContext, iterable: Node, path: readonly PathStep[], depth: number): string[] | null {
  const inner = unwrap(iterable);
  if ((inner.type === 'CallExpression' || inner.type === 'OptionalCallExpression') && inner.arguments[0]) {
    const callee = ctx.values(inner.callee);
    const literal = literalObject(ctx, inner.arguments[0] as Node);
    if (literal !== null && (callee.has('Object.entries') || callee.has('Object.values') || callee.has('Object.keys'))) {
      const keys: string[] = [];
      const values: Node[] = [];
      for (const property of literal.properties) {
        if (property.type !== 'ObjectProperty') continue;
        const name = propertyName(ctx, property);
        if (name !== null) keys.push(name);
        values.push((property as Node & { value: Node }).value);
      }
      const valueStrings = (): string[] => dedupeStrings(values.flatMap((v) => symbolic(ctx, v, depth + 1)));
      const step = path.length === 1 ? path[0]! : null;
      if (callee.has('Object.entries') && step !== null && 'index' in step) return step.index === 0 ? keys : step.index === 1 ? valueStrings() : null;
      if (callee.has('Object.values') && path.length === 0) return valueStrings();
      if (callee.has('Object.keys') && path.length === 0) return keys;
      return null;
    }
  }
  if (path.length === 0) return listElements(ctx, iterable, depth);
  const step = path.length === 1 ? path[0]! : null;
  if (step !== null && 'key' in step) {
    // [{ dir: '.ssh' }, { dir: '.aws' }].forEach(({ dir }) => ...)
    const elements = literalArray(ctx, iterable);
    if (elements === null) return null;
    const out: string[] = [];
    for (const element of elements) {
      const object = literalObject(ctx, element);
      const property = object?.properties.find((p) => propertyName(ctx, p) === step.key) as (Node & { value: Node }) | undefined;
      out.push(...(property ? symbolic(ctx, property.value, depth + 1) : [HOLE]));
    }
    return dedupeStrings(out);
  }
  return null;
}

/** The strings of a literal list (folded, or element by element), or null. */
function listElements(ctx: RuleContext, node: Node, depth: number): string[] | null {
  const folded = ctx.fold(node);
  if (folded !== null) {
    const out: string[] = [];
    for (const value of folded.values) {
      if (!Array.isArray(value)) return null;
      for (const element of value as unknown[]) if (typeof element === 'string') out.push(element);
    }
    return out.length > 0 ? dedupeStrings(out) : null;
  }
  const array = literalArray(ctx, node);
  if (array === null) return null;
  const out: string[] = [];
  for (const element of array) out.push(...symbolic(ctx, element, depth + 1));
  return dedupeStrings(out);
}

/**
 * The elements of `[...]` (through const bindings), with elements later added by `push`/`unshift`
 * on the variable; null when it is not a plain literal list or is changed in other ways.
 */
export function literalArray(ctx: RuleContext, node: Node): Node[] | null {
  let current = unwrap(node);
  let binding: ReturnType<RuleContext['resolve']> = undefined;
  for (let hops = 0; hops < 6; hops++) {
    if (current.type === 'ArrayExpression') {
      const out: Node[] = [];
      for (const element of current.elements) {
        if (element === null || element.type === 'SpreadElement') return null;
        out.push(element);
      }
      return binding ? withPushes(binding.references, out) : out;
    }
    if (current.type !== 'Identifier') return null;
    binding = ctx.resolve(current);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
    current = unwrap(binding.init);
  }
  return null;
}

/** Adds the arguments of `list.push(...)`/`list.unshift(...)`; null for other in-place changes. */
function withPushes(references: readonly Node[], elements: Node[]): Node[] | null {
  const out = elements.slice();
  for (const reference of references) {
    const { parent, key } = logicalParent(reference);
    if (parent === null || key !== 'object' || (parent.type !== 'MemberExpression' && parent.type !== 'OptionalMemberExpression')) continue;
    const method = staticMemberName(parent);
    const outer = logicalParent(parent);
    const isCall = outer.parent !== null && outer.key === 'callee' && (outer.parent.type === 'CallExpression' || outer.parent.type === 'OptionalCallExpression');
    if (isCall && (method === 'push' || method === 'unshift')) {
      const args = (outer.parent as Node & { arguments: Node[] }).arguments;
      if (args.some((a) => a.type === 'SpreadElement')) return null;
      if (method === 'push') out.push(...args);
      else out.unshift(...args);
      continue;
    }
    if (isCall && method !== null && /^(?:splice|reverse|sort|fill|copyWithin|pop|shift)$/.test(method)) return null;
    if (outer.parent?.type === 'AssignmentExpression' && outer.key === 'left') return null;
  }
  return out;
}

function symbolicMember(ctx: RuleContext, node: Node & { object: Node; property: Node }, depth: number): string[] {
  const values = ctx.values(node);
  for (const value of values) {
    const root = rootSymbol(value);
    if (root !== null) return [root];
  }
  const key = ctx.memberKeys(node);
  if (key !== null && key.length === 1) {
    const object = unwrap(node.object);
    if (key[0] === 'homedir' && (object.type === 'CallExpression' || object.type === 'OptionalCallExpression') && ctx.callTarget(object).callee.has('module:os.userInfo')) {
      return [ROOT_HOME];
    }
    const literal = literalObject(ctx, node.object);
    if (literal !== null) {
      const property = literal.properties.find((p) => propertyName(ctx, p) === key[0]) as (Node & { value: Node }) | undefined;
      if (property && property.type === 'ObjectProperty') return symbolic(ctx, property.value, depth + 1);
    }
  }
  return [HOLE];
}

/** Call arguments with spreads of folded lists expanded: `path.join(home, ...'.ssh/id_rsa'.split('/'))`. */
function expandedArgs(ctx: RuleContext, args: readonly Node[]): (Node | string[])[] {
  const out: (Node | string[])[] = [];
  for (const arg of args) {
    if (arg.type !== 'SpreadElement') {
      out.push(arg);
      continue;
    }
    const folded = ctx.fold((arg as Node & { argument: Node }).argument);
    const value = folded !== null && folded.values.length === 1 ? folded.values[0] : undefined;
    if (Array.isArray(value)) for (const element of value as unknown[]) out.push([typeof element === 'string' ? element : HOLE]);
    else out.push([HOLE]);
  }
  return out;
}

function symbolicCall(ctx: RuleContext, node: Node & { callee: Node; arguments: Node[] }, depth: number): string[] {
  const target = ctx.callTarget(node);
  const args = target.args ?? [];
  const next = (child: Node): string[] => symbolic(ctx, child, depth + 1);
  const parts = (): string[][] => expandedArgs(ctx, args).map((a) => (Array.isArray(a) ? a : next(a)));
  for (const fn of target.callee) {
    if (fn === 'module:os.homedir') return [ROOT_HOME];
    if (fn === 'module:os.tmpdir') return [ROOT_TMP];
    if (fn === 'process.cwd') return [ROOT_CWD];
    if (PATH_JOIN.has(fn)) return args.length === 0 ? ['.'] : productStrings(parts(), '/');
    if (PATH_RESOLVE.has(fn)) return resolveStrings(parts());
    if (fn === 'module:path.dirname' || fn === 'module:path.posix.dirname') {
      return args[0] ? next(args[0]).map((s) => (s.lastIndexOf('/') > 0 && !s.slice(s.lastIndexOf('/')).includes(HOLE) ? s.slice(0, s.lastIndexOf('/')) : HOLE)) : [HOLE];
    }
    if (fn === 'String' && args[0]) return next(args[0]);
    if (fn === 'URL' && target.construct && args[0]) {
      return args[1] ? productStrings([next(args[1]), next(args[0])], '') : next(args[0]);
    }
    if (fn === 'Request' && target.construct && args[0]) return next(args[0]);
  }
  const callee = unwrap(node.callee);
  const method = staticMemberName(callee);
  if (method === null || node.type === 'NewExpression') return [HOLE];
  const receiver = (callee as Node & { object: Node }).object;
  switch (method) {
    case 'concat':
      return productStrings([next(receiver), ...args.map(next)], '');
    case 'join': {
      const elements = literalArray(ctx, receiver);
      if (elements === null) return [HOLE];
      const separator = args[0] ? ctx.foldStrings(args[0]) : [','];
      if (separator === null || separator.length !== 1) return [HOLE];
      return productStrings(elements.map(next), separator[0]!);
    }
    case 'toString':
    case 'trim':
    case 'valueOf':
      return next(receiver);
    case 'toLowerCase':
      return next(receiver).map((s) => s.toLowerCase());
    case 'replace':
    case 'replaceAll': {
      // `p.replace(/^~/, os.homedir())` keeps the home symbol.
      const pattern = args[0] ? unwrap(args[0]) : null;
      const replacement = args[1] ? next(args[1]) : [HOLE];
      const tilde = pattern !== null && ((pattern.type === 'StringLiteral' && pattern.value === '~') || (pattern.type === 'RegExpLiteral' && /^\^?~$/.test(pattern.pattern)));
      if (tilde && replacement.length === 1 && replacement[0] === ROOT_HOME) return next(receiver);
      return [HOLE];
    }
    default:
      return [HOLE];
  }
}

function resolveStrings(parts: string[][]): string[] {
  let acc: string[] = [ROOT_CWD];
  for (const choices of parts) {
    const next: string[] = [];
    for (const prefix of acc) {
      for (const choice of choices) {
        const absolute = /^(?:\/|~|\$|[a-z]:[\\/])/i.test(choice);
        next.push(absolute ? choice : `${prefix}/${choice}`);
      }
    }
    acc = next.slice(0, MAX_SYMBOLIC);
  }
  return dedupeStrings(acc);
}

/** Symbolic strings of a path argument, normalised for matching against sensitive locations. */
export function symbolicPaths(ctx: RuleContext, node: Node): string[] {
  return symbolicStrings(ctx, node).map(normalizePath);
}

// =================================================================================================
// 3. Classifying calls

/** The first host path of `values` that `table` knows, with its entry. */
function lookup<T>(values: Iterable<string>, table: ReadonlyMap<string, T>): [string, T] | null {
  for (const value of values) {
    const entry = table.get(value);
    if (entry !== undefined) return [value, entry];
  }
  return null;
}

/** `module:fs.promises.readFile` → `fs.promises.readFile` (for messages). */
export function displayPath(value: string): string {
  return value.startsWith('module:') ? value.slice(7) : value;
}

function isCallNode(node: Node): node is Node & { callee: Node; arguments: Node[] } {
  return node.type === 'CallExpression' || node.type === 'OptionalCallExpression' || node.type === 'NewExpression';
}

/**
 * The functions a call may reach, without allocating in the common case: the callee's memoised
 * values, or the normalised target for `.call/.apply/Reflect.apply/construct`. Classifiers check
 * this first and build their full description only for the few calls that match.
 */
export function calleeValuesOf(ctx: RuleContext, node: Node & { callee: Node }): ReadonlySet<string> {
  // Asked for by each classifier of every call (process, file system, network...): memoised.
  let values = calleeCache.get(node);
  if (values === undefined) {
    values = computeCalleeValues(ctx, node);
    calleeCache.set(node, values);
  }
  return values;
}

const calleeCache = fileCache<Node, ReadonlySet<string>>();

function computeCalleeValues(ctx: RuleContext, node: Node & { callee: Node }): ReadonlySet<string> {
  const callee = unwrap(node.callee);
  let values: ReadonlySet<string>;
  if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') {
    const name = staticMemberName(callee);
    if (name === 'call' || name === 'apply' || (name === null && callee.computed)) values = ctx.callTarget(node).callee;
    else values = ctx.values(callee);
  } else if (callee.type === 'Import') return ctx.callTarget(node).callee;
  else values = ctx.values(callee);
  if (values.has('Reflect.apply') || values.has('Reflect.construct')) values = ctx.callTarget(node).callee;
  return values.has(UNKNOWN_VALUE) ? deepCalleeValues(ctx, callee, values) : values;
}

const UNKNOWN_VALUE = '?';
/** Method names worth a deeper look when the receiver is unknown to the evaluator. */
let interestingNames: ReadonlySet<string> | null = null;
function interestingMethod(name: string): boolean {
  if (interestingNames === null) {
    const names = new Set<string>();
    for (const table of [PROCESS_APIS, SINK_FUNCTIONS, INSTANCE_FACTORIES, RUNTIME_FS] as ReadonlyMap<string, unknown>[]) {
      for (const key of table.keys()) names.add(key.slice(key.lastIndexOf('.') + 1));
    }
    for (const key of FS_METHODS.keys()) names.add(key);
    for (const key of RECURSIVE_DELETERS) names.add(key.slice(key.lastIndexOf('.') + 1));
    interestingNames = names;
  }
  return interestingNames.has(name);
}

const deepCache = fileCache<Node, ReadonlySet<string>>();

/**
 * A second, deeper look at a callee the evaluator could not resolve, for the capabilities the audit
 * rules care about: a parameter takes the values of the arguments at the function's call sites
 * (`function run(m) { m.execSync(c) } run(cp)`), a computed key takes the strings symbolic folding
 * finds (`['exec'].forEach((k) => cp[k](c))`), a literal object takes what is later assigned to
 * its keys (`o.x = cp.exec; o.x(c)`), and copies (`Object.assign({}, cp)`, `{ ...cp }`, rest
 * destructuring) take the values of what they copy. Bounded in depth; memoised per node.
 */
function deepCalleeValues(ctx: RuleContext, callee: Node, shallow: ReadonlySet<string>): ReadonlySet<string> {
  const name = callee.type === 'Identifier' ? null : staticMemberName(callee);
  if (callee.type !== 'Identifier' && name !== null && !interestingMethod(name)) {
    // Only a literal object whose keys are assigned later is worth following for other names.
    const object = unwrap((callee as Node & { object: Node }).object);
    const binding = object.type === 'Identifier' ? ctx.resolve(object) : null;
    if (!binding || binding.init === null || unwrap(binding.init).type !== 'ObjectExpression') return shallow;
  }
  const deep = deepValues(ctx, callee, 0);
  if (deep === shallow || (deep.size === 1 && deep.has(UNKNOWN_VALUE))) return shallow;
  const merged = new Set(shallow);
  for (const value of deep) merged.add(value);
  return merged;
}

function deepValues(ctx: RuleContext, node: Node, depth: number): ReadonlySet<string> {
  const inner = unwrap(node);
  const shallow = ctx.values(inner);
  if (!shallow.has(UNKNOWN_VALUE) || depth > 4) return shallow;
  const cached = deepCache.get(inner);
  if (cached !== undefined) return cached;
  deepCache.set(inner, shallow);
  const out = new Set<string>();
  const add = (values: Iterable<string>): void => {
    for (const value of values) if (value !== UNKNOWN_VALUE && out.size < 16) out.add(value);
  };
  if (inner.type === 'Identifier') {
    const binding = ctx.resolve(inner);
    if (binding) {
      const param = parameterOf(binding);
      if (param !== null && binding.path.length === 0 && !param.rest) {
        for (const site of callSitesOf(ctx, param.fn)) {
          const arg = site.args[param.index];
          if (arg !== undefined) add(deepValues(ctx, arg, depth + 1));
        }
      } else if (binding.init !== null && (binding.kind === 'const' || binding.kind === 'let' || binding.kind === 'var')) {
        const last = binding.path[binding.path.length - 1];
        if (last !== undefined && 'rest' in last && binding.path.length === 1) add(deepValues(ctx, binding.init, depth + 1));
        else if (binding.path.length === 0) add(copiedValues(ctx, binding.init, depth));
      }
    }
  } else if (inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') {
    let keys = ctx.memberKeys(inner);
    if (keys === null) {
      const symbolic = symbolicStrings(ctx, (inner as Node & { property: Node }).property);
      keys = symbolic.some((k) => k.includes(HOLE)) ? null : symbolic;
    }
    if (keys !== null) {
      const object = (inner as Node & { object: Node }).object;
      for (const value of deepValues(ctx, object, depth + 1)) {
        if (value === UNKNOWN_VALUE) continue;
        for (const key of keys) add([memberPath(value, key)]);
      }
      // `const o = {}; o.x = cp.exec; o.x(...)`
      const base = unwrap(object);
      if (base.type === 'Identifier') {
        const binding = ctx.resolve(base);
        if (binding && binding.init !== null && unwrap(binding.init).type === 'ObjectExpression') {
          for (const reference of binding.references) {
            const up = logicalParent(reference);
            if (up.parent === null || up.key !== 'object' || !keys.includes(staticMemberName(up.parent) ?? '')) continue;
            const assign = logicalParent(up.parent);
            if (assign.parent?.type === 'AssignmentExpression' && assign.key === 'left') add(deepValues(ctx, (assign.parent as Node & { right: Node }).right, depth + 1));
          }
        }
      }
    }
  }
  const result: ReadonlySet<string> = out.size === 0 ? shallow : out;
  deepCache.set(inner, result);
  return result;
}

/** Values of a copy: `Object.assign({}, x)`, `{ ...x }`. */
function copiedValues(ctx: RuleContext, init: Node, depth: number): ReadonlySet<string> {
  const inner = unwrap(init);
  const out = new Set<string>();
  if (inner.type === 'ObjectExpression') {
    for (const property of inner.properties) if (property.type === 'SpreadElement') for (const v of deepValues(ctx, property.argument, depth + 1)) out.add(v);
  } else if ((inner.type === 'CallExpression' || inner.type === 'OptionalCallExpression') && ctx.values(inner.callee).has('Object.assign')) {
    for (const arg of inner.arguments.slice(1)) for (const v of deepValues(ctx, arg as Node, depth + 1)) out.add(v);
  }
  out.delete(UNKNOWN_VALUE);
  return out;
}

function hasAny(values: ReadonlySet<string>, table: ReadonlyMap<string, unknown> | ReadonlySet<string>): boolean {
  for (const value of values) if (table.has(value)) return true;
  return false;
}

// ---- Child processes ---------------------------------------------------------------------------

type ProcessApiKind = 'shell' | 'file' | 'fork' | 'argv';

const PROCESS_APIS: ReadonlyMap<string, ProcessApiKind> = new Map<string, ProcessApiKind>([
  ['module:child_process.exec', 'shell'],
  ['module:child_process.execSync', 'shell'],
  ['module:child_process.spawn', 'file'],
  ['module:child_process.spawnSync', 'file'],
  ['module:child_process.execFile', 'file'],
  ['module:child_process.execFileSync', 'file'],
  ['module:child_process.fork', 'fork'],
  ['module:cross-spawn', 'file'],
  ['module:cross-spawn.spawn', 'file'],
  ['module:cross-spawn.sync', 'file'],
  ['module:execa', 'file'],
  ['module:execa.execa', 'file'],
  ['module:execa.execaSync', 'file'],
  ['module:execa.sync', 'file'],
  ['module:execa.execaNode', 'fork'],
  ['module:execa.node', 'fork'],
  ['module:execa.execaCommand', 'shell'],
  ['module:execa.execaCommandSync', 'shell'],
  ['module:execa.command', 'shell'],
  ['module:execa.commandSync', 'shell'],
  ['module:shelljs.exec', 'shell'],
  ['module:child-process-promise.exec', 'shell'],
  ['module:child-process-promise.spawn', 'file'],
  ['Bun.spawn', 'argv'],
  ['Bun.spawnSync', 'argv'],
  ['Deno.Command', 'file'],
]);

/** Host paths of the functions that start a process (for inventories and messages). */
export const PROCESS_API_PATHS: ReadonlySet<string> = new Set(PROCESS_APIS.keys());

/** A call that starts a process, with its command line folded. */
export interface ProcessCall {
  node: Node;
  /** `child_process.exec`, `execa`... */
  api: string;
  kind: ProcessApiKind;
  /** The command (shell string, file, or module path) and the argument list nodes. */
  commandNode: Node | null;
  argvNode: Node | null;
  optionsNode: Node | null;
  /** Symbolic command lines: the shell string, or file and arguments joined with spaces; shell `-c` scripts are added. */
  lines: string[];
  /** Decoders the folding used (`base64`, `hex`...), to explain hidden commands. */
  decoders: string[];
  /** How the call was made: 'direct', 'call', 'apply', 'Reflect.apply'. */
  via: string;
}

const processCache = fileCache<Node, ProcessCall | null>();
const SHELLS = /^(?:.*[\\/])?(?:ba|z|da|k|c|fi)?sh$|^(?:.*[\\/])?(?:cmd|powershell|pwsh)(?:\.exe)?$/i;

/** The process call at `node` (a call or `new`), or null. Memoised per node. */
export function processCallOf(ctx: RuleContext, node: Node): ProcessCall | null {
  if (!isCallNode(node) || !hasAny(calleeValuesOf(ctx, node), PROCESS_APIS)) return null;
  const cached = processCache.get(node);
  if (cached !== undefined) return cached;
  let result: ProcessCall | null = null;
  {
    const target = ctx.callTarget(node);
    const found = lookup(calleeValuesOf(ctx, node), PROCESS_APIS);
    if (found !== null && (found[1] !== 'file' || found[0] !== 'Deno.Command' || target.construct)) {
      result = describeProcessCall(ctx, node, found[0], found[1], target.args, target.via);
    }
  }
  processCache.set(node, result);
  return result;
}

function describeProcessCall(ctx: RuleContext, node: Node, path: string, kind: ProcessApiKind, args: readonly Node[] | null, via: string): ProcessCall {
  const list = args ?? [];
  const a0 = list[0] ?? null;
  const a1 = list[1] ?? null;
  let commandNode: Node | null = a0;
  let argvNode: Node | null = null;
  let optionsNode: Node | null = null;
  if (kind === 'shell') optionsNode = a1;
  else if (kind === 'argv') {
    argvNode = a0;
    commandNode = null;
    optionsNode = a1;
  } else if (a1 !== null && (literalArray(ctx, a1) !== null || unwrap(a1).type === 'ArrayExpression' || !isObjectLike(ctx, a1))) {
    argvNode = a1;
    optionsNode = list[2] ?? null;
  } else optionsNode = a1;
  const lines: string[] = [];
  const decoders = new Set<string>();
  const noteDecoders = (n: Node | null): void => {
    if (n === null) return;
    const folded = ctx.fold(n);
    if (folded) for (const d of folded.decoders) decoders.add(d);
  };
  noteDecoders(commandNode);
  const argv: string[][] = [];
  if (argvNode !== null) {
    const elements = literalArray(ctx, argvNode);
    if (elements !== null) {
      for (const element of elements) {
        argv.push(symbolicStrings(ctx, element));
        noteDecoders(element);
      }
    } else {
      const folded = ctx.fold(argvNode);
      const value = folded?.values.length === 1 ? folded.values[0] : undefined;
      if (Array.isArray(value)) for (const element of value as unknown[]) argv.push([typeof element === 'string' ? element : HOLE]);
      else argv.push([HOLE]);
      if (folded) for (const d of folded.decoders) decoders.add(d);
    }
  }
  const commands = commandNode !== null ? symbolicStrings(ctx, commandNode) : [];
  if (kind === 'shell') lines.push(...commands);
  else {
    const head = kind === 'fork' ? [['node'], commands] : commandNode !== null ? [commands] : [];
    lines.push(...productStrings([...head, ...argv].filter((p) => p.length > 0), ' '));
    // `spawn('sh', ['-c', script])`: the script is a command line of its own.
    const files = kind === 'argv' ? argv[0] ?? [] : commands;
    const rest = kind === 'argv' ? argv.slice(1) : argv;
    if (files.some((f) => SHELLS.test(f.trim()))) {
      for (let i = 0; i < rest.length - 1; i++) {
        if (rest[i]!.some((flag) => /^(?:-c|\/c|\/k|-command|-c[a-z]*)$/i.test(flag.trim()))) lines.push(...rest[i + 1]!);
      }
    }
  }
  return { node, api: displayPath(path), kind, commandNode, argvNode, optionsNode, lines: dedupeStrings(lines), decoders: [...decoders], via };
}

function isObjectLike(ctx: RuleContext, node: Node): boolean {
  const inner = unwrap(node);
  return inner.type === 'ObjectExpression' || literalObject(ctx, inner) !== null;
}

/** Folds `key` of an options object literal (through const bindings): the property value node, or null. */
export function optionNode(ctx: RuleContext, options: Node | null, key: string): Node | null {
  if (options === null) return null;
  const literal = literalObject(ctx, options);
  if (literal === null) return null;
  let found: Node | null = null;
  for (const property of literal.properties) {
    if (property.type === 'SpreadElement') {
      const inner = optionNode(ctx, (property as Node & { argument: Node }).argument, key);
      if (inner !== null) found = inner;
      continue;
    }
    if (property.type === 'ObjectProperty' && propertyName(ctx, property) === key) found = (property as Node & { value: Node }).value;
  }
  return found;
}

/** The folded constant values of an option, or null. */
export function optionValues(ctx: RuleContext, options: Node | null, key: string): unknown[] | null {
  const value = optionNode(ctx, options, key);
  if (value === null) return null;
  return ctx.fold(value)?.values ?? null;
}

// ---- File system -------------------------------------------------------------------------------

type FsPlan = readonly FsOperation[] | 'open';

const FS_METHODS: ReadonlyMap<string, FsPlan> = new Map<string, FsPlan>([
  ...['readFile', 'readFileSync', 'createReadStream', 'readdir', 'readdirSync', 'opendir', 'opendirSync', 'readJson', 'readJsonSync', 'readJSON', 'readJSONSync', 'readlink', 'readlinkSync', 'watch', 'watchFile'].map(
    (m) => [m, ['read'] as const] as const,
  ),
  ...['exists', 'existsSync', 'access', 'accessSync', 'stat', 'statSync', 'lstat', 'lstatSync', 'pathExists', 'pathExistsSync'].map((m) => [m, ['probe'] as const] as const),
  ...[
    'writeFile',
    'writeFileSync',
    'appendFile',
    'appendFileSync',
    'createWriteStream',
    'outputFile',
    'outputFileSync',
    'outputJson',
    'outputJsonSync',
    'outputJSON',
    'outputJSONSync',
    'writeJson',
    'writeJsonSync',
    'writeJSON',
    'writeJSONSync',
    'mkdir',
    'mkdirSync',
    'mkdirp',
    'mkdirpSync',
    'mkdirs',
    'mkdirsSync',
    'ensureDir',
    'ensureDirSync',
    'ensureFile',
    'ensureFileSync',
    'chmod',
    'chmodSync',
    'chown',
    'chownSync',
    'truncate',
    'truncateSync',
    'utimes',
    'utimesSync',
  ].map((m) => [m, ['write'] as const] as const),
  ...['symlink', 'symlinkSync', 'link', 'linkSync', 'ensureSymlink', 'ensureSymlinkSync', 'ensureLink'].map((m) => [m, ['read', 'write'] as const] as const),
  ...['copyFile', 'copyFileSync', 'cp', 'cpSync', 'copy', 'copySync'].map((m) => [m, ['read', 'write'] as const] as const),
  ...['rename', 'renameSync', 'move', 'moveSync'].map((m) => [m, ['delete', 'write'] as const] as const),
  ...['rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync', 'remove', 'removeSync', 'emptyDir', 'emptyDirSync', 'emptydir', 'emptydirSync'].map(
    (m) => [m, ['delete'] as const] as const,
  ),
  ['open', 'open'],
  ['openSync', 'open'],
]);
const FS_MODULES: ReadonlySet<string> = new Set(['fs', 'fs/promises', 'graceful-fs', 'fs-extra', 'original-fs', 'mz/fs', 'fs-extra/esm']);
/** Deletion helpers that always recurse. */
const RECURSIVE_DELETERS: ReadonlySet<string> = new Set([
  'module:rimraf',
  'module:rimraf.sync',
  'module:rimraf.rimraf',
  'module:rimraf.rimrafSync',
  'module:rimraf.native',
  'module:rimraf.nativeSync',
  'module:rimraf.manual',
  'module:rimraf.manualSync',
  'module:del',
  'module:del.sync',
  'module:del.deleteAsync',
  'module:del.deleteSync',
  'module:fs-extra.remove',
  'module:fs-extra.removeSync',
  'module:fs-extra.emptyDir',
  'module:fs-extra.emptyDirSync',
  'module:fs-extra.emptydir',
  'module:fs-extra.emptydirSync',
  'module:trash',
]);
const RUNTIME_FS: ReadonlyMap<string, FsPlan> = new Map<string, FsPlan>([
  ['Bun.file', ['read']],
  ['Bun.write', ['write']],
  ['Deno.readTextFile', ['read']],
  ['Deno.readTextFileSync', ['read']],
  ['Deno.readFile', ['read']],
  ['Deno.readFileSync', ['read']],
  ['Deno.writeTextFile', ['write']],
  ['Deno.writeTextFileSync', ['write']],
  ['Deno.writeFile', ['write']],
  ['Deno.writeFileSync', ['write']],
  ['Deno.remove', ['delete']],
  ['Deno.removeSync', ['delete']],
  // Globbing lists what a folder holds: stealers glob wallet and key folders.
  ...[
    'module:glob',
    'module:glob.sync',
    'module:glob.glob',
    'module:glob.globSync',
    'module:fast-glob',
    'module:fast-glob.sync',
    'module:fast-glob.glob',
    'module:fast-glob.globSync',
    'module:globby',
    'module:globby.globby',
    'module:globby.globbySync',
    'module:tinyglobby.glob',
    'module:tinyglobby.globSync',
  ].map((p) => [p, ['read'] as const] as const),
]);

/** A file-system call with the paths it touches. */
export interface FsCall {
  node: Node;
  /** `fs.readFileSync`, `fs-extra.remove`, `rimraf`... */
  api: string;
  /** Path arguments and what the call does to each. */
  paths: { node: Node; op: FsOperation }[];
  /** Deletion that recurses into folders (`{ recursive: true }`, rimraf, fs-extra remove). */
  recursive: boolean;
}

const fsCache = fileCache<Node, FsCall | null>();

/** Splits `module:fs.promises.readFile` into the module and the method, or null if not a file-system API. */
function fsMethod(value: string): { module: string; method: string } | null {
  if (!value.startsWith('module:') || !(value.startsWith('module:fs') || value.startsWith('module:graceful-fs') || value.startsWith('module:original-fs') || value.startsWith('module:mz/fs'))) return null;
  const rest = value.slice(7);
  for (const module of FS_MODULES) {
    if (!rest.startsWith(`${module}.`)) continue;
    let method = rest.slice(module.length + 1);
    if (method.startsWith('promises.')) method = method.slice(9);
    if (method.startsWith('default.')) method = method.slice(8);
    if (!method.includes('.')) return { module, method };
  }
  return null;
}

/** The file-system call at `node`, or null. Memoised per node. */
export function fsCallOf(ctx: RuleContext, node: Node): FsCall | null {
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return null;
  let interesting = false;
  for (const value of calleeValuesOf(ctx, node as Node & { callee: Node })) {
    if (value.startsWith('module:') ? fsMethod(value) !== null || RECURSIVE_DELETERS.has(value) || RUNTIME_FS.has(value) : RUNTIME_FS.has(value)) interesting = true;
  }
  if (!interesting) return null;
  const cached = fsCache.get(node);
  if (cached !== undefined) return cached;
  let result: FsCall | null = null;
  {
    const target = ctx.callTarget(node);
    const args = target.args ?? [];
    for (const value of calleeValuesOf(ctx, node as Node & { callee: Node })) {
      if (RECURSIVE_DELETERS.has(value)) {
        result = { node, api: displayPath(value), paths: args[0] ? [{ node: args[0], op: 'delete' }] : [], recursive: true };
        break;
      }
      const runtime = RUNTIME_FS.get(value);
      if (runtime !== undefined && runtime !== 'open') {
        result = { node, api: displayPath(value), paths: args[0] ? [{ node: args[0], op: runtime[0]! }] : [], recursive: value.startsWith('Deno.remove') };
        break;
      }
      const split = fsMethod(value);
      if (split === null) continue;
      const plan = FS_METHODS.get(split.method);
      if (plan === undefined) continue;
      const paths: { node: Node; op: FsOperation }[] = [];
      if (plan === 'open') {
        const flags = args[1] ? ctx.foldStrings(args[1]) : ['r'];
        const writing = flags === null || flags.some((f) => /[wa+]/.test(f));
        if (args[0]) paths.push({ node: args[0], op: writing ? 'write' : 'read' });
      } else {
        plan.forEach((op, i) => {
          if (args[i]) paths.push({ node: args[i]!, op });
        });
      }
      const options = args[1] ?? null;
      const recursiveOption = optionValues(ctx, options, 'recursive');
      const recursive =
        split.module === 'fs-extra' && /^(?:remove|emptyDir|emptydir)/.test(split.method) ? true : recursiveOption !== null && recursiveOption.includes(true);
      result = { node, api: `${split.module}.${split.method}`, paths, recursive };
      break;
    }
  }
  fsCache.set(node, result);
  return result;
}

/** Host paths of the file-system module functions, for inventories. */
export function isFsValue(value: string): boolean {
  return fsMethod(value) !== null || RECURSIVE_DELETERS.has(value) || RUNTIME_FS.has(value) || FS_MODULES.has(value.slice(7)) || value === 'module:rimraf';
}

// ---- Network -----------------------------------------------------------------------------------

export type NetChannel = 'http' | 'socket' | 'udp' | 'dns' | 'websocket' | 'beacon' | 'image' | 'eventsource' | 'command';
export type PartRole = 'url' | 'host' | 'data' | 'query' | 'headers' | 'auth';

/** A node that carries data or the destination into a network sink. */
export interface SinkPart {
  node: Node;
  role: PartRole;
  /** The option key the part came from (`path`, `hostname`...), when it came from an options object. */
  key?: string;
}

/** Where a network call sends data. */
export interface NetworkSink {
  node: Node;
  /** `https.request`, `fetch`, `WebSocket#send`, `child_process.exec (curl)`... */
  api: string;
  channel: NetChannel;
  parts: SinkPart[];
  /** For instance methods (`req.write`, `ws.send`): the sinks that created or opened the connection. */
  origins: NetworkSink[];
  /** Upper-case HTTP method when known (`PUT`). */
  method: string | null;
  /** True for methods of an object a network call created (`req.write`, `ws.send`, `xhr.send`). */
  instance?: boolean;
}

type SinkShape =
  | 'urlOptions' // (url | options, options?, callback)
  | 'fetch' // (url, init)
  | 'urlData' // (url, data, config)
  | 'config' // (config) or (url, config)
  | 'host' // (hostname, ...)
  | 'socket' // (port | options, host?)
  | 'url' // (url, ...)
  | 'needle'; // (method, url, data, options)

interface SinkSpec {
  shape: SinkShape;
  channel: NetChannel;
  method?: string;
}

const SINK_FUNCTIONS: ReadonlyMap<string, SinkSpec> = new Map<string, SinkSpec>([
  ...['module:http.request', 'module:https.request', 'module:request', 'module:request-promise', 'module:request-promise-native', 'module:phin', 'module:simple-get'].map(
    (p) => [p, { shape: 'urlOptions' as SinkShape, channel: 'http' as NetChannel }] as const,
  ),
  ...['module:http.get', 'module:https.get'].map((p) => [p, { shape: 'urlOptions' as SinkShape, channel: 'http' as NetChannel, method: 'GET' }] as const),
  ...[
    'fetch',
    'module:node-fetch',
    'module:cross-fetch',
    'module:isomorphic-fetch',
    'module:undici.fetch',
    'module:undici.request',
    'module:undici.stream',
    'module:make-fetch-happen',
    'module:ky',
    'module:got',
    'module:ofetch',
    'module:ofetch.ofetch',
    'module:ofetch.$fetch',
    '$fetch',
  ].map((p) => [p, { shape: 'fetch' as SinkShape, channel: 'http' as NetChannel }] as const),
  ...['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'stream'].flatMap((m) =>
    ['module:got', 'module:ky', 'module:request', 'module:superagent', 'module:needle', 'module:axios'].map((lib) => {
      const method = m === 'del' ? 'DELETE' : m.toUpperCase();
      if (lib === 'module:axios' && (m === 'post' || m === 'put' || m === 'patch')) return [`${lib}.${m}`, { shape: 'urlData' as SinkShape, channel: 'http' as NetChannel, method }] as const;
      if (lib === 'module:needle' && m !== 'get' && m !== 'head') return [`${lib}.${m}`, { shape: 'urlData' as SinkShape, channel: 'http' as NetChannel, method }] as const;
      return [`${lib}.${m}`, { shape: 'fetch' as SinkShape, channel: 'http' as NetChannel, method }] as const;
    }),
  ),
  ...['module:axios', 'module:axios.request', '$.ajax', 'jQuery.ajax'].map((p) => [p, { shape: 'config' as SinkShape, channel: 'http' as NetChannel }] as const),
  ...['$.post', 'jQuery.post'].map((p) => [p, { shape: 'urlData' as SinkShape, channel: 'http' as NetChannel, method: 'POST' }] as const),
  ...['$.get', 'jQuery.get', '$.getJSON', 'jQuery.getJSON', '$.getScript', 'jQuery.getScript'].map(
    (p) => [p, { shape: 'urlData' as SinkShape, channel: 'http' as NetChannel, method: 'GET' }] as const,
  ),
  ['module:needle', { shape: 'needle' as SinkShape, channel: 'http' as NetChannel }],
  ['module:needle.request', { shape: 'needle' as SinkShape, channel: 'http' as NetChannel }],
  ['navigator.sendBeacon', { shape: 'urlData' as SinkShape, channel: 'beacon' as NetChannel, method: 'POST' }],
  ...['module:net.connect', 'module:net.createConnection', 'module:tls.connect'].map((p) => [p, { shape: 'socket' as SinkShape, channel: 'socket' as NetChannel }] as const),
  ['module:http2.connect', { shape: 'url' as SinkShape, channel: 'http' as NetChannel }],
  ...['WebSocket', 'module:ws', 'module:ws.WebSocket', 'module:ws.default', 'module:isomorphic-ws', 'module:reconnecting-websocket'].map(
    (p) => [p, { shape: 'url' as SinkShape, channel: 'websocket' as NetChannel }] as const,
  ),
  ...['EventSource', 'module:eventsource', 'module:eventsource.EventSource'].map((p) => [p, { shape: 'url' as SinkShape, channel: 'eventsource' as NetChannel }] as const),
  ...[
    'lookup',
    'lookupService',
    'resolve',
    'resolve4',
    'resolve6',
    'resolveAny',
    'resolveCaa',
    'resolveCname',
    'resolveMx',
    'resolveNaptr',
    'resolveNs',
    'resolvePtr',
    'resolveSoa',
    'resolveSrv',
    'resolveTxt',
    'reverse',
  ].flatMap((m) => ['module:dns', 'module:dns.promises', 'module:dns/promises'].map((d) => [`${d}.${m}`, { shape: 'host' as SinkShape, channel: 'dns' as NetChannel }] as const)),
]);

/** Constructors and factories of network objects that send nothing until used (for no-network). */
export const NETWORK_FACTORIES: ReadonlySet<string> = new Set([
  'XMLHttpRequest',
  'module:net.Socket',
  'module:tls.TLSSocket',
  'module:dgram.createSocket',
  'module:dns.Resolver',
  'module:dns.promises.Resolver',
  'module:axios.create',
]);

/** Host paths of every outbound network function and constructor (for inventories and no-network). */
export const NETWORK_PATHS: ReadonlySet<string> = new Set([...SINK_FUNCTIONS.keys(), ...NETWORK_FACTORIES, 'module:superagent']);

/** Modules whose use means outbound network capability. */
export const NETWORK_MODULES: ReadonlySet<string> = new Set([
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'dns',
  'dns/promises',
  'undici',
  'axios',
  'got',
  'node-fetch',
  'cross-fetch',
  'isomorphic-fetch',
  'request',
  'request-promise',
  'request-promise-native',
  'superagent',
  'needle',
  'phin',
  'ky',
  'ws',
  'isomorphic-ws',
  'make-fetch-happen',
  'simple-get',
  'ofetch',
  'eventsource',
  'firebase',
]);

type InstanceKind = 'http-request' | 'socket' | 'udp' | 'websocket' | 'xhr' | 'image' | 'resolver' | 'superagent' | 'http2-session' | 'http2-stream' | 'axios' | 'firebase';

const INSTANCE_FACTORIES: ReadonlyMap<string, InstanceKind> = new Map<string, InstanceKind>([
  ['module:http.request', 'http-request'],
  ['module:http.get', 'http-request'],
  ['module:https.request', 'http-request'],
  ['module:https.get', 'http-request'],
  ['module:http.ClientRequest', 'http-request'],
  ['module:net.connect', 'socket'],
  ['module:net.createConnection', 'socket'],
  ['module:net.Socket', 'socket'],
  ['module:tls.connect', 'socket'],
  ['module:tls.TLSSocket', 'socket'],
  ['module:dgram.createSocket', 'udp'],
  ['WebSocket', 'websocket'],
  ['module:ws', 'websocket'],
  ['module:ws.WebSocket', 'websocket'],
  ['module:isomorphic-ws', 'websocket'],
  ['module:reconnecting-websocket', 'websocket'],
  ['XMLHttpRequest', 'xhr'],
  ['Image', 'image'],
  ['module:dns.Resolver', 'resolver'],
  ['module:dns.promises.Resolver', 'resolver'],
  ['module:superagent', 'superagent'],
  ['module:http2.connect', 'http2-session'],
  ['module:axios.create', 'axios'],
  ['module:firebase', 'firebase'],
  ...['get', 'post', 'put', 'patch', 'del', 'delete', 'head', 'options'].map((m) => [`module:superagent.${m}`, 'superagent'] as const),
]);

/** Methods that return their receiver (chains like `req.on('error', f).end(data)`). */
const CHAIN_METHODS: ReadonlySet<string> = new Set([
  'on',
  'once',
  'addListener',
  'setTimeout',
  'setNoDelay',
  'setKeepAlive',
  'setEncoding',
  'set',
  'query',
  'type',
  'accept',
  'send',
  'timeout',
  'retry',
  'auth',
  'field',
  'attach',
  'connect',
  'ok',
  'redirects',
  'withCredentials',
  'responseType',
  'child',
  'ref',
]);
const ELEMENT_TAGS = /^(?:img|image|script|iframe|link|audio|video|source|embed|object|track|input)$/i;

interface Instance {
  kind: InstanceKind;
  /** The call or `new` that created it. */
  creation: Node;
}

const instanceCache = fileCache<Node, Instance | null>();

/** What network object an expression holds (through variables and receiver-returning chains), or null. */
export function networkInstanceOf(ctx: RuleContext, node: Node, depth = 0): Instance | null {
  const inner = unwrap(node);
  const cached = instanceCache.get(inner);
  if (cached !== undefined) return cached;
  instanceCache.set(inner, null);
  let result: Instance | null = null;
  if (depth < 8) {
    if (inner.type === 'Identifier') {
      const binding = ctx.resolve(inner);
      if (binding && binding.path.length === 0 && (binding.kind === 'const' || binding.kind === 'let' || binding.kind === 'var')) {
        const candidates = [binding.init, ...binding.assignments].filter((n): n is Node => n !== null);
        for (const candidate of candidates) {
          result = networkInstanceOf(ctx, candidate, depth + 1);
          if (result !== null) break;
        }
      }
    } else if (isCallNode(inner) || inner.type === 'AwaitExpression') {
      if (inner.type === 'AwaitExpression') result = inner.argument ? networkInstanceOf(ctx, inner.argument, depth + 1) : null;
      else {
        const target = ctx.callTarget(inner);
        const found = lookup(calleeValuesOf(ctx, inner), INSTANCE_FACTORIES);
        if (found !== null) result = { kind: found[1], creation: inner };
        else if (target.callee.has('document.createElement') && target.args?.[0]) {
          const tag = ctx.foldStrings(target.args[0]);
          if (tag !== null && tag.some((t) => ELEMENT_TAGS.test(t))) result = { kind: 'image', creation: inner };
        }
        if (result === null) {
          const callee = unwrap((inner as Node & { callee: Node }).callee);
          const method = staticMemberName(callee);
          if (method !== null && inner.type !== 'NewExpression') {
            const receiver = networkInstanceOf(ctx, (callee as Node & { object: Node }).object, depth + 1);
            if (receiver !== null) {
              if (receiver.kind === 'http2-session' && method === 'request') result = { kind: 'http2-stream', creation: inner };
              else if (CHAIN_METHODS.has(method)) result = receiver;
            }
          }
        }
      }
    }
  }
  instanceCache.set(inner, result);
  return result;
}

const AUTH_KEY = /auth|token|secret|password|passwd|cookie|session|signature|credential|api[-_]?key|x-api|bearer|private[-_]?key/i;
const URL_KEYS: ReadonlySet<string> = new Set(['url', 'uri', 'href', 'baseURL', 'baseUrl', 'prefixUrl', 'endpoint', 'origin']);
const HOST_KEYS: ReadonlySet<string> = new Set(['host', 'hostname', 'servername', 'authority', 'address']);
const QUERY_KEYS: ReadonlySet<string> = new Set(['path', 'pathname', 'search', 'searchParams', 'query', 'qs', 'params']);
const AUTH_KEYS: ReadonlySet<string> = new Set(['auth', 'username', 'password', 'user', 'pass', 'token', 'bearer', 'apiKey', 'credentials']);
const IGNORED_KEYS: ReadonlySet<string> = new Set([
  'method',
  'port',
  'timeout',
  'agent',
  'signal',
  'family',
  'localAddress',
  'protocol',
  'responseType',
  'encoding',
  'cache',
  'mode',
  'redirect',
  'keepalive',
  'rejectUnauthorized',
  'ca',
  'cert',
  'key',
  'type',
  'dataType',
  'async',
  'success',
  'error',
  'complete',
  'retry',
  'maxRedirects',
  'followRedirect',
  'decompress',
  'validateStatus',
  'onUploadProgress',
  'onDownloadProgress',
]);

/** Splits an options object into parts by role; an opaque value is one `data` part. */
function optionParts(ctx: RuleContext, node: Node, out: SinkPart[], depth = 0): void {
  const literal = depth < 3 ? literalObject(ctx, node) : null;
  if (literal === null) {
    out.push({ node, role: 'data' });
    return;
  }
  for (const property of literal.properties) {
    if (property.type === 'SpreadElement') {
      optionParts(ctx, (property as Node & { argument: Node }).argument, out, depth + 1);
      continue;
    }
    if (property.type !== 'ObjectProperty') continue;
    const value = (property as Node & { value: Node }).value;
    const name = propertyName(ctx, property);
    if (name === null) out.push({ node: value, role: 'data' });
    else if (IGNORED_KEYS.has(name)) continue;
    else if (URL_KEYS.has(name)) out.push({ node: value, role: 'url', key: name });
    else if (HOST_KEYS.has(name)) out.push({ node: value, role: 'host', key: name });
    else if (QUERY_KEYS.has(name)) out.push({ node: value, role: 'query', key: name });
    else if (AUTH_KEYS.has(name)) out.push({ node: value, role: 'auth' });
    else if (name === 'headers') headerParts(ctx, value, out);
    else out.push({ node: value, role: 'data' });
  }
}

function headerParts(ctx: RuleContext, node: Node, out: SinkPart[]): void {
  const literal = literalObject(ctx, node);
  if (literal === null) {
    out.push({ node, role: 'headers' });
    return;
  }
  for (const property of literal.properties) {
    if (property.type === 'SpreadElement') {
      out.push({ node: (property as Node & { argument: Node }).argument, role: 'headers' });
      continue;
    }
    if (property.type !== 'ObjectProperty') continue;
    const name = propertyName(ctx, property);
    out.push({ node: (property as Node & { value: Node }).value, role: name !== null && AUTH_KEY.test(name) ? 'auth' : 'headers' });
  }
}

/** The parts of a URL-or-options argument. */
function urlOrOptions(ctx: RuleContext, node: Node, out: SinkPart[]): void {
  if (isObjectLike(ctx, node)) optionParts(ctx, node, out);
  else out.push({ node, role: 'url' });
}

function methodOf(ctx: RuleContext, options: Node | null): string | null {
  const values = optionValues(ctx, options, 'method') ?? optionValues(ctx, options, 'type');
  if (values === null || values.length !== 1 || typeof values[0] !== 'string') return null;
  return values[0].toUpperCase();
}

const sinkCache = fileCache<Node, NetworkSink | null>();

/**
 * The network sink at `node` (a call, `new`, or `img.src = ...` assignment), or null. Instance
 * methods (`req.write`, `socket.write`, `ws.send`, `xhr.send`, `dgram.send`) are sinks whose
 * `origins` hold the call that opened the connection. Memoised per node.
 */
export function networkSinkOf(ctx: RuleContext, node: Node): NetworkSink | null {
  let candidate = false;
  if (isCallNode(node)) {
    if (hasAny(calleeValuesOf(ctx, node), SINK_FUNCTIONS)) candidate = true;
    else if (node.type !== 'NewExpression') {
      const method = staticMemberName(unwrap(node.callee));
      candidate = method !== null && (INSTANCE_METHOD_NAMES.has(method) || method === 'pipe');
    }
  } else if (node.type === 'AssignmentExpression') {
    const name = staticMemberName(unwrap(node.left));
    candidate = name === 'src' || name === 'href' || name === 'data';
  }
  if (!candidate) return null;
  const cached = sinkCache.get(node);
  if (cached !== undefined) return cached;
  sinkCache.set(node, null);
  let result: NetworkSink | null = null;
  if (isCallNode(node)) result = functionSink(ctx, node) ?? instanceSink(ctx, node);
  else if (node.type === 'AssignmentExpression') result = assignmentSink(ctx, node);
  sinkCache.set(node, result);
  return result;
}

function functionSink(ctx: RuleContext, node: Node & { callee: Node; arguments: Node[] }): NetworkSink | null {
  if (!hasAny(calleeValuesOf(ctx, node), SINK_FUNCTIONS)) return null;
  const target = ctx.callTarget(node);
  const found = lookup(calleeValuesOf(ctx, node), SINK_FUNCTIONS);
  if (found === null) return null;
  const [path, { shape, channel }] = found;
  if ((channel === 'websocket' || channel === 'eventsource') && !target.construct && path !== 'module:ws') return null;
  const args = target.args ?? [];
  const parts: SinkPart[] = [];
  let method = found[1].method ?? null;
  const a0 = args[0];
  const a1 = args[1];
  switch (shape) {
    case 'urlOptions':
      if (a0) urlOrOptions(ctx, a0, parts);
      if (a1 && isObjectLike(ctx, a1)) optionParts(ctx, a1, parts);
      method ??= methodOf(ctx, a0 && isObjectLike(ctx, a0) ? a0 : a1 ?? null);
      break;
    case 'fetch':
      if (a0) urlOrOptions(ctx, a0, parts);
      if (a1) optionParts(ctx, a1, parts);
      method ??= methodOf(ctx, a1 ?? (a0 && isObjectLike(ctx, a0) ? a0 : null));
      break;
    case 'urlData':
      if (a0) urlOrOptions(ctx, a0, parts);
      if (a1) parts.push({ node: a1, role: 'data' });
      if (args[2] && isObjectLike(ctx, args[2])) optionParts(ctx, args[2], parts);
      break;
    case 'config':
      if (a0) urlOrOptions(ctx, a0, parts);
      if (a1) optionParts(ctx, a1, parts);
      method ??= methodOf(ctx, a0 && isObjectLike(ctx, a0) ? a0 : a1 ?? null);
      break;
    case 'needle': {
      const m = a0 ? ctx.foldStrings(a0) : null;
      if (m !== null && m.length === 1) method = m[0]!.toUpperCase();
      if (a1) parts.push({ node: a1, role: 'url' });
      if (args[2]) parts.push({ node: args[2], role: 'data' });
      if (args[3] && isObjectLike(ctx, args[3])) optionParts(ctx, args[3], parts);
      break;
    }
    case 'host':
      if (a0) parts.push({ node: a0, role: 'host' });
      break;
    case 'socket':
      if (a0 && isObjectLike(ctx, a0)) optionParts(ctx, a0, parts);
      else if (a1) parts.push({ node: a1, role: 'host' });
      break;
    case 'url':
      if (a0) parts.push({ node: a0, role: 'url' });
      break;
  }
  return { node, api: displayPath(path), channel, parts, origins: [], method };
}

const INSTANCE_METHODS: Readonly<Record<InstanceKind, Readonly<Record<string, readonly PartRole[] | 'header' | 'udp'>>>> = {
  'http-request': { write: ['data'], end: ['data'], setHeader: 'header' },
  socket: { write: ['data'], end: ['data'], connect: ['host', 'host'] },
  udp: { send: 'udp' },
  websocket: { send: ['data'] },
  xhr: { send: ['data'], open: ['data', 'url'], setRequestHeader: 'header' },
  image: { setAttribute: ['data', 'url'] },
  resolver: Object.fromEntries(['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'reverse'].map((m) => [m, ['host']])),
  superagent: { send: ['data'], query: ['query'], set: 'header', field: ['data', 'data'], auth: ['auth', 'auth'] },
  'http2-session': { request: ['headers'] },
  'http2-stream': { write: ['data'], end: ['data'] },
  firebase: { push: ['data'], set: ['data'], update: ['data'] },
  axios: {
    get: ['url'],
    delete: ['url'],
    head: ['url'],
    post: ['url', 'data'],
    put: ['url', 'data'],
    patch: ['url', 'data'],
    request: ['data'],
  },
};

/** Every method name some network instance has (a cheap filter before resolving receivers). */
const INSTANCE_METHOD_NAMES: ReadonlySet<string> = new Set(Object.values(INSTANCE_METHODS).flatMap((methods) => Object.keys(methods)));

const CHANNEL_OF_INSTANCE: Readonly<Record<InstanceKind, NetChannel>> = {
  'http-request': 'http',
  socket: 'socket',
  udp: 'udp',
  websocket: 'websocket',
  xhr: 'http',
  image: 'image',
  resolver: 'dns',
  superagent: 'http',
  'http2-session': 'http',
  'http2-stream': 'http',
  axios: 'http',
  firebase: 'http',
};

const INSTANCE_LABEL: Readonly<Record<InstanceKind, string>> = {
  'http-request': 'request',
  socket: 'socket',
  udp: 'UDP socket',
  websocket: 'WebSocket',
  xhr: 'XMLHttpRequest',
  image: 'element',
  resolver: 'dns.Resolver',
  superagent: 'superagent request',
  'http2-session': 'HTTP/2 session',
  'http2-stream': 'HTTP/2 stream',
  axios: 'axios instance',
  firebase: 'Firebase reference',
};

function instanceSink(ctx: RuleContext, node: Node & { callee: Node; arguments: Node[] }): NetworkSink | null {
  if (node.type === 'NewExpression') return null;
  const callee = unwrap(node.callee);
  const method = staticMemberName(callee);
  if (method === null) return null;
  if (method === 'pipe' && node.arguments[0]) {
    // source.pipe(req): the stream's data goes to the connection.
    const target = networkInstanceOf(ctx, node.arguments[0]);
    if (target === null || target.kind === 'image' || target.kind === 'resolver' || target.kind === 'xhr') return null;
    const creation = networkSinkOf(ctx, target.creation);
    return {
      node,
      api: `pipe to ${INSTANCE_LABEL[target.kind]}`,
      channel: CHANNEL_OF_INSTANCE[target.kind],
      parts: [{ node: (callee as Node & { object: Node }).object, role: 'data' }],
      origins: creation !== null ? [creation] : [],
      method: null,
      instance: true,
    };
  }
  const instance = networkInstanceOf(ctx, (callee as Node & { object: Node }).object);
  if (instance === null) return null;
  const plan = INSTANCE_METHODS[instance.kind][method];
  if (plan === undefined) return null;
  if (instance.kind === 'image' && method === 'setAttribute') {
    const name = node.arguments[0] ? ctx.foldStrings(node.arguments[0]) : null;
    if (name === null || !name.some((n) => n === 'src' || n === 'href' || n === 'data')) return null;
  }
  const args = node.arguments;
  const parts: SinkPart[] = [];
  if (plan === 'header') {
    const name = args[0] ? ctx.foldStrings(args[0]) : null;
    if (args[1]) parts.push({ node: args[1], role: name !== null && name.some((n) => AUTH_KEY.test(n)) ? 'auth' : 'headers' });
  } else if (plan === 'udp') {
    if (args[0]) parts.push({ node: args[0], role: 'data' });
    for (const arg of args.slice(1)) parts.push({ node: arg, role: 'host' });
  } else {
    plan.forEach((role, i) => {
      const arg = args[i];
      if (arg === undefined) return;
      if (instance.kind === 'axios' && role === 'data' && method === 'request') optionParts(ctx, arg, parts);
      else if (role !== 'data' || !(instance.kind === 'xhr' && method === 'open')) parts.push({ node: arg, role });
    });
    if (instance.kind === 'axios' && args[plan.length] && isObjectLike(ctx, args[plan.length]!)) optionParts(ctx, args[plan.length]!, parts);
  }
  const origins: NetworkSink[] = [];
  const creationSink = networkSinkOf(ctx, instance.creation);
  if (creationSink !== null) origins.push(creationSink);
  if (instance.kind === 'xhr' && method !== 'open') origins.push(...xhrOpens(ctx, (callee as Node & { object: Node }).object));
  const channel = CHANNEL_OF_INSTANCE[instance.kind];
  const api = instance.kind === 'axios' ? `axios.${method}` : `${INSTANCE_LABEL[instance.kind]}.${method}`;
  const httpMethod = instance.kind === 'axios' ? method.toUpperCase() : method === 'open' && args[0] ? ctx.foldStrings(args[0])?.[0]?.toUpperCase() ?? null : null;
  return { node, api, channel, parts, origins, method: httpMethod, instance: true };
}

/** The `xhr.open(...)` sinks on the same variable as `receiver`. */
function xhrOpens(ctx: RuleContext, receiver: Node): NetworkSink[] {
  const id = unwrap(receiver);
  if (id.type !== 'Identifier') return [];
  const binding = ctx.resolve(id);
  if (!binding) return [];
  const out: NetworkSink[] = [];
  for (const reference of binding.references) {
    const { parent, key } = logicalParent(reference);
    if (parent === null || key !== 'object' || staticMemberName(parent) !== 'open') continue;
    const call = logicalParent(parent);
    if (call.parent !== null && call.key === 'callee' && isCallNode(call.parent)) {
      const sink = networkSinkOf(ctx, call.parent);
      if (sink !== null) out.push(sink);
    }
  }
  return out;
}

function assignmentSink(ctx: RuleContext, node: Node & { left: Node; right: Node; operator: string }): NetworkSink | null {
  const left = unwrap(node.left);
  const name = staticMemberName(left);
  if (name !== 'src' && name !== 'href' && name !== 'data') return null;
  const instance = networkInstanceOf(ctx, (left as Node & { object: Node }).object);
  if (instance === null || instance.kind !== 'image') return null;
  return { node, api: `${INSTANCE_LABEL.image}.${name}`, channel: 'image', parts: [{ node: node.right, role: 'url' }], origins: [], method: 'GET' };
}

const NETWORK_TOOLS = /(?:^|[\s;&|"'\/\\(])(?:curl|wget|nc|ncat|netcat|nslookup|dig|host|ping|telnet|scp|sftp|ftp|rsync|ssh|iwr|irm|invoke-webrequest|invoke-restmethod|bitsadmin|certutil)(?:\.exe)?["']?(?:\s|$)/i;

/** A process call whose command line runs a network tool (curl, wget, nslookup...), as a sink. */
export function commandSinkOf(ctx: RuleContext, call: ProcessCall): NetworkSink | null {
  if (!call.lines.some((line) => NETWORK_TOOLS.test(line))) return null;
  const parts: SinkPart[] = [];
  if (call.commandNode !== null) parts.push({ node: call.commandNode, role: 'data' });
  if (call.argvNode !== null) parts.push({ node: call.argvNode, role: 'data' });
  const tool = NETWORK_TOOLS.exec(call.lines.find((line) => NETWORK_TOOLS.test(line))!)![0].replace(/^[\s;&|"'\/\\(]+|["'\s]+$/g, '');
  return { node: call.node, api: `${call.api} (${tool})`, channel: 'command', parts, origins: [], method: null };
}

// ---- Destinations ------------------------------------------------------------------------------

export type DestinationClass = 'suspicious' | 'dynamic' | 'constant' | 'relative' | 'local';

export interface Destination {
  klass: DestinationClass;
  /** The folded URLs or hosts (holes allowed). */
  targets: string[];
  /** The first suspicious endpoint among them. */
  endpoint: EndpointFinding | null;
}

const destinationCache = fileCache<NetworkSink, Destination>();

/**
 * The URLs and hosts a sink's own parts name. An options object's `host` is combined with its
 * `path` (`//discord.com/api/webhooks/...`) so that path-based endpoints are recognised.
 */
export function sinkTargets(ctx: RuleContext, sink: NetworkSink): { text: string; host: boolean }[] {
  const out: { text: string; host: boolean }[] = [];
  const paths: string[] = [];
  for (const part of sink.parts) if (part.role === 'query' && (part.key === 'path' || part.key === 'pathname')) paths.push(...symbolicStrings(ctx, part.node));
  for (const part of sink.parts) {
    if (part.role !== 'url' && part.role !== 'host') continue;
    for (const text of symbolicStrings(ctx, part.node)) {
      if (part.role === 'host' && paths.length > 0) for (const path of paths.slice(0, 4)) out.push({ text: `//${text.trim()}${path.startsWith('/') ? '' : '/'}${path}`, host: false });
      else out.push({ text, host: part.role === 'host' });
    }
  }
  return out;
}

/** Where a sink sends its data: folded URL/host parts of the sink and of the calls that opened it. */
export function destinationOf(ctx: RuleContext, sink: NetworkSink): Destination {
  const cached = destinationCache.get(sink);
  if (cached !== undefined) return cached;
  const targets: { text: string; host: boolean }[] = [];
  const collect = (s: NetworkSink, depth: number): void => {
    if (s.channel === 'command') {
      const call = processCallOf(ctx, s.node);
      for (const line of call?.lines ?? []) {
        for (const url of urlsIn(line)) targets.push({ text: url, host: false });
        const lookupHost = /\b(?:nslookup|dig|host|ping)\b(?:\s+-\S+)*\s+([^\s;&|'"]+)/i.exec(line);
        if (lookupHost !== null) targets.push({ text: lookupHost[1]!, host: true });
      }
    }
    for (const text of sinkTargets(ctx, s)) targets.push(text);
    if (depth < 3) for (const origin of s.origins) collect(origin, depth + 1);
  };
  collect(sink, 0);
  let endpoint: EndpointFinding | null = null;
  const classes = new Set<DestinationClass>();
  for (const { text, host } of targets) {
    const found = classifyEndpoint(host ? `//${text}` : text);
    if (found !== null) {
      endpoint ??= found;
      classes.add('suspicious');
      continue;
    }
    const trimmed = text.trim();
    if (!host && /^(?:\/(?!\/)|\.\.?\/|\?|#)/.test(trimmed)) {
      classes.add('relative');
      continue;
    }
    const name = host ? hostOf(`//${trimmed}`) : hostOf(trimmed);
    if (name === null || name.startsWith(HOLE) || name === HOLE) classes.add(trimmed.startsWith(HOLE) || name !== null || host ? 'dynamic' : 'relative');
    else if (isLocalHost(name)) classes.add('local');
    else classes.add('constant');
  }
  let klass: DestinationClass;
  if (classes.has('suspicious')) klass = 'suspicious';
  else if (classes.has('dynamic') || classes.size === 0) klass = 'dynamic';
  else if (classes.has('constant')) klass = 'constant';
  else if (classes.has('relative')) klass = 'relative';
  else klass = 'local';
  const result: Destination = { klass, targets: targets.map((t) => t.text), endpoint };
  destinationCache.set(sink, result);
  return result;
}

// =================================================================================================
// 4. Per-file facts, taint spec and flows

/** What a file does, gathered once during the walk and shared by every audit rule. */
export interface FileFacts {
  program: Node;
  processCalls: ProcessCall[];
  sinks: NetworkSink[];
  fsCalls: FsCall[];
  /** Calls of functions defined in the file (to follow a gated region into helpers). */
  localCalls: { call: Node; fn: Node }[];
  /** Last node the collector saw (rules share one collector per file; handlers run back to back). */
  last: Node | null;
  flows: Flow[] | null;
}

const factsByProgram = fileCache<Node, FileFacts>();

function factsFor(program: Node): FileFacts {
  let facts = factsByProgram.get(program);
  if (facts === undefined) {
    facts = { program, processCalls: [], sinks: [], fsCalls: [], localCalls: [], last: null, flows: null };
    factsByProgram.set(program, facts);
  }
  return facts;
}

function observeCall(ctx: RuleContext, facts: FileFacts, node: Node): void {
  if (facts.last === node) return;
  facts.last = node;
  const processCall = processCallOf(ctx, node);
  if (processCall !== null) {
    facts.processCalls.push(processCall);
    const commandSink = commandSinkOf(ctx, processCall);
    if (commandSink !== null) facts.sinks.push(commandSink);
  }
  const sink = networkSinkOf(ctx, node);
  if (sink !== null) facts.sinks.push(sink);
  const fsCall = fsCallOf(ctx, node);
  if (fsCall !== null) facts.fsCalls.push(fsCall);
  if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
    const callee = unwrap((node as Node & { callee: Node }).callee);
    if (callee.type === 'Identifier') {
      const fn = localFunction(ctx, callee);
      if (fn !== null) facts.localCalls.push({ call: node, fn });
    }
  }
}

function observeAssignment(ctx: RuleContext, facts: FileFacts, node: Node): void {
  if (facts.last === node) return;
  facts.last = node;
  const sink = networkSinkOf(ctx, node);
  if (sink !== null) facts.sinks.push(sink);
}

/**
 * Merges the shared facts collector into a rule's visitor. The returned getter gives the facts of
 * the file being walked; they are complete in `Program:exit`.
 */
export function withFacts(ctx: RuleContext, own: Visitor): { visitor: Visitor; facts: () => FileFacts } {
  let facts: FileFacts | null = null;
  const collector: Record<string, VisitorHandler> = {
    Program: (node: Node) => {
      facts = factsFor(node);
    },
    CallExpression: (node: Node) => observeCall(ctx, facts!, node),
    OptionalCallExpression: (node: Node) => observeCall(ctx, facts!, node),
    NewExpression: (node: Node) => observeCall(ctx, facts!, node),
    AssignmentExpression: (node: Node) => observeAssignment(ctx, facts!, node),
  };
  const visitor: Visitor = { ...own };
  for (const [selector, handler] of Object.entries(collector)) {
    const mine = own[selector] as VisitorHandler | undefined;
    visitor[selector] = mine === undefined ? handler : (node: Node, parent: Node | null) => {
      handler(node, parent);
      mine(node, parent);
    };
  }
  return { visitor, facts: () => facts! };
}

// ---- Taint sources -----------------------------------------------------------------------------

/** Source kinds (bits of a taint mask). */
export const SOURCE = {
  envAll: 1,
  envSecret: 2,
  envIdentity: 4,
  osIdentity: 8,
  credentialFile: 16,
  cookie: 32,
  storageAll: 64,
  storageItem: 128,
  input: 256,
  sensitiveInput: 512,
  keys: 1024,
  clipboard: 2048,
  /** The machine's host name or home folder alone: common in telemetry (error reporters send it). */
  hostName: 4096,
} as const;

/** Identity kinds; the host name counts only together with another one. */
const IDENTITY_SOURCES = SOURCE.envIdentity | SOURCE.osIdentity | SOURCE.hostName;

/** Sources whose data is never legitimately sent off the machine or page. */
export const STRONG_SOURCES = SOURCE.envAll | SOURCE.envIdentity | SOURCE.osIdentity | SOURCE.credentialFile | SOURCE.storageAll | SOURCE.keys | SOURCE.clipboard;
/** Browser-side sources (for browser-data-theft). */
export const BROWSER_SOURCES = SOURCE.cookie | SOURCE.storageAll | SOURCE.storageItem | SOURCE.input | SOURCE.sensitiveInput | SOURCE.keys | SOURCE.clipboard;

const SOURCE_NAMES: readonly [number, string][] = [
  [SOURCE.envAll, 'the whole environment'],
  [SOURCE.envSecret, 'a secret environment variable'],
  [SOURCE.envIdentity, 'the user or machine name'],
  [SOURCE.osIdentity, 'machine identity'],
  [SOURCE.credentialFile, 'credential file contents'],
  [SOURCE.cookie, 'cookies'],
  [SOURCE.storageAll, 'all of web storage'],
  [SOURCE.storageItem, 'a web storage item'],
  [SOURCE.input, 'form input'],
  [SOURCE.sensitiveInput, 'password or card input'],
  [SOURCE.keys, 'keystrokes'],
  [SOURCE.clipboard, 'clipboard contents'],
  [SOURCE.hostName, 'the host name'],
];

/** A phrase for the kinds in a mask ('the whole environment, machine identity'). */
export function describeSources(mask: number): string {
  return SOURCE_NAMES.filter(([bit]) => (mask & bit) !== 0)
    .map(([, name]) => name)
    .join(', ');
}

const OS_IDENTITY_CALLS: ReadonlySet<string> = new Set(['module:os.userInfo', 'module:os.networkInterfaces']);
const HOST_NAME_CALLS: ReadonlySet<string> = new Set(['module:os.hostname', 'module:os.homedir']);
const OS_CLEAN_CALLS: ReadonlySet<string> = new Set(
  ['platform', 'arch', 'type', 'release', 'cpus', 'totalmem', 'freemem', 'uptime', 'tmpdir', 'endianness', 'loadavg', 'version', 'machine', 'availableParallelism', 'EOL'].map((m) => `module:os.${m}`),
);
const DOM_QUERIES: ReadonlySet<string> = new Set([
  'document.getElementById',
  'document.querySelector',
  'document.querySelectorAll',
  'document.getElementsByName',
  'document.getElementsByTagName',
  'document.getElementsByClassName',
]);
const SENSITIVE_FIELD = /pass(?:word|wd)?|pwd|card|cc-?(?:num|number|exp|csc|cvv)|cvv|cvc|csc|expir|security.?code|ssn|iban|pin\b|otp|seed|mnemonic|private.?key/i;
const GLOBAL_TARGETS: ReadonlySet<string> = new Set(['globalThis', 'document', 'document.body', 'document.documentElement']);
const KEY_EVENTS = /^(?:keydown|keypress|keyup|input|beforeinput|textinput|compositionend)$/i;
const CLIPBOARD_EVENTS = /^(?:paste|copy|cut)$/i;
const CRYPTO_BARRIERS: ReadonlySet<string> = new Set(['module:crypto.createHash', 'module:crypto.createHmac', 'module:crypto.createSign', 'module:crypto.createCipheriv', 'module:crypto.randomBytes', 'module:crypto.randomUUID']);
const RECON_COMMAND = /^\s*(?:whoami|hostname|id|uname(?:\s+-a)?|ipconfig(?:\s+\/all)?|ifconfig|systeminfo|net\s+user|ip\s+a(?:ddr)?|cat\s+\/etc\/(?:passwd|hostname|issue|os-release))\s*$/i;
const READ_COMMAND = /\b(?:cat|type|more|less|head|tail|base64|xxd|od|strings|get-content|gc|copy|cp|tar|zip)\b[^;&|\n]*?\s["']?([^\s"';&|]+)/gi;

/** USER/USERNAME are the person; HOSTNAME/COMPUTERNAME only the machine. */
function identityKind(name: string): number {
  return /^(?:HOSTNAME|COMPUTERNAME)$/i.test(name) ? SOURCE.hostName : SOURCE.envIdentity;
}

/** The environment variable names a `process.env` read may name (null when the key is unknown). */
export function envReadNames(ctx: RuleContext, member: Node): readonly string[] | null {
  const keys = ctx.memberKeys(member);
  if (keys !== null) return keys;
  const property = (member as Node & { property: Node }).property;
  const strings = symbolicStrings(ctx, property);
  return strings.some((s) => s.includes(HOLE)) ? null : strings;
}

/** True when `node` evaluates to the `process.env` object itself. */
export function isProcessEnv(ctx: RuleContext, node: Node): boolean {
  return ctx.values(node).has('process.env');
}

/** Sensitive paths a command line reads (`cat ~/.ssh/id_rsa`), as findings. */
export function commandReadPaths(line: string): { path: string; finding: PathFinding }[] {
  const out: { path: string; finding: PathFinding }[] = [];
  for (const match of line.matchAll(READ_COMMAND)) {
    const path = normalizePath(match[1]!);
    const finding = classifyPath(path, 'read');
    if (finding !== null && finding.category !== 'envFile') out.push({ path: match[1]!, finding });
  }
  return out;
}

/** Taint of a call's result when it is a sensitive read (file or command), CLEAN for other reads, null otherwise. */
function readResultTaint(ctx: RuleContext, call: Node): Taint | null {
  const fsCall = fsCallOf(ctx, call);
  if (fsCall !== null) {
    const read = fsCall.paths.find((p) => p.op === 'read');
    if (read === undefined) return CLEAN;
    for (const path of symbolicPaths(ctx, read.node)) {
      const finding = classifyPath(path, 'read');
      if (finding !== null) return sourceTaint(SOURCE.credentialFile, call, `${fsCall.api}(${abbreviate(path, 50)})`);
    }
    return CLEAN;
  }
  const processCall = processCallOf(ctx, call);
  if (processCall !== null) {
    for (const line of processCall.lines) {
      if (RECON_COMMAND.test(line)) return sourceTaint(SOURCE.osIdentity, call, `\`${abbreviate(line, 40)}\` output`);
      if (commandReadPaths(line).length > 0) return sourceTaint(SOURCE.credentialFile, call, `\`${abbreviate(line, 40)}\` output`);
    }
    return CLEAN;
  }
  return null;
}

/** A source reached as a value (through aliases, destructuring, Reflect.get): the environment or cookies. */
function valueSource(node: Node, ctx: RuleContext): Taint | null {
  for (const value of ctx.values(node)) {
    if (value === 'process.env') return sourceTaint(SOURCE.envAll, node, 'process.env');
    if (value.startsWith('process.env.')) {
      const name = value.slice(12);
      if (isSecretEnvName(name)) return sourceTaint(SOURCE.envSecret, node, value);
      if (isIdentityEnvName(name)) return sourceTaint(identityKind(name), node, value);
      return CLEAN;
    }
    if (value === 'document.cookie') return sourceTaint(SOURCE.cookie, node, value);
  }
  return null;
}

const argumentCache = fileCache<Binding, ReadonlySet<string>>();

/**
 * The host values a parameter is given by the calls of its function in this file (`f(process)`
 * gives `p` in `function f(p)` the value `process`), after its destructuring steps. Bounded.
 */
function argumentValues(ctx: RuleContext, binding: Binding): ReadonlySet<string> {
  const cached = argumentCache.get(binding);
  if (cached !== undefined) return cached;
  const out = new Set<string>();
  argumentCache.set(binding, out);
  const param = binding.assignments.length > 0 ? null : parameterOf(binding);
  if (param === null || param.rest) return out;
  for (const site of callSitesOf(ctx, param.fn).slice(0, 16)) {
    const arg = site.args[param.index];
    if (arg === undefined || arg.type === 'SpreadElement') continue;
    for (let value of ctx.values(arg)) {
      for (const step of binding.path) value = 'key' in step ? memberPath(value, step.key) : '?';
      if (value !== '?') out.add(value);
    }
  }
  return out;
}

function classifySource(node: Node, ctx: RuleContext): Taint | null {
  switch (node.type) {
    case 'Identifier': {
      const binding = ctx.resolve(node);
      if (binding === null) {
        if (node.name === 'localStorage' || node.name === 'sessionStorage') return sourceTaint(SOURCE.storageAll, node, node.name);
        return null;
      }
      if (binding !== undefined && binding.kind === 'param') {
        // `function f({ env }) {...} f(process)`: the value its call sites pass.
        if (argumentValues(ctx, binding).has('process.env')) return sourceTaint(SOURCE.envAll, node, 'process.env');
        return null;
      }
      // Destructured from a source: `const { env } = process`, `const { NPM_TOKEN } = process.env`.
      if (binding === undefined || binding.path.length === 0) return null;
      return valueSource(node, ctx);
    }
    case 'MemberExpression':
    case 'OptionalMemberExpression': {
      const object = (node as Node & { object: Node }).object;
      let objectValues = ctx.values(object);
      // `const send = (p) => post(p.env); send(process)`: a parameter holding a source.
      if (object.type === 'Identifier') {
        const binding = ctx.resolve(object);
        if (binding && binding.kind === 'param') {
          const passed = argumentValues(ctx, binding);
          if (passed.size > 0) {
            const keys = ctx.memberKeys(node);
            if (passed.has('process') && keys !== null && keys.includes('env')) return sourceTaint(SOURCE.envAll, node, 'process.env');
            if (passed.has('process.env')) objectValues = passed;
          }
        }
      }
      if (objectValues.has('process.env')) {
        const names = envReadNames(ctx, node);
        if (names === null) return sourceTaint(SOURCE.envSecret, node, `\`${abbreviate(ctx.text(node), 40)}\``);
        let mask = 0;
        for (const name of names) {
          if (isSecretEnvName(name)) mask |= SOURCE.envSecret;
          else if (isIdentityEnvName(name)) mask |= identityKind(name);
        }
        return mask === 0 ? CLEAN : sourceTaint(mask, node, `process.env.${names.join('|')}`);
      }
      if (objectValues.has('localStorage') || objectValues.has('sessionStorage')) {
        const keys = ctx.memberKeys(node);
        if (keys !== null && keys.every((k) => k === 'length' || k === 'getItem' || k === 'setItem' || k === 'removeItem' || k === 'clear' || k === 'key')) return null;
        return sourceTaint(SOURCE.storageItem, node, `\`${abbreviate(ctx.text(node), 40)}\``);
      }
      const values = ctx.values(node);
      if (values.has('process.env')) return sourceTaint(SOURCE.envAll, node, 'process.env');
      if (values.has('document.cookie')) {
        // Extracting one named cookie (`document.cookie.match(/_ga=([^;]+)/)`) is an item, not the jar.
        const { parent, key } = logicalParent(node);
        const method = parent !== null && key === 'object' ? staticMemberName(parent) : null;
        if (method !== null && /^(?:match|matchAll|indexOf|search|includes|startsWith)$/.test(method)) {
          return sourceTaint(SOURCE.storageItem, node, 'a cookie value');
        }
        return sourceTaint(SOURCE.cookie, node, 'document.cookie');
      }
      if (values.has('localStorage') || values.has('sessionStorage')) return sourceTaint(SOURCE.storageAll, node, `\`${abbreviate(ctx.text(node), 40)}\``);
      if (values.has('document.forms')) return sourceTaint(SOURCE.input, node, 'document.forms');
      return null;
    }
    case 'CallExpression':
    case 'OptionalCallExpression': {
      // Reflect.get(process, 'env'), Object.getOwnPropertyDescriptor(process, 'env').value ...
      const reached = valueSource(node, ctx);
      if (reached !== null) return reached;
      const callee = calleeValuesOf(ctx, node as Node & { callee: Node });
      for (const fn of callee) {
        if (OS_IDENTITY_CALLS.has(fn)) return sourceTaint(SOURCE.osIdentity, node, `${displayPath(fn)}()`);
        if (HOST_NAME_CALLS.has(fn)) return sourceTaint(SOURCE.hostName, node, `${displayPath(fn)}()`);
        if (OS_CLEAN_CALLS.has(fn) || CRYPTO_BARRIERS.has(fn)) return CLEAN;
        // Walking the keys (`localStorage.key(i)`) is harvesting the whole store.
        if (fn === 'localStorage.key' || fn === 'sessionStorage.key') return sourceTaint(SOURCE.storageAll, node, `\`${abbreviate(ctx.text(node), 40)}\``);
        if (fn === 'localStorage.getItem' || fn === 'sessionStorage.getItem') {
          return sourceTaint(SOURCE.storageItem, node, `\`${abbreviate(ctx.text(node), 40)}\``);
        }
        if (fn === 'navigator.clipboard.readText' || fn === 'navigator.clipboard.read') return sourceTaint(SOURCE.clipboard, node, `${fn}()`);
        if (DOM_QUERIES.has(fn)) {
          const selector = (node as Node & { arguments: Node[] }).arguments[0];
          const text = selector ? symbolicStrings(ctx, selector).join(' ') : '';
          const sensitive = SENSITIVE_FIELD.test(text) || /type\s*=\s*["']?password/i.test(text);
          return sourceTaint(sensitive ? SOURCE.input | SOURCE.sensitiveInput : SOURCE.input, node, `${fn}(${abbreviate(JSON.stringify(text.split(HOLE).join('…')), 40)})`);
        }
      }
      return readResultTaint(ctx, node);
    }
    default:
      return null;
  }
}

/** Event sources a listener receives: key listeners on the document, clipboard events... */
function listenerTaint(ctx: RuleContext, site: Node, argIndex: number, paramIndex: number): Taint | null {
  if (paramIndex !== 0) return null;
  if (site.type === 'AssignmentExpression') {
    const left = unwrap((site as Node & { left: Node }).left);
    for (const value of ctx.values(left)) {
      const match = /^(?:document\.|document\.body\.)?on(keydown|keypress|keyup|input|paste|copy)$/.exec(value);
      if (match === null) continue;
      const kind = CLIPBOARD_EVENTS.test(match[1]!) ? SOURCE.clipboard : SOURCE.keys;
      return sourceTaint(kind, site, `\`${abbreviate(ctx.text(left), 30)}\` handler`);
    }
    return null;
  }
  const call = site as Node & { callee: Node; arguments: Node[] };
  const callee = unwrap(call.callee);
  const method = staticMemberName(callee);
  if (method === null) return null;
  const receiver = unwrap((callee as Node & { object: Node }).object);
  let type: string[] | null = null;
  let global = false;
  if (method === 'addEventListener' && argIndex === 1 && call.arguments[0]) {
    type = ctx.foldStrings(call.arguments[0]);
    const receiverValues = ctx.values(receiver);
    global = [...receiverValues].some((v) => GLOBAL_TARGETS.has(v));
  } else if (receiver.type === 'CallExpression' && (ctx.isGlobalRef(receiver.callee, '$') || ctx.isGlobalRef(receiver.callee, 'jQuery')) && receiver.arguments[0]) {
    // jQuery: $(document).on('keydown', f), $(document).keypress(f)
    const target = ctx.values(receiver.arguments[0]);
    global = [...target].some((v) => GLOBAL_TARGETS.has(v));
    if (method === 'on' && argIndex === 1 && call.arguments[0]) type = ctx.foldStrings(call.arguments[0]);
    else if (argIndex === 0 && /^(?:keydown|keypress|keyup|input|paste)$/.test(method)) type = [method];
  }
  if (type === null) return null;
  const where = global ? 'the page' : 'an element';
  if (type.some((t) => CLIPBOARD_EVENTS.test(t))) return sourceTaint(SOURCE.clipboard, site, `${type.join('|')} events on ${where}`);
  if (type.some((t) => KEY_EVENTS.test(t))) return sourceTaint(global ? SOURCE.keys : SOURCE.input, site, `${type.join('|')} events on ${where}`);
  if (global && type.some((t) => /^(?:submit|change)$/i.test(t))) return sourceTaint(SOURCE.input, site, `${type.join('|')} events on ${where}`);
  return null;
}

const HEADER_CONTAINER = /^(?:\w*headers?|auth|credentials|authorization)$/i;
const WEAK_CREDENTIALS = SOURCE.envSecret | SOURCE.storageItem | SOURCE.cookie;

/** True when an object (literal or variable) holds request headers or credentials for a client. */
function isHeaderContainer(ctx: RuleContext, container: Node): boolean {
  if (container.type === 'Identifier') return HEADER_CONTAINER.test((container as Node & { name: string }).name);
  if (container.type !== 'ObjectExpression') return false;
  const { parent, key } = logicalParent(container);
  if (parent === null) return false;
  if (parent.type === 'ObjectProperty' && key === 'value') return HEADER_CONTAINER.test(propertyName(ctx, parent) ?? '');
  if (parent.type === 'VariableDeclarator' && key === 'init' && parent.id.type === 'Identifier') return HEADER_CONTAINER.test(parent.id.name);
  if (parent.type === 'AssignmentExpression' && key === 'right') {
    const left = unwrap(parent.left);
    return HEADER_CONTAINER.test(left.type === 'Identifier' ? left.name : staticMemberName(left) ?? '');
  }
  if (parent.type === 'NewExpression' && key === 'arguments') return ctx.values(parent.callee).has('Headers');
  return false;
}

/** The taint spec of the audit rules. */
export const AUDIT_TAINT: TaintSpec = {
  classify: classifySource,
  property(key, container, taint, ctx) {
    // A secret under an authorization header is credential use, wherever the headers go next.
    if ((taint.mask & WEAK_CREDENTIALS) === 0 || !AUTH_KEY.test(key) || !isHeaderContainer(ctx, container)) return taint;
    const mask = taint.mask & ~WEAK_CREDENTIALS;
    return { mask, origins: taint.origins.filter((o) => (o.mask & mask) !== 0) };
  },
  callbackParam(site, argIndex, paramIndex, ctx) {
    if (site.type === 'CallExpression' || site.type === 'OptionalCallExpression') {
      const read = readResultTaint(ctx, site);
      if (read !== null && read.mask !== 0 && paramIndex >= 1) return read;
    }
    return listenerTaint(ctx, site, argIndex, paramIndex);
  },
};

// ---- Flows -------------------------------------------------------------------------------------

/** Tainted data reaching a network sink, with the decision to report it. */
export interface Flow {
  sink: NetworkSink;
  destination: Destination;
  /** Taint of all data-bearing parts. */
  taint: Taint;
  /** The kinds that made this flow reportable (0 when it is not). */
  reportedMask: number;
  /** Why a weak source was reported ('sent to a suspicious endpoint', 'several secrets together'...). */
  reason: string;
}

/** Every network sink of the file with the taint of its data (computed once, at Program:exit). */
export function fileFlows(ctx: RuleContext, facts: FileFacts): Flow[] {
  if (facts.flows !== null) return facts.flows;
  const flows: Flow[] = [];
  facts.flows = flows;
  if (facts.sinks.length === 0) return flows;
  const engine = taintEngine(ctx, facts.program, AUDIT_TAINT);
  for (const sink of facts.sinks) {
    let taint: Taint = CLEAN;
    const byRole = new Map<PartRole, Taint>();
    for (const part of sink.parts) {
      const t = engine.of(part.node);
      if (t.mask === 0) continue;
      taint = mergeTaint(taint, t);
      byRole.set(part.role, mergeTaint(byRole.get(part.role) ?? CLEAN, t));
    }
    if (taint.mask === 0) continue;
    const destination = destinationOf(ctx, sink);
    const { mask, reason } = decideFlow(sink, byRole, destination);
    flows.push({ sink, destination, taint, reportedMask: mask, reason });
  }
  return flows;
}

function maskOf(byRole: Map<PartRole, Taint>, roles: readonly PartRole[]): number {
  let mask = 0;
  for (const role of roles) mask |= byRole.get(role)?.mask ?? 0;
  return mask;
}

const DATA_ROLES: readonly PartRole[] = ['data', 'query', 'url', 'host'];
const ALL_ROLES: readonly PartRole[] = ['data', 'query', 'url', 'host', 'headers', 'auth'];

/**
 * Which of the sources reaching a sink make it exfiltration. Strong sources (the whole
 * environment, machine identity, credential files, keystrokes, clipboard) always do, except to
 * this machine or a private network; weak ones (a single secret variable, a storage item, form
 * input, cookies) only in the shapes that legitimate clients do not use: to a suspicious
 * endpoint, in DNS or UDP, several secrets together, cookies to another site, card or password
 * fields sent through an image, beacon, socket or query string.
 */
function decideFlow(sink: NetworkSink, byRole: Map<PartRole, Taint>, destination: Destination): { mask: number; reason: string } {
  const all = maskOf(byRole, ALL_ROLES);
  if (destination.klass === 'suspicious') return { mask: all, reason: `to ${destination.endpoint?.label ?? 'a suspicious endpoint'}` };
  // A DNS query carries data to a third party only in the labels of a name under a fixed zone;
  // resolving the machine's own host name goes to its resolver.
  if (sink.channel === 'dns' && !destination.targets.some((t) => /\x00[^\x00]*?\.(?:[a-z0-9-]+\.)+[a-z]{2,}\.?$/i.test(t.trim()))) return { mask: 0, reason: '' };
  let strong = all & STRONG_SOURCES;
  // The host name alone is telemetry; with the user name, the environment or other identity it is reconnaissance.
  if ((all & SOURCE.hostName) !== 0 && ((all & (STRONG_SOURCES | IDENTITY_SOURCES) & ~SOURCE.hostName) !== 0 || sink.channel === 'dns' || sink.channel === 'udp')) {
    strong |= SOURCE.hostName;
  }
  if (strong !== 0) {
    if (destination.klass !== 'local') return { mask: strong, reason: '' };
    const local = strong & (SOURCE.keys | SOURCE.clipboard | SOURCE.credentialFile);
    if (local !== 0) return { mask: local, reason: '' };
  }
  const inData = maskOf(byRole, DATA_ROLES);
  const offSite = destination.klass !== 'relative' && destination.klass !== 'local';
  if (!offSite) return { mask: 0, reason: '' };
  if ((inData & SOURCE.cookie) !== 0 && offSite) return { mask: SOURCE.cookie, reason: 'outside a request header' };
  if ((inData & SOURCE.sensitiveInput) !== 0 && offSite) {
    const covert = sink.channel === 'image' || sink.channel === 'beacon' || sink.channel === 'websocket';
    const inUrl = ((byRole.get('query')?.mask ?? 0) | (byRole.get('url')?.mask ?? 0)) & SOURCE.sensitiveInput;
    if (covert || inUrl !== 0) return { mask: SOURCE.sensitiveInput, reason: covert ? `through ${sink.api}` : 'in a URL' };
  }
  if ((all & SOURCE.envSecret) !== 0) {
    if (sink.channel === 'dns' || sink.channel === 'udp' || ((byRole.get('host')?.mask ?? 0) & SOURCE.envSecret) !== 0) {
      return { mask: SOURCE.envSecret, reason: sink.channel === 'dns' ? 'in a DNS query' : sink.channel === 'udp' ? 'over UDP' : 'in a host name' };
    }
    const labels = new Set<string>();
    for (const role of DATA_ROLES) for (const origin of byRole.get(role)?.origins ?? []) if ((origin.mask & SOURCE.envSecret) !== 0) labels.add(origin.label);
    if (labels.size >= 2) return { mask: SOURCE.envSecret, reason: 'several secrets together' };
    const foreign = foreignVendorSecret(labels, destination);
    if (foreign !== null) return { mask: SOURCE.envSecret, reason: foreign };
  }
  return { mask: 0, reason: '' };
}

/**
 * Secrets that belong to one service, by variable name, and the domains that service answers on.
 * A GitHub token sent to api.github.com authenticates; sent as data to any other host it is stolen.
 */
const VENDOR_SECRETS: readonly { name: RegExp; vendor: string; domains: readonly string[]; selfHosted?: RegExp }[] = [
  { name: /(?:^|_)(?:GITHUB|GH)(?:_|$)/, vendor: 'GitHub', domains: ['github.com', 'githubusercontent.com', 'ghe.com', 'githubapp.com'], selfHosted: /github|ghe/ },
  {
    name: /(?:^|_)(?:NPM|NODE_AUTH)(?:_|$)/,
    vendor: 'npm',
    domains: ['npmjs.org', 'npmjs.com', 'yarnpkg.com', 'npm.pkg.github.com'],
    // Private registries: Verdaccio, Artifactory, Nexus, GitHub/GitLab/Azure package feeds.
    selfHosted: /npm|registry|artifactory|jfrog|nexus|verdaccio|pkgs?\b|feeds?\b/,
  },
  { name: /(?:^|_)AWS(?:_|$)/, vendor: 'AWS', domains: ['amazonaws.com', 'amazon.com', 'aws'] },
  { name: /(?:^|_)(?:GITLAB|CI_JOB_TOKEN)(?:_|$)/, vendor: 'GitLab', domains: ['gitlab.com'], selfHosted: /gitlab/ },
  { name: /(?:^|_)SLACK(?:_|$)/, vendor: 'Slack', domains: ['slack.com'] },
  { name: /(?:^|_)OPENAI(?:_|$)/, vendor: 'OpenAI', domains: ['openai.com', 'azure.com'] },
  { name: /(?:^|_)ANTHROPIC(?:_|$)/, vendor: 'Anthropic', domains: ['anthropic.com'] },
  { name: /(?:^|_)STRIPE(?:_|$)/, vendor: 'Stripe', domains: ['stripe.com'] },
  { name: /(?:^|_)(?:AZURE|ARM)(?:_|$)/, vendor: 'Azure', domains: ['azure.com', 'microsoft.com', 'windows.net', 'microsoftonline.com', 'azure.net'] },
  { name: /(?:^|_)(?:GOOGLE|GCP|GCLOUD|FIREBASE)(?:_|$)/, vendor: 'Google', domains: ['googleapis.com', 'google.com', 'firebaseio.com'] },
  { name: /(?:^|_)DOCKER(?:HUB)?(?:_|$)/, vendor: 'Docker', domains: ['docker.io', 'docker.com'], selfHosted: /docker|registry|harbor|quay/ },
  { name: /(?:^|_)(?:CLOUDFLARE|CF_API)(?:_|$)/, vendor: 'Cloudflare', domains: ['cloudflare.com'] },
  { name: /(?:^|_)(?:HEROKU)(?:_|$)/, vendor: 'Heroku', domains: ['heroku.com'] },
];
const URL_HOST = /^(?:[a-z][a-z0-9+.-]*:)?\/\/(?:[^@/?#\x00]*@)?([a-z0-9.-]+)(?=[:/?#]|$)/i;

/** A reason when a service's secret is sent as data to a host that is not that service's, or null. */
function foreignVendorSecret(labels: ReadonlySet<string>, destination: Destination): string | null {
  if (destination.klass !== 'constant' || destination.targets.length === 0) return null;
  const hosts: string[] = [];
  for (const target of destination.targets) {
    const host = URL_HOST.exec(target.trim())?.[1]?.toLowerCase();
    if (host === undefined) return null;
    hosts.push(host);
  }
  for (const label of labels) {
    for (const name of label.replace(/^process\.env\./, '').split('|')) {
      const vendor = VENDOR_SECRETS.find((v) => v.name.test(name.toUpperCase()));
      if (vendor === undefined) continue;
      const own = (host: string): boolean =>
        vendor.domains.some((d) => host === d || host.endsWith(`.${d}`) || (!d.includes('.') && host.includes(`.${d}.`))) || (vendor.selfHosted?.test(host) ?? false);
      if (hosts.every((host) => !own(host))) return `with a secret for ${vendor.vendor}, to a host that is not ${vendor.vendor}'s`;
    }
  }
  return null;
}

/** The origin labels of a flow's reported kinds, for messages (`process.env, os.hostname()`). */
export function flowSourceLabels(flow: Flow): string {
  const labels: string[] = [];
  for (const origin of flow.taint.origins) {
    if ((origin.mask & flow.reportedMask) === 0 || labels.includes(origin.label)) continue;
    labels.push(origin.label);
  }
  return labels.slice(0, 3).join(', ');
}

/** A short description of where a sink sends data (`to https://…`), or ''. */
export function describeDestination(destination: Destination): string {
  const first = destination.targets.find((t) => t.replace(new RegExp(HOLE, 'g'), '').length > 0);
  return first === undefined ? '' : ` (${abbreviate(first, 60)})`;
}
