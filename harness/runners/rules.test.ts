import { describe, expect, it } from 'vitest';
import type { Sample } from '../../core/sample.js';
import { parseAnomalyAnswer, parseCauseRemediation, parseJsonAnalysis } from '../../metrics/tasks/index.js';
import { RulesBaselineRunner } from './rules.js';
import type { RenderedRequest } from './runner.js';

/** Ten lines of loghub BGL_2k.log; the first field is the label, `-` = normal. */
const BGL_LINES = `- 1118769530 2005.06.14 R27-M1-NA-C:J16-U11 2005-06-14-10.18.50.161104 R27-M1-NA-C:J16-U11 RAS KERNEL FATAL exception syndrome register: 0x00800000
- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected
- 1117955341 2005.06.05 R25-M0-N7-C:J02-U01 2005-06-05-00.09.01.903373 R25-M0-N7-C:J02-U01 RAS KERNEL INFO generating core.2275
- 1118193358 2005.06.07 R11-M0-NC-I:J18-U01 2005-06-07-18.15.58.583443 R11-M0-NC-I:J18-U01 RAS APP FATAL ciod: LOGIN chdir(/p/gb2/glosli/8M_5000K/t800) failed: No such file or directory
- 1117842440 2005.06.03 R23-M0-NE-C:J05-U01 2005-06-03-16.47.20.730545 R23-M0-NE-C:J05-U01 RAS KERNEL INFO 63543 double-hummer alignment exceptions
KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048 R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt
KERNSTOR 1118709403 2005.06.13 R10-M1-N5-C:J15-U11 2005-06-13-17.36.43.927885 R10-M1-N5-C:J15-U11 RAS KERNEL FATAL data storage interrupt
APPSEV 1124071359 2005.08.14 R21-M0-N8-I:J18-U11 2005-08-14-19.02.39.467287 R21-M0-N8-I:J18-U11 RAS APP FATAL ciod: Error reading message prefix after LOAD_MESSAGE on CioStream socket to 172.16.96.116:42213: Link has been severed
KERNMNTF 1125552593 2005.08.31 R42-M1-NC-I:J18-U11 2005-08-31-22.29.53.058583 R42-M1-NC-I:J18-U11 RAS KERNEL FATAL Lustre mount FAILED : bglio559 : point /p/gb1
KERNTERM 1121727206 2005.07.18 R20-M1-N8-C:J12-U01 2005-07-18-15.53.26.229596 R20-M1-N8-C:J12-U01 RAS KERNEL FATAL rts: kernel terminated for reason 1001rts: bad message header: invalid cpu, type=42315, cpu=105, index=1207960804, total=2691015`.split(
  '\n',
);

const HDFS_INFO =
  '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating';
const HDFS_WARN =
  '081109 214043 2561 WARN dfs.DataNode$DataXceiver: 10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:';
const SSH_AUTH_FAILURE =
  'Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ';
const SSH_INVALID_USER =
  'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2';

function request(input: string, id = 's1'): RenderedRequest {
  const sample: Sample = { id, input, meta: {} };
  // The prompt is irrelevant to the baseline: it must read sample.input only.
  return { sample, messages: [{ role: 'user', content: 'ignored prompt: authentication failure panic' }] };
}

async function answer(task: string, input: string): Promise<string> {
  const [prediction] = await new RulesBaselineRunner({ task }).runBatch([request(input)]);
  return prediction?.text ?? '';
}

describe('RulesBaselineRunner json-analysis', () => {
  it('numbers lines from 1 and writes the FPT schema with json.dumps spacing', async () => {
    const text = await answer('json-analysis', [HDFS_INFO, SSH_AUTH_FAILURE, HDFS_WARN].join('\n'));
    expect(text).toBe(
      '{"risk_score": 22, "should_alert_user": true, "messages": {"critical": [2], "warning": [3]}, ' +
        '"summary": ["1 critical line: authentication failure", "1 warning line: exception"]}',
    );
    expect(parseJsonAnalysis(text)).toMatchObject({ parsed: true, schemaValid: true });
  });

  it('answers a clean chunk with zero risk, no alert and an empty summary', async () => {
    const text = await answer('json-analysis', `${HDFS_INFO}\r\n${HDFS_INFO}\r\n`);
    expect(text).toBe('{"risk_score": 0, "should_alert_user": false, "messages": {"critical": [], "warning": []}, "summary": []}');
  });

  it('alerts on warnings alone only from risk 50 (25 warning lines)', async () => {
    const below = parseJsonAnalysis(await answer('json-analysis', Array(24).fill(HDFS_WARN).join('\n'))).value;
    expect(below).toMatchObject({ risk_score: 48, should_alert_user: false });
    const at = parseJsonAnalysis(await answer('json-analysis', Array(25).fill(HDFS_WARN).join('\n'))).value;
    expect(at).toMatchObject({ risk_score: 50, should_alert_user: true });
    expect(at?.summary).toEqual(['25 warning lines: exception']);
  });

  it('caps the risk at 100 and lists critical findings first, at most five bullets', async () => {
    const chunk = [HDFS_WARN, HDFS_WARN, SSH_INVALID_USER, ...BGL_LINES, 'kernel: Out of memory: Killed process 42'].join('\n');
    const value = parseJsonAnalysis(await answer('json-analysis', chunk)).value;
    expect(value?.risk_score).toBe(100);
    expect(value?.messages.critical).toEqual([9, 10, 11, 12, 13, 14]);
    expect(value?.summary).toEqual([
      '2 critical lines: hardware fault',
      '1 critical line: I/O node link failure',
      '1 critical line: storage failure',
      '1 critical line: job kernel terminated',
      '1 critical line: out of memory',
    ]);
  });
});

describe('RulesBaselineRunner classification', () => {
  it('labels each real BGL line as its first field says', async () => {
    const runner = new RulesBaselineRunner({ task: 'classification' });
    const predictions = await runner.runBatch(BGL_LINES.map((line, index) => request(line, `bgl-${index}`)));
    const expected = BGL_LINES.map((line) => (line.startsWith('- ') ? 'normal' : 'anomalous'));
    expect(predictions.map((p) => p.label)).toEqual(expected);
    expect(predictions.map((p) => p.text)).toEqual(expected);
    expect(predictions.map((p) => parseAnomalyAnswer(p.text ?? ''))).toEqual(expected);
    expect(predictions.map((p) => p.sampleId)).toEqual(BGL_LINES.map((_, index) => `bgl-${index}`));
  });

  it('reads LogLLM windows joined with " ;-; " (message contents only)', async () => {
    const contents = ['instruction cache parity error corrected', 'generating core.2275', '63543 double-hummer alignment exceptions'];
    expect(await answer('classification', contents.join(' ;-; '))).toBe('normal');
    expect(await answer('classification', [...contents, 'data TLB error interrupt'].join(' ;-; '))).toBe('anomalous');
  });
});

describe('RulesBaselineRunner cause-remediation and text', () => {
  it('names the first critical line as the cause and gives its advice', async () => {
    const text = await answer('cause-remediation', [HDFS_WARN, SSH_AUTH_FAILURE].join('\n'));
    const parts = parseCauseRemediation(text);
    expect(parts.parsed).toBe(true);
    expect(parts.cause).toBe(`authentication failure: ${SSH_AUTH_FAILURE.trim()}`);
    expect(parts.remediation).toMatch(/fail2ban/);
  });

  it('falls back to the first warning line, and to a no-action answer for informational lines', async () => {
    expect(parseCauseRemediation(await answer('cause-remediation', HDFS_WARN)).cause).toMatch(/^exception: 081109/);
    expect(parseCauseRemediation(await answer('cause-remediation', HDFS_INFO))).toEqual({
      parsed: true,
      cause: 'No error or warning keyword found; the message looks informational.',
      remediation: 'No action needed.',
    });
  });

  it('echoes the keyword summary as text', async () => {
    expect(await answer('text', [SSH_INVALID_USER, SSH_AUTH_FAILURE, SSH_INVALID_USER].join('\n'))).toBe(
      '1 critical line: authentication failure\n2 warning lines: suspicious login',
    );
    expect(await answer('text', HDFS_INFO)).toBe('No critical or warning keywords found.');
  });
});

describe('RulesBaselineRunner', () => {
  it('is deterministic, reports no tokens, and returns one prediction per request in order', async () => {
    const batch = [request(BGL_LINES.join('\n'), 'a'), request(HDFS_WARN, 'b'), request('', 'c')];
    for (const task of ['json-analysis', 'classification', 'cause-remediation', 'text'] as const) {
      const runner = new RulesBaselineRunner({ task });
      const first = await runner.runBatch(batch);
      const second = await runner.runBatch(batch);
      expect(first.map((p) => p.text)).toEqual(second.map((p) => p.text));
      expect(first.map((p) => p.sampleId)).toEqual(['a', 'b', 'c']);
      for (const prediction of first) {
        expect(prediction.tokensIn).toBeUndefined();
        expect(prediction.tokensOut).toBeUndefined();
        expect(prediction.error).toBeUndefined();
        expect(Number.isFinite(prediction.latencyMs) && prediction.latencyMs >= 0).toBe(true);
      }
    }
    expect(new RulesBaselineRunner({ task: 'text' }).provider).toBe('rules');
  });
});
