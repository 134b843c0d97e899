/**
 * The fixed data set: `rows` order lines from a seeded generator, written once as a bulk-load file in the text
 * format both MySQL's LOAD DATA and PostgreSQL's COPY read. Same seed and row count → the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** mulberry32: small, fast and good enough to make varied rows; the point is that it is repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = ['new', 'paid', 'packed', 'shipped', 'delivered', 'returned', 'cancelled'];
const CURRENCIES = ['EUR', 'USD', 'CNY', 'GBP', 'JPY'];
const FIRST = ['Anna', 'Björn', 'Chloé', 'Dmitri', 'Eitan', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'José', '王芳', '李伟', 'Zoë', 'Łukasz'];
const LAST = ['Smith', 'Müller', 'García', 'Rossi', 'Novák', 'Öztürk', 'Nakamura', 'O\'Brien', 'Dubois', 'Kowalski', '陈', '张'];
const STREETS = ['Main St', 'Hauptstraße', 'Rue de la Paix', 'Via Roma', 'Calle Mayor', '南京路', 'Baker Street', 'Nørregade'];
const CITIES = ['Berlin', 'Paris', 'Shanghai', 'Madrid', 'København', 'London', 'Roma', 'Kraków', 'Zürich'];
const WORDS = ['please', 'leave', 'at', 'door', 'gift', 'wrap', 'fragile', 'call', 'before', 'delivery', 'thanks', 'urgent', 'back', 'entrance', 'neighbour', 'ring', 'twice', 'no', 'plastic', 'invoice', 'needed', '谢谢', 'merci'];
const TAGS = ['promo', 'b2b', 'vip', 'marketplace', 'mobile', 'web', 'repeat'];

/** Epoch ms of 2023-01-01T00:00:00Z: the data's date-times fall in the two years after it. */
const BASE_MS = Date.UTC(2023, 0, 1);
const TWO_YEARS_MS = 2 * 365 * 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:MM:SS` of an epoch-ms instant, read as UTC wall time (the data's date-times have no zone). */
function wallTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

/** Escapes a text field for the COPY/LOAD DATA text format. */
function escapeText(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

const NULL = '\\N';

/** One row as a tab-separated line (no newline), in ORDERS_COLUMNS order. */
export function orderLine(id: number, rnd: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const quantity = 1 + Math.floor(rnd() * 20);
  const cents = 99 + Math.floor(rnd() * 99_900);
  const unit = (cents / 100).toFixed(2);
  const discount = rnd() < 0.3 ? NULL : (Math.floor(rnd() * 3000) / 10_000).toFixed(4);
  const total = ((quantity * cents) / 100).toFixed(2);
  const first = pick(FIRST);
  const last = pick(LAST);
  const name = `${first} ${last}`;
  const email = `${first.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '') || 'user'}.${id}@example.${pick(['com', 'org', 'de', 'cn'])}`;
  const address = rnd() < 0.1 ? NULL : `${1 + Math.floor(rnd() * 400)} ${pick(STREETS)}, ${10_000 + Math.floor(rnd() * 89_999)} ${pick(CITIES)}`;
  let note = NULL;
  if (rnd() < 0.4) {
    const words: string[] = [];
    const n = 3 + Math.floor(rnd() * 45);
    for (let i = 0; i < n; i++) words.push(pick(WORDS));
    note = words.join(rnd() < 0.05 ? '\n' : ' ');
  }
  const createdMs = BASE_MS + Math.floor(rnd() * TWO_YEARS_MS);
  const created = `${wallTime(createdMs)}.${pad(createdMs % 1000, 3)}`;
  const updated = rnd() < 0.25 ? NULL : `${wallTime(createdMs + Math.floor(rnd() * 30 * 86_400_000))}.${pad(Math.floor(rnd() * 1_000_000), 6)}`;
  const shipped = rnd() < 0.35 ? NULL : wallTime(createdMs + 86_400_000 * (1 + Math.floor(rnd() * 10))).slice(0, 10);
  let attributes = NULL;
  if (rnd() < 0.8) {
    const tags = TAGS.filter(() => rnd() < 0.25);
    attributes = JSON.stringify({ channel: pick(['web', 'app', 'store']), tags, score: Math.round(rnd() * 1000) / 10, coupon: rnd() < 0.2 ? `C${Math.floor(rnd() * 1e6)}` : null });
  }
  const weight = rnd() < 0.15 ? NULL : String(Math.round(rnd() * 250_000) / 1000);
  const fields = [
    String(id),
    String(1 + Math.floor(rnd() * 250_000)),
    `ORD-${pad(id, 10)}`,
    pick(STATUSES),
    String(quantity),
    unit,
    total,
    discount,
    pick(CURRENCIES),
    email,
    name,
    address,
    note,
    created,
    updated,
    shipped,
    attributes,
    weight,
    rnd() < 0.1 ? '1' : '0',
    String(1 + Math.floor(rnd() * 5)),
  ];
  return fields.map((f) => (f === NULL ? f : escapeText(f))).join('\t');
}

/** Writes `rows` lines for ids 1..rows to `file`; returns the file's size in bytes. */
export async function writeDataset(file: string, rows: number, seed: number): Promise<number> {
  const rnd = seededRandom(seed);
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk: string[] = [];
  for (let id = 1; id <= rows; id++) {
    chunk.push(orderLine(id, rnd));
    if (chunk.length === 2000 || id === rows) {
      const text = `${chunk.join('\n')}\n`;
      bytes += Buffer.byteLength(text);
      chunk = [];
      if (!out.write(text)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
