/**
 * Issue 14's mapping features under concurrency, 2/2 (postUpdate, mapper events, association proxies,
 * polymorphic associations; concurrency-mapping.test.ts has the rest),
 * as servers use an ORM: many async tasks at once, each with its own session (`db.newSession()`), all
 * started together with Promise.all. What the database holds is counted afterwards from a connection
 * of the raw driver (test/support/outside.ts), not from what a session believes it wrote; SQLite runs
 * on a file so that connection can open it. No test assumes ids (MariaDB Galera steps them by 3) or
 * relies on timing: every assertion holds whatever order the tasks interleave in.
 */
import { expect } from 'vitest';
import { type Session } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { TASKS, concurrencyHarness, num, range } from './fixtures/concurrency-harness.js';
import { auditModels, commentableModels, pairModels, proxyModels } from './fixtures/mapping-models.js';

describeEachDialect('Relationship features under concurrency', (t) => {
  const it = itOn(t);
  const { fresh } = concurrencyHarness(t);

  it('postUpdate: many sessions each create a pair that points at each other; no pair points at another', async () => {
    const { db, m, outside } = await fresh(pairModels);
    const { Member, Entry } = m;
    const pairs = await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        const member = new Member({ name: `m${i}` });
        const entry = new Entry({ title: `t${i}` });
        member.entries = [entry];
        member.favorite = entry;
        s.add(member);
        await s.commit();
        return [member.id, entry.id];
      }),
    );
    const rows = await outside(
      'SELECT u.{id}, u.{name}, e.{id}, e.{title}, e.{member_id} FROM {cm_member} u JOIN {cm_entry} e ON e.{id} = u.{favorite_id}',
    );
    expect(rows).toHaveLength(TASKS);
    expect(num((await outside('SELECT count(*) FROM {cm_entry}'))[0]![0])).toBe(TASKS);
    for (const [memberId, name, entryId, title, author] of rows) {
      expect(String(title)).toBe(String(name).replace('m', 't'));
      expect(num(author)).toBe(num(memberId));
      const i = Number(String(name).slice(1));
      expect([num(memberId), num(entryId)]).toEqual(pairs[i]);
    }

    // Then at once: even members get a new favourite (an INSERT, then the post-update), odd ones are
    // deleted (the favourite nulled by an UPDATE before the DELETEs).
    const second = await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        const member = (await s.get(Member, pairs[i]![0]))!;
        if (i % 2) {
          await member.favorite;
          s.delete(member);
          await s.commit();
          return null;
        }
        const entry = new Entry({ title: `t${i}b` });
        (await member.entries).push(entry);
        member.favorite = entry;
        await s.commit();
        return entry.id;
      }),
    );
    const kept = await outside(
      'SELECT u.{id}, u.{name}, e.{id}, e.{title}, e.{member_id} FROM {cm_member} u JOIN {cm_entry} e ON e.{id} = u.{favorite_id}',
    );
    expect(kept).toHaveLength(TASKS / 2);
    expect(num((await outside('SELECT count(*) FROM {cm_member}'))[0]![0])).toBe(TASKS / 2);
    expect(num((await outside('SELECT count(*) FROM {cm_entry}'))[0]![0])).toBe(TASKS); // two for each member left
    for (const [memberId, name, entryId, title, author] of kept) {
      const i = Number(String(name).slice(1));
      expect([num(memberId), num(entryId), title, num(author)]).toEqual([
        pairs[i]![0],
        second[i],
        `t${i}b`,
        pairs[i]![0],
      ]);
    }
  });

  it('mapper events: a listener stamping from its session (the context argument) stamps each row with its own session', async () => {
    const { db, m, outside } = await fresh(auditModels);
    const { Doc } = m;
    const stamps = new Map<Session, string>();
    const insertedBy = new Map<string, number[]>();
    db.on(Doc, 'beforeInsert', (doc, { session }) => void (doc.createdBy = stamps.get(session)!));
    db.on(Doc, 'beforeUpdate', (doc, { session }) => void (doc.updatedBy = stamps.get(session)!));
    db.on(Doc, 'afterInsert', (doc, { session }) => {
      const stamp = stamps.get(session)!;
      insertedBy.set(stamp, [...(insertedBy.get(stamp) ?? []), doc.id]);
    });
    const PER = 3;
    const created = await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        stamps.set(s, `s${i}`);
        const docs = range(PER).map((k) => new Doc({ title: `d${i}-${k}` }));
        s.addAll(docs);
        await s.commit();
        return docs.map((d) => d.id);
      }),
    );
    created.forEach((docIds, i) => expect(insertedBy.get(`s${i}`)).toEqual(docIds));
    // The updates: even tasks on a session of their own, odd ones in db.transaction(), whose session is
    // the async context's `db.session` (a request scope), which the listener must see as its context.
    const scopedMismatch: number[] = [];
    const offScoped = db.on(Doc, 'beforeUpdate', (doc, { session }) => {
      if (stamps.get(session)!.startsWith('t') && session !== db.session) scopedMismatch.push(doc.id);
    });
    const rename = async (s: Session, i: number) => {
      const docs = await s.query(Doc).filter(Doc.id.in(created[i]!)).all();
      for (const d of docs) d.title = `${d.title}!`;
    };
    await Promise.all(
      range(TASKS).map(async (i) => {
        if (i % 2)
          return db.transaction(async (s) => {
            stamps.set(s, `t${i}`);
            await rename(db.session, i);
          });
        const s = db.newSession();
        stamps.set(s, `u${i}`);
        await rename(s, i);
        await s.commit();
      }),
    );
    offScoped();
    expect(scopedMismatch).toEqual([]);
    const rows = await outside('SELECT {id}, {title}, {created_by}, {updated_by} FROM {cm_doc}');
    expect(rows).toHaveLength(TASKS * PER);
    for (const [id, title, createdBy, updatedBy] of rows) {
      const i = created.findIndex((docIds) => docIds.includes(Number(id)));
      const updater = i % 2 ? `t${i}` : `u${i}`;
      expect([String(title).replace(/-\d!$/, ''), createdBy, updatedBy]).toEqual([`d${i}`, `s${i}`, updater]);
    }
  });

  it('association proxies: concurrent creators through reader.keywords write exact association rows', async () => {
    const { db, m, outside } = await fresh(proxyModels);
    const { Reader, Keyword } = m;
    const seed = db.newSession();
    const words = range(6).map((w) => new Keyword({ word: `k${w}` }));
    seed.addAll(words);
    await seed.commit();
    const wordIds = words.map((w) => w.id);
    const picks = (i: number) => [wordIds[i % 6]!, wordIds[(i + 1) % 6]!].sort((a, b) => a - b);
    const readers = await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        const reader = new Reader({ name: `r${i}` });
        s.add(reader);
        const chosen = await s
          .query(Keyword)
          .filter(Keyword.id.in(picks(i)))
          .all();
        const keywords = await reader.keywords;
        for (const k of chosen) keywords.push(k);
        await s.commit();
        return reader.id;
      }),
    );
    const rows = await outside('SELECT {reader_id}, {keyword_id}, {note} FROM {cm_reader_keyword}');
    expect(rows).toHaveLength(2 * TASKS);
    const byReader = new Map<number, number[]>();
    for (const [readerId, keywordId, note] of rows) {
      expect(note).toBe('via proxy');
      byReader.set(Number(readerId), [...(byReader.get(Number(readerId)) ?? []), Number(keywordId)]);
    }
    readers.forEach((id, i) => expect(byReader.get(id)!.sort((a, b) => a - b)).toEqual(picks(i)));

    // Then each session removes one of its reader's keywords through the proxy (splice; delete-orphan).
    await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        const reader = (await s.get(Reader, readers[i]))!;
        const keywords = await reader.keywords;
        expect(keywords.map((k) => k.id).sort((a, b) => a - b)).toEqual(picks(i));
        keywords.splice(
          keywords.findIndex((k) => k.id === wordIds[i % 6]),
          1,
        );
        await s.commit();
      }),
    );
    // Then every session at once adds the same keyword to the first reader: one commit wins, every other
    // is refused by the association table's primary key (MariaDB may pick a deadlock victim instead).
    const target = readers[0]!;
    const extra = wordIds[3]!;
    const outcomes = await Promise.all(
      range(TASKS).map(async () => {
        const s = db.newSession();
        const reader = (await s.get(Reader, target))!;
        (await reader.keywords).push((await s.get(Keyword, extra))!);
        return s.commit().then(
          () => 'committed',
          async (err: unknown) => {
            await s.rollback();
            return (err as Error).constructor.name;
          },
        );
      }),
    );
    expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
    const refusals = new Set(outcomes.filter((o) => o !== 'committed'));
    expect(
      [...refusals].every((o) => o === 'IntegrityError' || (t.dialect === 'mysql' && o === 'OperationalError')),
    ).toBe(true);
    expect(num((await outside(`SELECT count(*) FROM {cm_reader_keyword} WHERE {reader_id} = ${target}`))[0]![0])).toBe(
      2,
    );
    const left = (await outside('SELECT {reader_id}, {keyword_id} FROM {cm_reader_keyword}')).filter(
      (r) => !(Number(r[0]) === target && Number(r[1]) === extra),
    );
    expect(left.map((r) => [Number(r[0]), Number(r[1])]).sort((a, b) => a[0]! - b[0]!)).toEqual(
      readers.map((id, i) => [id, wordIds[(i + 1) % 6]]).sort((a, b) => a[0]! - b[0]!),
    );
  });

  it('polymorphic associations: notes on stories and pictures from many sessions; each row has its one key', async () => {
    const { db, m, outside } = await fresh(commentableModels);
    const { Story, Picture, Note } = m;
    const TARGETS = 6;
    const seed = db.newSession();
    const stories = range(TARGETS).map((i) => new Story({ title: `s${i}` }));
    const pictures = range(TARGETS).map((i) => new Picture({ url: `p${i}.jpg` }));
    seed.addAll([...stories, ...pictures]);
    await seed.commit();
    const storyIds = stories.map((x) => x.id);
    const pictureIds = pictures.map((x) => x.id);
    await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        const story = (await s.get(Story, storyIds[i % TARGETS]))!;
        const picture = (await s.get(Picture, pictureIds[i % TARGETS]))!;
        (await story.notes).push(new Note({ body: `n${i}-story` }));
        (await picture.notes).push(new Note({ body: `n${i}-picture` }));
        s.add(new Note({ body: `n${i}-assigned`, subject: i % 2 ? story : picture }));
        await s.commit();
      }),
    );
    const rows = await outside('SELECT {body}, {story_id}, {picture_id} FROM {cm_note}');
    expect(rows).toHaveLength(3 * TASKS);
    for (const [body, storyId, pictureId] of rows) {
      const [, i, how] = /^n(\d+)-(\w+)$/.exec(String(body))!;
      const n = Number(i);
      const onStory = how === 'story' || (how === 'assigned' && n % 2 === 1);
      expect([num(storyId), num(pictureId)]).toEqual(
        onStory ? [storyIds[n % TARGETS], null] : [null, pictureIds[n % TARGETS]],
      );
    }

    // Then every session moves its assigned note to the other kind of target at once: one key set,
    // the other cleared, and the CHECK holds after every statement.
    await Promise.all(
      range(TASKS).map(async (i) => {
        const s = db.newSession();
        const note = (await s
          .query(Note)
          .filter(Note.body.eq(`n${i}-assigned`))
          .one())!;
        note.subject =
          i % 2 ? (await s.get(Picture, pictureIds[i % TARGETS]))! : (await s.get(Story, storyIds[i % TARGETS]))!;
        await s.commit();
      }),
    );
    const moved = await outside(`SELECT {body}, {story_id}, {picture_id} FROM {cm_note} WHERE {body} LIKE '%assigned'`);
    expect(moved).toHaveLength(TASKS);
    for (const [body, storyId, pictureId] of moved) {
      const n = Number(/^n(\d+)-/.exec(String(body))![1]);
      expect([num(storyId), num(pictureId)]).toEqual(
        n % 2 ? [null, pictureIds[n % TARGETS]] : [storyIds[n % TARGETS], null],
      );
    }
    expect(num((await outside('SELECT count(*) FROM {cm_note}'))[0]![0])).toBe(3 * TASKS);
  });
});
