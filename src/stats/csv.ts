// CSV (RFC 4180) of flat rows: a header from the first row's keys, fields quoted when they hold a
// comma, quote or line break. Spreadsheet formulas are defused (a leading = + - @ is quoted with ').
const formulaStart = /^[=+\-@\t\r]/;

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
  if (typeof value === 'string' && formulaStart.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly object[]): string {
  const first = rows[0];
  if (first === undefined) return '';
  const keys = Object.keys(first);
  const lines = rows.map((row) => keys.map((key) => field((row as Record<string, unknown>)[key])).join(','));
  return `${[keys.join(','), ...lines].join('\r\n')}\r\n`;
}
