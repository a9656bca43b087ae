/**
 * The cases of the peer-comparison kit (`make_cases.mjs`): same LCG, seed and templates, so our
 * harness figures sit next to promptfoo's on the same workload.
 */
/** The kit's prompt: this head, then the case's log lines. */
export const HARNESS_PROMPT_HEAD = 'You are a log analysis expert. Respond only in JSON.\n\n';

export function makeHarnessCases(n: number): { logs: string; reference: string }[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const tmpl = [
    () => `sshd[${Math.floor(rnd() * 9000)}]: Failed password for invalid user ${pick(['admin', 'root', 'oracle', 'test'])} from 10.0.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)} port ${Math.floor(rnd() * 60000)} ssh2`,
    () => `[notice] jk2_init() Found child ${Math.floor(rnd() * 9000)} in scoreboard slot ${Math.floor(rnd() * 10)}`,
    () => `[error] mod_jk child workerEnv in error state ${Math.floor(rnd() * 9)}`,
    () => `kernel: EXT4-fs error (device sda${Math.floor(rnd() * 4)}): ext4_find_entry:1455: inode #${Math.floor(rnd() * 99999)}: comm ${pick(['systemd', 'cron', 'bash'])}: reading directory lblock 0`,
    () => `CRON[${Math.floor(rnd() * 9000)}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)`,
  ];
  const cases: { logs: string; reference: string }[] = [];
  for (let i = 0; i < n; i++) {
    const lines = Array.from({ length: 50 }, (_, k) => `${k + 1}: ${pick(tmpl)()}`);
    const ref = JSON.stringify({
      risk_score: Math.floor(rnd() * 100),
      should_alert_user: rnd() > 0.5,
      messages: { critical: [Math.floor(rnd() * 50)], warning: [Math.floor(rnd() * 50)] },
      summary: ['Failed login attempts detected', 'Possible brute force attack'].slice(0, 1 + Math.floor(rnd() * 2)),
    });
    cases.push({ logs: lines.join('\n'), reference: ref });
  }
  return cases;
}

