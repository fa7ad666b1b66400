//! More of Playwright's locator definitions at their edges: accessible
//! names from several sources at once, what hidden and `aria-hidden`
//! hide from each engine, implicit roles, `exact`, regexes, `nth` with
//! `has_text`, shadow DOM and iframes.

use super::cases::{Case, Loc, Step, by, count, page};

fn role(r: &'static str) -> Loc {
    by("role", r)
}

const FRAME_FORM: &str = "<iframe srcdoc=\"<label for=q>Search</label><input id=q>\
     <p>Inner words</p><button aria-hidden=true>Ghost</button>\"></iframe>";

const SHADOW_FORM: &str = "<div id=\"h\"></div><script>document.getElementById('h')\
     .attachShadow({mode: 'open'}).innerHTML = '<label for=\"s\">Shadow field</label><input id=\"s\">\
     <span data-testid=\"deep\">Deep</span><div id=\"h2\"></div>';\
     document.getElementById('h').shadowRoot.getElementById('h2')\
     .attachShadow({mode: 'open'}).innerHTML = '<a href=\"/x\">Nested link</a>';</script>";

pub fn cases() -> Vec<Case> {
    vec![
        count(
            "name-labelledby-joins-ids",
            "locator-name",
            "<span id=\"a\">Billing</span><span id=\"b\">address</span>\
             <input aria-labelledby=\"a b\">",
            role("textbox").name("Billing address").exact(),
            1,
        ),
        count(
            "name-labelledby-hidden-target-counts",
            "locator-name",
            "<span id=\"a\" hidden>Secret name</span><button aria-labelledby=\"a\">x</button>",
            role("button").name("Secret name"),
            1,
        ),
        count(
            "name-labelledby-beats-aria-label",
            "locator-name",
            "<span id=\"a\">From labelledby</span>\
             <button aria-label=\"From label\" aria-labelledby=\"a\">x</button>",
            role("button").name("From label"),
            0,
        ),
        count(
            "name-label-for-beats-title",
            "locator-name",
            "<label for=\"e\">Email</label><input id=\"e\" title=\"Your email\">",
            role("textbox").name("Email").exact(),
            1,
        ),
        count(
            "name-wrapping-label-with-extra-text",
            "locator-name",
            "<label>Phone <small>(mobile)</small> <input type=tel></label>",
            role("textbox").name("/^Phone \\(mobile\\)$/"),
            1,
        ),
        count(
            "name-button-from-img-alt",
            "locator-name",
            "<button><img src=\"data:,\" alt=\"Close dialog\"></button>",
            role("button").name("Close dialog").exact(),
            1,
        ),
        count(
            "name-link-title-only",
            "locator-name",
            "<a href=\"/h\" title=\"Home page\"><svg width=10 height=10></svg></a>",
            role("link").name("Home page"),
            1,
        ),
        count(
            "name-exact-normalises-whitespace",
            "locator-name",
            "<button>  Save \n  draft  </button>",
            role("button").name("Save draft").exact(),
            1,
        ),
        count(
            "role-hidden-attribute-excluded",
            "locator-hidden",
            "<button hidden>Gone</button><button>Here</button>",
            role("button"),
            1,
        ),
        count(
            "role-aria-hidden-ancestor-excluded",
            "locator-hidden",
            "<div aria-hidden=\"true\"><button>Behind</button></div><button>Front</button>",
            role("button"),
            1,
        ),
        count(
            "text-counts-hidden-elements",
            "locator-hidden",
            "<p style=\"display:none\">Invisible words</p>",
            by("text", "Invisible words"),
            1,
        ),
        page(
            "text-hidden-is-not-visible",
            "locator-hidden",
            "<title>Parity</title>",
            "<p style=\"visibility:hidden\">Ghost words</p>",
            vec![Step::VisibleLoc(by("text", "Ghost words"))],
        ),
        count(
            "label-counts-aria-hidden-input",
            "locator-hidden",
            "<label for=\"z\">Zip</label><input id=\"z\" aria-hidden=\"true\">",
            by("label", "Zip"),
            1,
        ),
        count(
            "role-implicit-checkbox-radio-slider",
            "locator-role",
            "<input type=checkbox><input type=radio><input type=range><input type=number>",
            role("radio"),
            1,
        ),
        count(
            "role-implicit-dialog-and-table",
            "locator-role",
            "<dialog open>Hi</dialog><table><tr><td>1</td></tr></table>",
            role("cell"),
            1,
        ),
        count(
            "role-nav-named-by-aria-label",
            "locator-role",
            "<nav aria-label=\"Main\"><a href=\"/\">Home</a></nav><nav aria-label=\"Footer\"></nav>",
            role("navigation").name("main"),
            1,
        ),
        count(
            "alt-regex",
            "locator-attr",
            "<img alt=\"Logo 2026\" src=\"data:,\"><img alt=\"Banner\" src=\"data:,\">",
            by("alt", "/^logo \\d+$/i"),
            1,
        ),
        count(
            "title-exact-is-case-sensitive",
            "locator-attr",
            "<span title=\"Help\">?</span>",
            by("title", "help").exact(),
            0,
        ),
        count(
            "placeholder-exact",
            "locator-attr",
            "<input placeholder=\"Search\"><input placeholder=\"Search all\">",
            by("placeholder", "Search").exact(),
            1,
        ),
        count(
            "has-text-then-nth",
            "locator-refine",
            "<ul><li>Pro monthly</li><li>Basic</li><li>Pro yearly</li></ul>",
            by("css", "li").has_text("pro").nth(1),
            1,
        ),
        page(
            "has-text-nth-reads-the-right-one",
            "locator-refine",
            "<title>Parity</title>",
            "<ul><li>Pro monthly</li><li>Basic</li><li hidden>Pro yearly</li></ul>",
            vec![Step::VisibleLoc(by("css", "li").has_text("pro").nth(-1))],
        ),
        count(
            "label-in-shadow-dom",
            "locator-shadow",
            SHADOW_FORM,
            by("label", "Shadow field"),
            1,
        ),
        count(
            "test-id-in-shadow-dom",
            "locator-shadow",
            SHADOW_FORM,
            by("test_id", "deep"),
            1,
        ),
        count(
            "role-in-nested-shadow-dom",
            "locator-shadow",
            SHADOW_FORM,
            role("link").name("Nested link"),
            1,
        ),
        count(
            "frame-label",
            "locator-frame",
            FRAME_FORM,
            by("label", "Search").frame("iframe"),
            1,
        ),
        count(
            "frame-text",
            "locator-frame",
            FRAME_FORM,
            by("text", "inner words").frame("iframe"),
            1,
        ),
        count(
            "frame-aria-hidden-excluded",
            "locator-frame",
            FRAME_FORM,
            role("button").frame("iframe"),
            0,
        ),
    ]
}
