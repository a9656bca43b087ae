import { describe, expect, it } from 'vitest';
import { aliasBombYaml } from '../../test/support/alias-bomb.js';
import { parseSuite } from '../../harness/suite/load.js';
import { parseYamlFile } from './yaml.js';

describe('parseYamlFile', () => {
  it('gives plain data and names file:line:col of a syntax error', () => {
    expect(parseYamlFile('a: [1, 2]\n', 'f.yaml')).toEqual({ a: [1, 2] });
    expect(() => parseYamlFile('a: [1, 2\n', 'f.yaml')).toThrow(/^f\.yaml:2:1: YAML: /);
  });

  it('names the file and the line of the first alias of an alias bomb ("billion laughs"), in a suite too', () => {
    expect(() => parseYamlFile(aliasBombYaml('name: bomb'), 'bomb.yaml')).toThrow(/^bomb\.yaml:3:8: YAML: Excessive alias count/);
    expect(() => parseSuite(aliasBombYaml('name: bomb'), 'suite.yaml')).toThrow(/^suite\.yaml:3:8: YAML: Excessive alias count/);
  });
});
