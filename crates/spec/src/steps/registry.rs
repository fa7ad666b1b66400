//! The step registry: every step a spec can name, one entry each. The
//! macro below turns the table into the `StepKind` enum, its list `ALL`,
//! its description, its parser and its page-side probe, so a step cannot
//! be listed without a parser, parsed without being listed, or probed in
//! the page under a name the registry does not give it. A page check is
//! one file in `page/` plus its entry here (see `page/mod.rs`).

use serde::de;

use super::action::{Action, click, fill, hover, press, scroll};
use super::{Fields, Step, http, navigation, page, response};

/// What `prod-smoke steps` and the error messages say about a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepInfo {
    /// The YAML key that names the step.
    pub key: &'static str,
    /// The other keys the step accepts.
    pub modifiers: &'static [&'static str],
    /// One line on what the step checks.
    pub summary: &'static str,
}

macro_rules! registry {
    (@probe $probe:expr) => { Some($probe) };
    (@probe) => { None };
    ($(
        $(#[$doc:meta])*
        $kind:ident {
            key: $key:literal,
            modifiers: [$($modifier:literal),* $(,)?],
            summary: $summary:literal,
            parse: $parse:expr
            $(, probe: $probe:expr)? $(,)?
        }
    ),* $(,)?) => {
        /// Every step of the vocabulary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum StepKind {
            $($(#[$doc])* $kind),*
        }

        impl StepKind {
            /// Every step, in the order `prod-smoke steps` lists them and
            /// suggestions are made.
            pub const ALL: &'static [StepKind] = &[$(StepKind::$kind),*];

            pub fn info(self) -> &'static StepInfo {
                match self {
                    $(StepKind::$kind => &StepInfo {
                        key: $key,
                        modifiers: &[$($modifier),*],
                        summary: $summary,
                    }),*
                }
            }

            /// The step's page-side probe, a JavaScript arrow function of
            /// its arguments; `page::probe_script` puts each one in the
            /// probe table under the step's key.
            pub fn probe(self) -> Option<&'static str> {
                match self {
                    $(StepKind::$kind => registry!(@probe $($probe)?)),*
                }
            }

            pub(super) fn parse<E: de::Error>(self, f: &mut Fields) -> Result<Step, E> {
                match self {
                    $(StepKind::$kind => ($parse)(f)),*
                }
            }
        }
    };
}

registry! {
    /// `get: /path`
    Get {
        key: "get",
        modifiers: ["status", "timeout"],
        summary: "GET a path outside the browser; the status must equal `status` (default 200)",
        parse: |f: &mut Fields| http::check(http::HttpMethod::Get, f).map(Step::Http),
    },
    /// `head: /path`
    Head {
        key: "head",
        modifiers: ["status", "timeout"],
        summary: "HEAD a path outside the browser; the status must equal `status` (default 200)",
        parse: |f: &mut Fields| http::check(http::HttpMethod::Head, f).map(Step::Http),
    },
    /// `header: name`
    Header {
        key: "header",
        modifiers: ["value"],
        summary: "the last get/head response has the header (any case); `value`: exact text or /regex/",
        parse: |f: &mut Fields| response::header(f).map(Step::Response),
    },
    /// `json: path`
    Json {
        key: "json",
        modifiers: ["equals"],
        summary: "the last get's JSON body holds `equals` at a path such as `services[0].status`",
        parse: |f: &mut Fields| response::json(f).map(Step::Response),
    },
    /// `visit: /path`
    Visit {
        key: "visit",
        modifiers: ["status"],
        summary: "open a path in the browser; the final document must answer 2xx, or `status` when given",
        parse: |f: &mut Fields| navigation::visit(f).map(Step::Visit),
    },
    /// `url: /regex/`
    Url {
        key: "url",
        modifiers: ["timeout"],
        summary: "the page's URL, after redirects, matches a /regex/ (polls)",
        parse: page::parse::<page::url::Url, _>,
        probe: page::url::PROBE,
    },
    /// `title: /regex/` or `title: text`
    Title {
        key: "title",
        modifiers: ["timeout"],
        summary: "the page title matches a /regex/ or equals the text (polls)",
        parse: page::parse::<page::title::Title, _>,
        probe: page::title::PROBE,
    },
    /// `text: words`
    Text {
        key: "text",
        modifiers: ["in", "exact", "timeout"],
        summary: "the element `in` (default body) contains the text, or with `exact: true` is that text (polls)",
        parse: page::parse::<page::text::Text, _>,
        probe: page::text::PROBE,
    },
    /// `visible: selector`
    Visible {
        key: "visible",
        modifiers: ["timeout"],
        summary: "the one element matching the selector or locator is visible (polls)",
        parse: page::parse::<page::visible::Visible, _>,
        probe: page::visible::PROBE,
    },
    /// `hidden: selector`
    Hidden {
        key: "hidden",
        modifiers: ["timeout"],
        summary: "no element matches the selector, or the one that does is not visible (polls)",
        parse: page::parse::<page::hidden::Hidden, _>,
        probe: page::hidden::PROBE,
    },
    /// `count: selector`
    Count {
        key: "count",
        modifiers: ["equals", "timeout"],
        summary: "exactly `equals` elements match the selector (polls)",
        parse: page::parse::<page::count::Count, _>,
        probe: page::count::PROBE,
    },
    /// `attribute: locator`
    Attribute {
        key: "attribute",
        modifiers: ["name", "value", "timeout"],
        summary: "the one element has attribute `name`; `value`: exact text or /regex/ (polls)",
        parse: page::parse::<page::attribute::Attribute, _>,
        probe: page::attribute::PROBE,
    },
    /// `in_viewport: locator`
    InViewport {
        key: "in_viewport",
        modifiers: ["timeout"],
        summary: "the one element matching the locator intersects the viewport (polls)",
        parse: page::parse::<page::in_viewport::InViewport, _>,
        probe: page::in_viewport::PROBE,
    },
    /// `click: locator`
    Click {
        key: "click",
        modifiers: ["opens", "timeout"],
        summary: "click the one element once it is actionable; waits for a navigation it starts; `opens: tab` follows the new tab",
        parse: |f: &mut Fields| click::parse(f).map(|a| Step::Act(Action::Click(a))),
    },
    /// `hover: locator`
    Hover {
        key: "hover",
        modifiers: ["timeout"],
        summary: "move the mouse over the one element once it is actionable",
        parse: |f: &mut Fields| hover::parse(f).map(|a| Step::Act(Action::Hover(a))),
    },
    /// `fill: locator` with `with: text`
    Fill {
        key: "fill",
        modifiers: ["with", "timeout"],
        summary: "clear the one input, textarea or contenteditable and type `with` into it",
        parse: |f: &mut Fields| fill::parse(f).map(|a| Step::Act(Action::Fill(a))),
    },
    /// `press: Enter`
    Press {
        key: "press",
        modifiers: ["in", "timeout"],
        summary: "press a key or chord (`Enter`, `Control+A`) on the focused element, or on `in` after focusing it",
        parse: |f: &mut Fields| press::parse(f).map(|a| Step::Act(Action::Press(a))),
    },
    /// `scroll: locator`
    Scroll {
        key: "scroll",
        modifiers: ["timeout"],
        summary: "scroll the one element into view, if it is not already",
        parse: |f: &mut Fields| scroll::parse(f).map(|a| Step::Act(Action::Scroll(a))),
    },
    /// `no_page_errors: true`
    NoPageErrors {
        key: "no_page_errors",
        modifiers: [],
        summary: "no uncaught exception, console error or failed subresource on the page so far",
        parse: page::parse::<page::no_page_errors::NoPageErrors, _>,
    },
}

// The registry maps each parsed check back to its entry; the checks
// themselves never name the registry, which names them.

impl page::Assertion {
    /// Which registry entry the check came from.
    pub fn kind(&self) -> StepKind {
        StepKind::of_key(self.key()).expect("a page check is parsed from a registry entry")
    }
}

impl response::ResponseCheck {
    /// Which registry entry the check came from.
    pub fn kind(&self) -> StepKind {
        match self {
            response::ResponseCheck::Header { .. } => StepKind::Header,
            response::ResponseCheck::Json { .. } => StepKind::Json,
        }
    }
}

impl StepKind {
    /// The entry whose YAML key is `key`.
    pub fn of_key(key: &str) -> Option<StepKind> {
        StepKind::ALL.iter().copied().find(|k| k.info().key == key)
    }

    /// The YAML key of every step, in registry order.
    pub fn keys() -> Vec<&'static str> {
        StepKind::ALL.iter().map(|k| k.info().key).collect()
    }
}
