//! The HTML and assets of the fixture site, shaped like the production hub.
//!
//! Only the `/tasks` page says "Tasks": the navigation calls it "Board", so a
//! redirect away from the board can never pass a "body contains Tasks" check.

use std::fmt::Write as _;
use std::time::Duration;

/// What every HTML page carries besides its content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chrome {
    /// Fire a POST beacon on load, as production's analytics does.
    pub beacons: bool,
    /// Log a console error and throw an uncaught exception on load.
    pub throws: bool,
    /// Try every write channel a browser has on load ([`ATTACK_SCRIPT`]).
    pub hostile: bool,
}

pub(crate) const HOME_TITLE: &str = "McRitchie Studio — Agents at work";
pub(crate) const WRONG_TITLE: &str = "Welcome to nginx!";
/// Inside `<title>` this is text, not markup: exactly what a report must
/// escape when it shows the title.
pub(crate) const HOSTILE_TITLE: &str = "<img src=x onerror=alert(1)> @everyone";

pub(crate) const STYLESHEET: &str = r#"
:root { --ink: #1d2330; --paper: #f6f4ef; --accent: #2f6f4f; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--paper); }
header { display: flex; gap: 1.5rem; align-items: center; padding: 1rem 2rem; background: var(--ink); color: #fff; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 700; margin-right: auto; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 2rem; }
.task-card { background: #fff; border-left: 4px solid var(--accent); margin: .75rem 0; padding: .75rem 1rem; }
.task-card .state { float: right; font-size: .8rem; text-transform: uppercase; }
form { display: grid; gap: .75rem; max-width: 22rem; }
input, button { font: inherit; padding: .5rem; }
button { background: var(--accent); color: #fff; border: 0; }
footer { text-align: center; font-size: .8rem; padding: 2rem; }
"#;

pub(crate) const SCRIPT: &str = r#"
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  document.body.setAttribute("data-app-ready", "true");
});
"#;

/// A 1×1 green PNG, wrapped into an ICO below.
const FAVICON_PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xd0, 0xcf, 0xf7, 0xff,
    0x0f, 0x00, 0x03, 0xab, 0x01, 0xed, 0xac, 0x7a, 0xca, 0x3a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// An ICO file holding one PNG image.
pub(crate) fn favicon() -> Vec<u8> {
    let mut ico = vec![0, 0, 1, 0, 1, 0];
    ico.extend_from_slice(&[1, 1, 0, 0, 1, 0, 32, 0]);
    ico.extend_from_slice(&(FAVICON_PNG.len() as u32).to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes());
    ico.extend_from_slice(&FAVICON_PNG);
    ico
}

const BEACON_SCRIPT: &str = r#"<script>
(function () {
  var payload = JSON.stringify({ event: "page_view", path: location.pathname });
  window.addEventListener("load", function () {
    if (navigator.sendBeacon) { navigator.sendBeacon("/beacon", payload); }
    fetch("/beacon", { method: "POST", body: payload, headers: { "Content-Type": "application/json" } })
      .catch(function () {});
  });
})();
</script>"#;

const THROWING_SCRIPT: &str = r#"<script>
console.error("McRitchie Studio: the activity widget failed to initialise");
throw new Error("McRitchie Studio: activity feed exploded");
</script>"#;

/// Every way a page can send a write, each to its own `/attack/...` path so
/// a test can tell which got through: fetch, XHR, a beacon, a form posted
/// into a hidden frame (the page itself stays), a WebSocket that sends a
/// message, a same-site and a cross-site iframe (`localhost` inside a
/// `127.0.0.1` page runs in its own renderer process), a dedicated, a shared
/// and a service worker, and a popup. Nothing here throws, so a guarded run
/// stays green.
pub(crate) const ATTACK_SCRIPT: &str = r#"<script>
(function () {
  function swallow() {}
  var body = JSON.stringify({ appear: location.pathname });
  var other = location.hostname === "localhost" ? "127.0.0.1" : "localhost";
  var cross = location.protocol + "//" + other + ":" + location.port;
  var wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
  fetch("/attack/fetch", { method: "POST", body: body }).catch(swallow);
  var xhr = new XMLHttpRequest();
  xhr.open("POST", "/attack/xhr");
  xhr.onerror = swallow;
  xhr.send(body);
  if (navigator.sendBeacon) { navigator.sendBeacon("/attack/beacon", body); }
  var sink = document.createElement("iframe");
  sink.name = "attack-sink";
  sink.hidden = true;
  document.body.appendChild(sink);
  var form = document.createElement("form");
  form.method = "POST";
  form.action = "/attack/form";
  form.target = "attack-sink";
  form.innerHTML = '<input name="appear" value="1">';
  document.body.appendChild(form);
  form.submit();
  try {
    var ws = new WebSocket(wsBase + "/attack/ws?from=page");
    ws.onopen = function () { ws.send('{"command":"message","data":"{\"action\":\"appear\"}"}'); };
    ws.onerror = swallow;
  } catch (e) {}
  [["same", ""], ["cross", cross]].forEach(function (f) {
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.src = f[1] + "/attack/frame?site=" + f[0];
    document.body.appendChild(frame);
  });
  try { new Worker("/attack/worker.js?kind=dedicated"); } catch (e) {}
  try { new SharedWorker("/attack/worker.js?kind=shared"); } catch (e) {}
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/attack/worker.js?kind=service").catch(swallow);
  }
  try { window.open("/attack/popup", "attack-popup"); } catch (e) {}
  // Says when every attempt has had its chance (the service worker runs
  // last), so a test can wait for it instead of for a clock.
  function done() {
    setTimeout(function () {
      var p = document.createElement("p");
      p.id = "attacks-sent";
      p.textContent = "All attacks sent";
      document.body.appendChild(p);
    }, 500);
  }
  var ready = navigator.serviceWorker ? navigator.serviceWorker.ready : Promise.resolve();
  Promise.race([ready, new Promise(function (r) { setTimeout(r, 3000); })]).then(done, done);
})();
</script>"#;

/// What each iframe, worker and the popup run: a POST and a WebSocket
/// message of their own, named after where they run (`{from}`).
const ATTACK_FROM: &str = r#"
(function () {
  var from = "{from}";
  var l = self.location;
  fetch("/attack/" + from, { method: "POST", body: from }).catch(function () {});
  try {
    var ws = new WebSocket((l.protocol === "https:" ? "wss://" : "ws://") + l.host + "/attack/ws?from=" + from);
    ws.onopen = function () { ws.send(from); };
    ws.onerror = function () {};
  } catch (e) {}
})();
"#;

/// An iframe page (`site` is `same` or `cross`) or the popup.
pub(crate) fn attack_page(from: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>attack</title></head><body><p>{from}</p><script>{}</script></body></html>\n",
        ATTACK_FROM.replace("{from}", from)
    )
}

/// A worker script; `kind` is `dedicated`, `shared` or `service`.
pub(crate) fn attack_worker(kind: &str) -> String {
    ATTACK_FROM.replace("{from}", &format!("{kind}-worker"))
}

/// Page text that would forge an alert if any report let Markdown render:
/// bold, a link to an attacker, mentions, a fence, a heading, a spoiler and
/// a masked link.
/// `/up.json`: a status endpoint of the shape Rails health checks answer.
pub(crate) const UP_JSON: &str = r#"{"status":"ok","version":"2026.06.26","checks":{"database":"ok","cache":"ok"},"services":[{"name":"web","ok":true,"dynos":2},{"name":"worker","ok":true,"dynos":1}]}"#;

pub const FORGED_ALERT: &str = "**URGENT** [Roll back now](https://evil.example/rollback) @everyone <@123456789> `code` ```rust fence``` # Heading ||spoiler|| __underline__ ~~strike~~ > quote <https://evil.example/raw>";

pub(crate) fn forged_alert(chrome: Chrome) -> String {
    // The text is HTML-escaped so the browser shows exactly FORGED_ALERT.
    let text = FORGED_ALERT
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    layout(
        "Board — McRitchie Studio",
        &format!("<h1>Notice</h1>\n<p id=\"notice\">{text}</p>"),
        chrome,
    )
}

fn layout(title: &str, main: &str, chrome: Chrome) -> String {
    let mut page = String::with_capacity(main.len() + 2048);
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/assets/application.css">
<script src="/assets/application.js" defer></script>
</head>
<body>
<header>
<a class="brand" href="/">McRitchie Studio</a>
<nav><a href="/">Home</a> <a href="/tasks">Board</a> <a href="/signin">Sign in</a></nav>
</header>
<main>
{main}
</main>
<footer>© McRitchie Studio</footer>
"#
    );
    if chrome.beacons {
        page.push_str(BEACON_SCRIPT);
        page.push('\n');
    }
    if chrome.hostile {
        page.push_str(ATTACK_SCRIPT);
        page.push('\n');
    }
    if chrome.throws {
        page.push_str(THROWING_SCRIPT);
        page.push('\n');
    }
    page.push_str("</body>\n</html>\n");
    page
}

/// The banner [`crate::Fault::Restyled`] puts above the home page.
const RESTYLE_BANNER: &str = r#"<p style="background:#b00020;color:#fff;margin:0;padding:48px 24px;font-size:32px">Spring sale: the studio is shipping twice as fast</p>"#;

pub(crate) fn home(title: &str, restyled: bool, chrome: Chrome) -> String {
    let banner = if restyled { RESTYLE_BANNER } else { "" };
    layout(title, &format!("{banner}{HOME_MAIN}"), chrome)
}

const HOME_MAIN: &str = r#"<h1>McRitchie Studio</h1>
<p class="lede">Agents at work: every task on the board is picked up, built, reviewed and shipped by a small crew of agents.</p>
<section>
<h2>Latest release</h2>
<p>The studio ships small releases often. Each one is sealed by a read-only smoke run against production.</p>
</section>"#;

pub(crate) fn signin(email_hidden: bool, email_folded: bool, chrome: Chrome) -> String {
    let style = if email_hidden {
        r#" style="display:none""#
    } else {
        ""
    };
    let (fold_open, fold_close) = if email_folded {
        ("<details><summary>Use email</summary>\n", "\n</details>")
    } else {
        ("", "")
    };
    layout(
        "Sign in — McRitchie Studio",
        &format!(
            r#"<h1>Sign in</h1>
<form action="/signin" method="post">
{fold_open}<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required{style}>{fold_close}
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>"#
        ),
        chrome,
    )
}

const TASKS: [(&str, &str, &str); 5] = [
    (
        "Port the smoke suite to Rust",
        "in progress",
        "agent: builder",
    ),
    ("Seal release 2026.06.26", "reviewed", "agent: reviewer"),
    ("Trim the deploy log", "ready", "agent: janitor"),
    ("Rotate the Discord webhook", "done", "agent: ops"),
    ("Draft the release notes", "in progress", "agent: scribe"),
];

fn task_cards(out: &mut String, copies: usize) {
    for i in 0..copies {
        let (title, state, agent) = TASKS[i % TASKS.len()];
        let _ = writeln!(
            out,
            r#"<article class="task-card" data-task-id="{id}"><span class="state">{state}</span><h3>#{id} {title}</h3><p>{agent}</p></article>"#,
            id = i + 1
        );
    }
}

pub(crate) fn tasks(chrome: Chrome) -> String {
    let mut main = String::from("<h1>Tasks</h1>\n<section id=\"board\">\n");
    task_cards(&mut main, TASKS.len());
    main.push_str("</section>");
    layout("Board — McRitchie Studio", &main, chrome)
}

/// A board that renders nothing yet: "Tasks" appears only in the inline
/// script that would have drawn it.
pub(crate) fn script_only_tasks(chrome: Chrome) -> String {
    layout(
        "Board — McRitchie Studio",
        r#"<div id="board"></div>
<script>window.boardHeading = "Tasks";</script>"#,
        chrome,
    )
}

/// A board of at least `min_bytes` that still has its "Tasks" heading.
pub(crate) fn huge_tasks(min_bytes: usize, chrome: Chrome) -> String {
    let mut main = String::with_capacity(min_bytes + 4096);
    main.push_str("<h1>Tasks</h1>\n<section id=\"board\">\n");
    let mut batch = 0;
    while main.len() < min_bytes {
        let mut cards = String::new();
        task_cards(&mut cards, 1000);
        // Keep ids unique across batches.
        main.push_str(&cards.replace("data-task-id=\"", &format!("data-task-id=\"{batch}-")));
        batch += 1;
    }
    main.push_str("</section>");
    layout("Board — McRitchie Studio", &main, chrome)
}

/// How tall [`crate::Fault::TallPage`]'s board is, in CSS pixels.
pub const TALL_PAGE_PX: u32 = 300_000;

/// The board, then [`TALL_PAGE_PX`] of empty column: a small page that
/// lays out very tall.
pub(crate) fn tall_tasks(chrome: Chrome) -> String {
    let mut main = String::from("<h1>Tasks</h1>\n<section id=\"board\">\n");
    task_cards(&mut main, 3);
    main.push_str(&format!(
        "</section>\n<div id=\"column\" style=\"height:{TALL_PAGE_PX}px\"></div>"
    ));
    layout("Board — McRitchie Studio", &main, chrome)
}

/// A board whose heading and cards appear only after `delay`, from JavaScript.
/// The word is split in the source so no copy of the page text says "Tasks"
/// before the script has run.
pub(crate) fn late_tasks(delay: Duration, chrome: Chrome) -> String {
    let mut cards = String::new();
    task_cards(&mut cards, TASKS.len());
    let cards_js = cards
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "");
    let main = format!(
        r#"<section id="board" aria-busy="true"><p>Loading the board…</p></section>
<script>
setTimeout(function () {{
  var board = document.getElementById("board");
  board.innerHTML = "<h1>" + "Ta" + "sks" + "</h1>" + "{cards_js}";
  board.setAttribute("aria-busy", "false");
}}, {ms});
</script>"#,
        ms = delay.as_millis()
    );
    layout("Board — McRitchie Studio", &main, chrome)
}

pub(crate) fn devops(path: &str, chrome: Chrome) -> String {
    layout(
        "DevOps — McRitchie Studio",
        &format!(
            "<h1>DevOps</h1>\n<p>Admin console at {path}: cycle the dynos, replay the release ladder.</p>"
        ),
        chrome,
    )
}

/// Rails' static `public/404.html`, which carries no scripts.
/// `/people`: a page read by role, label, text, placeholder, alt text,
/// title and test id. `broken` takes away what those locators find.
pub(crate) fn people(broken: bool, chrome: Chrome) -> String {
    let (team, search_for, testid, faq, logo) = if broken {
        ("", "", "invite-old", "/help", "")
    } else {
        (
            r#" aria-label="Team""#,
            r#" for="q""#,
            "invite",
            "/faq/",
            "Studio logo",
        )
    };
    layout(
        "People — McRitchie Studio",
        &format!(
            r#"<h1>People</h1>
<nav{team}><a href="/people/ada">Ada</a> <a href="{faq}" title="Questions and answers">FAQ</a></nav>
<form action="/people" method="get">
<label{search_for}>Search people</label>
<input id="q" name="q" placeholder="Name or role">
<label>Newsletter <input type="checkbox" name="news"></label>
<span id="plan-label">Plan</span>
<select aria-labelledby="plan-label" name="plan"><option>Free</option><option>Pro</option></select>
</form>
<img src="/favicon.ico" alt="{logo}" width="16" height="16">
<ul class="plans"><li class="plan">Free</li><li class="plan">Pro <em>popular</em></li><li class="plan">Team</li></ul>
<button data-testid="{testid}">Invite someone</button>
<button aria-hidden="true">Ghost action</button>
<button style="display:none">Hidden action</button>
<p id="copy">©   McRitchie
Studio 2026</p>"#
        ),
        chrome,
    )
}

/// `/embed`: a page whose content lives in a same-origin iframe.
pub(crate) fn embed(chrome: Chrome) -> String {
    layout(
        "Embed — McRitchie Studio",
        r#"<h1>Embedded board</h1>
<iframe id="inner" src="/embed/inner" title="Inner board" width="400" height="120"></iframe>"#,
        chrome,
    )
}

/// The document inside `/embed`'s iframe.
pub(crate) fn embed_inner(broken: bool) -> String {
    let state = if broken { "loading" } else { "ready" };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Inner</title></head>
<body><p>Inner {state}</p><button>Refresh</button></body></html>
"#
    )
}

/// `/long`: a contact section far below the fold, reached by its anchor
/// (`/long#contact`). `broken` drops the anchor.
pub(crate) fn long(broken: bool, chrome: Chrome) -> String {
    let id = if broken { "" } else { r#" id="contact""# };
    layout(
        "Long read — McRitchie Studio",
        &format!(
            r#"<h1>Long read</h1>
<div style="height:4000px">The studio's story, at length.</div>
<section{id} aria-label="Contact"><h2>Contact</h2><p>Write to the studio.</p></section>"#
        ),
        chrome,
    )
}

pub(crate) const NOT_FOUND: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The page you were looking for doesn't exist (404)</title>
</head>
<body>
<h1>The page you were looking for doesn't exist.</h1>
<p>You may have mistyped the address or the page may have moved.</p>
</body>
</html>
"#;

/// Rails' static `public/500.html`.
pub(crate) const SERVER_ERROR: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>We're sorry, but something went wrong (500)</title>
</head>
<body>
<h1>We're sorry, but something went wrong.</h1>
<p>If you are the application owner check the logs for more information.</p>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: Chrome = Chrome {
        beacons: true,
        throws: false,
        hostile: true,
    };

    #[test]
    fn only_the_board_says_tasks() {
        assert!(tasks(CHROME).contains("<h1>Tasks</h1>"));
        for page in [
            home(HOME_TITLE, false, CHROME),
            signin(false, false, CHROME),
            late_tasks(Duration::from_millis(1500), CHROME),
            devops("/devops", CHROME),
            forged_alert(CHROME),
            attack_page("same"),
            attack_worker("shared"),
            NOT_FOUND.to_string(),
            SERVER_ERROR.to_string(),
        ] {
            assert!(!page.contains("Tasks"), "{page}");
        }
    }

    #[test]
    fn huge_board_is_big_and_still_a_board() {
        let page = huge_tasks(5 * 1024 * 1024, CHROME);
        assert!(page.len() >= 5 * 1024 * 1024);
        assert!(page.contains("<h1>Tasks</h1>"));
    }

    #[test]
    fn favicon_is_an_ico_with_a_png_inside() {
        let ico = favicon();
        assert_eq!(&ico[..4], &[0, 0, 1, 0]);
        assert_eq!(&ico[22..26], b"\x89PNG");
    }
}
