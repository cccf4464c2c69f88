// Text made from RTF or HTML: control characters out, trailing blanks off every line, at most one
// empty line in a row. Line by line, so linear whatever the input holds.
export function tidyLines(text: string): string {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trimEnd();
    if (line === '' && (lines.length === 0 || lines.at(-1) === '')) continue;
    lines.push(line);
  }
  return lines.join('\n').trim();
}
