import { isAlias, LineCounter, parseDocument, visit } from 'yaml';
import { InputRecordError } from './inputError.js';

/**
 * The first line of a `yaml` error without the source it quotes after a colon ("Unexpected scalar
 * token in YAML stream: "<the line>"", "Unresolved alias ...: <name>"): the file may be anything.
 */
function yamlReason(message: string): string {
  const first = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '');
  return first.split(': ')[0] ?? first;
}

/**
 * A YAML file's text as plain data. A syntax error names file:line:col; so does an alias bomb
 * ("billion laughs", which `yaml` refuses past its maxAliasCount without a position): at its first alias.
 */
export function parseYamlFile(source: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true });
  const [error] = doc.errors;
  if (error) throw new InputRecordError(file, error.linePos?.[0].line, `YAML: ${yamlReason(error.message)}`, error.linePos?.[0].col);
  try {
    return doc.toJS();
  } catch (err) {
    let aliasAt: number | undefined;
    visit(doc, (_key, node) => {
      if (!isAlias(node)) return undefined;
      aliasAt = node.range?.[0];
      return visit.BREAK;
    });
    const pos = aliasAt === undefined ? undefined : lineCounter.linePos(aliasAt);
    throw new InputRecordError(file, pos?.line, `YAML: ${yamlReason((err as Error).message)}`, pos?.col);
  }
}
