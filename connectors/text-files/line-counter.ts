const LINE_BREAK = /\r\n|\r|\n/g;
const LEADING_BREAKS = /^(?:\r\n|\r|\n)+/;
const TRAILING_BREAK = /(?:\r\n|\r|\n)$/;

function countBreaks(text: string): number {
  let n = 0;
  LINE_BREAK.lastIndex = 0;
  while (LINE_BREAK.exec(text) !== null) n++;
  return n;
}

/**
 * Follows the line numbers of consecutive raw record texts (a record may span lines through quoted line breaks,
 * and blank lines before it are part of its raw text). Lines are numbered from 1.
 */
export class LineCounter {
  private next = 1;

  /** The first and last line of the record whose raw text comes next; the text without surrounding breaks. */
  advance(raw: string): { start: number; end: number; text: string } {
    const lead = LEADING_BREAKS.exec(raw)?.[0] ?? '';
    const body = raw.slice(lead.length).replace(TRAILING_BREAK, '');
    const start = this.next + countBreaks(lead);
    const end = start + countBreaks(body);
    this.next = end + 1;
    return { start, end, text: body };
  }
}
