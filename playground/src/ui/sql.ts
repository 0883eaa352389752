/** SQL as the panel shows it: keywords stand out, quoted names recede, placeholders are marked. */
import { h } from './dom.js';

const KEYWORDS = new Set(
  (
    'select from where join left outer inner on and or not exists in as order by limit offset distinct insert into values ' +
    'returning update set delete create table if primary key foreign references constraint unique default count ' +
    'begin commit rollback savepoint release to group having like is null case when then else end union all pragma index'
  ).split(' '),
);

const TOKEN = /("(?:[^"]|"")*")|('(?:[^']|'')*')|(\?|\$\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\s+|.)/g;

export function highlightSql(sql: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let plain = '';
  const flush = () => {
    if (plain) out.append(plain);
    plain = '';
  };
  for (const m of sql.matchAll(TOKEN)) {
    const [text, ident, str, placeholder, word] = m;
    let cls: string | null = null;
    if (ident) cls = 'sql-ident';
    else if (str) cls = 'sql-str';
    else if (placeholder) cls = 'sql-ph';
    else if (word && KEYWORDS.has(word.toLowerCase())) cls = 'sql-kw';
    if (cls) {
      flush();
      out.append(h('span', { class: cls }, text));
    } else {
      plain += text;
    }
  }
  flush();
  return out;
}

/** A statement's verb, for the DDL summary ('CREATE TABLE "user" (…)'). */
export function firstLine(sql: string): string {
  const line = sql.split('\n')[0] ?? sql;
  if (line.length === sql.length) return line;
  return line.endsWith('(') ? `${line}…)` : `${line} …`;
}
