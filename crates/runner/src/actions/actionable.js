// One attempt at an action's target, evaluated in the page's main frame
// after the page checks' prelude (crates/spec/src/steps/page/prelude.js):
// resolve the locator with its `locate`, then Playwright's
// actionability checks (injectedScript.ts, 1.65): attached, visible,
// stable over two animation frames, enabled, editable, and for a pointer
// action the element (or a descendant) is what a hit test at its centre
// finds. Returns the point to send input to, in the top frame's viewport
// coordinates, or the state that is not met yet.
async (args) => {
  const found = locate(args.locator);
  if (found.error) return { state: 'error', message: found.error };
  const els = found.els;
  if (els.length === 0) return { state: 'missing', count: 0, message: found.note || null };
  if (els.length > 1) return { state: 'strict', count: els.length };
  const el = els[0];
  const wants = (c) => args.checks.includes(c);
  const describe = (e) => {
    let s = '<' + e.nodeName.toLowerCase();
    for (const a of ['id', 'class', 'role', 'name']) {
      const v = e.getAttribute && e.getAttribute(a);
      if (v) s += ` ${a}="${v.slice(0, 40)}"`;
    }
    return s + '>';
  };
  const not = (state) => ({ state, count: 1, element: describe(el) });

  if (!el.isConnected) return not('detached');
  if (wants('visible') && !isElementVisible(el)) return not('not visible');

  // Stable: the same box in two consecutive animation frames. A frame that
  // never comes (a background tab) counts after 100 ms, as a box that held.
  const frame = () => new Promise((resolve) => {
    const win = el.ownerDocument.defaultView;
    win.requestAnimationFrame(() => resolve());
    setTimeout(resolve, 100);
  });
  const box = () => {
    const r = el.getBoundingClientRect();
    return `${r.top},${r.left},${r.width},${r.height}`;
  };
  if (wants('stable')) {
    await frame();
    const first = box();
    await frame();
    if (!el.isConnected) return not('detached');
    if (box() !== first) return not('not stable');
  }

  // Enabled: Playwright's getAriaDisabled, native `disabled` (a disabled
  // fieldset included) or `aria-disabled="true"` on it or an ancestor.
  const disabled = () => {
    const native = ['BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'OPTGROUP'];
    if (native.includes(el.nodeName) && el.matches(':disabled')) return true;
    for (let e = el; e; e = parentOf(e)) {
      if (e.getAttribute && e.getAttribute('aria-disabled') === 'true') return true;
    }
    return false;
  };
  if (wants('enabled') && disabled()) return not('not enabled');

  // Editable: an input, a textarea or a contenteditable that is not read-only.
  if (wants('editable')) {
    const kind = el.nodeName;
    if (kind !== 'INPUT' && kind !== 'TEXTAREA' && !el.isContentEditable) {
      return { state: 'error', count: 1, message: `${describe(el)} is not an <input>, <textarea> or [contenteditable] element` };
    }
    if (kind === 'INPUT') {
      const type = (el.getAttribute('type') || 'text').toLowerCase();
      const typed = ['', 'email', 'number', 'password', 'search', 'tel', 'text', 'url'];
      const set = ['color', 'date', 'time', 'datetime-local', 'month', 'range', 'week'];
      if (!typed.includes(type) && !set.includes(type)) {
        return { state: 'error', count: 1, message: `an input of type "${type}" cannot be filled` };
      }
    }
    if ((kind === 'INPUT' || kind === 'TEXTAREA') && el.readOnly) return not('not editable');
  }

  if (args.action === 'focus') {
    el.focus();
    return { state: 'ok', count: 1 };
  }

  if (args.action === 'fill') {
    // Playwright's fill: a typed input or a contenteditable gets its text
    // selected and replaced by typing (the caller inserts the text); a
    // date, colour or range input takes its value set, with input and
    // change events.
    const type = el.nodeName === 'INPUT' ? (el.getAttribute('type') || 'text').toLowerCase() : '';
    if (['color', 'date', 'time', 'datetime-local', 'month', 'range', 'week'].includes(type)) {
      el.focus();
      el.value = args.value;
      if (el.value !== args.value) return { state: 'error', count: 1, message: `malformed value "${args.value}" for an input of type "${type}"` };
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return { state: 'ok', count: 1, done: true };
    }
    el.focus();
    if (el.nodeName === 'INPUT' || el.nodeName === 'TEXTAREA') {
      el.select();
    } else {
      const range = el.ownerDocument.createRange();
      range.selectNodeContents(el);
      const sel = el.ownerDocument.defaultView.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    return { state: 'ok', count: 1 };
  }

  // Into view: Chromium's scrollIntoViewIfNeeded, centring only when needed.
  if (el.scrollIntoViewIfNeeded) el.scrollIntoViewIfNeeded(true);
  else el.scrollIntoView({ block: 'center', inline: 'center' });
  if (args.action === 'scroll') return { state: 'ok', count: 1 };

  // The point: the centre of the element's first box, cut to its window's
  // viewport, as Playwright cuts the content quads.
  const win = el.ownerDocument.defaultView;
  const rect = [...el.getClientRects()].map((r) => ({
    left: Math.max(r.left, 0), top: Math.max(r.top, 0),
    right: Math.min(r.right, win.innerWidth), bottom: Math.min(r.bottom, win.innerHeight),
  })).find((r) => r.right - r.left > 0.99 && r.bottom - r.top > 0.99);
  if (!rect) return not('outside the viewport');
  let x = (rect.left + rect.right) / 2;
  let y = (rect.top + rect.bottom) / 2;

  // Hit test (Playwright's expectHitTarget): descend through shadow roots
  // from the document to the element's own root, then walk up from what
  // was hit. A click on a link's or button's child counts for the link.
  const target = (el.closest && el.closest('button, [role="button"], a, [role="link"]')) || el;
  const roots = [];
  for (let p = el; p;) {
    const root = p.getRootNode();
    roots.push(root);
    if (root.nodeType === 9) break;
    p = root.host;
  }
  let hit;
  for (let i = roots.length - 1; i >= 0; i--) {
    const inner = roots[i].elementFromPoint(x, y);
    if (!inner) break;
    hit = inner;
    if (i && inner !== roots[i - 1].host) break;
  }
  let h = hit;
  while (h && h !== target && h !== el) h = parentOf(h);
  if (!h) {
    return { state: 'covered', count: 1, element: describe(el), by: hit ? describe(hit) : 'nothing' };
  }

  // Out of the element's frames into the top one: each frame's box and
  // border move the point, and the frame itself must be what is hit.
  for (let w = win; w.frameElement; w = w.parent) {
    const f = w.frameElement;
    const r = f.getBoundingClientRect();
    const style = w.parent.getComputedStyle(f);
    x += r.left + f.clientLeft + parseFloat(style.paddingLeft);
    y += r.top + f.clientTop + parseFloat(style.paddingTop);
    const at = w.parent.document.elementFromPoint(x, y);
    if (at !== f) return { state: 'covered', count: 1, element: describe(el), by: at ? describe(at) : 'nothing' };
  }
  return { state: 'ok', count: 1, x, y };
}
