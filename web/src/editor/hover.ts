// Hovering an id shows what it names: the project or team from the tracker, or that there is none.
import { hoverTooltip } from '@codemirror/view';
import { tokenize } from '../../../src/rules/index.js';
import { describeId, type Names } from './tracker-names.js';

export function idHover(names: () => Names | undefined) {
  return hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    const tokens = tokenize(line.text);
    const at = pos - line.from;
    const index = tokens.findIndex((t) => t.kind === 'number' && t.start <= at && at <= t.end);
    const id = tokens[index];
    // An id follows 'project' or 'team': the word before it says which.
    const kind = tokens[index - 1]?.text.toLowerCase();
    if (!id || (kind !== 'project' && kind !== 'team')) return null;
    return {
      pos: line.from + id.start,
      end: line.from + id.end,
      above: true,
      create() {
        const dom = document.createElement('div');
        dom.className = 'cm-rule-hover';
        dom.textContent = describeId(kind, Number(id.text), names());
        return { dom };
      },
    };
  });
}
