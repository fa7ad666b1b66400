//! Actions (`click`, `hover`, `fill`, `press`, `scroll`, `opens: tab`):
//! both tools act on the same page, and must agree on the verdict and,
//! when both pass, on where the page ended: each page reports its URL and
//! a digest of its DOM and form values to the parity server
//! (`reporter`), and `parity.rs` compares the two end states.

use super::cases::{Case, Loc, Step, by, html, path};

use super::cases::Step::*;

/// What a page sets once its current state is reported; the last step of
/// every action case waits for it.
pub const SYNCED: &str = "html[data-synced]";

/// Reports the page's state (path, query and fragment, the focused
/// element, the form values and an FNV-1a digest of the body's markup)
/// to `/__state` whenever it changes, and marks the page synced once the
/// server has it. A DOM change or an input clears the mark at once, so a
/// check of the mark never passes on a stale report.
fn reporter(case: &str) -> String {
    format!(
        r#"<script>
(() => {{
  const CASE = {case:?};
  let last = null;
  const digest = () => {{
    const values = [...document.querySelectorAll('input, textarea, select')]
      .map((e) => (e.type === 'checkbox' || e.type === 'radio' ? String(e.checked) : e.value).slice(0, 40));
    const focus = document.activeElement ? (document.activeElement.id || document.activeElement.nodeName) : '';
    const dom = document.body.innerHTML;
    let h = 0x811c9dc5;
    for (let i = 0; i < dom.length; i++) {{ h ^= dom.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }}
    return location.pathname + location.search + location.hash + ' focus=' + focus +
      ' values=' + JSON.stringify(values) + ' dom=' + h.toString(16);
  }};
  const report = () => {{
    const s = digest();
    if (s === last) return;
    last = s;
    document.documentElement.removeAttribute('data-synced');
    // Reports can overtake each other; the server keeps the latest by this
    // clock, which keeps running across the tab's documents.
    const at = performance.timeOrigin + performance.now();
    fetch('/__state?case=' + encodeURIComponent(CASE) + '&at=' + at + '&s=' + encodeURIComponent(s))
      .then(() => {{ if (last === s) document.documentElement.setAttribute('data-synced', ''); }});
  }};
  new MutationObserver((records) => {{
    if (records.some((r) => r.attributeName !== 'data-synced')) report();
  }}).observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }});
  for (const ev of ['input', 'change', 'focusin', 'popstate', 'hashchange']) addEventListener(ev, report, true);
  // A frame's page says when it changed: focus moving into a frame
  // changes this document's activeElement without a DOM change here. The
  // frame clears the synced mark itself, at once, and this reports again
  // even if nothing here changed, so the end state never races the poll.
  addEventListener('message', () => {{ last = null; report(); }});
  setInterval(report, 50);
  report();
}})();
</script>"#
    )
}

/// A page of an action case, at `path`, reporting under `case`.
fn reporting(case: &str, body: &str) -> super::server::Response {
    html(
        "<title>Parity</title>",
        &format!("{body}{}", reporter(case)),
    )
}

/// An action case: visit its page, run `steps`, then wait until the end
/// state is reported. `more` are further pages (path under the case, body).
fn act(
    name: &'static str,
    rule: &'static str,
    body: &str,
    more: &[(&str, &str)],
    steps: Vec<Step>,
) -> Case {
    let mut routes = vec![(path(name), reporting(name, body))];
    for (sub, body) in more {
        routes.push((format!("{}{sub}", path(name)), reporting(name, body)));
    }
    let mut all = vec![Visit(path(name))];
    all.extend(steps);
    all.push(Synced);
    Case {
        name,
        rule,
        routes,
        steps: all,
    }
}

fn role(r: &'static str) -> Loc {
    by("role", r)
}

/// An output that shows what an input holds, on every `input` event.
const MIRROR: &str = "<output id=\"out\"></output><script>for (const e of document.querySelectorAll('input, textarea, [contenteditable]')) e.addEventListener('input', () => { document.getElementById('out').textContent = (e.value ?? e.textContent) || '(empty)'; });</script>";

pub fn cases() -> Vec<Case> {
    let button = |n: &'static str| role("button").name(n);
    vec![
        // Clicks and where they lead.
        act(
            "act-click-link-navigates",
            "action-click",
            "<a href=\"/c/act-click-link-navigates/next\">Next page</a>",
            &[("/next", "<h1>Arrived</h1>")],
            vec![
                Click(role("link").name("Next page")),
                Url("/next$"),
                Text("h1", "Arrived"),
            ],
        ),
        act(
            "act-click-counts",
            "action-click",
            "<button onclick=\"n.textContent = +n.textContent + 1\">Add</button><span id=\"n\">0</span>",
            &[],
            vec![Click(button("Add")), Click(button("Add")), Text("#n", "2")],
        ),
        act(
            "act-click-child-of-link",
            "action-click",
            "<a href=\"/c/act-click-child-of-link/to\"><span>Inner words</span></a>",
            &[("/to", "<p>Followed</p>")],
            vec![Click(by("text", "Inner words")), Url("/to$")],
        ),
        act(
            "act-click-waits-for-late-button",
            "action-actionable",
            "<script>setTimeout(() => { const b = document.createElement('button'); b.textContent = 'Late'; \
             b.onclick = () => { b.textContent = 'Pressed'; }; document.body.appendChild(b); }, 300);</script>",
            &[],
            vec![Click(button("Late")), VisibleLoc(button("Pressed"))],
        ),
        act(
            "act-click-waits-until-enabled",
            "action-actionable",
            "<button id=\"b\" disabled onclick=\"this.textContent = 'Done'\">Go</button>\
             <script>setTimeout(() => { document.getElementById('b').disabled = false; }, 300);</script>",
            &[],
            vec![Click(button("Go")), VisibleLoc(button("Done"))],
        ),
        act(
            "act-click-disabled-fails",
            "action-actionable",
            "<button disabled>Never</button>",
            &[],
            vec![Click(button("Never"))],
        ),
        act(
            "act-click-aria-disabled-fails",
            "action-actionable",
            "<div role=\"button\" aria-disabled=\"true\" onclick=\"this.textContent = 'Clicked'\">Soft</div>",
            &[],
            vec![Click(button("Soft"))],
        ),
        act(
            "act-click-hidden-fails",
            "action-actionable",
            "<button style=\"visibility:hidden\">Ghost</button>",
            &[],
            vec![Click(by("css", "button"))],
        ),
        act(
            "act-click-covered-fails",
            "action-actionable",
            "<button onclick=\"this.textContent = 'Hit'\">Under</button>\
             <div style=\"position:fixed;inset:0;background:rgba(0,0,0,.1)\"></div>",
            &[],
            vec![Click(button("Under"))],
        ),
        act(
            "act-click-overlay-goes-away",
            "action-actionable",
            "<button onclick=\"this.textContent = 'Hit'\">Under</button>\
             <div id=\"o\" style=\"position:fixed;inset:0;background:rgba(0,0,0,.1)\"></div>\
             <script>setTimeout(() => document.getElementById('o').remove(), 300);</script>",
            &[],
            vec![Click(button("Under")), VisibleLoc(button("Hit"))],
        ),
        act(
            "act-click-strict-fails",
            "action-strict",
            "<button>Save</button><button>Save</button>",
            &[],
            vec![Click(button("Save"))],
        ),
        act(
            "act-click-nth-picks-one",
            "action-strict",
            "<button onclick=\"this.textContent = 'First'\">Save</button>\
             <button onclick=\"this.textContent = 'Second'\">Save</button>",
            &[],
            vec![Click(button("Save").nth(1)), VisibleLoc(button("Second"))],
        ),
        act(
            "act-click-scrolls-into-view",
            "action-scroll",
            "<div style=\"height:3000px\"></div><button onclick=\"this.textContent = 'Reached'\">Far</button>",
            &[],
            vec![Click(button("Far")), InViewport(button("Reached"))],
        ),
        act(
            "act-click-after-animation",
            "action-actionable",
            "<style>@keyframes slide { from { margin-left: 0 } to { margin-left: 200px } }\
             button { animation: slide 400ms linear 1 forwards }</style>\
             <button onclick=\"this.textContent = 'Caught'\">Moving</button>",
            &[],
            vec![Click(button("Moving")), VisibleLoc(button("Caught"))],
        ),
        act(
            "act-click-in-shadow-dom",
            "action-click",
            "<div id=\"h\"></div><script>const r = document.getElementById('h').attachShadow({mode: 'open'}); \
             r.innerHTML = '<button>Shadow go</button><p></p>'; \
             r.querySelector('button').onclick = () => { r.querySelector('p').textContent = 'From shadow'; };</script>",
            &[],
            vec![
                Click(button("Shadow go")),
                VisibleLoc(by("text", "From shadow")),
            ],
        ),
        {
            // The frame's own page does not report: the top page's state is
            // the case's.
            let mut c = act(
                "act-click-in-iframe",
                "action-click",
                "<p>Outer</p><iframe src=\"/c/act-click-in-iframe/inner\" style=\"margin:40px;border:5px solid\"></iframe>",
                &[],
                vec![
                    Click(button("Inner go").frame("iframe")),
                    VisibleLoc(button("Inner done").frame("iframe")),
                ],
            );
            c.routes.push((
                format!("{}/inner", path("act-click-in-iframe")),
                html(
                    "<title>Inner</title>",
                    "<button onclick=\"this.textContent = 'Inner done'; parent.document.documentElement.removeAttribute('data-synced'); parent.postMessage('changed', '*')\">Inner go</button>",
                ),
            ));
            c
        },
        act(
            "act-click-label-checks-box",
            "action-click",
            "<label><input type=\"checkbox\" id=\"c\"> Accept terms</label>",
            &[],
            vec![
                Click(by("text", "Accept terms")),
                Count(by("css", "#c:checked"), 1),
            ],
        ),
        act(
            "act-click-pushstate-route",
            "action-click",
            "<a href=\"/c/act-click-pushstate-route/about\" id=\"a\">About</a><main id=\"v\">Home</main>\
             <script>document.getElementById('a').addEventListener('click', (e) => { e.preventDefault(); \
             history.pushState({}, '', e.currentTarget.href); document.getElementById('v').textContent = 'About us'; });</script>",
            &[],
            vec![
                Click(role("link").name("About")),
                Url("/about$"),
                Text("#v", "About us"),
            ],
        ),
        act(
            "act-click-fragment-link",
            "action-click",
            "<a href=\"#details\">Details</a><div style=\"height:2000px\"></div><h2 id=\"details\">More</h2>",
            &[],
            vec![
                Click(role("link").name("Details")),
                Url("#details$"),
                InViewport(role("heading")),
            ],
        ),
        act(
            "act-click-opens-tab",
            "action-tab",
            "<a href=\"/c/act-click-opens-tab/app\" target=\"_blank\">Open the app</a>",
            &[("/app", "<h1>The app</h1>")],
            vec![
                ClickTab(role("link").name("Open the app")),
                Url("/app$"),
                Text("h1", "The app"),
            ],
        ),
        act(
            "act-click-get-form-submits",
            "action-click",
            "<form action=\"/c/act-click-get-form-submits/results\"><input name=\"q\" value=\"cats\"><button>Find</button></form>",
            &[("/results?q=cats", "<p>Cats found</p>")],
            vec![
                Click(button("Find")),
                Url("results\\?q=cats$"),
                Text("p", "Cats found"),
            ],
        ),
        // Hover.
        act(
            "act-hover-opens-menu",
            "action-hover",
            "<div id=\"m\"><button id=\"b\">Products</button><ul data-testid=\"menu\" hidden>\
             <li><a href=\"/c/act-hover-opens-menu/fx\">Firefox</a></li></ul></div>\
             <script>const u = document.querySelector('ul'); b.onmouseenter = () => { u.hidden = false; }; \
             m.onmouseleave = () => { u.hidden = true; };</script>",
            &[("/fx", "<h1>Firefox</h1>")],
            vec![
                Hover(button("Products")),
                VisibleLoc(by("test_id", "menu")),
                Click(role("link").name("Firefox")),
                Url("/fx$"),
            ],
        ),
        act(
            "act-hover-css-hover",
            "action-hover",
            "<style>.sub { display: none } .m:hover .sub { display: block }</style>\
             <div class=\"m\"><span>Menu</span><p class=\"sub\">Submenu shown</p></div>",
            &[],
            vec![
                Hover(by("text", "Menu").exact()),
                VisibleLoc(by("text", "Submenu shown")),
            ],
        ),
        act(
            "act-hover-hidden-fails",
            "action-hover",
            "<button style=\"display:none\">Nope</button>",
            &[],
            vec![Hover(by("css", "button"))],
        ),
        // Fill.
        act(
            "act-fill-types-and-fires-input",
            "action-fill",
            &format!("<label>Name <input id=\"n\"></label>{MIRROR}"),
            &[],
            vec![
                Fill(by("label", "Name"), "Ada Lovelace"),
                Text("#out", "Ada Lovelace"),
            ],
        ),
        act(
            "act-fill-replaces-value",
            "action-fill",
            &format!("<input id=\"n\" value=\"old text\">{MIRROR}"),
            &[],
            vec![Fill(by("css", "#n"), "new"), Text("#out", "new")],
        ),
        act(
            "act-fill-empty-clears",
            "action-fill",
            &format!("<input id=\"n\" value=\"something\">{MIRROR}"),
            &[],
            vec![Fill(by("css", "#n"), ""), Text("#out", "(empty)")],
        ),
        act(
            "act-fill-textarea",
            "action-fill",
            &format!("<label for=\"t\">Message</label><textarea id=\"t\">draft</textarea>{MIRROR}"),
            &[],
            vec![
                Fill(by("label", "Message"), "Hello there"),
                Text("#out", "Hello there"),
            ],
        ),
        act(
            "act-fill-contenteditable",
            "action-fill",
            &format!("<div contenteditable=\"true\" id=\"e\">Old words</div>{MIRROR}"),
            &[],
            vec![
                Fill(by("css", "#e"), "Fresh words"),
                Text("#e", "Fresh words"),
            ],
        ),
        act(
            "act-fill-readonly-fails",
            "action-fill",
            "<input readonly value=\"fixed\">",
            &[],
            vec![Fill(by("css", "input"), "x")],
        ),
        act(
            "act-fill-not-editable-fails",
            "action-fill",
            "<div id=\"d\">Plain</div>",
            &[],
            vec![Fill(by("css", "#d"), "x")],
        ),
        act(
            "act-fill-date-input",
            "action-fill",
            "<input type=\"date\" id=\"d\"><output id=\"o\"></output>\
             <script>d.addEventListener('change', () => { o.textContent = 'Date ' + d.value; });</script>",
            &[],
            vec![
                Fill(by("css", "#d"), "2026-12-07"),
                Text("#o", "Date 2026-12-07"),
            ],
        ),
        // Keys.
        act(
            "act-press-enter-submits",
            "action-press",
            "<form action=\"/c/act-press-enter-submits/results\"><label>Search <input name=\"q\"></label></form>",
            &[("/results?q=rust", "<h2>Results for rust</h2>")],
            vec![
                Fill(by("label", "Search"), "rust"),
                Press(None, "Enter"),
                Url("results\\?q=rust$"),
                Text("h2", "Results for rust"),
            ],
        ),
        act(
            "act-press-tab-moves-focus",
            "action-press",
            "<input id=\"a\"><input id=\"b\"><output id=\"o\"></output>\
             <script>b.addEventListener('focus', () => { o.textContent = 'b has focus'; });</script>",
            &[],
            vec![
                Press(Some(by("css", "#a")), "Tab"),
                Text("#o", "b has focus"),
            ],
        ),
        act(
            "act-press-arrow-key-names",
            "action-press",
            "<input id=\"a\"><output id=\"o\"></output>\
             <script>a.addEventListener('keydown', (e) => { o.textContent += e.key + ':' + e.code + ' '; });</script>",
            &[],
            vec![
                Press(Some(by("css", "#a")), "ArrowDown"),
                Press(None, "Escape"),
                Press(None, "x"),
                Text("#o", "ArrowDown:ArrowDown Escape:Escape x:KeyX"),
            ],
        ),
        act(
            "act-press-select-all-and-delete",
            "action-press",
            &format!("<input id=\"n\">{MIRROR}"),
            &[],
            vec![
                Fill(by("css", "#n"), "hello"),
                Press(Some(by("css", "#n")), "Control+A"),
                Press(None, "Backspace"),
                Text("#out", "(empty)"),
            ],
        ),
        act(
            "act-press-shift-types-capital",
            "action-press",
            &format!("<input id=\"n\">{MIRROR}"),
            &[],
            vec![
                Press(Some(by("css", "#n")), "Shift+KeyA"),
                Press(None, "b"),
                Text("#out", "Ab"),
            ],
        ),
        // Scroll.
        act(
            "act-scroll-footer-into-view",
            "action-scroll",
            "<div style=\"height:4000px\"></div><footer>Bottom of the page</footer>",
            &[],
            vec![Scroll(by("css", "footer")), InViewport(by("css", "footer"))],
        ),
        act(
            "act-scroll-waits-for-visible",
            "action-scroll",
            "<div style=\"height:4000px\"></div><footer style=\"display:none\">Late footer</footer>\
             <script>setTimeout(() => { document.querySelector('footer').style.display = 'block'; }, 300);</script>",
            &[],
            vec![
                Scroll(by("text", "Late footer")),
                InViewport(by("text", "Late footer")),
            ],
        ),
    ]
}
