/**
 * The attempts table, newest first, one page at a time with Firestore cursors. The first page is
 * live (onSnapshot); older pages are read once. Filters: failed only, trigger, mode.
 */
import type { DocumentSnapshot, Firestore, FirestoreError } from 'firebase/firestore';
import * as data from '../data';
import { fill, h, isolate, time } from '../dom';
import { block, brief, humanize } from '../format';
import { isWellFormed, MODES, problemSummary, toAttempt, TRIGGERS, type Attempt } from '../model';
import { attempts as attemptsQuery, NO_FILTERS, PAGE_SIZE, type Filters } from '../queries';
import { recordPill } from './pill';

const COLUMNS = ['Time', 'Status', 'Mode', 'Trigger', 'Block', 'Uids', 'Note'];

export class AttemptsTable {
  private filters: Filters = { ...NO_FILTERS };
  /** The last document of each page before the current one. */
  private cursors: DocumentSnapshot[] = [];
  private lastDoc?: DocumentSnapshot;
  private stopLive?: () => void;
  /** Counts the pages asked for, so that a late answer for an older request is dropped. */
  private request = 0;
  /** Ids on the live page: undefined until its first snapshot. */
  private seen?: Set<string>;
  /** Ids that arrived while the live page was shown. */
  private arrived = new Set<string>();
  private readonly body = h('tbody');
  private readonly caption = h('p', { class: 'muted small', attrs: { 'aria-live': 'polite' } });
  private readonly newer = h('button', { type: 'button' }, '← Newer');
  private readonly older = h('button', { type: 'button' }, 'Older →');
  private readonly newest = h('button', { type: 'button' }, 'Newest');

  constructor(
    el: HTMLElement,
    private readonly db: Firestore,
    private readonly open: (a: Attempt) => void,
    private readonly fail: (e: FirestoreError) => void,
  ) {
    this.newer.addEventListener('click', () => this.go(this.cursors.length - 1));
    this.older.addEventListener('click', () => {
      if (this.lastDoc) this.cursors.push(this.lastDoc);
      this.go(this.cursors.length);
    });
    this.newest.addEventListener('click', () => this.go(0));
    fill(
      el,
      this.filterForm(),
      h(
        'table',
        { class: 'attempts' },
        h('caption', { class: 'visually-hidden' }, 'Publish attempts, newest first'),
        h('thead', null, h('tr', null, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
        this.body,
      ),
      h(
        'nav',
        { class: 'pager', attrs: { 'aria-label': 'Attempt pages' } },
        this.newest,
        this.newer,
        this.caption,
        this.older,
      ),
    );
    this.go(0);
  }

  stop(): void {
    this.stopLive?.();
  }

  private filterForm(): HTMLElement {
    const failed = h('input', { type: 'checkbox', id: 'filter-failed', name: 'failed' });
    const select = (id: string, label: string, values: readonly string[]) =>
      h(
        'div',
        { class: 'field' },
        h('label', { htmlFor: id }, label),
        h(
          'select',
          { id, name: id },
          h('option', { value: '' }, 'all'),
          ...values.map((v) => h('option', { value: v }, humanize(v))),
        ),
      );
    const trigger = select('filter-trigger', 'Trigger', TRIGGERS);
    const mode = select('filter-mode', 'Mode', MODES);
    const form = h(
      'form',
      { class: 'filters', attrs: { 'aria-label': 'Filter attempts' } },
      h(
        'div',
        { class: 'field check' },
        failed,
        h('label', { htmlFor: 'filter-failed' }, 'Failed only'),
      ),
      trigger,
      mode,
    );
    form.addEventListener('submit', (e) => e.preventDefault());
    form.addEventListener('change', () => {
      const value = (id: string) => (form.querySelector(`#${id}`) as HTMLSelectElement).value;
      this.filters = {
        failedOnly: failed.checked,
        trigger: value('filter-trigger') || undefined,
        mode: value('filter-mode') || undefined,
      };
      this.cursors = [];
      this.go(0);
    });
    return form;
  }

  /** Shows page `index` (0 = newest, live). */
  private go(index: number): void {
    this.stopLive?.();
    this.stopLive = undefined;
    this.cursors = this.cursors.slice(0, index);
    this.seen = undefined;
    this.arrived.clear();
    const spec = attemptsQuery(this.filters);
    const after = this.cursors.at(-1);
    const request = ++this.request;
    if (!after) {
      this.stopLive = data.watch(this.db, spec, (s) => this.show(s.docs, 0), this.fail);
    } else {
      data.page(this.db, spec, after).then((s) => {
        if (request === this.request) this.show(s.docs, index);
      }, this.fail);
    }
  }

  private show(docs: DocumentSnapshot[], index: number): void {
    const rows = docs.slice(0, PAGE_SIZE);
    this.lastDoc = rows.at(-1);
    const attempts = rows.map((d) => toAttempt(d.id, d.data() ?? {}));
    // On the live page, rows that arrive after the first snapshot are marked new.
    if (this.seen) for (const a of attempts) if (!this.seen.has(a.id)) this.arrived.add(a.id);
    this.seen = new Set([...(this.seen ?? []), ...attempts.map((a) => a.id)]);
    fill(
      this.body,
      ...(attempts.length === 0
        ? [
            h(
              'tr',
              null,
              h('td', { colSpan: COLUMNS.length, class: 'empty' }, 'No attempts match.'),
            ),
          ]
        : attempts.map((a) => this.safeRow(a, this.arrived.has(a.id)))),
    );
    this.newer.disabled = index === 0;
    this.newest.disabled = index === 0;
    this.older.disabled = docs.length <= PAGE_SIZE;
    this.caption.textContent = `Page ${index + 1}${index === 0 ? ' · live' : ''}`;
  }

  /** A row, or, should a record defeat the row itself, a row that says so: never no table. */
  private safeRow(a: Attempt, fresh: boolean): HTMLTableRowElement {
    try {
      return this.row(a, fresh);
    } catch (e) {
      console.error(`attempt ${a.id} could not be shown`, e);
      return h(
        'tr',
        { class: 'malformed', dataset: { id: a.id, malformed: '' } },
        h('td', { colSpan: COLUMNS.length }, 'This record could not be shown.'),
      );
    }
  }

  private row(a: Attempt, fresh: boolean): HTMLTableRowElement {
    const cell = (label: string, ...content: Array<Node | string>) =>
      h('td', { dataset: { label } }, ...content);
    const wellFormed = isWellFormed(a);
    const note: Array<Node | string> = !wellFormed
      ? ['Malformed record: ', problemSummary(a.problems)]
      : a.error_code
        ? [
            isolate(brief(a.error_code, 80)),
            ...(a.error_message ? [': ', isolate(brief(a.error_message, 300))] : []),
          ]
        : a.commit_transaction
          ? ['reveals a commit']
          : a.reveal_status === 'revealed'
            ? [`revealed in block ${block(a.revealed_block)}`]
            : a.reveal_status
              ? [`reveal ${a.reveal_status}`]
              : [];
    const noteText = h('span', { class: 'note-text' }, ...note);
    noteText.title = noteText.textContent ?? '';
    const tr = h(
      'tr',
      {
        class: [fresh ? 'fresh' : '', wellFormed ? '' : 'malformed'].join(' ').trim(),
        dataset: { id: a.id, status: a.status, ...(wellFormed ? {} : { malformed: '' }) },
      },
      cell(
        'Time',
        h(
          'button',
          { type: 'button', class: 'link', on: { click: () => this.open(a) } },
          time(a.ts),
        ),
      ),
      cell('Status', recordPill(a)),
      // The mechanism, where the record names one (runtimes with subnet mechanisms).
      cell(
        'Mode',
        isolate(humanize(a.mode) + (a.mechanism === undefined ? '' : ` · mech ${a.mechanism}`)),
      ),
      cell('Trigger', isolate(humanize(a.trigger))),
      cell('Block', block(a.block_number)),
      cell('Uids', String(a.uids.length)),
      cell('Note', noteText),
    );
    tr.addEventListener('click', (e) => {
      if (!(e.target as Element).closest('button')) this.open(a);
    });
    return tr;
  }
}
