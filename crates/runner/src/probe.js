// One poll of an expectation, evaluated in the page's main frame. Every
// function here follows Playwright's injected script (1.65) line for line,
// so a verdict means what it would mean in Playwright; docs/spec.md
// ("Semantics") names the original of each one.
(args) => {
  // Playwright's normalizeWhiteSpace: drop zero-width spaces and soft
  // hyphens, trim, collapse every run of JS whitespace to one space.
  const normalizeWhiteSpace = (text) =>
    text.replace(/[\u200b\u00ad]/g, '').trim().replace(/\s+/g, ' ');

  // Playwright's css engine: querySelectorAll in the document, then in
  // every open shadow root, recursively (pierceShadow).
  const query = (css) => {
    let out = [];
    const walk = (root) => {
      out = out.concat([...root.querySelectorAll(css)]);
      if (root.shadowRoot) walk(root.shadowRoot);
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return out;
  };

  // Playwright's shouldSkipForTextMatching + elementText(...).full.
  const skipForText = (node) =>
    node.nodeName === 'SCRIPT' ||
    node.nodeName === 'NOSCRIPT' ||
    node.nodeName === 'STYLE' ||
    (!!document.head && document.head.contains(node));
  const elementText = (root) => {
    if (skipForText(root)) return '';
    if (root instanceof HTMLInputElement &&
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
    const range = document.createRange();
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

  if (args.kind === 'title') {
    const title = document.title;
    let pass;
    if (args.regex !== undefined) {
      // ExpectedTextMatcher: a regex tests the raw title.
      const re = new RegExp(args.regex, args.flags);
      pass = re.test(title);
    } else {
      pass = normalizeWhiteSpace(title) === normalizeWhiteSpace(args.exact);
    }
    return { count: 1, pass, text: title.slice(0, 200) };
  }

  if (args.kind === 'url') {
    // toHaveURL with a RegExp tests the main frame's full URL.
    const url = window.location.href;
    return { count: 1, pass: new RegExp(args.regex, args.flags).test(url), text: url.slice(0, 200) };
  }

  const els = query(args.selector);
  // toHaveCount counts every match: no strict mode.
  if (args.kind === 'count') return { count: els.length, pass: els.length === args.equals };
  // toBeHidden passes when nothing matches (InjectedScript.expect).
  if (args.kind === 'hidden' && els.length === 0) return { count: 0, pass: true };
  // Strict mode: more than one match is a failure; nothing else is read.
  if (els.length !== 1) return { count: els.length };
  const el = els[0];
  if (args.kind === 'text') {
    // toContainText: substring of the normalised text, case-sensitive.
    const text = normalizeWhiteSpace(elementText(el));
    return { count: 1, pass: text.includes(normalizeWhiteSpace(args.text)), text: text.slice(0, 200) };
  }
  if (args.kind === 'hidden') return { count: 1, pass: !isElementVisible(el) };
  return { count: 1, pass: isElementVisible(el) };
}
