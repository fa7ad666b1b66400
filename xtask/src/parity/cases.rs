//! The parity set: small pages at the edges of Playwright's definitions,
//! each with the expectations both tools run on it. Each case names the
//! rule it probes (docs/spec.md, "Semantics"); cases marked `pw-tests`
//! are adapted from Playwright's own test suite for the matcher.
//!
//! The expected verdict is not written down here on purpose: Playwright
//! decides it, and prod-smoke must agree.

use super::server::Response;

/// One step, in prod-smoke's vocabulary; `parity.rs` writes it both ways.
pub enum Step {
    Visit(String),
    /// `text: TEXT, in: SELECTOR` / `toContainText`.
    Text(&'static str, &'static str),
    /// `visible: SELECTOR` / `toBeVisible`.
    Visible(&'static str),
    /// `title: /source/flags` / `toHaveTitle(new RegExp(..))`.
    TitleRegex(&'static str, &'static str),
    /// `title: TEXT` / `toHaveTitle(TEXT)`.
    TitleExact(&'static str),
    /// `count: LOCATOR, equals: N` / `toHaveCount(N)`.
    Count(Loc, usize),
    /// `visible: LOCATOR` / `toBeVisible()` (strict mode included).
    VisibleLoc(Loc),
    /// `in_viewport: LOCATOR` / `toBeInViewport()`.
    InViewport(Loc),
    /// `url: /source/` / `toHaveURL(new RegExp(source))`.
    Url(&'static str),
    /// `click: LOCATOR` / `locator.click()`.
    Click(Loc),
    /// `click: LOCATOR, opens: tab` / `waitForEvent('popup')` around
    /// `locator.click()`, then the popup is the page.
    ClickTab(Loc),
    /// `hover: LOCATOR` / `locator.hover()`.
    Hover(Loc),
    /// `fill: LOCATOR, with: TEXT` / `locator.fill(TEXT)`.
    Fill(Loc, &'static str),
    /// `press: KEY` (with `in: LOCATOR`) / `keyboard.press(KEY)`
    /// (`locator.press(KEY)`).
    Press(Option<Loc>, &'static str),
    /// `scroll: LOCATOR` / `locator.scrollIntoViewIfNeeded()`.
    Scroll(Loc),
    /// Waits until the page has reported its current state
    /// (see `actions.rs`), so the state the server holds is the end state.
    Synced,
}

/// A locator, written both ways by `parity.rs`: as a spec mapping
/// (`{role: link, name: "Docs"}`) and as Playwright's own call
/// (`page.getByRole('link', { name: 'Docs' })`).
#[derive(Clone, Copy)]
pub struct Loc {
    /// `role`, `text`, `label`, `placeholder`, `alt`, `title`, `test_id`, `css`.
    pub engine: &'static str,
    pub value: &'static str,
    pub name: Option<&'static str>,
    pub exact: bool,
    pub has_text: Option<&'static str>,
    pub nth: Option<i64>,
    pub frame: Option<&'static str>,
}

pub(super) const fn by(engine: &'static str, value: &'static str) -> Loc {
    Loc {
        engine,
        value,
        name: None,
        exact: false,
        has_text: None,
        nth: None,
        frame: None,
    }
}

impl Loc {
    pub(super) const fn name(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }
    pub(super) const fn exact(mut self) -> Self {
        self.exact = true;
        self
    }
    pub(super) const fn has_text(mut self, t: &'static str) -> Self {
        self.has_text = Some(t);
        self
    }
    pub(super) const fn nth(mut self, n: i64) -> Self {
        self.nth = Some(n);
        self
    }
    pub(super) const fn frame(mut self, f: &'static str) -> Self {
        self.frame = Some(f);
        self
    }
}

impl Case {
    /// An action case: its end state (URL and DOM) is compared too.
    pub fn compares_state(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Synced))
    }
}

pub struct Case {
    pub name: &'static str,
    /// The rule in docs/spec.md this case probes.
    pub rule: &'static str,
    /// Routes this case serves, beyond nothing: (path, response).
    pub routes: Vec<(String, Response)>,
    pub steps: Vec<Step>,
}

pub(super) fn html(head: &str, body: &str) -> Response {
    Response {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: format!(
            "<!doctype html><html><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>"
        ),
    }
}

fn raw(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    Response {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_string(),
    }
}

pub(super) fn path(name: &str) -> String {
    format!("/c/{name}")
}

/// A case on one HTML page: visit it, then run `steps`.
pub(super) fn page(
    name: &'static str,
    rule: &'static str,
    head: &str,
    body: &str,
    steps: Vec<Step>,
) -> Case {
    let mut all = vec![Step::Visit(path(name))];
    all.extend(steps);
    Case {
        name,
        rule,
        routes: vec![(path(name), html(head, body))],
        steps: all,
    }
}

/// A text case: `body` contains `want`.
fn text(name: &'static str, rule: &'static str, body: &str, want: &'static str) -> Case {
    page(
        name,
        rule,
        "<title>Parity</title>",
        body,
        vec![Step::Text("body", want)],
    )
}

/// A visibility case on `#t`.
fn vis(name: &'static str, rule: &'static str, body: &str) -> Case {
    page(
        name,
        rule,
        "<title>Parity</title>",
        body,
        vec![Step::Visible("#t")],
    )
}

fn title(name: &'static str, rule: &'static str, head: &str, step: Step) -> Case {
    page(name, rule, head, "<p>body</p>", vec![step])
}

/// A visit case: the document at the case's path answers `response`.
fn visit(name: &'static str, rule: &'static str, response: Response) -> Case {
    Case {
        name,
        rule,
        routes: vec![(path(name), response)],
        steps: vec![Step::Visit(path(name))],
    }
}

/// A locator case: `count` of `loc` on a page with `body` equals `n`.
pub(super) fn count(
    name: &'static str,
    rule: &'static str,
    body: &str,
    loc: Loc,
    n: usize,
) -> Case {
    page(
        name,
        rule,
        "<title>Parity</title>",
        body,
        vec![Step::Count(loc, n)],
    )
}

const SHADOW_BUTTON: &str = "<div id=\"h\"></div><script>document.getElementById('h')\
     .attachShadow({mode: 'open'}).innerHTML = '<p>Shadow text</p><button>In shadow</button>';</script>";

/// Locators by role, name, text, label and attribute, with `has_text`,
/// `nth` and `frame` (docs/spec.md, "Locators").
fn locator_cases() -> Vec<Case> {
    let role = |r| by("role", r);
    vec![
        count(
            "role-link-needs-href",
            "locator-role",
            "<a href=\"/x\">Docs</a><a>No href</a>",
            role("link"),
            1,
        ),
        count(
            "role-button-inputs",
            "locator-role",
            "<button>A</button><input type=submit value=B><input type=button value=C><input type=reset><input type=image alt=D>",
            role("button"),
            5,
        ),
        count(
            "role-textbox-inputs",
            "locator-role",
            "<input><input type=email><input type=search><textarea></textarea><input type=hidden><input type=checkbox>",
            role("textbox"),
            3,
        ),
        count(
            "role-heading-explicit-and-implicit",
            "locator-role",
            "<h1>a</h1><h2>b</h2><h6>c</h6><div role=\"heading\" aria-level=\"2\">d</div>",
            role("heading"),
            4,
        ),
        count(
            "role-explicit-overrides-implicit",
            "locator-role",
            "<div role=\"button\">X</div><button role=\"link\">Y</button>",
            role("button"),
            1,
        ),
        count(
            "role-first-known-token",
            "locator-role",
            "<div role=\"fancy button\">X</div>",
            role("button"),
            1,
        ),
        count(
            "role-aria-hidden-excluded",
            "locator-role",
            "<button>A</button><button aria-hidden=\"true\">B</button><div aria-hidden=\"true\"><button>C</button></div>",
            role("button"),
            1,
        ),
        count(
            "role-display-none-excluded",
            "locator-role",
            "<button style=\"display:none\">A</button><div style=\"display:none\"><button>B</button></div><button>C</button>",
            role("button"),
            1,
        ),
        count(
            "role-visibility-hidden-excluded",
            "locator-role",
            "<button style=\"visibility:hidden\">A</button><button>B</button>",
            role("button"),
            1,
        ),
        count(
            "role-img-empty-alt-is-presentation",
            "locator-role",
            "<img alt=\"\" src=\"data:,\"><img alt=\"x\" src=\"data:,\">",
            role("img"),
            1,
        ),
        count(
            "role-section-region-only-named",
            "locator-role",
            "<section>a</section><section aria-label=\"News\">b</section>",
            role("region"),
            1,
        ),
        count(
            "role-footer-scoped-by-article",
            "locator-role",
            "<footer>a</footer><article><footer>b</footer></article>",
            role("contentinfo"),
            1,
        ),
        count(
            "role-listitems",
            "locator-role",
            "<ul><li>a</li><li>b</li></ul><ol><li>c</li></ol>",
            role("listitem"),
            3,
        ),
        count(
            "role-select-combobox",
            "locator-role",
            "<select><option>a</option></select><select multiple><option>b</option></select>",
            role("combobox"),
            1,
        ),
        count(
            "role-in-shadow-dom",
            "locator-role",
            SHADOW_BUTTON,
            role("button").name("in shadow"),
            1,
        ),
        count(
            "name-aria-label",
            "locator-name",
            "<nav aria-label=\"Main\"><a href=\"/\">Home</a></nav><nav><a href=\"/a\">Main</a></nav>",
            role("navigation").name("main"),
            1,
        ),
        count(
            "name-aria-labelledby",
            "locator-name",
            "<span id=\"l\">Primary menu</span><nav aria-labelledby=\"l\"></nav>",
            role("navigation").name("primary"),
            1,
        ),
        count(
            "name-aria-label-beats-content",
            "locator-name",
            "<button aria-label=\"Close dialog\">X</button>",
            role("button").name("X").exact(),
            0,
        ),
        count(
            "name-label-for",
            "locator-name",
            "<label for=\"q\">Search</label><input id=\"q\">",
            role("textbox").name("Search"),
            1,
        ),
        count(
            "name-wrapping-label",
            "locator-name",
            "<label>Email <input></label>",
            role("textbox").name("email"),
            1,
        ),
        count(
            "name-img-alt",
            "locator-name",
            "<img alt=\"Logo\" src=\"data:,\">",
            role("img").name("logo"),
            1,
        ),
        count(
            "name-title-fallback",
            "locator-name",
            "<button title=\"Close\"></button>",
            role("button").name("Close"),
            1,
        ),
        count(
            "name-from-nested-content",
            "locator-name",
            "<a href=\"#\">Read <b>more</b></a>",
            role("link").name("Read more").exact(),
            1,
        ),
        count(
            "name-exact-is-case-sensitive",
            "locator-name",
            "<button>Submit</button>",
            role("button").name("submit").exact(),
            0,
        ),
        count(
            "name-substring-by-default",
            "locator-name",
            "<button>Submit order</button><button>Submit</button>",
            role("button").name("submit"),
            2,
        ),
        count(
            "name-regex",
            "locator-name",
            "<button>Save 1</button><button>Save 22</button>",
            role("button").name("/Save \\d$/"),
            1,
        ),
        count(
            "name-checkbox-wrapping-label",
            "locator-name",
            "<label><input type=checkbox> Agree</label>",
            role("checkbox").name("Agree"),
            1,
        ),
        count(
            "text-smallest-element",
            "locator-text",
            "<div><p>Hello world</p></div>",
            by("text", "hello"),
            1,
        ),
        count(
            "text-whitespace-and-case",
            "locator-text",
            "<p>Hello   \n world</p>",
            by("text", "hello world"),
            1,
        ),
        count(
            "text-exact-whole",
            "locator-text",
            "<p>Hello world</p><p>Hello</p>",
            by("text", "Hello").exact(),
            1,
        ),
        count(
            "text-regex",
            "locator-text",
            "<p>Order 123</p><p>Order abc</p>",
            by("text", "/Order \\d+/"),
            1,
        ),
        count(
            "text-across-children",
            "locator-text",
            "<p>Hello <b>big</b> world</p>",
            by("text", "hello big world"),
            1,
        ),
        count(
            "text-skips-script",
            "locator-text",
            "<script>var s = 'Secret';</script><p>x</p>",
            by("text", "Secret"),
            0,
        ),
        count(
            "text-exact-own-text-node",
            "locator-text",
            "<div>Price <span>5</span></div>",
            by("text", "Price").exact(),
            0,
        ),
        count(
            "text-in-shadow-dom",
            "locator-text",
            SHADOW_BUTTON,
            by("text", "shadow text"),
            1,
        ),
        count(
            "label-for",
            "locator-label",
            "<label for=\"a\">Name</label><input id=\"a\">",
            by("label", "name"),
            1,
        ),
        count(
            "label-wrapping",
            "locator-label",
            "<label>Age <input></label>",
            by("label", "Age"),
            1,
        ),
        count(
            "label-aria-label",
            "locator-label",
            "<input aria-label=\"Query\">",
            by("label", "query"),
            1,
        ),
        count(
            "label-aria-labelledby",
            "locator-label",
            "<span id=\"x\">Zip code</span><input aria-labelledby=\"x\">",
            by("label", "Zip"),
            1,
        ),
        count(
            "label-substring",
            "locator-label",
            "<label for=\"a\">Name</label><input id=\"a\"><label for=\"b\">Full name</label><input id=\"b\">",
            by("label", "name"),
            2,
        ),
        count(
            "label-exact",
            "locator-label",
            "<label for=\"a\">Name</label><input id=\"a\"><label for=\"b\">Full name</label><input id=\"b\">",
            by("label", "Name").exact(),
            1,
        ),
        count(
            "placeholder-substring",
            "locator-attr",
            "<input placeholder=\"Search docs\"><input placeholder=\"Email\">",
            by("placeholder", "search"),
            1,
        ),
        count(
            "alt-substring",
            "locator-attr",
            "<img alt=\"Company logo\" src=\"data:,\"><img alt=\"Logo\" src=\"data:,\">",
            by("alt", "logo"),
            2,
        ),
        count(
            "alt-exact",
            "locator-attr",
            "<img alt=\"Company logo\" src=\"data:,\"><img alt=\"Logo\" src=\"data:,\">",
            by("alt", "Logo").exact(),
            1,
        ),
        count(
            "title-attribute",
            "locator-attr",
            "<span title=\"Issues count\">3</span>",
            by("title", "issues"),
            1,
        ),
        count(
            "test-id-exact",
            "locator-attr",
            "<div data-testid=\"card\"></div><div data-testid=\"card-2\"></div><div data-testid=\"Card\"></div>",
            by("test_id", "card"),
            1,
        ),
        count(
            "has-text-filter",
            "locator-refine",
            "<li>Free</li><li>Pro plan</li><li>Team</li>",
            by("css", "li").has_text("pro"),
            1,
        ),
        count(
            "has-text-regex",
            "locator-refine",
            "<li>Free</li><li>Pro plan</li><li>Team</li>",
            by("css", "li").has_text("/^T/"),
            1,
        ),
        count(
            "nth-last",
            "locator-refine",
            "<li>a</li><li>b</li>",
            by("css", "li").nth(-1),
            1,
        ),
        count(
            "nth-out-of-range",
            "locator-refine",
            "<li>a</li><li>b</li>",
            by("css", "li").nth(5),
            0,
        ),
        count(
            "frame-css",
            "locator-frame",
            "<iframe srcdoc=\"<p>Inner</p><p>Two</p>\"></iframe>",
            by("css", "p").frame("iframe"),
            2,
        ),
        count(
            "frame-role",
            "locator-frame",
            "<iframe srcdoc=\"<button>Go</button>\"></iframe>",
            role("button").name("go").frame("iframe"),
            1,
        ),
        page(
            "strict-two-buttons",
            "locator-strict",
            "<title>Parity</title>",
            "<button>A</button><button>B</button>",
            vec![Step::VisibleLoc(role("button"))],
        ),
        page(
            "strict-nth-picks-one",
            "locator-strict",
            "<title>Parity</title>",
            "<button>A</button><button>B</button>",
            vec![Step::VisibleLoc(role("button").nth(1))],
        ),
    ]
}

const SHOW_LATER: &str = "<script>setTimeout(() => { const p = document.createElement('p'); \
     p.id = 't'; p.textContent = 'Arrived later'; document.body.appendChild(p); }, 300);</script>";

pub fn all() -> Vec<Case> {
    use Step::*;
    let mut cases = vec![
        // Text: what counts (elementText / shouldSkipForTextMatching).
        text(
            "text-plain",
            "text-source",
            "<p>Hello world</p>",
            "Hello world",
        ),
        text(
            "text-only-in-script",
            "text-skip",
            "<script>var greeting = 'Secret word';</script>",
            "Secret word",
        ),
        text(
            "text-only-in-style",
            "text-skip",
            "<style>/* Secret word */ p { color: red }</style><p>x</p>",
            "Secret word",
        ),
        text(
            "text-only-in-noscript",
            "text-skip",
            "<noscript>Secret word</noscript><p>x</p>",
            "Secret word",
        ),
        text(
            "text-only-in-template",
            "text-skip",
            "<template><p>Secret word</p></template><p>x</p>",
            "Secret word",
        ),
        page(
            "text-only-in-head-title",
            "text-skip",
            "<title>Secret word</title>",
            "<p>x</p>",
            vec![Text("body", "Secret word")],
        ),
        text(
            "text-only-in-comment",
            "text-source",
            "<!-- Secret word --><p>x</p>",
            "Secret word",
        ),
        text(
            "text-written-by-script",
            "text-source",
            "<p>x</p><script>document.write('<p>Written word</p>')</script>",
            "Written word",
        ),
        text(
            "text-display-none-counts",
            "text-source",
            "<p style=\"display:none\">Hidden word</p>",
            "Hidden word",
        ),
        text(
            "text-open-shadow-root",
            "text-shadow",
            "<div id=\"host\"><template shadowrootmode=\"open\"><p>Shadow word</p></template></div>",
            "Shadow word",
        ),
        text(
            "text-closed-shadow-root",
            "text-shadow",
            "<div id=\"host\"><template shadowrootmode=\"closed\"><p>Shadow word</p></template></div>",
            "Shadow word",
        ),
        text(
            "text-iframe-content",
            "iframes",
            "<iframe srcdoc=\"<p>Framed word</p>\"></iframe>",
            "Framed word",
        ),
        text(
            "text-submit-button-value",
            "text-source",
            "<form><input type=\"submit\" value=\"Send it\"></form>",
            "Send it",
        ),
        text(
            "text-text-input-value",
            "text-source",
            "<input type=\"text\" value=\"Typed word\">",
            "Typed word",
        ),
        text(
            "text-textarea",
            "text-source",
            "<textarea>Draft word</textarea>",
            "Draft word",
        ),
        text(
            "text-svg-text",
            "text-source",
            "<svg width=\"200\" height=\"40\"><text x=\"0\" y=\"20\">Chart label</text></svg>",
            "Chart label",
        ),
        // Whitespace and case (normalizeWhiteSpace, ExpectedTextMatcher).
        text(
            "text-whitespace-collapses",
            "whitespace",
            "<p>Hello\n   \t  world</p>",
            "Hello world",
        ),
        text(
            "text-expected-is-normalised",
            "whitespace",
            "<p>Hello world</p>",
            "  Hello \n  world ",
        ),
        text(
            "text-nbsp",
            "whitespace",
            "<p>Hello&nbsp;world</p>",
            "Hello world",
        ),
        text(
            "text-bom-is-space",
            "whitespace",
            "<p>Hello&#xFEFF;world</p>",
            "Hello world",
        ),
        text(
            "text-zero-width-space",
            "whitespace",
            "<p>Hel&#x200B;lo</p>",
            "Hello",
        ),
        text(
            "text-soft-hyphen",
            "whitespace",
            "<p>Hel&shy;lo</p>",
            "Hello",
        ),
        text(
            "text-split-inline",
            "text-source",
            "<p>Hel<b>lo</b> world</p>",
            "Hello world",
        ),
        text(
            "text-blocks-not-separated",
            "text-source",
            "<div>Hello</div><div>world</div>",
            "Hello world",
        ),
        text(
            "text-br-not-a-space",
            "text-source",
            "<p>Hello<br>world</p>",
            "Hello world",
        ),
        text(
            "text-case-sensitive",
            "case",
            "<p>hello world</p>",
            "Hello world",
        ),
        // Strict mode and auto-wait (pw-tests: expect-to-have-text.spec.ts).
        page(
            "text-strict-two-matches",
            "strict",
            "<title>Parity</title>",
            "<p class=\"x\">Hi</p><p class=\"x\">Hi</p>",
            vec![Text(".x", "Hi")],
        ),
        page(
            "text-no-match",
            "strict",
            "<title>Parity</title>",
            "<p>Hi</p>",
            vec![Text("#missing", "Hi")],
        ),
        page(
            "text-in-selector",
            "text-source",
            "<title>Parity</title>",
            "<main id=\"main\"><p>Inside</p></main><p>Outside</p>",
            vec![Text("#main", "Inside")],
        ),
        page(
            "text-in-selector-outside",
            "text-source",
            "<title>Parity</title>",
            "<main id=\"main\"><p>Inside</p></main><p>Outside</p>",
            vec![Text("#main", "Outside")],
        ),
        page(
            "text-selector-in-shadow",
            "text-shadow",
            "<title>Parity</title>",
            "<div><template shadowrootmode=\"open\"><span class=\"s\">Deep word</span></template></div>",
            vec![Text(".s", "Deep word")],
        ),
        text(
            "text-arrives-later",
            "auto-wait",
            SHOW_LATER,
            "Arrived later",
        ),
        // Visibility (isElementVisible / computeBox).
        vis("vis-plain", "visible-box", "<button id=\"t\">Go</button>"),
        vis(
            "vis-display-none",
            "visible-style",
            "<button id=\"t\" style=\"display:none\">Go</button>",
        ),
        vis(
            "vis-ancestor-display-none",
            "visible-style",
            "<div style=\"display:none\"><button id=\"t\">Go</button></div>",
        ),
        vis(
            "vis-hidden-attribute",
            "visible-style",
            "<p id=\"t\" hidden>Go</p>",
        ),
        vis(
            "vis-visibility-hidden",
            "visible-style",
            "<p id=\"t\" style=\"visibility:hidden\">Go</p>",
        ),
        vis(
            "vis-visibility-collapse",
            "visible-style",
            "<p id=\"t\" style=\"visibility:collapse\">Go</p>",
        ),
        vis(
            "vis-visible-inside-hidden",
            "visible-style",
            "<div style=\"visibility:hidden\"><p id=\"t\" style=\"visibility:visible\">Go</p></div>",
        ),
        vis(
            "vis-opacity-zero",
            "visible-opacity",
            "<p id=\"t\" style=\"opacity:0\">Go</p>",
        ),
        vis(
            "vis-zero-size",
            "visible-box",
            "<div id=\"t\" style=\"width:0;height:0\"></div>",
        ),
        vis("vis-empty-div", "visible-box", "<div id=\"t\"></div>"),
        vis("vis-empty-span", "visible-box", "<span id=\"t\"></span>"),
        vis(
            "vis-zero-height-overflowing",
            "visible-box",
            "<div id=\"t\" style=\"height:0\"><p>Spills out</p></div>",
        ),
        vis(
            "vis-scaled-to-zero",
            "visible-box",
            "<p id=\"t\" style=\"transform:scale(0)\">Go</p>",
        ),
        vis(
            "vis-offscreen",
            "visible-box",
            "<p id=\"t\" style=\"position:absolute;left:-9999px\">Go</p>",
        ),
        // pw-tests: page-check / locator-misc "display:contents".
        vis(
            "vis-display-contents-child",
            "visible-contents",
            "<div id=\"t\" style=\"display:contents\"><span>Go</span></div>",
        ),
        vis(
            "vis-display-contents-text",
            "visible-contents",
            "<div id=\"t\" style=\"display:contents\">Go</div>",
        ),
        vis(
            "vis-display-contents-empty",
            "visible-contents",
            "<div id=\"t\" style=\"display:contents\"></div>",
        ),
        vis(
            "vis-display-contents-hidden-child",
            "visible-contents",
            "<div id=\"t\" style=\"display:contents\"><span style=\"display:none\">Go</span></div>",
        ),
        // pw-tests: "isVisible and isHidden should work with details".
        vis(
            "vis-closed-details-content",
            "visible-details",
            "<details><summary>More</summary><p id=\"t\">Inside</p></details>",
        ),
        vis(
            "vis-open-details-content",
            "visible-details",
            "<details open><summary>More</summary><p id=\"t\">Inside</p></details>",
        ),
        vis(
            "vis-closed-details-summary",
            "visible-details",
            "<details><summary id=\"t\">More</summary><p>Inside</p></details>",
        ),
        vis(
            "vis-content-visibility-hidden-child",
            "visible-content-visibility",
            "<div style=\"content-visibility:hidden\"><p id=\"t\">Go</p></div>",
        ),
        vis(
            "vis-content-visibility-hidden-self",
            "visible-content-visibility",
            "<div id=\"t\" style=\"content-visibility:hidden;height:40px\"><p>Go</p></div>",
        ),
        vis(
            "vis-content-visibility-auto",
            "visible-content-visibility",
            "<div style=\"content-visibility:auto\"><p id=\"t\">Go</p></div>",
        ),
        vis(
            "vis-open-shadow-root",
            "selector-shadow",
            "<div><template shadowrootmode=\"open\"><p id=\"t\">Go</p></template></div>",
        ),
        vis(
            "vis-closed-shadow-root",
            "selector-shadow",
            "<div><template shadowrootmode=\"closed\"><p id=\"t\">Go</p></template></div>",
        ),
        vis(
            "vis-inside-iframe",
            "iframes",
            "<iframe srcdoc=\"<p id=t>Go</p>\"></iframe>",
        ),
        vis(
            "vis-iframe-element",
            "iframes",
            "<iframe id=\"t\" srcdoc=\"<p>Go</p>\"></iframe>",
        ),
        vis(
            "vis-svg-shape",
            "visible-box",
            "<svg width=\"20\" height=\"20\"><rect id=\"t\" width=\"20\" height=\"20\"/></svg>",
        ),
        vis(
            "vis-hidden-input",
            "visible-box",
            "<input id=\"t\" type=\"hidden\" name=\"email\">",
        ),
        page(
            "vis-email-input",
            "visible-box",
            "<title>Parity</title>",
            "<form><input name=\"email\" type=\"email\"></form>",
            vec![Visible("input[name=\"email\"]")],
        ),
        page(
            "vis-strict-two-matches",
            "strict",
            "<title>Parity</title>",
            "<p class=\"b\">One</p><p class=\"b\" style=\"display:none\">Two</p>",
            vec![Visible(".b")],
        ),
        vis("vis-arrives-later", "auto-wait", SHOW_LATER),
        // Title (toHaveTitle: normalised exact, raw regex).
        title(
            "title-regex",
            "title",
            "<title>McRitchie Studio</title>",
            TitleRegex("McRitchie Studio", ""),
        ),
        title(
            "title-regex-case",
            "title",
            "<title>McRitchie Studio</title>",
            TitleRegex("mcritchie studio", ""),
        ),
        title(
            "title-regex-ignore-case",
            "title",
            "<title>McRitchie Studio</title>",
            TitleRegex("mcritchie studio", "i"),
        ),
        title(
            "title-regex-js-digits",
            "title",
            "<title>\u{0663} items</title>",
            TitleRegex("^\\d+ items$", ""),
        ),
        title(
            "title-regex-raw-nbsp",
            "title",
            "<title>McRitchie&nbsp;Studio</title>",
            TitleRegex("McRitchie Studio", ""),
        ),
        title(
            "title-exact",
            "title",
            "<title>McRitchie Studio</title>",
            TitleExact("McRitchie Studio"),
        ),
        title(
            "title-exact-is-not-substring",
            "title",
            "<title>McRitchie Studio</title>",
            TitleExact("McRitchie"),
        ),
        title(
            "title-exact-nbsp-normalised",
            "title",
            "<title>McRitchie&nbsp;Studio</title>",
            TitleExact("McRitchie Studio"),
        ),
        title(
            "title-exact-case",
            "title",
            "<title>McRitchie Studio</title>",
            TitleExact("mcritchie studio"),
        ),
        page(
            "title-element-in-body",
            "title",
            "",
            "<title>McRitchie Studio</title><p>x</p>",
            vec![TitleExact("McRitchie Studio")],
        ),
        page(
            "title-set-later",
            "auto-wait",
            "<title>Loading</title>",
            "<script>setTimeout(() => { document.title = 'McRitchie Studio'; }, 300);</script>",
            vec![TitleRegex("McRitchie", "")],
        ),
        // Visit (goto + response.ok()).
        visit("visit-200", "visit", html("<title>ok</title>", "<p>ok</p>")),
        visit("visit-203", "visit", html("<title>ok</title>", "<p>ok</p>")),
        visit("visit-204", "visit-no-content", raw(204, &[], "")),
        visit("visit-205", "visit-no-content", raw(205, &[], "")),
        visit(
            "visit-404-with-body",
            "visit",
            raw(404, &[("Content-Type", "text/html")], "<p>Not here</p>"),
        ),
        visit("visit-500-empty", "visit", raw(500, &[], "")),
        visit(
            "visit-download-attachment",
            "visit-download",
            raw(
                200,
                &[
                    ("Content-Type", "text/csv"),
                    ("Content-Disposition", "attachment; filename=\"x.csv\""),
                ],
                "a,b\n1,2\n",
            ),
        ),
        visit(
            "visit-download-octet-stream",
            "visit-download",
            raw(
                200,
                &[("Content-Type", "application/octet-stream")],
                "\u{1}\u{2}",
            ),
        ),
        visit(
            "visit-plain-text",
            "visit",
            raw(200, &[("Content-Type", "text/plain")], "up"),
        ),
        visit(
            "visit-json",
            "visit",
            raw(
                200,
                &[("Content-Type", "application/json")],
                "{\"ok\":true}",
            ),
        ),
    ];
    // The 203 case answers 203.
    for c in &mut cases {
        if c.name == "visit-203" {
            c.routes[0].1.status = 203;
        }
    }
    // Redirects: the final response decides.
    let redirect = |name: &'static str, to: &str, target: Option<Response>| {
        let mut routes = vec![(path(name), raw(302, &[("Location", to)], ""))];
        if let Some(t) = target {
            routes.push((to.to_string(), t));
        }
        Case {
            name,
            rule: "visit-redirect",
            routes,
            steps: vec![Step::Visit(path(name))],
        }
    };
    cases.push(redirect(
        "visit-redirect-to-200",
        "/r/ok",
        Some(html("<title>ok</title>", "<p>ok</p>")),
    ));
    cases.push(redirect(
        "visit-redirect-to-404",
        "/r/missing",
        Some(raw(404, &[("Content-Type", "text/html")], "<p>gone</p>")),
    ));
    cases.push(redirect(
        "visit-redirect-to-204",
        "/r/empty",
        Some(raw(204, &[], "")),
    ));
    cases.push(redirect(
        "visit-redirect-loop",
        "/c/visit-redirect-loop",
        None,
    ));
    // Moving only the fragment is a same-document navigation: no response.
    cases.push(Case {
        name: "visit-same-document",
        rule: "visit-same-document",
        routes: vec![(
            path("visit-same-document"),
            html("<title>ok</title>", "<p id=\"a\">ok</p>"),
        )],
        steps: vec![
            Step::Visit(path("visit-same-document")),
            Step::Visit(format!("{}#a", path("visit-same-document"))),
        ],
    });
    cases.extend(locator_cases());
    cases
}
