import { inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';

const winAnsi = new TextDecoder('windows-1252');

/**
 * The text a PDF made by pdfkit shows, one line per text object: its content streams are
 * inflated and the hex strings of each `TJ` decoded (standard fonts use WinAnsi).
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  for (const stream of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(stream[1] ?? '', 'latin1')).toString('latin1');
    } catch {
      continue; // an image or a font, not a content stream
    }
    for (const array of content.matchAll(/\[([^\]]*)\]\s*TJ/g))
      lines.push(
        [...(array[1] ?? '').matchAll(/<([0-9a-f]*)>/gi)]
          .map((hex) => winAnsi.decode(Buffer.from(hex[1] ?? '', 'hex')))
          .join(''),
      );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// A small reader of the PDFs pdfkit writes (classic objects, no object streams, Flate content,
// the 14 standard fonts), enough to tell where each piece of text lands on its page and how
// the document is tagged. Not a general PDF parser.

export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(readonly num: number) {}
}
export class PdfString {
  constructor(readonly bytes: Buffer) {}
  /** UTF-16BE with its byte-order mark, otherwise one byte a character. */
  text(): string {
    const b = this.bytes;
    if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
    return b.toString('latin1');
  }
}
class PdfOperator {
  constructor(readonly op: string) {}
}
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;
export type PdfDict = { [key: string]: PdfValue };

const WHITE = new Set(['\0', '\t', '\n', '\f', '\r', ' ']);
const DELIMITER = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);

class Lexer {
  constructor(
    readonly s: string,
    public i = 0,
  ) {}

  skip(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (WHITE.has(c)) this.i++;
      else if (c === '%') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      else break;
    }
  }

  private word(): string {
    const start = this.i;
    while (this.i < this.s.length && !WHITE.has(this.s[this.i]!) && !DELIMITER.has(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }

  /** The next value, or an operator (content streams), or undefined at the end. */
  next(): PdfValue | PdfOperator | undefined {
    this.skip();
    const s = this.s;
    if (this.i >= s.length) return undefined;
    const c = s[this.i]!;
    if (s.startsWith('<<', this.i)) {
      this.i += 2;
      const dict: PdfDict = {};
      for (;;) {
        this.skip();
        if (s.startsWith('>>', this.i)) {
          this.i += 2;
          return dict;
        }
        const key = this.next();
        if (!(key instanceof PdfName)) throw new Error(`PDF: a dictionary key at ${this.i}`);
        dict[key.name] = this.value();
      }
    }
    if (c === '<') {
      const end = s.indexOf('>', this.i);
      const hex = s.slice(this.i + 1, end).replace(/\s/g, '');
      this.i = end + 1;
      return new PdfString(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
    }
    if (c === '(') return this.literal();
    if (c === '[') {
      this.i++;
      const items: PdfValue[] = [];
      for (;;) {
        this.skip();
        if (s[this.i] === ']') {
          this.i++;
          return items;
        }
        items.push(this.value());
      }
    }
    if (c === '/') {
      this.i++;
      return new PdfName(
        this.word().replace(/#([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      );
    }
    const word = this.word();
    if (word === '') {
      this.i++;
      return new PdfOperator(c);
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      // `12 0 R` is a reference.
      const after = this.i;
      const reference = /^\s+(\d+)\s+R(?![^\s\]>/])/.exec(s.slice(after, after + 24));
      if (/^\d+$/.test(word) && reference) {
        this.i = after + reference[0].length;
        return new PdfRef(Number(word));
      }
      return Number(word);
    }
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    return new PdfOperator(word);
  }

  value(): PdfValue {
    const v = this.next();
    if (v === undefined || v instanceof PdfOperator) throw new Error(`PDF: a value at ${this.i}`);
    return v;
  }

  private literal(): PdfString {
    const s = this.s;
    const out: number[] = [];
    let depth = 0;
    this.i++;
    for (;;) {
      const c = s[this.i++];
      if (c === undefined) break;
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === '\\') {
        const e = s[this.i++]!;
        const simple: Record<string, number> = {
          n: 10,
          r: 13,
          t: 9,
          b: 8,
          f: 12,
          '(': 40,
          ')': 41,
          '\\': 92,
        };
        if (e in simple) out.push(simple[e]!);
        else if (/[0-7]/.test(e)) {
          let octal = e;
          while (octal.length < 3 && /[0-7]/.test(s[this.i] ?? '')) octal += s[this.i++];
          out.push(parseInt(octal, 8) & 0xff);
        } else if (e === '\r') {
          if (s[this.i] === '\n') this.i++;
        } else if (e !== '\n') out.push(e.charCodeAt(0));
        continue;
      }
      out.push(c.charCodeAt(0));
    }
    return new PdfString(Buffer.from(out));
  }
}

type PdfObject = { value: PdfValue; stream?: Buffer };

/** A PDF's objects by number and its trailer. */
export class PdfFile {
  readonly objects = new Map<number, PdfObject>();
  readonly trailer: PdfDict;

  constructor(pdf: Buffer) {
    const s = pdf.toString('latin1');
    const header = /(\d+) 0 obj\b/g;
    for (let match = header.exec(s); match !== null; match = header.exec(s)) {
      const lexer = new Lexer(s, match.index + match[0].length);
      const value = lexer.value();
      lexer.skip();
      let stream: Buffer | undefined;
      if (s.startsWith('stream', lexer.i)) {
        let start = lexer.i + 'stream'.length;
        if (s[start] === '\r') start++;
        if (s[start] === '\n') start++;
        const length = (value as PdfDict).Length;
        const end = typeof length === 'number' ? start + length : s.indexOf('endstream', start);
        stream = pdf.subarray(start, end);
        header.lastIndex = s.indexOf('endobj', end);
      } else header.lastIndex = lexer.i;
      this.objects.set(Number(match[1]), { value, ...(stream ? { stream } : {}) });
    }
    const trailer = s.lastIndexOf('trailer');
    this.trailer = new Lexer(s, trailer + 'trailer'.length).value() as PdfDict;
  }

  /** A value with its references followed. */
  get(v: PdfValue | undefined): PdfValue | undefined {
    let value = v;
    for (let hops = 0; value instanceof PdfRef && hops < 32; hops++)
      value = this.objects.get(value.num)?.value;
    return value;
  }
  dict(v: PdfValue | undefined): PdfDict | undefined {
    const d = this.get(v);
    return d &&
      typeof d === 'object' &&
      !Array.isArray(d) &&
      !(d instanceof PdfName) &&
      !(d instanceof PdfString)
      ? (d as PdfDict)
      : undefined;
  }
  array(v: PdfValue | undefined): PdfValue[] {
    const a = this.get(v);
    return Array.isArray(a) ? a : a === undefined || a === null ? [] : [a];
  }
  name(v: PdfValue | undefined): string | undefined {
    const n = this.get(v);
    return n instanceof PdfName ? n.name : undefined;
  }
  /** The decoded bytes of a stream object. */
  streamOf(v: PdfValue | undefined): Buffer {
    if (!(v instanceof PdfRef)) return Buffer.alloc(0);
    const o = this.objects.get(v.num);
    if (!o?.stream) return Buffer.alloc(0);
    const filter = this.name((o.value as PdfDict).Filter);
    return filter === 'FlateDecode' ? inflateSync(o.stream) : o.stream;
  }
  get root(): PdfDict {
    return this.dict(this.trailer.Root) ?? {};
  }
  /** The page objects in order, as references. */
  pages(): PdfRef[] {
    const out: PdfRef[] = [];
    const walk = (node: PdfValue | undefined) => {
      const d = this.dict(node);
      if (!d) return;
      if (this.name(d.Type) === 'Pages') for (const kid of this.array(d.Kids)) walk(kid);
      else if (node instanceof PdfRef) out.push(node);
    };
    walk(this.root.Pages);
    return out;
  }
}

// --- Text positions ---------------------------------------------------------------------------

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const times = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [
  m[0] * x + m[2] * y + m[4],
  m[1] * x + m[3] * y + m[5],
];

/** Glyph widths and vertical extent of the standard fonts, as pdfkit lays them out. */
class Metrics {
  private readonly doc = new PDFDocument({ autoFirstPage: false });
  private readonly widths = new Map<string, number>();

  font(baseFont: string): { width: (char: string) => number; ascender: number; descender: number } {
    this.doc.font(baseFont).fontSize(1000);
    const font = (this.doc as unknown as { _font: { ascender: number; descender: number } })._font;
    return {
      width: (char) => {
        const key = `${baseFont}\0${char}`;
        let w = this.widths.get(key);
        if (w === undefined) {
          w = this.doc.font(baseFont).fontSize(1000).widthOfString(char) / 1000;
          this.widths.set(key, w);
        }
        return w;
      },
      ascender: font.ascender / 1000,
      descender: font.descender / 1000,
    };
  }
}

/** A run of text as drawn: its page (from 1), its text and its ink box in PDF user space (y up). */
export type TextRun = {
  page: number;
  text: string;
  box: { x0: number; y0: number; x1: number; y1: number };
  /** The marked-content identifier it is drawn in, `artifact`, or null when it is not marked. */
  mcid: number | 'artifact' | null;
};

export type PdfPage = { ref: PdfRef; number: number; box: [number, number, number, number]; runs: TextRun[] };

/** Every page with its media box and the text runs drawn on it. */
export function pdfPages(pdf: Buffer): PdfPage[] {
  const file = new PdfFile(pdf);
  const metrics = new Metrics();
  return file.pages().map((ref, index) => {
    const page = file.dict(ref) ?? {};
    const box = file.array(page.MediaBox).map((v) => Number(file.get(v))) as [number, number, number, number];
    const fonts = file.dict(file.dict(page.Resources)?.Font) ?? {};
    // One content stream, or an array of them.
    const streams = Array.isArray(file.get(page.Contents)) ? file.array(page.Contents) : [page.Contents];
    const content = Buffer.concat(streams.map((c) => file.streamOf(c))).toString('latin1');
    return { ref, number: index + 1, box, runs: textRuns(file, content, fonts, metrics, index + 1) };
  });
}

function textRuns(file: PdfFile, content: string, fonts: PdfDict, metrics: Metrics, page: number): TextRun[] {
  type State = {
    ctm: Matrix;
    font: string;
    size: number;
    tc: number;
    tw: number;
    th: number;
    tl: number;
    rise: number;
  };
  let g: State = { ctm: IDENTITY, font: '', size: 0, tc: 0, tw: 0, th: 1, tl: 0, rise: 0 };
  const stack: State[] = [];
  const marks: (number | 'artifact' | null)[] = [];
  let tm: Matrix = IDENTITY;
  let tlm: Matrix = IDENTITY;
  const runs: TextRun[] = [];
  const lexer = new Lexer(content);
  let operands: PdfValue[] = [];
  const num = (i: number) => Number(operands[i]);

  const show = (items: PdfValue[]) => {
    const base = file.name(file.dict(fonts[g.font])?.BaseFont) ?? 'Helvetica';
    const f = metrics.font(base);
    let x = 0;
    let text = '';
    let inkStart: number | null = null;
    let inkEnd = 0;
    for (const item of items) {
      if (typeof item === 'number') {
        x -= (item / 1000) * g.size * g.th;
        continue;
      }
      if (!(item instanceof PdfString)) continue;
      for (const byte of item.bytes) {
        const char = winAnsi.decode(Uint8Array.of(byte));
        const advance = (f.width(char) * g.size + g.tc + (byte === 32 ? g.tw : 0)) * g.th;
        if (char.trim() !== '') {
          inkStart ??= x;
          inkEnd = x + advance;
        }
        x += advance;
        text += char;
      }
    }
    if (inkStart !== null) {
      const m = times(tm, g.ctm);
      const low = f.descender * g.size + g.rise;
      const high = f.ascender * g.size + g.rise;
      const corners = [
        apply(m, inkStart, low),
        apply(m, inkEnd, low),
        apply(m, inkStart, high),
        apply(m, inkEnd, high),
      ];
      const xs = corners.map((p) => p[0]);
      const ys = corners.map((p) => p[1]);
      runs.push({
        page,
        text,
        box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
        mcid: marks.findLast((mark) => mark !== null) ?? null,
      });
    }
    tm = times([1, 0, 0, 1, x, 0], tm);
  };

  for (let token = lexer.next(); token !== undefined; token = lexer.next()) {
    if (!(token instanceof PdfOperator)) {
      operands.push(token);
      continue;
    }
    switch (token.op) {
      case 'q':
        stack.push({ ...g });
        break;
      case 'Q':
        g = stack.pop() ?? g;
        break;
      case 'cm':
        g.ctm = times([num(0), num(1), num(2), num(3), num(4), num(5)], g.ctm);
        break;
      case 'BT':
        tm = tlm = IDENTITY;
        break;
      case 'Tm':
        tm = tlm = [num(0), num(1), num(2), num(3), num(4), num(5)];
        break;
      case 'TD':
        g.tl = -num(1);
        tm = tlm = times([1, 0, 0, 1, num(0), num(1)], tlm);
        break;
      case 'Td':
        tm = tlm = times([1, 0, 0, 1, num(0), num(1)], tlm);
        break;
      case 'T*':
        tm = tlm = times([1, 0, 0, 1, 0, -g.tl], tlm);
        break;
      case 'Tf':
        g.font = (operands[0] as PdfName).name;
        g.size = num(1);
        break;
      case 'Tc':
        g.tc = num(0);
        break;
      case 'Tw':
        g.tw = num(0);
        break;
      case 'Tz':
        g.th = num(0) / 100;
        break;
      case 'TL':
        g.tl = num(0);
        break;
      case 'Ts':
        g.rise = num(0);
        break;
      case 'TJ':
        show(operands[0] as PdfValue[]);
        break;
      case 'Tj':
        show([operands[0] as PdfValue]);
        break;
      case "'":
        tm = tlm = times([1, 0, 0, 1, 0, -g.tl], tlm);
        show([operands[0] as PdfValue]);
        break;
      case 'BMC':
        marks.push((operands[0] as PdfName).name === 'Artifact' ? 'artifact' : null);
        break;
      case 'BDC': {
        const tag = (operands[0] as PdfName).name;
        const properties = operands[1];
        const mcid = properties && typeof properties === 'object' ? (properties as PdfDict).MCID : undefined;
        marks.push(tag === 'Artifact' ? 'artifact' : typeof mcid === 'number' ? mcid : null);
        break;
      }
      case 'EMC':
        marks.pop();
        break;
    }
    operands = [];
  }
  return runs;
}

const quote = (s: string) => `« ${s.trim()} »`;
const rounded = (b: TextRun['box']) => [b.x0, b.y0, b.x1, b.y1].map((n) => n.toFixed(1)).join(' ');

/**
 * What is wrong with the layout of a PDF: each text run whose ink leaves its page box (less
 * `inset` points on every side), and each two runs of a page whose boxes overlap by more than
 * `tolerance` points both ways.
 */
export function layoutProblems(pdf: Buffer, options: { inset?: number; tolerance?: number } = {}): string[] {
  const inset = options.inset ?? 0;
  const tolerance = options.tolerance ?? 0.5;
  const problems: string[] = [];
  for (const page of pdfPages(pdf)) {
    const [left, bottom, right, top] = page.box;
    for (const run of page.runs) {
      const b = run.box;
      if (b.x0 < left + inset || b.x1 > right - inset || b.y0 < bottom + inset || b.y1 > top - inset)
        problems.push(`page ${page.number}: ${quote(run.text)} [${rounded(b)}] leaves the page box`);
    }
    page.runs.forEach((a, i) => {
      for (const b of page.runs.slice(i + 1)) {
        const wide = Math.min(a.box.x1, b.box.x1) - Math.max(a.box.x0, b.box.x0);
        const high = Math.min(a.box.y1, b.box.y1) - Math.max(a.box.y0, b.box.y0);
        if (wide > tolerance && high > tolerance)
          problems.push(`page ${page.number}: ${quote(a.text)} overlaps ${quote(b.text)}`);
      }
    });
  }
  return problems;
}

// --- Tags ------------------------------------------------------------------------------------

/** An element of the structure tree, with the text of the content it owns, in order. */
export type StructElement = { type: string; text: string; children: StructElement[] };

export type PdfTags = {
  /** `/MarkInfo << /Marked true >>` in the catalogue. */
  marked: boolean;
  lang: string | undefined;
  title: string | undefined;
  displayTitle: boolean;
  /** The structure tree's top elements (null without a StructTreeRoot). */
  tree: StructElement[] | null;
  /** Text runs drawn outside any marked content (neither tagged nor an artifact). */
  untagged: TextRun[];
};

/** How a PDF is tagged: the catalogue's flags and its structure tree with each element's text. */
export function pdfTags(pdf: Buffer): PdfTags {
  const file = new PdfFile(pdf);
  const pages = pdfPages(pdf);
  const textOf = new Map<string, string>();
  for (const page of pages)
    for (const run of page.runs)
      if (typeof run.mcid === 'number') {
        const key = `${page.ref.num}:${run.mcid}`;
        const before = textOf.get(key);
        // Lines of one paragraph join with a space, except after a line broken at a hyphen.
        textOf.set(
          key,
          before === undefined
            ? run.text.trim()
            : `${before}${before.endsWith('-') ? '' : ' '}${run.text.trim()}`,
        );
      }
  const root = file.root;
  const info = file.dict(file.trailer.Info);
  const title = file.get(info?.Title);
  const element = (value: PdfValue | undefined, page: PdfRef | undefined, depth: number): StructElement[] => {
    const d = file.dict(value);
    if (!d || depth > 64) return [];
    const type = file.name(d.S);
    if (!type) return [];
    const pg = d.Pg instanceof PdfRef ? d.Pg : page;
    const children: StructElement[] = [];
    const texts: string[] = [];
    for (const kid of file.array(d.K)) {
      const k = file.get(kid);
      if (typeof k === 'number' && pg) texts.push(textOf.get(`${pg.num}:${k}`) ?? '');
      else if (k && typeof k === 'object' && !Array.isArray(k) && file.name((k as PdfDict).Type) === 'MCR') {
        const ref = (k as PdfDict).Pg;
        texts.push(textOf.get(`${ref instanceof PdfRef ? ref.num : pg?.num}:${(k as PdfDict).MCID}`) ?? '');
      } else children.push(...element(kid, pg, depth + 1));
    }
    return [{ type, text: texts.filter(Boolean).join(' '), children }];
  };
  const structRoot = file.dict(root.StructTreeRoot);
  return {
    marked: file.dict(root.MarkInfo)?.Marked === true,
    lang: (() => {
      const l = file.get(root.Lang);
      return l instanceof PdfString ? l.text() : undefined;
    })(),
    title: title instanceof PdfString ? title.text() : undefined,
    displayTitle: file.dict(root.ViewerPreferences)?.DisplayDocTitle === true,
    tree: structRoot ? file.array(structRoot.K).flatMap((k) => element(k, undefined, 0)) : null,
    untagged: pages.flatMap((p) => p.runs.filter((r) => r.mcid === null)),
  };
}

/** The elements of a structure tree depth first (reading order), each with its type and text. */
export function structElements(tree: StructElement[]): { type: string; text: string }[] {
  return tree.flatMap((e) => [{ type: e.type, text: e.text }, ...structElements(e.children)]);
}

/** The text of an element and all its descendants. */
export const fullText = (e: StructElement): string =>
  [e.text, ...e.children.map(fullText)].filter(Boolean).join(' ');
