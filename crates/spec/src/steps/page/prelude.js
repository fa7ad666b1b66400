// The shared half of every page probe: Playwright's definitions of text,
// whitespace, visibility and selector matching, and the locator engine.
// Every function here follows Playwright's injected script (1.65) line for
// line, so a verdict means what it would mean in Playwright; docs/spec.md
// ("Semantics") names the original of each one.
//
// It runs inside `(args) => { ... }` (see probe.rs), ahead of the table of
// per-step probes that the registry assembles, so `args` is in scope.

// Playwright's normalizeWhiteSpace: drop zero-width spaces and soft
// hyphens, trim, collapse every run of JS whitespace to one space.
const normalizeWhiteSpace = (text) =>
  text.replace(/[\u200b\u00ad]/g, '').trim().replace(/\s+/g, ' ');

// Playwright's css engine: querySelectorAll in the document, then in
// every open shadow root, recursively (pierceShadow).
const queryIn = (doc, css) => {
  let out = [];
  const walk = (root) => {
    out = out.concat([...root.querySelectorAll(css)]);
    if (root.shadowRoot) walk(root.shadowRoot);
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(doc);
  return out;
};
const query = (css) => queryIn(document, css);

// Playwright's shouldSkipForTextMatching + elementText(...).full.
const skipForText = (node) =>
  node.nodeName === 'SCRIPT' ||
  node.nodeName === 'NOSCRIPT' ||
  node.nodeName === 'STYLE' ||
  (!!node.ownerDocument && !!node.ownerDocument.head && node.ownerDocument.head.contains(node));
// Cached for the poll, as Playwright's _cacheText: getByText reads the
// text of every element, and of its children again.
const textCache = new Map();
const elementText = (root) => {
  if (!textCache.has(root)) textCache.set(root, elementTextUncached(root));
  return textCache.get(root);
};
const elementTextUncached = (root) => {
  if (skipForText(root)) return '';
  if (root.nodeName === 'INPUT' &&
      (root.type === 'submit' || root.type === 'button' || root.type === 'reset')) {
    return root.value;
  }
  let full = '';
  for (let child = root.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === Node.TEXT_NODE) full += child.nodeValue || '';
    else if (child.nodeType === Node.ELEMENT_NODE) full += elementText(child);
  }
  if (root.shadowRoot) full += elementText(root.shadowRoot);
  return full;
};

// Playwright's isElementVisible / computeBox /
// isElementStyleVisibilityVisible / isVisibleTextNode.
const isVisibleTextNode = (node) => {
  const range = node.ownerDocument.createRange();
  range.selectNode(node);
  const rect = range.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0;
};
const isElementVisible = (el) => {
  const style = el.ownerDocument.defaultView.getComputedStyle(el);
  if (!style) return true;
  if (style.display === 'contents') {
    for (let child = el.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1 && isElementVisible(child)) return true;
      if (child.nodeType === 3 && isVisibleTextNode(child)) return true;
    }
    return false;
  }
  // checkVisibility() sees display: none up the flat tree, closed
  // <details>, and content-visibility: hidden.
  if (!el.checkVisibility()) return false;
  if (style.visibility !== 'visible') return false;
  const rect = el.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0;
};

// Playwright's text matchers (createTextMatcher): a regex tests the full
// text; a string matches a case-insensitive substring of the normalised
// text, or with `exact` the whole normalised text.
const textMatcher = (p, exact) => {
  if (p.regex !== undefined) {
    const re = new RegExp(p.regex, p.flags);
    return (et) => { re.lastIndex = 0; return re.test(et.full); };
  }
  const text = normalizeWhiteSpace(p.text);
  // getByText's `exact` is the internal engine's strict matcher: the
  // whole normalised text, never one run of own text nodes (that is
  // `:text-is()`, checked against playwright-core 1.65).
  if (exact) return (et) => et.normalized === text;
  const lower = text.toLowerCase();
  return (et) => et.normalized.toLowerCase().includes(lower);
};
// elementText as Playwright's ElementText: the full text and its
// normalised form (the only two getByText reads).
const textOf = (el) => {
  const full = elementText(el);
  return { full, normalized: normalizeWhiteSpace(full) };
};
const plainText = (s) => ({ full: s, normalized: normalizeWhiteSpace(s) });
// elementMatchesText: 'none', 'self', or 'selfAndChildren' when a child
// element matches too (getByText then keeps the child only).
const matchesText = (el, m) => {
  if (skipForText(el) || !m(textOf(el))) return 'none';
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === Node.ELEMENT_NODE && m(textOf(c))) return 'selfAndChildren';
  }
  if (el.shadowRoot && m({ full: elementText(el.shadowRoot), normalized: normalizeWhiteSpace(elementText(el.shadowRoot)) })) return 'selfAndChildren';
  return 'self';
};

// Playwright's roleUtils: parent across shadow roots, hidden for ARIA.
const parentOf = (el) => el.parentElement || (el.parentNode && el.parentNode.host) || null;
const styleOf = (el) => el.ownerDocument.defaultView.getComputedStyle(el);
const hiddenForAria = (el) => {
  if (['STYLE', 'SCRIPT', 'NOSCRIPT', 'TEMPLATE'].includes(el.nodeName)) return true;
  const style = styleOf(el);
  const isSlot = el.nodeName === 'SLOT';
  if (style && style.display === 'contents' && !isSlot) {
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1 && !hiddenForAria(c)) return false;
      if (c.nodeType === 3 && isVisibleTextNode(c)) return false;
    }
    return true;
  }
  const optionInSelect = el.nodeName === 'OPTION' && !!el.closest('select');
  if (!optionInSelect && !isSlot && style && (!el.checkVisibility() || style.visibility !== 'visible')) return true;
  for (let e = el; e; e = parentOf(e)) {
    if (e.getAttribute('aria-hidden') === 'true') return true;
    const s = styleOf(e);
    if (s && s.display === 'none') return true;
  }
  return false;
};

// ARIA roles: an explicit `role` (its first known token), else the
// element's implicit role (Playwright's kImplicitRoleByTagName).
const KNOWN = new Set(args.roles || []);
const named = (el) => el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby');
const inSection = (el) => {
  for (let e = parentOf(el); e; e = parentOf(e)) {
    const r = e.getAttribute('role');
    if (['ARTICLE', 'ASIDE', 'MAIN', 'NAV', 'SECTION'].includes(e.nodeName) && !r) return true;
    if (['article', 'complementary', 'main', 'navigation', 'region'].includes(r)) return true;
  }
  return false;
};
const inputRole = (el) => {
  const type = (el.getAttribute('type') || 'text').toLowerCase();
  if (['button', 'image', 'reset', 'submit'].includes(type)) return 'button';
  if (type === 'checkbox' || type === 'radio') return type;
  if (type === 'range') return 'slider';
  if (type === 'number') return 'spinbutton';
  if (type === 'hidden') return null;
  if (type === 'search') return el.hasAttribute('list') ? 'combobox' : 'searchbox';
  if (['email', 'tel', 'text', 'url', ''].includes(type)) return el.hasAttribute('list') ? 'combobox' : 'textbox';
  return null;
};
const IMPLICIT = {
  A: (e) => (e.hasAttribute('href') ? 'link' : null),
  AREA: (e) => (e.hasAttribute('href') ? 'link' : null),
  ARTICLE: () => 'article', ASIDE: () => 'complementary', BLOCKQUOTE: () => 'blockquote',
  BUTTON: () => 'button', CAPTION: () => 'caption', CODE: () => 'code', DATALIST: () => 'listbox',
  DD: () => 'definition', DEL: () => 'deletion', DETAILS: () => 'group', DFN: () => 'term',
  DIALOG: () => 'dialog', DT: () => 'term', EM: () => 'emphasis', FIELDSET: () => 'group',
  FIGURE: () => 'figure', FOOTER: (e) => (inSection(e) ? null : 'contentinfo'),
  FORM: (e) => (named(e) ? 'form' : null),
  H1: () => 'heading', H2: () => 'heading', H3: () => 'heading', H4: () => 'heading', H5: () => 'heading', H6: () => 'heading',
  HEADER: (e) => (inSection(e) ? null : 'banner'), HR: () => 'separator', HTML: () => 'document',
  IMG: (e) => (e.getAttribute('alt') === '' && !e.getAttribute('title') && !named(e) ? 'presentation' : 'img'),
  INPUT: inputRole, INS: () => 'insertion', LI: () => 'listitem', MAIN: () => 'main', MARK: () => 'mark',
  MATH: () => 'math', MENU: () => 'list', METER: () => 'meter', NAV: () => 'navigation', OL: () => 'list',
  OPTGROUP: () => 'group', OPTION: () => 'option', OUTPUT: () => 'status', P: () => 'paragraph',
  PROGRESS: () => 'progressbar', SEARCH: () => 'search', SECTION: (e) => (named(e) ? 'region' : null),
  SELECT: (e) => (e.hasAttribute('multiple') || e.size > 1 ? 'listbox' : 'combobox'),
  STRONG: () => 'strong', SUB: () => 'subscript', SUP: () => 'superscript', SVG: () => 'img',
  TABLE: () => 'table', TBODY: () => 'rowgroup', TD: () => 'cell', TEXTAREA: () => 'textbox',
  TFOOT: () => 'rowgroup', TH: (e) => (e.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader'),
  THEAD: () => 'rowgroup', TIME: () => 'time', TR: () => 'row', UL: () => 'list',
};
const roleOf = (el) => {
  for (const token of (el.getAttribute('role') || '').split(/\s+/)) {
    if (KNOWN.has(token)) return token;
  }
  const f = IMPLICIT[el.nodeName.toUpperCase()];
  return f ? f(el) : null;
};

// The accessible name, after accname 1.2 as Playwright computes it:
// aria-labelledby, aria-label, the host language's label (<label>, alt,
// value of a button input, <legend>, <figcaption>, <caption>), the
// content for roles named by their content, then title and placeholder.
const FROM_CONTENT = new Set(['button', 'cell', 'checkbox', 'columnheader', 'gridcell', 'heading', 'link',
  'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'radio', 'row', 'rowheader', 'switch', 'tab',
  'tooltip', 'treeitem']);
const byIds = (el, attr) => {
  const ids = (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean);
  const root = el.getRootNode();
  return ids.map((id) => (root.getElementById ? root.getElementById(id) : null)).filter(Boolean);
};
const nameOf = (el, ctx) => {
  if (ctx.visited.has(el)) return '';
  ctx.visited.add(el);
  if (!ctx.referenced && hiddenForAria(el)) return '';
  if (!ctx.labelledBy) {
    const refs = byIds(el, 'aria-labelledby');
    if (refs.length) {
      const text = refs.map((r) => nameOf(r, { visited: ctx.visited, labelledBy: true, referenced: true, content: true })).join(' ');
      if (text.trim()) return text;
    }
  }
  const role = roleOf(el);
  const ariaLabel = el.getAttribute('aria-label');
  if (ariaLabel && ariaLabel.trim()) return ariaLabel;
  const tag = el.nodeName;
  if (tag === 'INPUT') {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (['button', 'submit', 'reset'].includes(type)) {
      if (el.value) return el.value;
      if (type === 'submit') return 'Submit';
      if (type === 'reset') return 'Reset';
      return el.getAttribute('title') || '';
    }
    if (type === 'image') return el.getAttribute('alt') || el.getAttribute('value') || el.getAttribute('title') || 'Submit';
    if (ctx.content) return el.value || '';
  }
  if (ctx.content && tag === 'TEXTAREA') return el.value || '';
  if (['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'METER', 'OUTPUT', 'PROGRESS'].includes(tag) && el.labels && el.labels.length) {
    const text = [...el.labels].map((l) => nameOf(l, { visited: ctx.visited, labelledBy: ctx.labelledBy, referenced: true, content: true })).join(' ');
    if (text.trim()) return text;
  }
  if (tag === 'IMG' || tag === 'AREA') {
    const alt = el.getAttribute('alt');
    if (alt && alt.trim()) return alt;
  }
  const first = (sel) => [...el.children].find((c) => c.matches(sel));
  if (tag === 'FIELDSET' && first('legend')) return nameOf(first('legend'), { ...ctx, referenced: true, content: true });
  if (tag === 'FIGURE' && first('figcaption')) return nameOf(first('figcaption'), { ...ctx, referenced: true, content: true });
  if (tag === 'TABLE' && first('caption')) return nameOf(first('caption'), { ...ctx, referenced: true, content: true });
  if (ctx.content || FROM_CONTENT.has(role)) {
    let out = '';
    const kids = [];
    for (let c = el.firstChild; c; c = c.nextSibling) kids.push(c);
    if (el.shadowRoot) for (let c = el.shadowRoot.firstChild; c; c = c.nextSibling) kids.push(c);
    for (const c of kids) {
      if (c.nodeType === Node.TEXT_NODE) out += c.nodeValue || '';
      else if (c.nodeType === Node.ELEMENT_NODE) {
        const inner = nameOf(c, { visited: ctx.visited, labelledBy: ctx.labelledBy, referenced: false, content: true });
        const display = styleOf(c).display;
        out += display !== 'inline' || c.nodeName === 'BR' ? ' ' + inner + ' ' : inner;
      }
    }
    if (out.trim()) return out;
  }
  const title = el.getAttribute('title');
  if (title && title.trim()) return title;
  if ((tag === 'INPUT' || tag === 'TEXTAREA') && el.getAttribute('placeholder')) return el.getAttribute('placeholder');
  return '';
};
const accessibleName = (el) => normalizeWhiteSpace(nameOf(el, { visited: new Set(), labelledBy: false, referenced: false, content: false }));

// Playwright's getElementLabels, for getByLabel.
const labelsOf = (el) => {
  const refs = byIds(el, 'aria-labelledby');
  if (refs.length) return refs.map(textOf);
  const aria = el.getAttribute('aria-label');
  if (aria !== null && aria.trim()) return [plainText(aria)];
  const input = el.nodeName === 'INPUT' && el.type !== 'hidden';
  if (input || ['BUTTON', 'METER', 'OUTPUT', 'PROGRESS', 'SELECT', 'TEXTAREA'].includes(el.nodeName)) {
    if (el.labels) return [...el.labels].map(textOf);
  }
  return [];
};

// Resolves a locator (crates/spec/src/steps/locator.rs) to its elements.
const locate = (loc) => {
  let doc = document;
  if (loc.frame) {
    const frames = query(loc.frame);
    // No frame is no match (toBeHidden and toHaveCount(0) pass, as in
    // Playwright); several frames break strict mode whatever the check.
    if (frames.length === 0) return { els: [], note: `no frame matching \`${loc.frame}\`` };
    if (frames.length > 1) {
      return { error: `${frames.length} frames matching \`${loc.frame}\` (strict mode wants one)` };
    }
    if (frames[0].nodeName !== 'IFRAME' && frames[0].nodeName !== 'FRAME') {
      return { error: `\`${loc.frame}\` is a <${frames[0].nodeName.toLowerCase()}>, not an iframe` };
    }
    doc = frames[0].contentDocument;
    if (!doc) return { error: `the frame \`${loc.frame}\` is on another origin, which the page cannot read into` };
  }
  const all = () => queryIn(doc, '*');
  let els;
  if (loc.engine === 'css') {
    els = queryIn(doc, loc.css);
  } else if (loc.engine === 'test_id') {
    els = queryIn(doc, '[data-testid]').filter((e) => e.getAttribute('data-testid') === loc.value);
  } else if (loc.engine === 'text') {
    const m = textMatcher(loc.value, loc.exact);
    els = all().filter((e) => matchesText(e, m) === 'self');
  } else if (loc.engine === 'label') {
    const m = textMatcher(loc.value, loc.exact);
    els = all().filter((e) => labelsOf(e).some(m));
  } else if (loc.engine === 'role') {
    const m = loc.name ? textMatcher(loc.name, loc.exact) : null;
    els = all().filter((e) => roleOf(e) === loc.role && !hiddenForAria(e) &&
      (!m || m(plainText(accessibleName(e)))));
  } else {
    // placeholder, alt, title: Playwright's internal:attr engine, raw
    // attribute text (no whitespace normalising).
    const attr = loc.engine;
    const v = loc.value;
    let m;
    if (v.regex !== undefined) { const re = new RegExp(v.regex, v.flags); m = (s) => re.test(s); }
    else if (loc.exact) m = (s) => s === v.text;
    else m = (s) => s.toLowerCase().includes(v.text.toLowerCase());
    els = queryIn(doc, `[${attr}]`).filter((e) => m(e.getAttribute(attr)));
  }
  if (loc.has_text) {
    const m = textMatcher(loc.has_text, false);
    els = els.filter((e) => !skipForText(e) && m(textOf(e)));
  }
  if (loc.nth !== null && loc.nth !== undefined) {
    const i = loc.nth < 0 ? els.length + loc.nth : loc.nth;
    els = i >= 0 && i < els.length ? [els[i]] : [];
  }
  return { els };
};

// Strict mode for a check on one element: the locator must resolve to
// exactly one element, and only then does `check(el)` read it. `whenNone`
// is what a step answers when nothing matches (toBeHidden passes then,
// InjectedScript.expect); otherwise no match is reported as such.
const single = (args, check, whenNone) => {
  const found = locate(args.locator);
  if (found.error) return { count: 0, error: found.error };
  const els = found.els;
  if (els.length === 0 && whenNone) return whenNone;
  if (els.length === 0 && found.note) return { count: 0, error: found.note };
  // More than one match is a failure; nothing else is read.
  if (els.length !== 1) return { count: els.length };
  return { count: 1, ...check(els[0]) };
};
