/**
 * The rules baseline's matcher: a deterministic keyword rating of log lines that every task's
 * `rulesAnswer` builds on (see each task file), so each suite shows the floor a model has to beat.
 * It reads the raw log chunk or window, never the rendered prompt.
 */
/*
 * ── The rules ──────────────────────────────────────────────────────────────────────────────────
 * Each non-empty line gets at most one severity:
 *   1. A line matching BENIGN_PATTERNS gets none (hardware that corrected itself, counters of
 *      harmless exceptions: the bulk of BGL's "error" lines are of this kind and labelled normal).
 *   2. Otherwise the first SEVERITY_RULES entry whose pattern matches decides (critical rules come
 *      first, then warnings from specific to generic).
 * Bare level words (`FATAL`, `SEVERE`) are deliberately not rules: in BGL_2k 204 of the 347 FATAL
 * lines are labelled normal, while all but one anomalous line carry one of the specific phrases below.
 *
 * json-analysis  messages.critical / .warning = 1-based line numbers (the numbering the FPT prompt's
 *                example and its gpt-4o-mini labels use; FPT's demo app indexes its batch from 0).
 *                risk_score = min(100, 20 × critical lines + 2 × warning lines);
 *                should_alert_user = any critical line, or risk_score ≥ 50;
 *                summary = one bullet per rule that fired ("3 critical lines: out of memory"),
 *                critical first, then by count, at most 5; empty when nothing fired.
 * classification 'anomalous' when any message (lines or LogLLM ` ;-; ` parts) has a critical rule,
 *                else 'normal'. The critical list covers the BGL alert categories in BGL_2k except
 *                APPCHILD (its "Error creating node map" also occurs in normal lines): per line it
 *                finds 142 of the 143 anomalous BGL_2k lines with no false alarm. It also covers
 *                common Thunderbird / Linux failures (EXT-fs error, OOM, panic, machine check).
 * cause-remediation  "Cause - <rule>: <first critical line, else first warning line>\n
 *                Remediation - <that rule's advice>"; an informational line gets a no-action answer.
 * text           the summary bullets, one per line.
 */
export type Severity = 'critical' | 'warning';

export interface SeverityRule {
  severity: Severity;
  name: string;
  pattern: RegExp;
  advice: string;
}

const BENIGN_PATTERNS: readonly RegExp[] = [
  /\bcorrected\b|attempting to correct/i,
  /alignment exceptions/i,
  /\b(?:no|0) (?:errors?|failures?)\b|without errors?/i,
];

const SEVERITY_RULES: readonly SeverityRule[] = [
  {
    severity: 'critical',
    name: 'kernel panic',
    pattern: /\bpanic\b|\bkernel BUG\b/i,
    advice: 'Capture the console log and crash dump, check recent kernel, driver or firmware changes, then reboot the node.',
  },
  {
    severity: 'critical',
    name: 'process crash',
    pattern: /\bsegfault\b|segmentation fault|core dumped|general protection fault/i,
    advice: 'Inspect the core dump or backtrace of the crashed process, update or fix it, and restart the service.',
  },
  {
    severity: 'critical',
    name: 'out of memory',
    pattern: /out of memory|oom-killer|killed process/i,
    advice: 'Find the process exhausting memory, add memory or swap or set limits, and restart what the OOM killer stopped.',
  },
  {
    severity: 'critical',
    name: 'hardware fault',
    pattern: /\b(?:data|instruction) TLB error interrupt|data storage interrupt|machine check (?:interrupt|exception)|uncorrectable|temperature above threshold|NMI received/i,
    advice: 'Run hardware diagnostics on the node (memory, CPU, temperature) and drain it from scheduling until it passes.',
  },
  {
    severity: 'critical',
    name: 'job kernel terminated',
    pattern: /kernel terminated/i,
    advice: 'Check the console logs of the job’s compute nodes, fix the failing node or binary, and resubmit the job.',
  },
  {
    severity: 'critical',
    name: 'I/O node link failure',
    pattern: /link has been severed|error reading message prefix|failed to read message prefix|error receiving packet/i,
    advice: 'Check the network path between compute and I/O nodes (cables, switches) and restart the I/O daemon.',
  },
  {
    severity: 'critical',
    name: 'storage failure',
    pattern: /lustre mount failed|ext[234]-fs error|input\/output error|\bI\/O error\b|read-only file ?system/i,
    advice: 'Check disk and file-system health (SMART, fsck) and the storage servers, then remount once healthy.',
  },
  {
    severity: 'critical',
    name: 'authentication failure',
    pattern: /authentication failure|failed password for root|possible break-?in attempt|maximum authentication attempts exceeded/i,
    advice: 'Block the offending source addresses (firewall, fail2ban), disable root and password SSH logins, and require keys.',
  },
  {
    severity: 'critical',
    name: 'fatal error',
    // Not /i: the upper-case level word (BGL `FATAL exception syndrome register`) is no verdict.
    pattern: /\b[Ff]atal (?:error|exception|signal)\b|\b[Ff]atal:/,
    advice: 'Read the error and the lines before it, fix the failing component’s configuration or dependency, and restart it.',
  },
  {
    severity: 'warning',
    name: 'suspicious login',
    pattern: /failed password|invalid user|failed publickey|did not receive identification/i,
    advice: 'Review the login attempts and their sources; block addresses that keep failing.',
  },
  {
    severity: 'warning',
    name: 'access denied',
    pattern: /denied|forbidden|not permitted|unauthori[sz]ed/i,
    advice: 'Check the permissions and access rules of the resource and who requested it.',
  },
  {
    severity: 'warning',
    name: 'timeout',
    pattern: /timed? ?out\b|timeout/i,
    advice: 'Check the remote service’s health and the network latency; raise the timeout only if both are fine.',
  },
  {
    severity: 'warning',
    name: 'connection problem',
    pattern: /refused|connection (?:reset|closed|broken|lost)|unreachable|broken pipe|no route to host/i,
    advice: 'Check that the peer service is running and reachable (ports, firewall, DNS).',
  },
  {
    severity: 'warning',
    name: 'missing resource',
    pattern: /not found|no such file|does not exist|can'?t find|can ?not find|\bmissing\b/i,
    advice: 'Check the path or name in the configuration and that the resource was deployed.',
  },
  {
    severity: 'warning',
    name: 'core file generated',
    pattern: /generating core/i,
    advice: 'Collect the core file and find out why the process crashed.',
  },
  {
    severity: 'warning',
    name: 'exception',
    pattern: /\bexception\b/i,
    advice: 'Read the stack trace and fix the code or input that raises it.',
  },
  {
    severity: 'warning',
    name: 'operation failed',
    pattern: /\bfail(?:s|ed|ure|ing)?\b|could ?n[o']t|unable to|can ?not|can't/i,
    advice: 'Read the failing operation’s message, fix its cause, and retry it.',
  },
  {
    severity: 'warning',
    name: 'error',
    pattern: /\berr(?:or|ors)?\b/i,
    advice: 'Read the error message and the lines around it to find the failing component.',
  },
  {
    severity: 'warning',
    name: 'warning',
    pattern: /\bwarn(?:ing)?\b/i,
    advice: 'Review the warning and act if it repeats or grows.',
  },
  {
    severity: 'warning',
    name: 'operation interrupted',
    pattern: /\binterrupt(?:ed|ing)\b|\bkilled\b|\baborted?\b/i,
    advice: 'Check why the operation was stopped (shutdown, signal, lost peer) and whether it was retried.',
  },
];

export const CRITICAL_LINE_POINTS = 20;
export const WARNING_LINE_POINTS = 2;
export const ALERT_RISK_THRESHOLD = 50;
const MAX_SUMMARY_BULLETS = 5;
export const CAUSE_EXCERPT_CHARS = 200;
/** LogLLM joins a window's messages with this separator. */
export const LOGLLM_SEPARATOR = ' ;-; ';

// ── Matching ─────────────────────────────────────────────────────────────────────────────────────

export interface RatedLine {
  /** 1-based position in the input. */
  lineNumber: number;
  text: string;
  rule: SeverityRule;
}

function matchRule(line: string): SeverityRule | undefined {
  if (BENIGN_PATTERNS.some((pattern) => pattern.test(line))) return undefined;
  return SEVERITY_RULES.find((rule) => rule.pattern.test(line));
}

export function rateLines(lines: readonly string[]): RatedLine[] {
  const rated: RatedLine[] = [];
  lines.forEach((text, index) => {
    const rule = text.trim() === '' ? undefined : matchRule(text);
    if (rule !== undefined) rated.push({ lineNumber: index + 1, text: text.trim(), rule });
  });
  return rated;
}

export function inputLines(input: string): string[] {
  return input.split(/\r?\n/);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One bullet per rule that fired: critical rules first, then the most frequent. */
export function summaryBullets(rated: readonly RatedLine[]): string[] {
  const counts = new Map<SeverityRule, number>();
  for (const { rule } of rated) counts.set(rule, (counts.get(rule) ?? 0) + 1);
  return [...counts]
    .sort(([a, countA], [b, countB]) => Number(b.severity === 'critical') - Number(a.severity === 'critical') || countB - countA)
    .slice(0, MAX_SUMMARY_BULLETS)
    .map(([rule, count]) => `${plural(count, `${rule.severity} line`)}: ${rule.name}`);
}

/**
 * JSON with Python `json.dumps`' default separators (", " and ": "), the spacing of FPT's
 * references, so text-similarity metrics compare content rather than whitespace.
 */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}: ${pythonJsonDumps(member)}`);
    return `{${members.join(', ')}}`;
  }
  return JSON.stringify(value);
}
