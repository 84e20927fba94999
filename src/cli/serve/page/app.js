// The search page of `communique serve`: no framework, no build step, nothing from elsewhere.
//
// Text from the index is only ever put in the page as text (textContent, text nodes), never as
// HTML. Highlights arrive as byte ranges in UTF-8 text; JavaScript strings count UTF-16 units,
// so each passage is cut on its bytes (TextEncoder) and each piece decoded back.
'use strict';

const PAGE = 10;
const DEBOUNCE_MS = 250;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ state in the URL

function readState() {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get('q') || '',
    country: p.getAll('country'),
    org: p.getAll('org'),
    signatory: p.getAll('signatory'),
    source: p.get('source') || '',
    since: p.get('since') || '',
    until: p.get('until') || '',
    offset: Math.max(0, parseInt(p.get('offset') || '0', 10) || 0),
    article: p.get('article') || '',
    at: p.get('at') || '',
    follow: p.get('follow') || '',
  };
}

let state = readState();

function filterParams(s, withQuery = true) {
  const p = new URLSearchParams();
  if (withQuery && s.q) p.set('q', s.q);
  for (const c of s.country) p.append('country', c);
  for (const o of s.org) p.append('org', o);
  for (const g of s.signatory) p.append('signatory', g);
  if (s.source) p.set('source', s.source);
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  return p;
}

function pageURL(s) {
  if (s.follow && !s.article) return '/?follow=' + encodeURIComponent(s.follow);
  const p = filterParams(s);
  if (s.offset) p.set('offset', String(s.offset));
  if (s.article) {
    p.set('article', s.article);
    if (s.at) p.set('at', s.at);
  }
  const text = p.toString();
  return text ? '/?' + text : '/';
}

function go(change, push) {
  state = Object.assign({}, state, change);
  const url = pageURL(state);
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  render();
}

// ------------------------------------------------------------------ helpers

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child);
  }
  return node;
}

// The text with its highlights marked: `ranges` are [start, end] byte offsets in UTF-8.
function highlighted(text, ranges) {
  const bytes = encoder.encode(text);
  const out = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > bytes.length || end <= start) continue;
    if (start > at) out.append(decoder.decode(bytes.subarray(at, start)));
    out.append(el('mark', { text: decoder.decode(bytes.subarray(start, end)) }));
    at = end;
  }
  if (at < bytes.length) out.append(decoder.decode(bytes.subarray(at)));
  return out;
}

function dateOnly(date) {
  return date && /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : (date || '');
}

function plural(n, one, many) {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

async function getJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = { error: `the server answered ${response.status}` };
  }
  return { status: response.status, body };
}

function showBanner(message) {
  const banner = $('banner');
  if (message) {
    banner.textContent = message;
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.textContent = '';
  }
}

// ------------------------------------------------------------------ search view

let inFlight = null;

async function runSearch() {
  const s = state;
  $('help').hidden = !!s.q;
  if (!s.q) {
    $('results').replaceChildren();
    $('facet-lists').replaceChildren();
    $('timeline').hidden = true;
    $('pager').hidden = true;
    $('query-error').hidden = true;
    $('status').textContent = '';
    renderActiveFilters();
    return;
  }
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  $('status').textContent = 'Searching…';
  const filters = filterParams(s).toString();
  const searchParams = filterParams(s);
  searchParams.set('limit', String(PAGE));
  if (s.offset) searchParams.set('offset', String(s.offset));
  let answers;
  try {
    answers = await Promise.all([
      getJSON('/api/search?' + searchParams, controller.signal),
      getJSON('/api/facets?top=12&' + filters, controller.signal),
      getJSON('/api/timeline?' + filters, controller.signal),
    ]);
  } catch (e) {
    if (e.name === 'AbortError') return;
    $('status').textContent = 'The server cannot be reached.';
    return;
  }
  if (controller !== inFlight) return;
  inFlight = null;
  const [search, facets, timeline] = answers;
  renderActiveFilters();
  if (search.status === 400 && search.body.column) {
    showQueryError(search.body);
    $('status').textContent = '';
    $('results').replaceChildren();
    $('facet-lists').replaceChildren();
    $('timeline').hidden = true;
    $('pager').hidden = true;
    return;
  }
  $('query-error').hidden = true;
  if (search.status === 503) {
    showBanner(search.body.error + (search.body.remedy ? ` (${search.body.remedy})` : ''));
    $('status').textContent = 'The index cannot answer right now.';
    return;
  }
  if (search.status !== 200) {
    $('status').textContent = search.body.error || `Error ${search.status}`;
    $('results').replaceChildren();
    return;
  }
  renderHits(search.body);
  if (facets.status === 200) renderFacets(facets.body);
  if (timeline.status === 200) renderTimeline(timeline.body);
}

function showQueryError(error) {
  const box = $('query-error');
  const query = error.query || state.q;
  const chars = Array.from(query);
  const caret = ' '.repeat(Math.max(0, error.column - 1)) + '^';
  box.replaceChildren(
    el('strong', { text: `The query has a problem at column ${error.column}: ` }),
    document.createTextNode(error.message || error.error),
    el('pre', { text: chars.join('') + '\n' + caret }),
  );
  box.hidden = false;
}

// What the search did otherwise than typed, as the command line says it.
function describeCorrection(c) {
  if (c.kind === 'word_forms') return `No exact match for "${c.typed}"; showing other word forms.`;
  if (c.kind === 'word_family') return `Searched for ${c.typed} or words of its family: ${c.searched.join(', ')}.`;
  if (c.kind === 'characters') return `No passage holds ${c.typed} as a word; searched its characters: ${c.searched.join(', ')}.`;
  if (c.kind === 'split') return `No passage holds ${c.typed}; searched the words ${c.searched.join(' ')}.`;
  const searched = c.searched.join(' or ');
  return c.kept
    ? `Searched for ${c.typed} or ${searched}.`
    : `Searched for ${searched} instead of ${c.typed}.`;
}

function renderHits(body) {
  const list = $('results');
  list.replaceChildren();
  const total = body.total;
  const notes = (body.corrections || []).map(describeCorrection).join(' ');
  const noted = (text) => (notes ? `${notes} ${text}` : text);
  if (body.hits.length === 0) {
    $('status').textContent = noted(total === 0
      ? `No article matches ${body.query}. Try fewer words, another spelling, or remove a filter.`
      : 'No more results.');
    $('pager').hidden = true;
    return;
  }
  const first = body.offset + 1;
  const last = body.offset + body.hits.length;
  $('status').textContent = noted(`${plural(total, 'article matches', 'articles match')} · showing ${first}–${last}`);
  for (const hit of body.hits) list.append(renderHit(hit));
  const pager = $('pager');
  pager.hidden = false;
  $('prev').disabled = body.offset === 0;
  // Collapsed copies count in the total but are not shown: a short page is the last one.
  $('next').disabled = last >= total || body.hits.length < body.limit;
  $('page-info').textContent = `${first}–${last} of ${total.toLocaleString('en')}`;
  const csv = filterParams(state);
  csv.set('format', 'csv');
  csv.set('limit', '100');
  if (state.offset) csv.set('offset', String(state.offset));
  $('csv').href = '/api/search?' + csv;
}

// `base`: the state the article view starts from (the saved search's query, in its news).
function renderHit(hit, base = state) {
  const a = hit.article;
  const passage = hit.passages[0];
  const target = { article: a.id, at: passage ? String(passage.start) : '', q: base.q, follow: '' };
  const link = pageURL(Object.assign({}, base, target));
  const title = a.title && a.title.trim() ? a.title : (passage ? passage.text.split(/\s+/).slice(0, 12).join(' ') + '…' : a.id);
  const meta = [dateOnly(a.date), a.source, a.id].filter(Boolean).join(' · ');
  const item = el('li', { class: 'hit' },
    el('h2', {}, el('a', { href: link, class: 'hit-link', 'data-id': a.id, dir: 'auto', text: title })),
    el('p', { class: 'meta' }, meta,
      hit.duplicates > 0 ? el('span', { class: 'also', text: ` · also in ${plural(hit.duplicates, 'other article', 'other articles')}` }) : null),
  );
  for (const p of hit.passages) {
    item.append(el('p', { class: 'passage', dir: 'auto' }, highlighted(p.text, p.highlights)));
  }
  if (hit.read === false) item.append(el('p', { class: 'meta', text: 'New' }));
  if (hit.read === true) item.classList.add('read-item');
  item.querySelector('a').addEventListener('click', (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    go(target, true);
  });
  return item;
}

const FACETS = [
  ['countries', 'Countries', 'country'],
  ['orgs', 'Organisations', 'org'],
  ['signatories', 'Signatories', 'signatory'],
  ['sources', 'Sources', 'source'],
  ['years', 'Years', 'year'],
];

function isActive(kind, value) {
  if (kind === 'source') return state.source === value;
  if (kind === 'year') return state.since === `${value}-01-01` && state.until === `${value}-12-31`;
  return state[kind].includes(value);
}

function toggle(kind, value) {
  const active = isActive(kind, value);
  const change = { offset: 0 };
  if (kind === 'source') change.source = active ? '' : value;
  else if (kind === 'year') {
    change.since = active ? '' : `${value}-01-01`;
    change.until = active ? '' : `${value}-12-31`;
  } else {
    change[kind] = active ? state[kind].filter((v) => v !== value) : state[kind].concat([value]);
  }
  go(change, true);
}

function renderFacets(facets) {
  const names = facets.names || {};
  const box = $('facet-lists');
  box.replaceChildren();
  for (const [key, heading, kind] of FACETS) {
    let values = facets[key] || [];
    if (kind === 'year') values = values.filter(([v]) => v !== 'undated').slice().reverse();
    if (values.length === 0) continue;
    const list = el('ul', { 'aria-label': heading });
    for (const [value, count] of values) {
      const label = names[value] ? `${names[value]} (${value})` : value;
      list.append(el('li', {},
        el('button', {
          type: 'button',
          class: 'facet',
          'data-kind': kind,
          'data-value': value,
          'aria-pressed': isActive(kind, value) ? 'true' : 'false',
          onclick: () => toggle(kind, value),
        }, el('span', { class: 'label', dir: 'auto', text: label }), el('span', { class: 'count', text: count.toLocaleString('en') }))));
    }
    box.append(el('h3', { text: heading }), list);
  }
}

function renderActiveFilters() {
  const box = $('active-filters');
  box.replaceChildren();
  const chips = [];
  for (const kind of ['country', 'org', 'signatory']) {
    for (const v of state[kind]) chips.push([`${kind}: ${v}`, () => toggle(kind, v)]);
  }
  if (state.source) chips.push([`source: ${state.source}`, () => go({ source: '', offset: 0 }, true)]);
  if (state.since) chips.push([`from ${state.since}`, () => go({ since: '', offset: 0 }, true)]);
  if (state.until) chips.push([`to ${state.until}`, () => go({ until: '', offset: 0 }, true)]);
  for (const [label, remove] of chips) {
    box.append(el('button', { type: 'button', class: 'chip', 'aria-label': `Remove the filter ${label}`, onclick: remove, text: `${label} ✕` }));
  }
  $('since').value = state.since;
  $('until').value = state.until;
}

function renderTimeline(periods) {
  const figure = $('timeline');
  const chart = $('timeline-chart');
  chart.replaceChildren();
  if (!periods.length) {
    figure.hidden = true;
    return;
  }
  figure.hidden = false;
  const NS = 'http://www.w3.org/2000/svg';
  const width = 800;
  const height = 110;
  const bottom = 16;
  const max = Math.max(1, ...periods.map((p) => p.passages));
  // At least 24 slots, so that a few months do not make a few very wide bars.
  const step = width / Math.max(periods.length, 24);
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const busiest = periods.reduce((a, b) => (b.passages > a.passages ? b : a));
  svg.setAttribute('aria-label', `Matching passages per month, ${periods[0].period} to ${periods[periods.length - 1].period}; most in ${busiest.period} (${busiest.passages})`);
  periods.forEach((p, i) => {
    const h = ((height - bottom - 4) * p.passages) / max;
    const rect = document.createElementNS(NS, 'rect');
    rect.setAttribute('class', 'bar');
    rect.setAttribute('x', String(i * step + step * 0.1));
    rect.setAttribute('width', String(Math.max(1, step * 0.8)));
    rect.setAttribute('y', String(height - bottom - h));
    rect.setAttribute('height', String(h));
    const title = document.createElementNS(NS, 'title');
    title.textContent = `${p.period}: ${plural(p.passages, 'passage', 'passages')}`;
    rect.append(title);
    svg.append(rect);
  });
  const labels = periods.length <= 1 ? [0] : [0, periods.length - 1];
  for (const i of labels) {
    const text = document.createElementNS(NS, 'text');
    text.setAttribute('x', String(i === 0 ? 2 : Math.min(width - 2, (i + 1) * step)));
    text.setAttribute('y', String(height - 3));
    text.setAttribute('text-anchor', i === 0 ? 'start' : 'end');
    text.textContent = periods[i].period;
    svg.append(text);
  }
  chart.append(svg);
}

// ------------------------------------------------------------------ saved searches

async function loadFollows() {
  let answer;
  try {
    answer = await getJSON('/api/follows');
  } catch (_) {
    return; // the banner says it
  }
  const box = $('follows');
  const list = $('follows-list');
  if (answer.status !== 200 || !Array.isArray(answer.body) || answer.body.length === 0) {
    box.hidden = true;
    return;
  }
  list.replaceChildren();
  for (const f of answer.body) {
    const label = `${f.name}: ${f.query}`;
    list.append(el('li', {},
      el('button', {
        type: 'button',
        class: 'follow',
        'data-name': f.name,
        title: f.query,
        'aria-pressed': state.follow === f.name ? 'true' : 'false',
        'aria-label': `${label}, ${plural(f.unread, 'unread match', 'unread matches')}`,
        onclick: () => go({ follow: f.name, q: '', offset: 0, article: '', at: '' }, true),
      }, el('span', { class: 'label', dir: 'auto', text: f.name }),
      f.unread > 0 ? el('span', { class: 'unread', text: f.unread.toLocaleString('en') }) : el('span', { class: 'count', text: '0' })),
      el('a', { class: 'feed-link', href: f.feed, title: `Atom feed of ${f.name}`, text: 'feed' })));
  }
  box.hidden = false;
}

// The news of a saved search: unread first (then marked read), or the latest if none is.
async function showFollow() {
  const name = state.follow;
  $('help').hidden = true;
  $('timeline').hidden = true;
  $('pager').hidden = true;
  $('query-error').hidden = true;
  $('facet-lists').replaceChildren();
  renderActiveFilters();
  $('status').textContent = 'Loading…';
  const path = '/api/follows/' + encodeURIComponent(name);
  let answer;
  try {
    answer = await getJSON(path + '?limit=50');
    if (answer.status === 200 && answer.body.total === 0) answer = await getJSON(path + '?all=true&limit=20');
  } catch (_) {
    $('status').textContent = 'The server cannot be reached.';
    return;
  }
  if (state.follow !== name) return;
  const list = $('results');
  list.replaceChildren();
  if (answer.status !== 200) {
    $('status').textContent = answer.body.error || `Error ${answer.status}`;
    return;
  }
  const { follow, hits } = answer.body;
  const unread = hits.filter((h) => h.read === false);
  const base = Object.assign({}, readState(), { q: follow.query, follow: '' });
  const status = $('status');
  status.replaceChildren(
    unread.length > 0
      ? `${plural(unread.length, 'new match', 'new matches')} for ${follow.name} (${follow.query}) since you last looked · `
      : hits.length > 0
        ? `Nothing new for ${follow.name} (${follow.query}) since you last looked; the latest matches: · `
        : `Nothing has matched ${follow.name} (${follow.query}) since it was saved · `,
    el('a', { href: follow.search, id: 'follow-search', text: 'search all matches' }),
    ' · ',
    el('a', { href: follow.feed, text: 'Atom feed' }),
  );
  status.querySelector('#follow-search').addEventListener('click', (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    history.pushState(null, '', follow.search);
    state = readState();
    $('q').value = state.q;
    render();
  });
  for (const hit of hits) list.append(renderHit(hit, base));
  if (unread.length > 0) {
    const through = Math.max(...unread.map((h) => h.seq));
    try {
      await fetch(`${path}/read?through=${through}`, { method: 'POST' });
    } catch (_) { /* counted as unread again next time */ }
  }
  loadFollows();
}

// ------------------------------------------------------------------ article view

async function showArticle() {
  const id = state.article;
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  const { status, body } = await getJSON(`/api/articles/${encodeURIComponent(id)}?${params}`);
  const title = $('article-title');
  const text = $('article-text');
  text.replaceChildren();
  if (status !== 200) {
    title.textContent = status === 404 ? 'No such article' : 'The article cannot be shown';
    $('article-meta').textContent = body.error || '';
    return;
  }
  const a = body.article;
  // Untitled wire copy: its first words, as the command line shows it.
  title.textContent = a.title && a.title.trim() ? a.title : body.text.split(/\s+/).slice(0, 12).join(' ') + '…';
  title.setAttribute('dir', 'auto');
  const meta = $('article-meta');
  meta.replaceChildren([dateOnly(a.date), a.source, a.id].filter(Boolean).join(' · '));
  if (a.url && /^https?:\/\//i.test(a.url)) {
    meta.append(' · ', el('a', { href: a.url, rel: 'noopener noreferrer', text: 'original' }));
  }
  const bytes = encoder.encode(body.text);
  let marked = null;
  for (const [start, end] of body.passages) {
    const local = body.highlights
      .filter(([s, e]) => s >= start && e <= end)
      .map(([s, e]) => [s - start, e - start]);
    const passageText = decoder.decode(bytes.subarray(start, end));
    if (!passageText.trim()) continue;
    const p = el('p', { dir: 'auto', 'data-start': start }, highlighted(passageText, local));
    if (state.at !== '' && String(start) === state.at) {
      p.classList.add('marked');
      p.id = 'marked';
      p.tabIndex = -1;
      marked = p;
    }
    text.append(p);
  }
  if (marked) {
    marked.scrollIntoView({ block: 'center' });
    marked.focus({ preventScroll: true });
  }
}

// ------------------------------------------------------------------ health and stats

async function checkHealth() {
  try {
    const { status, body } = await getJSON('/api/health');
    if (status === 200) showBanner('');
    else showBanner(`${body.reason || 'The index cannot answer.'}${body.remedy ? ' Remedy: ' + body.remedy + '.' : ''}`);
  } catch (_) {
    showBanner('The server cannot be reached.');
  }
}

async function showStats() {
  try {
    const { status, body } = await getJSON('/api/stats');
    if (status === 200) {
      $('footer-stats').textContent = `${plural(body.articles, 'article', 'articles')} · ${plural(body.passages, 'passage', 'passages')}` +
        (body.first_date ? ` · ${dateOnly(body.first_date)} to ${dateOnly(body.last_date)}` : '');
    }
  } catch (_) { /* the banner says it */ }
}

// ------------------------------------------------------------------ wiring

function render() {
  const reading = !!state.article;
  $('search-view').hidden = reading;
  $('article-view').hidden = !reading;
  if ($('q').value !== state.q && document.activeElement !== $('q')) $('q').value = state.q;
  document.title = state.q ? `${state.q} · communique` : 'communique';
  if (reading) {
    $('back').href = pageURL(Object.assign({}, state, { article: '', at: '' }));
    showArticle();
  } else if (state.follow) {
    document.title = `${state.follow} · communique`;
    showFollow();
  } else {
    runSearch();
  }
  for (const button of document.querySelectorAll('#follows-list button')) {
    button.setAttribute('aria-pressed', button.dataset.name === state.follow ? 'true' : 'false');
  }
}

let timer = null;

document.addEventListener('DOMContentLoaded', () => {
  const input = $('q');
  input.value = state.q;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => go({ q: input.value.trim(), offset: 0, article: '', at: '', follow: '' }, false), DEBOUNCE_MS);
  });
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    go({ q: input.value.trim(), offset: 0, article: '', at: '', follow: '' }, true);
  });
  $('back').addEventListener('click', (event) => {
    event.preventDefault();
    go({ article: '', at: '' }, true);
  });
  $('prev').addEventListener('click', () => go({ offset: Math.max(0, state.offset - PAGE) }, true));
  $('next').addEventListener('click', () => go({ offset: state.offset + PAGE }, true));
  $('since').addEventListener('change', (e) => go({ since: e.target.value, offset: 0 }, true));
  $('until').addEventListener('change', (e) => go({ until: e.target.value, offset: 0 }, true));
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== input && !/^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === 'Escape' && state.article) {
      go({ article: '', at: '' }, true);
    }
  });
  window.addEventListener('popstate', () => {
    state = readState();
    input.value = state.q;
    render();
  });
  render();
  checkHealth();
  showStats();
  loadFollows();
  setInterval(checkHealth, 30000);
  setInterval(loadFollows, 30000);
});
