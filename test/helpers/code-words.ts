// The words of TypeScript code, comments left out: identifiers and literal texts, each with its line (for tests that read src/).
import ts from 'typescript';

export interface CodeWord {
  /** An identifier's name, or a literal's text (strings, template parts, regular expressions). */
  text: string;
  kind: 'identifier' | 'literal';
  /** From 1. */
  line: number;
}

/** Every word of `text` (a module named `file`), or of its top-level function `only`; undefined when there is no such function. */
export function codeWords(file: string, text: string, only?: string): CodeWord[] | undefined {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const start = only ? source.statements.find((s) => ts.isFunctionDeclaration(s) && s.name?.text === only) : source;
  if (!start) return undefined;
  const words: CodeWord[] = [];
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) words.push({ text: node.text, kind: 'identifier', line: line(node) });
    else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) words.push({ text: node.text, kind: 'literal', line: line(node) });
    node.forEachChild(visit);
  };
  visit(start);
  return words;
}
