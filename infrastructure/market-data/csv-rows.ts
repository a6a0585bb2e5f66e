// Splitting a small CSV text into a header and numbered rows, so every refused row can be named by its line.
// Handles a UTF-8 BOM, CRLF, blank lines (skipped) and double-quoted fields ("a,b", "say ""hi""").

export interface CsvRow {
  /** 1-based line in the file; the header is line 1. */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvText {
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

const splitLine = (line: string): string[] => {
  if (!line.includes('"')) return line.split(',').map((f) => f.trim());
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  fields.push(cur.trim());
  return fields;
};

/** Undefined when the text has no header line at all. */
export const readCsv = (text: string): CsvText | undefined => {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return undefined;
  const header = splitLine(lines[headerAt]!).map((h) => h.toLowerCase());
  const rows: CsvRow[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    rows.push({ line: i + 1, fields: splitLine(l) });
  }
  return { header, rows };
};
