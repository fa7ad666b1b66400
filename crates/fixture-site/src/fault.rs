//! The ways the fixture site can misbehave.

use std::fmt;
use std::str::FromStr;

use crate::errors::UnknownFault;

/// One way the fixture site can misbehave. Several can be active at once;
/// when two touch the same route, the order of the variants here decides
/// which wins (earlier first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// `/` resets the TCP connection (RST) after reading the request.
    Reset,
    /// `/tasks` never answers; only the client's timeout (or shutdown) ends it.
    Hang,
    /// `/` answers 500 with an error page.
    Page500,
    /// `/up` answers 503.
    Up503,
    /// `/devops` and `/devops/cycle` answer 200: the removed admin routes are back.
    Admin200,
    /// `/tasks` redirects to itself forever.
    RedirectLoop,
    /// `/tasks` answers 302 to `/signin?return_to=/tasks`: an auth wall.
    RedirectSignin,
    /// `/tasks` answers 404 with an empty body.
    Empty404,
    /// `/` has the title "Welcome to nginx!" although its body still names the studio.
    WrongTitle,
    /// `/` has a hostile title, `<img src=x onerror=alert(1)> @everyone`:
    /// markup and a mass mention that every report must neutralise.
    HostileTitle,
    /// The email input on `/signin` has `display:none`.
    HiddenElement,
    /// Every page logs a console error and throws an uncaught exception on load.
    Throws,
    /// `/tasks` is a page of several megabytes that still says "Tasks".
    HugePage,
    /// Every response is delayed by [`crate::FixtureOptions::slow_delay`].
    Slow,
    /// `/tasks` renders its "Tasks" heading from JavaScript after
    /// [`crate::FixtureOptions::late_text_delay`].
    LateText,
    /// `/tasks` holds no "Tasks" but Markdown, links, mentions and fences
    /// ([`crate::FORGED_ALERT`]): text that must reach every alert as plain
    /// text, never as a bold, clickable "Roll back now".
    ForgedAlert,
    /// `/tasks` says "Tasks" only inside an inline `<script>`: nothing
    /// rendered names the board (Playwright's text skips scripts).
    ScriptOnlyText,
    /// The `/signin` email input sits inside a closed `<details>`: in the
    /// DOM, but not rendered.
    ClosedDetails,
    /// `/tasks` answers `204 No Content`: a 2xx that commits no page.
    NoContent,
    /// `/` shows a loud banner above its content: the page looks different
    /// but passes every check, for the comparison with the last green run.
    Restyled,
    /// `/tasks` answers 200 at once, then sends its body a byte at a time
    /// and never finishes: a trickling response.
    Trickle,
    /// `/tasks` is a small board that lays out 300,000 px tall.
    TallPage,
    /// The pages that locators and the new checks read regress: `/people`
    /// loses its labels, names and test ids and its FAQ link moves,
    /// `/embed`'s frame never says it is ready, `/long` loses the anchor
    /// that scrolls to its contact section, and an unknown path answers
    /// 200 (a soft 404).
    LocatorsBroken,
    /// The pages a scenario's browser settings and signed-in session read
    /// regress: `/phone`'s menu button no longer shows on a phone,
    /// `/theme` ignores the colour scheme, and `/account` refuses the
    /// session cookie.
    ContextBroken,
    /// The site drops off the network: every new connection is reset at
    /// once and every open one is dropped, so no request gets any HTTP
    /// answer (as for a runner that lost its network).
    Offline,
    /// The pages that interactions read regress: the `/menu` hover menu
    /// no longer opens, `/spa`'s router no longer changes the URL,
    /// `/search` ignores its query, `/contact`'s live preview stays empty,
    /// and `/tabs`' link opens in the same tab.
    InteractionsBroken,
}

impl Fault {
    /// Every fault, in precedence order.
    pub const ALL: [Fault; 26] = [
        Fault::Reset,
        Fault::Hang,
        Fault::Page500,
        Fault::Up503,
        Fault::Admin200,
        Fault::RedirectLoop,
        Fault::RedirectSignin,
        Fault::Empty404,
        Fault::WrongTitle,
        Fault::HostileTitle,
        Fault::HiddenElement,
        Fault::Throws,
        Fault::HugePage,
        Fault::Slow,
        Fault::LateText,
        Fault::ForgedAlert,
        Fault::ScriptOnlyText,
        Fault::ClosedDetails,
        Fault::NoContent,
        Fault::Restyled,
        Fault::Trickle,
        Fault::TallPage,
        Fault::LocatorsBroken,
        Fault::ContextBroken,
        Fault::Offline,
        Fault::InteractionsBroken,
    ];

    /// The kebab-case name used on the command line, e.g. `page-500`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Reset => "reset",
            Fault::Hang => "hang",
            Fault::Page500 => "page-500",
            Fault::Up503 => "up-503",
            Fault::Admin200 => "admin-200",
            Fault::RedirectLoop => "redirect-loop",
            Fault::RedirectSignin => "redirect-signin",
            Fault::Empty404 => "empty-404",
            Fault::WrongTitle => "wrong-title",
            Fault::HostileTitle => "hostile-title",
            Fault::HiddenElement => "hidden-element",
            Fault::Throws => "throws",
            Fault::HugePage => "huge-page",
            Fault::Slow => "slow",
            Fault::LateText => "late-text",
            Fault::ForgedAlert => "forged-alert",
            Fault::ScriptOnlyText => "script-only-text",
            Fault::ClosedDetails => "closed-details",
            Fault::NoContent => "no-content",
            Fault::Restyled => "restyled",
            Fault::Trickle => "trickle",
            Fault::TallPage => "tall-page",
            Fault::LocatorsBroken => "locators-broken",
            Fault::ContextBroken => "context-broken",
            Fault::Offline => "offline",
            Fault::InteractionsBroken => "interactions-broken",
        }
    }

    /// One line saying what the fault does, for `--help`-style listings.
    pub fn description(self) -> &'static str {
        match self {
            Fault::Reset => "/ resets the TCP connection",
            Fault::Hang => "/tasks never answers",
            Fault::Page500 => "/ answers 500 with an error page",
            Fault::Up503 => "/up answers 503",
            Fault::Admin200 => "/devops and /devops/cycle answer 200",
            Fault::RedirectLoop => "/tasks redirects to itself forever",
            Fault::RedirectSignin => "/tasks redirects to /signin?return_to=/tasks",
            Fault::Empty404 => "/tasks answers 404 with an empty body",
            Fault::WrongTitle => "/ is titled \"Welcome to nginx!\"",
            Fault::HostileTitle => "/ is titled with markup and an @everyone mention",
            Fault::HiddenElement => "the /signin email input is display:none",
            Fault::Throws => "every page throws an uncaught exception and logs a console error",
            Fault::HugePage => "/tasks is a page of several megabytes",
            Fault::Slow => "every response is delayed by a few seconds",
            Fault::LateText => "/tasks renders its heading from JavaScript after a delay",
            Fault::ForgedAlert => {
                "/tasks is Markdown, links, mentions and fences instead of a board"
            }
            Fault::ScriptOnlyText => "/tasks names the board only inside an inline <script>",
            Fault::ClosedDetails => "the /signin email input is inside a closed <details>",
            Fault::NoContent => "/tasks answers 204 No Content",
            Fault::Restyled => "/ shows a loud banner but passes every check",
            Fault::Trickle => "/tasks answers 200, then a byte at a time, never finishing",
            Fault::TallPage => "/tasks lays out 300,000 px tall",
            Fault::LocatorsBroken => {
                "/people, /embed and /long lose labels, test ids, frame text and anchors; unknown paths answer 200"
            }
            Fault::ContextBroken => {
                "/phone hides its menu on phones, /theme ignores dark mode, /account refuses the session"
            }
            Fault::Offline => "every connection is reset: no request gets an answer",
            Fault::InteractionsBroken => {
                "/menu, /spa, /search, /contact and /tabs stop opening, routing, searching, previewing and opening tabs"
            }
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Fault::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| UnknownFault {
                name: s.to_string(),
                expected: Fault::ALL.map(Fault::as_str).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_round_trips_through_its_name() {
        for f in Fault::ALL {
            assert_eq!(f.as_str().parse::<Fault>(), Ok(f));
        }
        assert_eq!("Page_500".parse::<Fault>(), Ok(Fault::Page500));
        let err = "nope".parse::<Fault>().unwrap_err();
        assert!(err.to_string().contains("page-500"), "{err}");
    }
}
