/** The page: a header, the seed's introduction, then one Lesson per section, each run once on load. */
import './style.css';
import { Checker } from './checker/client.js';
import { Lesson } from './lesson.js';
import { Runner } from './runner/client.js';
import { INTRO, SECTIONS } from './sections.js';
import { h } from './ui/dom.js';

const checker = new Checker();
const runner = new Runner();

const sqliteStatus = h('span', { class: 'pill', 'data-testid': 'sqlite-status' }, 'SQLite loading…');
const tsStatus = h('span', { class: 'pill', 'data-testid': 'ts-status' }, 'TypeScript loading…');

const lessons = SECTIONS.map((section, i) => new Lesson(section, i, checker, runner));

document.querySelector('#app')!.replaceChildren(
  h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'top-inner' },
      h('a', { class: 'brand', href: '#' }, 'Relata', h('span', {}, 'playground')),
      h(
        'nav',
        {},
        SECTIONS.map((s) => h('a', { href: `#${s.id}` }, s.title)),
      ),
      h('div', { class: 'status' }, sqliteStatus, tsStatus),
    ),
  ),
  h(
    'main',
    {},
    h(
      'section',
      { class: 'hero' },
      h('h1', {}, INTRO.title),
      h('p', { class: 'subtitle' }, INTRO.subtitle),
      h('p', { class: 'prose' }, INTRO.text),
      h(
        'p',
        { class: 'how' },
        'Each section below pairs the tutorial’s SQLAlchemy code with its Relata twin. The twin is live: edit it, press ',
        h('kbd', {}, 'Run'),
        ' (or ',
        h('kbd', {}, 'Ctrl'),
        '+',
        h('kbd', {}, 'Enter'),
        ') and see the rows it printed, every SQL statement it sent, and how many. Everything runs in this page: Relata on SQLite compiled to WebAssembly, with TypeScript checking your edits.',
      ),
    ),
    lessons.map((l) => l.element),
    h('footer', { class: 'foot' }, 'Each run starts from an empty in-memory database. Nothing leaves your browser.'),
  ),
);

async function start(): Promise<void> {
  const [sqlite, typescript] = await Promise.allSettled([runner.ready, checker.ready]);
  if (sqlite.status === 'fulfilled') sqliteStatus.textContent = `SQLite ${sqlite.value} · wasm`;
  if (typescript.status === 'fulfilled') tsStatus.textContent = `TypeScript ${typescript.value}`;
  const failed = [sqlite, typescript].find((r) => r.status === 'rejected');
  if (failed) {
    const message = `The playground could not start: ${(failed.reason as Error).message}`;
    for (const lesson of lessons) lesson.showStartupError(message);
    return;
  }
  sqliteStatus.classList.add('is-good');
  tsStatus.classList.add('is-good');
  document.body.dataset.ready = 'true';
  for (const lesson of lessons) await lesson.run();
  document.body.dataset.loaded = 'true';
}

void start();
