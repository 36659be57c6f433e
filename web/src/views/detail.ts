/**
 * One attempt in full, in a modal dialog (Esc closes it): the error, the transaction, what was
 * sent per uid, unregistered hotkeys, durations, and the commit ↔ reveal link.
 */
import type { Firestore } from 'firebase/firestore';
import * as data from '../data';
import { expandable, fill, h, isolate, time } from '../dom';
import { block, brief, humanize } from '../format';
import { COMMIT_MODES, isWellFormed, percent, sentRows, type Attempt, type Mode } from '../model';
import { recordPill } from './pill';

type Row = [string, Node | string | number | null | undefined | false];

export class DetailDialog {
  private readonly dialog: HTMLDialogElement;
  private readonly body = h('div', { class: 'detail-body' });
  private readonly title = h('h2', { id: 'detail-title' });
  /** Counts the attempts opened, so that a late lookup does not fill in another one. */
  private shown = 0;

  constructor(
    parent: HTMLElement,
    private readonly db: Firestore,
  ) {
    this.dialog = h(
      'dialog',
      { class: 'detail', attrs: { 'aria-labelledby': 'detail-title' } },
      h(
        'header',
        null,
        this.title,
        h(
          'button',
          { type: 'button', class: 'close', on: { click: () => this.dialog.close() } },
          'Close',
        ),
      ),
      this.body,
    );
    this.dialog.addEventListener('close', () => {
      if (location.hash.startsWith('#attempt/')) history.replaceState(null, '', location.pathname);
    });
    this.dialog.addEventListener('click', (e) => {
      if (e.target === this.dialog) this.dialog.close(); // a click on the backdrop
    });
    parent.append(this.dialog);
  }

  /** Opens the attempt with this id (from a link or the page's #attempt/<id>). */
  async openId(id: string): Promise<void> {
    // An id that is no document id (a hand-edited link) finds nothing, like an unknown one.
    const attempt = await data.attempt(this.db, id).catch((e: unknown) => {
      console.error(`attempt ${id} could not be read`, e);
      return undefined;
    });
    if (attempt) await this.open(attempt);
  }

  async open(a: Attempt): Promise<void> {
    const shown = ++this.shown;
    history.replaceState(null, '', `#attempt/${encodeURIComponent(a.id)}`);
    fill(this.title, isWellFormed(a) ? isolate(a.status) : 'Malformed record', ' · ', time(a.ts));
    fill(this.body, ...this.sections(a, undefined));
    if (!this.dialog.open) this.dialog.showModal();
    if (COMMIT_MODES.includes(a.mode as Mode)) {
      const reveal = await data.revealOf(this.db, a.id).catch(() => undefined);
      // Unless another attempt was opened meanwhile.
      if (reveal && shown === this.shown) fill(this.body, ...this.sections(a, reveal));
    }
  }

  private sections(a: Attempt, reveal: Attempt | undefined): HTMLElement[] {
    const link = (id: string, text: string) =>
      h(
        'button',
        { type: 'button', class: 'link', on: { click: () => void this.openId(id) } },
        isolate(brief(text, 80)),
      );
    const span = (...content: Array<Node | string>) => h('span', null, ...content);
    const rows: Row[] = [
      ['Status', isWellFormed(a) ? recordPill(a) : span(recordPill(a), ' ', expandable(a.status))],
      ['Mode', isolate(humanize(a.mode))],
      ...(a.mechanism === undefined ? [] : [['Mechanism', String(a.mechanism)] as Row]),
      [
        'Trigger',
        span(
          isolate(humanize(a.trigger)),
          ...(a.trigger_ref ? [' (', expandable(a.trigger_ref), ')'] : []),
        ),
      ],
      ['Iteration', a.iteration_count],
      ['Subnet', a.netuid !== undefined && span(`${a.netuid} on `, expandable(a.network ?? '?'))],
      [
        'Validator',
        a.validator_hotkey &&
          h(
            'code',
            { class: 'mono' },
            `uid ${a.validator_uid ?? '?'} · `,
            expandable(a.validator_hotkey),
          ),
      ],
      ['Error code', a.error_code && h('strong', null, expandable(a.error_code))],
      ['Error message', a.error_message],
      ['Retryable', a.retryable === undefined ? undefined : a.retryable ? 'yes' : 'no'],
      ['Block', a.block_number !== null && `${block(a.block_number)}`],
      ['Block hash', a.block_hash && mono(a.block_hash)],
      ['Transaction hash', mono(a.transaction_hash)],
      ['Extrinsic index', a.extrinsic_index],
      ['Version key', a.version_key],
      ['Spec version', a.spec_version],
      ['Chain attempts', a.attempts],
      [
        'Next allowed block',
        a.next_allowed_block !== undefined &&
          `${block(a.next_allowed_block)}${a.eta_seconds !== undefined ? ` (ETA ${a.eta_seconds} s)` : ''}`,
      ],
    ];
    const linkRows: Row[] = [];
    if (a.commit_transaction)
      linkRows.push([
        'Reveals commit',
        isWellFormed(a) ? link(a.commit_transaction, a.commit_transaction) : a.commit_transaction,
      ]);
    if (COMMIT_MODES.includes(a.mode as Mode)) {
      linkRows.push([
        'Reveal',
        a.reveal_status
          ? span(
              expandable(a.reveal_status),
              a.revealed_block ? ` at block ${block(a.revealed_block)}` : '',
            )
          : 'waiting',
      ]);
      if (a.first_reveal_block !== undefined)
        linkRows.push([
          'Reveal window',
          `blocks ${block(a.first_reveal_block)}–${block(a.last_reveal_block)}${a.reveal_epoch !== undefined ? `, epoch ${a.reveal_epoch}` : ''}`,
        ]);
      if (a.reveal_round) linkRows.push(['Drand round', a.reveal_round]);
      if (reveal) linkRows.push(['Revealed by', link(reveal.id, reveal.id)]);
    }
    return [
      !isWellFormed(a) &&
        h(
          'section',
          {
            class: 'malformed-note',
            attrs: { role: 'note', 'aria-labelledby': 'malformed-title' },
          },
          h('h3', { id: 'malformed-title' }, 'Malformed record'),
          h(
            'p',
            null,
            'This record does not have the layout the publisher writes, so it is left out of the ' +
              'status, the chart and the rates. What is wrong:',
          ),
          h(
            'ul',
            null,
            ...a.problems.map((p) => h('li', null, h('code', null, p.field), ': ', p.reason)),
          ),
        ),
      h('section', null, dl(rows)),
      linkRows.length > 0 && h('section', null, h('h3', null, 'Commit and reveal'), dl(linkRows)),
      this.sent(a),
      a.unregistered_hotkeys.length > 0 &&
        h(
          'section',
          null,
          h('h3', null, `Unregistered hotkeys (${a.unregistered_hotkeys.length})`),
          h(
            'ul',
            { class: 'mono-list' },
            ...a.unregistered_hotkeys.map((k) => h('li', null, mono(k))),
          ),
        ),
      a.reassigned_uids.length > 0 &&
        h(
          'section',
          null,
          h('h3', null, 'Reassigned uids'),
          h('p', null, a.reassigned_uids.join(', ')),
        ),
      h(
        'section',
        null,
        h('h3', null, 'Durations'),
        dl(
          Object.entries(a.durations).map(([k, ms]): Row => [
            humanize(k.replace(/_ms$/, '')),
            `${ms} ms`,
          ]),
        ),
      ),
      a.leads !== undefined &&
        h(
          'section',
          null,
          h('h3', null, 'Leads'),
          dl([
            ['Read', a.leads.read],
            ['Counted', a.leads.counted],
            ...Object.entries(a.leads.skipped)
              .filter(([, n]) => n > 0)
              .map(([reason, n]): Row => [`Skipped: ${humanize(reason)}`, n]),
          ]),
        ),
      h('p', { class: 'muted small' }, 'Document ', mono(a.id)),
    ].filter((x): x is HTMLElement => x instanceof HTMLElement);
  }

  private sent(a: Attempt): HTMLElement {
    const rows = sentRows(a);
    if (rows.length === 0)
      return h('section', null, h('h3', null, 'Weights sent'), h('p', { class: 'muted' }, 'None'));
    return h(
      'section',
      null,
      h('h3', null, `Weights sent (${rows.length} uids)`),
      h(
        'table',
        { class: 'sent' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...['Uid', 'Hotkey', 'Share', 'u16'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          null,
          ...rows.map((r) =>
            h(
              'tr',
              null,
              h('td', null, String(r.uid)),
              h('td', null, r.hotkey ? mono(r.hotkey) : '—'),
              h('td', null, r.share === undefined ? '—' : percent(r.share, 4)),
              h('td', null, String(r.u16 ?? '—')),
            ),
          ),
        ),
      ),
    );
  }
}

const mono = (text: string | null | undefined) =>
  text ? h('code', { class: 'mono' }, expandable(text)) : '—';

function dl(rows: Row[]): HTMLElement {
  const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== false && v !== '');
  return h(
    'dl',
    { class: 'facts' },
    // Keys may come from the record too (durations, skip reasons): both sides are isolated.
    ...shown.flatMap(([k, v]) => [
      h('dt', null, expandable(k, 120)),
      h('dd', null, v instanceof Node ? v : expandable(String(v))),
    ]),
  );
}
