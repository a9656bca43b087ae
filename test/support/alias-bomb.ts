/**
 * A YAML "billion laughs": nine aliases per level over eight levels, about 43 million nodes from a few
 * hundred bytes. `head` goes first (line 1); the first alias is on the line after `a`, at column 8.
 */
export function aliasBombYaml(head: string, tail = ''): string {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const name of 'bcdefgh') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(', ')}]`);
  return `${head}\n${levels.join('\n')}\n${tail}`;
}
