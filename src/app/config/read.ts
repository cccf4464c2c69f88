// Reading a configuration file: YAML syntax, then the document's shape. Every problem is kept, each
// named by where it is (`3:7` in the text for syntax, `profiles[0].source` for shape).
import { parseDocument } from 'yaml';
import type { FieldError } from '../errors.js';
import { configDocument, yamlPath, type ConfigDocument } from './document.js';

export function readConfigText(text: string): { document: ConfigDocument } | { errors: FieldError[] } {
  const parsed = parseDocument(text);
  if (parsed.errors.length) {
    return {
      errors: parsed.errors.map((e) => ({
        field: e.linePos ? `${e.linePos[0].line}:${e.linePos[0].col}` : '(file)',
        message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      })),
    };
  }
  const shape = configDocument.safeParse(parsed.toJS() ?? {});
  if (!shape.success) {
    return {
      errors: shape.error.issues.flatMap((issue) =>
        // A misspelt key is named where it stands, one error each.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ field: yamlPath([...issue.path, key]), message: `'${key}' is not known here` }))
          : [{ field: yamlPath(issue.path) || '(file)', message: issue.message }],
      ),
    };
  }
  return { document: shape.data };
}
