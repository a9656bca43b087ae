/*
 * The rules may come from the training part of the shipped logs or from a named outside source,
 * never from held-out lines. This recomputes every provenance claim and the header's figures from
 * the training lines, read with the loaders' own readers, and checks the held-out BGL alerts.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { logFormatRegex } from '../../datasets/loaders/loghubWindows.js';
import { readDatasetText, splitLines } from '../../datasets/records.js';
import { LOGHUB_SYSTEMS, LOGLLM_LOG_FORMATS, shippedLoghubLog, type LoghubSystem } from '../../datasets/shipped.js';
import { BENIGN_RULES, rateLines, RULES_TRAINING_FRACTION, SEVERITY_RULES, type RuleProvenance } from './logRules.js';

interface LogParts {
  training: string[];
  heldOut: string[];
}

interface BglLine {
  text: string;
  content: string;
  level: string;
  anomalous: boolean;
}

const logs = new Map<LoghubSystem, LogParts>();
let bglTraining: BglLine[] = [];
let bglHeldOut: BglLine[] = [];

function bglLine(text: string): BglLine {
  const groups = logFormatRegex(LOGLLM_LOG_FORMATS.BGL).exec(text.trim())?.groups;
  if (groups?.Label === undefined || groups.Content === undefined || groups.Level === undefined) throw new Error(`BGL_2k.log: unparsable line ${text}`);
  return { text, content: groups.Content, level: groups.Level, anomalous: groups.Label !== '-' };
}

beforeAll(async () => {
  for (const system of LOGHUB_SYSTEMS) {
    const lines = splitLines(await readDatasetText(shippedLoghubLog(system)));
    const cut = Math.round(lines.length * RULES_TRAINING_FRACTION);
    logs.set(system, { training: lines.slice(0, cut), heldOut: lines.slice(cut) });
  }
  bglTraining = parts('BGL').training.map(bglLine);
  bglHeldOut = parts('BGL').heldOut.map(bglLine);
});

function parts(system: LoghubSystem): LogParts {
  const found = logs.get(system);
  if (found === undefined) throw new Error(`${system} not loaded`);
  return found;
}

const allRules = [...SEVERITY_RULES.map((rule) => ({ ...rule, label: `${rule.severity} '${rule.name}'` })), ...BENIGN_RULES.map((rule) => ({ ...rule, label: `benign ${rule.pattern}` }))];

function phrases(provenance: readonly RuleProvenance[], source?: RuleProvenance['source']): string[] {
  return provenance.filter((entry) => source === undefined || entry.source === source).flatMap((entry) => [...entry.phrases]);
}

/** The `|`-separated alternatives at the top level of a regex source. */
function topLevelAlternatives(source: string): string[] {
  const alternatives: string[] = [];
  let current = '';
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source.charAt(i);
    if (char === '\\') {
      current += char + source.charAt(i + 1);
      i += 1;
      continue;
    }
    if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) {
      alternatives.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  return [...alternatives, current];
}

const spells = (alternative: string, flags: string, phrase: string): boolean => new RegExp(`^(?:${alternative})$`, flags).test(phrase);
const contains = (lines: readonly string[], phrase: string): boolean => lines.some((line) => line.toLowerCase().includes(phrase.toLowerCase()));

describe('rules provenance', () => {
  it('spells every alternative of every pattern with a declared phrase, and every phrase is one alternative', () => {
    for (const rule of allRules) {
      const alternatives = topLevelAlternatives(rule.pattern.source);
      const declared = phrases(rule.provenance);
      for (const alternative of alternatives) {
        expect(declared.some((phrase) => spells(alternative, rule.pattern.flags, phrase)), `${rule.label}: /${alternative}/ has no phrase`).toBe(true);
      }
      for (const phrase of declared) {
        expect(alternatives.some((alternative) => spells(alternative, rule.pattern.flags, phrase)), `${rule.label}: "${phrase}" is no alternative`).toBe(true);
      }
      for (const entry of rule.provenance) {
        if (entry.source === 'outside') expect(entry.reference.trim(), `${rule.label}: outside source unnamed`).not.toBe('');
      }
    }
  });

  it('finds each training phrase in its system’s training lines, a critical BGL phrase in anomalous ones', () => {
    const anomalousTraining = bglTraining.filter((line) => line.anomalous).map((line) => line.text);
    for (const rule of allRules) {
      for (const entry of rule.provenance) {
        if (entry.source !== 'training') continue;
        const lines = 'severity' in rule && rule.severity === 'critical' && entry.system === 'BGL' ? anomalousTraining : parts(entry.system).training;
        for (const phrase of entry.phrases) expect(contains(lines, phrase), `${rule.label}: "${phrase}" not in ${entry.system} training lines`).toBe(true);
      }
    }
  });

  it('declares every text a pattern matches anywhere in the shipped logs (training or held out)', () => {
    const undeclared = new Set<string>();
    for (const system of LOGHUB_SYSTEMS) {
      for (const line of [...parts(system).training, ...parts(system).heldOut]) {
        for (const rule of allRules) {
          const matched = rule.pattern.exec(line)?.[0];
          const declared = phrases(rule.provenance).map((phrase) => phrase.toLowerCase());
          if (matched !== undefined && !declared.includes(matched.toLowerCase())) undeclared.add(`${rule.label}: "${matched}" (${system})`);
        }
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('catches no held-out anomalous BGL line with a phrase absent from the training lines and the rule’s outside source', () => {
    const training = bglTraining.map((line) => line.text);
    const unjustified = new Set<string>();
    for (const line of bglHeldOut.filter((l) => l.anomalous)) {
      // The raw line is a json-analysis input, its Content a classification window's message.
      for (const input of [line.text, line.content]) {
        const [rated] = rateLines([input]);
        if (rated?.rule.severity !== 'critical') continue;
        const matched = rated.rule.pattern.exec(input)?.[0] ?? '';
        // Read leniently: a matcher without provenance (an older one) has no outside source.
        const outside = phrases((rated.rule as { provenance?: readonly RuleProvenance[] }).provenance ?? [], 'outside').map((p) => p.toLowerCase());
        if (!contains(training, matched) && !outside.includes(matched.toLowerCase())) unjustified.add(`'${rated.rule.name}' "${matched}": ${line.content}`);
      }
    }
    expect([...unjustified]).toEqual([]);
  });
});

describe('the held-out BGL lines', () => {
  it('lose only the alert no training line names: APPOUT\'s "Input/output error" is now a warning', () => {
    const missed = bglHeldOut.filter((line) => line.anomalous && !rateLines([line.content]).some(({ rule }) => rule.severity === 'critical'));
    expect(missed.map((line) => line.text.split(' ')[0])).toEqual(['APPOUT']);
    expect(rateLines([missed[0]?.content ?? ''])[0]?.rule.name).toBe('operation failed');
    expect(bglHeldOut.filter((line) => !line.anomalous && rateLines([line.content]).some(({ rule }) => rule.severity === 'critical'))).toEqual([]);
  });
});

describe('the figures logRules.ts states', () => {
  it('are recomputed on the BGL training lines', async () => {
    const header = await readFile(new URL('./logRules.ts', import.meta.url), 'utf8');
    const critical = (line: BglLine): boolean => rateLines([line.content]).some(({ rule }) => rule.severity === 'critical');
    const anomalous = bglTraining.filter((line) => line.anomalous);
    const normal = bglTraining.filter((line) => !line.anomalous);
    const found = anomalous.filter(critical).length;
    const falseAlarms = normal.filter(critical).length;
    expect(header).toMatch(
      new RegExp(`find ${found} of the ${anomalous.length} anomalous training lines and flag ${falseAlarms} of\\s+\\*\\s+the ${normal.length} normal ones`),
    );
    const fatal = bglTraining.filter((line) => line.level === 'FATAL');
    const fatalNormal = fatal.filter((line) => !line.anomalous).length;
    expect(header).toMatch(new RegExp(`training part ${fatalNormal} of\\s+\\*\\s+the ${fatal.length} FATAL lines are labelled normal`));
    // The split the default suite scores: training ends where its first held-out window starts.
    expect(bglTraining.length).toBe(1600);
  });
});
