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
}

pub struct Case {
    pub name: &'static str,
    /// The rule in docs/spec.md this case probes.
    pub rule: &'static str,
    /// Routes this case serves, beyond nothing: (path, response).
    pub routes: Vec<(String, Response)>,
    pub steps: Vec<Step>,
}

fn html(head: &str, body: &str) -> Response {
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

fn path(name: &str) -> String {
    format!("/c/{name}")
}

/// A case on one HTML page: visit it, then run `steps`.
fn page(name: &'static str, rule: &'static str, head: &str, body: &str, steps: Vec<Step>) -> Case {
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
    cases
}
