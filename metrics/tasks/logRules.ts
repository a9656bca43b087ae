/**
 * The rules baseline's matcher: a deterministic keyword rating of log lines that every task's
 * `rulesAnswer` builds on (see each task file), so each suite shows the floor a model has to beat.
 * It reads the raw log chunk or window, never the rendered prompt.
 */
import type { LoghubSystem } from '../../datasets/shipped.js';

/*
 * ── The rules ──────────────────────────────────────────────────────────────────────────────────
 * Each non-empty line gets at most one severity:
 *   1. A line matching BENIGN_RULES gets none (hardware that corrected itself, counters of
 *      harmless exceptions: the bulk of BGL's "error" lines are of this kind and labelled normal).
 *   2. Otherwise the first SEVERITY_RULES entry whose pattern matches decides (critical rules come
 *      first, then warnings from specific to generic).
 * Bare level words (`FATAL`, `SEVERE`) are deliberately not rules: in the BGL_2k training part 179 of
 * the 298 FATAL lines are labelled normal.
 *
 * ── Where the phrases come from (no held-out line) ─────────────────────────────────────────────
 * Every phrase is either seen in the training part of a shipped loghub log, the first
 * RULES_TRAINING_FRACTION of its lines (BGL_2k: lines 1–1600, the part the default suite's held-out
 * windows from line 1601 never touch), or named by an outside source that documents it (kernel,
 * OpenSSH and glibc message texts, the PowerPC 440 interrupt names, RFC 9110 status phrases). Each
 * rule says which in `provenance`; logRules.test.ts recomputes every training claim from the
 * training lines, the figures below, and checks that no critical rule catches a held-out anomalous
 * BGL line with a phrase that neither the training lines nor the rule's outside source contain.
 *
 * json-analysis  messages.critical / .warning = 1-based line numbers (the numbering the FPT prompt's
 *                example and its gpt-4o-mini labels use; FPT's demo app indexes its batch from 0).
 *                risk_score = min(100, 20 × critical lines + 2 × warning lines);
 *                should_alert_user = any critical line, or risk_score ≥ 50;
 *                summary = one bullet per rule that fired ("3 critical lines: out of memory"),
 *                critical first, then by count, at most 5; empty when nothing fired.
 * classification 'anomalous' when any message (lines or LogLLM ` ;-; ` parts) has a critical rule,
 *                else 'normal'. The BGL critical phrases are those of the alert categories in the
 *                training part except APPCHILD (its "Error creating node map" also occurs in normal
 *                lines): per line they find 118 of the 119 anomalous training lines and flag 0 of
 *                the 1481 normal ones. Outside sources add common Linux / OpenSSH failures (EXT-fs
 *                error, OOM, kernel BUG, machine check, exhausted login attempts).
 * cause-remediation  "Cause - <rule>: <first critical line, else first warning line>\n
 *                Remediation - <that rule's advice>"; an informational line gets a no-action answer.
 * text           the summary bullets, one per line.
 */
export type Severity = 'critical' | 'warning';

/**
 * Where a rule's phrases come from. `training`: each phrase occurs in the training part of that
 * system's shipped log (for a critical BGL rule, in its anomalous lines). `outside`: `reference`
 * names where the phrases are documented. Every alternative of a pattern is spelled by a phrase.
 */
export type RuleProvenance =
  | { source: 'training'; system: LoghubSystem; phrases: readonly string[] }
  | { source: 'outside'; reference: string; phrases: readonly string[] };

export interface SeverityRule {
  severity: Severity;
  name: string;
  pattern: RegExp;
  advice: string;
  provenance: readonly RuleProvenance[];
}

export interface BenignRule {
  pattern: RegExp;
  provenance: readonly RuleProvenance[];
}

/** The share of each shipped loghub log, from its start, that the rules may be derived from. */
export const RULES_TRAINING_FRACTION = 0.8;

const ERRNO_TEXTS = 'glibc strerror texts, errno(3)';
const HTTP_STATUS = 'RFC 9110 §15 status reason phrases';

export const BENIGN_RULES: readonly BenignRule[] = [
  {
    pattern: /\bcorrected\b|attempting to correct/i,
    provenance: [{ source: 'training', system: 'BGL', phrases: ['corrected', 'attempting to correct'] }],
  },
  {
    pattern: /alignment exceptions/i,
    provenance: [{ source: 'training', system: 'BGL', phrases: ['alignment exceptions'] }],
  },
];

export const SEVERITY_RULES: readonly SeverityRule[] = [
  {
    severity: 'critical',
    name: 'kernel panic',
    pattern: /\bpanic\b|\bkernel BUG\b/i,
    advice: 'Capture the console log and crash dump, check recent kernel, driver or firmware changes, then reboot the node.',
    provenance: [
      { source: 'training', system: 'BGL', phrases: ['panic'] },
      { source: 'outside', reference: 'Linux lib/bug.c: "kernel BUG at %s:%u!"', phrases: ['kernel BUG'] },
    ],
  },
  {
    severity: 'critical',
    name: 'process crash',
    pattern: /\bsegfault\b|segmentation fault|core dumped|general protection fault/i,
    advice: 'Inspect the core dump or backtrace of the crashed process, update or fix it, and restart the service.',
    provenance: [
      {
        source: 'outside',
        reference:
          'Linux arch/x86/mm/fault.c "%s[%d]: segfault at %lx", arch/x86/kernel/traps.c "general protection fault"; strsignal(3) SIGSEGV "Segmentation fault", bash "(core dumped)"',
        phrases: ['segfault', 'segmentation fault', 'core dumped', 'general protection fault'],
      },
    ],
  },
  {
    severity: 'critical',
    name: 'out of memory',
    pattern: /out of memory|oom-killer|killed process/i,
    advice: 'Find the process exhausting memory, add memory or swap or set limits, and restart what the OOM killer stopped.',
    provenance: [
      {
        source: 'outside',
        reference: 'Linux mm/oom_kill.c: "%s invoked oom-killer", "Out of memory: Killed process %d (%s)"',
        phrases: ['out of memory', 'oom-killer', 'killed process'],
      },
    ],
  },
  {
    severity: 'critical',
    name: 'hardware fault',
    pattern: /\b(?:data|instruction) TLB error interrupt|data storage interrupt|machine check (?:interrupt|exception)|uncorrectable|temperature above threshold|NMI received/i,
    advice: 'Run hardware diagnostics on the node (memory, CPU, temperature) and drain it from scheduling until it passes.',
    provenance: [
      { source: 'training', system: 'BGL', phrases: ['data TLB error interrupt', 'data storage interrupt'] },
      {
        // BG/L compute nodes are PowerPC 440 cores: their kernel names the Book E interrupt it took.
        source: 'outside',
        reference: 'IBM PowerPC 440 core user manual, interrupt vectors IVOR1 "Machine Check interrupt", IVOR14 "Instruction TLB Error interrupt"',
        phrases: ['instruction TLB error interrupt', 'machine check interrupt'],
      },
      {
        source: 'outside',
        reference:
          'Linux arch/x86/kernel/cpu/mce/core.c "CPU %d: Machine Check%s" (%s = " Exception"), mce/therm_throt.c "%s temperature above threshold, cpu clock throttled", arch/x86/kernel/nmi.c "Uhhuh. NMI received for unknown reason"; smartd "Offline uncorrectable sectors"',
        phrases: ['machine check exception', 'temperature above threshold', 'NMI received', 'uncorrectable'],
      },
    ],
  },
  {
    severity: 'critical',
    name: 'job kernel terminated',
    pattern: /kernel terminated/i,
    advice: 'Check the console logs of the job’s compute nodes, fix the failing node or binary, and resubmit the job.',
    provenance: [{ source: 'training', system: 'BGL', phrases: ['kernel terminated'] }],
  },
  {
    severity: 'critical',
    name: 'I/O node link failure',
    pattern: /link has been severed|error reading message prefix|failed to read message prefix|error receiving packet/i,
    advice: 'Check the network path between compute and I/O nodes (cables, switches) and restart the I/O daemon.',
    provenance: [
      {
        source: 'training',
        system: 'BGL',
        phrases: ['link has been severed', 'error reading message prefix', 'failed to read message prefix', 'error receiving packet'],
      },
    ],
  },
  {
    severity: 'critical',
    name: 'storage failure',
    pattern: /lustre mount failed|ext[234]-fs error|\bI\/O error\b|read-only file ?system/i,
    advice: 'Check disk and file-system health (SMART, fsck) and the storage servers, then remount once healthy.',
    provenance: [
      { source: 'training', system: 'BGL', phrases: ['lustre mount failed'] },
      {
        source: 'outside',
        reference: `Linux fs/ext4/super.c "EXT4-fs error (device %s)", fs/buffer.c "Buffer I/O error on dev %pg"; ${ERRNO_TEXTS}: EROFS "Read-only file system"`,
        phrases: ['EXT4-fs error', 'I/O error', 'read-only file system'],
      },
    ],
  },
  {
    severity: 'critical',
    name: 'authentication failure',
    pattern: /authentication failure|failed password for root|possible break-?in attempt|maximum authentication attempts exceeded/i,
    advice: 'Block the offending source addresses (firewall, fail2ban), disable root and password SSH logins, and require keys.',
    provenance: [
      { source: 'training', system: 'Linux', phrases: ['authentication failure'] },
      { source: 'training', system: 'OpenSSH', phrases: ['authentication failure', 'failed password for root', 'possible break-in attempt'] },
      {
        source: 'outside',
        reference: 'OpenSSH auth.c: "maximum authentication attempts exceeded for %s%.100s from %.200s port %d ssh2"',
        phrases: ['maximum authentication attempts exceeded'],
      },
    ],
  },
  {
    severity: 'critical',
    name: 'fatal error',
    // Not /i: the upper-case level word (BGL `FATAL exception syndrome register`) is no verdict.
    pattern: /\b[Ff]atal (?:error|exception|signal)\b|\b[Ff]atal:/,
    advice: 'Read the error and the lines before it, fix the failing component’s configuration or dependency, and restart it.',
    provenance: [
      {
        source: 'outside',
        reference:
          'OpenSSH log.c level prefix "fatal: "; PHP "PHP Fatal error:"; Linux arch/x86/kernel/dumpstack.c panic("Fatal exception"); Android bionic "Fatal signal %d (%s)"',
        phrases: ['fatal:', 'Fatal error', 'Fatal exception', 'Fatal signal'],
      },
    ],
  },
  {
    severity: 'warning',
    name: 'suspicious login',
    pattern: /failed password|invalid user|failed publickey|did not receive identification/i,
    advice: 'Review the login attempts and their sources; block addresses that keep failing.',
    provenance: [
      { source: 'training', system: 'OpenSSH', phrases: ['failed password', 'invalid user', 'did not receive identification'] },
      { source: 'outside', reference: 'OpenSSH auth.c auth_log: "Failed publickey for <user> from <address> port <port> ssh2"', phrases: ['failed publickey'] },
    ],
  },
  {
    severity: 'warning',
    name: 'access denied',
    pattern: /denied|forbidden|not permitted|unauthori[sz]ed/i,
    advice: 'Check the permissions and access rules of the resource and who requested it.',
    provenance: [
      { source: 'training', system: 'BGL', phrases: ['denied'] },
      { source: 'training', system: 'Apache', phrases: ['forbidden'] },
      { source: 'outside', reference: `${ERRNO_TEXTS}: EPERM "Operation not permitted"; ${HTTP_STATUS}: 401 Unauthorized`, phrases: ['not permitted', 'unauthorized'] },
    ],
  },
  {
    severity: 'warning',
    name: 'timeout',
    pattern: /timed? ?out\b|timeout/i,
    advice: 'Check the remote service’s health and the network latency; raise the timeout only if both are fine.',
    provenance: [
      { source: 'training', system: 'Linux', phrases: ['timed out'] },
      { source: 'outside', reference: `${HTTP_STATUS}: 408 Request Timeout, 504 Gateway Timeout`, phrases: ['timeout'] },
    ],
  },
  {
    severity: 'warning',
    name: 'connection problem',
    pattern: /refused|connection (?:reset|closed|lost)|unreachable|broken pipe|no route to host/i,
    advice: 'Check that the peer service is running and reachable (ports, firewall, DNS).',
    provenance: [
      { source: 'training', system: 'Thunderbird', phrases: ['refused', 'connection closed', 'connection lost'] },
      {
        source: 'outside',
        reference: `${ERRNO_TEXTS}: ECONNRESET "Connection reset by peer", ENETUNREACH "Network is unreachable", EPIPE "Broken pipe", EHOSTUNREACH "No route to host"`,
        phrases: ['connection reset', 'unreachable', 'broken pipe', 'no route to host'],
      },
    ],
  },
  {
    severity: 'warning',
    name: 'missing resource',
    pattern: /not found|no such file|does not exist|can'?t find|can ?not find|\bmissing\b/i,
    advice: 'Check the path or name in the configuration and that the resource was deployed.',
    provenance: [
      { source: 'training', system: 'BGL', phrases: ['no such file', 'missing'] },
      { source: 'training', system: 'Apache', phrases: ["can't find"] },
      {
        source: 'outside',
        reference: `${HTTP_STATUS}: 404 Not Found; PostgreSQL 'relation "%s" does not exist'; GNU ld "cannot find -l%s"`,
        phrases: ['not found', 'does not exist', 'cannot find'],
      },
    ],
  },
  {
    severity: 'warning',
    name: 'core file generated',
    pattern: /generating core/i,
    advice: 'Collect the core file and find out why the process crashed.',
    provenance: [{ source: 'training', system: 'BGL', phrases: ['generating core'] }],
  },
  {
    severity: 'warning',
    name: 'exception',
    pattern: /\bexception\b/i,
    advice: 'Read the stack trace and fix the code or input that raises it.',
    provenance: [{ source: 'training', system: 'HDFS', phrases: ['exception'] }],
  },
  {
    severity: 'warning',
    name: 'operation failed',
    pattern: /\bfail(?:s|ed|ure|ing)?\b|could ?n[o']t|unable to|can ?not|can't/i,
    advice: 'Read the failing operation’s message, fix its cause, and retry it.',
    provenance: [
      { source: 'training', system: 'OpenSSH', phrases: ['fail', 'failed', 'failure'] },
      { source: 'training', system: 'Linux', phrases: ["couldn't"] },
      { source: 'training', system: 'Thunderbird', phrases: ['unable to', 'cannot'] },
      { source: 'training', system: 'BGL', phrases: ['can not'] },
      { source: 'training', system: 'Apache', phrases: ["can't"] },
    ],
  },
  {
    severity: 'warning',
    name: 'error',
    pattern: /\berr(?:or|ors)?\b/i,
    advice: 'Read the error message and the lines around it to find the failing component.',
    provenance: [{ source: 'training', system: 'Apache', phrases: ['error'] }, { source: 'training', system: 'BGL', phrases: ['errors'] }],
  },
  {
    severity: 'warning',
    name: 'warning',
    pattern: /\bwarn(?:ing)?\b/i,
    advice: 'Review the warning and act if it repeats or grows.',
    provenance: [{ source: 'training', system: 'HDFS', phrases: ['warn'] }, { source: 'training', system: 'Thunderbird', phrases: ['warning'] }],
  },
  {
    severity: 'warning',
    name: 'operation interrupted',
    pattern: /\binterrupt(?:ed|ing)\b|\bkilled\b|\baborted?\b/i,
    advice: 'Check why the operation was stopped (shutdown, signal, lost peer) and whether it was retried.',
    provenance: [
      {
        source: 'outside',
        reference: `${ERRNO_TEXTS}: EINTR "Interrupted system call"; strsignal(3): SIGKILL "Killed", SIGABRT "Aborted"`,
        phrases: ['interrupted', 'killed', 'aborted'],
      },
    ],
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
  if (BENIGN_RULES.some(({ pattern }) => pattern.test(line))) return undefined;
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
