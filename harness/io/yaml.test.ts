import { describe, expect, it } from 'vitest';
import { parseSuite } from '../suite/load.js';
import { parseYamlFile } from './yaml.js';

/** Nine aliases per level, eight levels: 9^8 ≈ 43 million nodes from a few hundred bytes. */
function aliasBomb(): string {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const name of 'bcdefgh') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(', ')}]`);
  return `name: bomb\n${levels.join('\n')}\n`;
}

describe('parseYamlFile', () => {
  it('gives plain data and names file:line:col of a syntax error', () => {
    expect(parseYamlFile('a: [1, 2]\n', 'f.yaml')).toEqual({ a: [1, 2] });
    expect(() => parseYamlFile('a: [1, 2\n', 'f.yaml')).toThrow(/^f\.yaml:2:1: YAML: /);
  });

  it('names the file and the line of the first alias of an alias bomb ("billion laughs"), in a suite too', () => {
    expect(() => parseYamlFile(aliasBomb(), 'bomb.yaml')).toThrow(/^bomb\.yaml:3:8: YAML: Excessive alias count/);
    expect(() => parseSuite(aliasBomb(), 'suite.yaml')).toThrow(/^suite\.yaml:3:8: YAML: Excessive alias count/);
  });
});
