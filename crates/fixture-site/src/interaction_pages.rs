//! Pages that a smoke test reads by interacting with them, as real smoke
//! suites do: a menu that opens on hover, a client-side route change
//! (`history.pushState`), a GET search form, a POST contact form whose
//! submit the read-only guard must refuse, and a link that opens a new
//! tab. Each breaks for real under [`Fault::InteractionsBroken`]: the menu
//! no longer opens, the router no longer changes the URL, the search
//! ignores its query, the contact form's live preview stays empty, and the
//! link opens in the same tab.

use std::collections::BTreeSet;

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, StatusCode};

use crate::fault::Fault;
use crate::response::{Body, respond};

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
    )
}

fn html(body: String) -> hyper::Response<Body> {
    let mut res = respond(
        StatusCode::OK,
        "text/html; charset=utf-8",
        Bytes::from(body),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Text from the query string, as markup-free HTML text.
fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// `q` from a query string, form-decoded (`+` is a space).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| {
            let v = v.replace('+', " ");
            percent_decode(&v)
        })
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

const MENU_STYLE: &str = "<style>\
  .menu { position: relative; display: inline-block; }\
  .menu ul { position: absolute; top: 100%; left: 0; margin: 0; padding: 8px 16px; background: #fff; border: 1px solid #ccc; list-style: none; }\
  .menu ul[hidden] { display: none; }\
</style>";

fn menu(broken: bool) -> String {
    // Healthy: the menu opens when the pointer enters the button and
    // closes when it leaves the whole menu. Broken: it opens on a double
    // click only, which no visitor finds.
    let opens_on = if broken { "dblclick" } else { "mouseenter" };
    page(
        "Products menu",
        &format!(
            r#"{MENU_STYLE}
<nav aria-label="Main">
  <div class="menu" id="menu">
    <button id="products" aria-haspopup="true">Products</button>
    <ul data-testid="products-menu" id="products-menu" hidden>
      <li><a href="/menu/firefox">Firefox</a></li>
      <li><a href="/menu/firefox-focus">Firefox Focus</a></li>
    </ul>
  </div>
</nav>
<main><h1>Products</h1></main>
<script>
  const menu = document.getElementById('products-menu');
  document.getElementById('products').addEventListener('{opens_on}', () => {{ menu.hidden = false; }});
  document.getElementById('menu').addEventListener('mouseleave', () => {{ menu.hidden = true; }});
</script>"#
        ),
    )
}

fn product(name: &str) -> String {
    page(
        name,
        &format!("<main><h1>{name}</h1><p>Get {name}.</p></main>"),
    )
}

fn spa(broken: bool) -> String {
    // The router renders the view for the path; a link click changes the
    // path with pushState. Broken: the router throws before it does.
    let push = if broken {
        "throw new Error('router: no route table');"
    } else {
        "history.pushState({}, '', a.href);"
    };
    page(
        "Single-page app",
        &format!(
            r#"<nav aria-label="App">
  <a href="/spa" data-route>Home</a>
  <a href="/spa/about" data-route>About</a>
</nav>
<main id="view"></main>
<script>
  const views = {{ '/spa': 'Home view', '/spa/about': 'About us' }};
  const render = () => {{ document.getElementById('view').textContent = views[location.pathname] || 'Not found'; }};
  for (const a of document.querySelectorAll('a[data-route]')) {{
    a.addEventListener('click', (e) => {{
      e.preventDefault();
      {push}
      render();
    }});
  }}
  addEventListener('popstate', render);
  render();
</script>"#
        ),
    )
}

fn search(query: Option<&str>, broken: bool) -> String {
    let results = match query {
        None => String::new(),
        Some(_) if broken => "<h2>No results</h2>".to_string(),
        Some(q) => format!("<h2>Results for {}</h2>", escape(q)),
    };
    page(
        "Search",
        &format!(
            r#"<main>
<form action="/search" method="get" role="search">
  <label for="q">Search</label>
  <input id="q" name="q" type="search">
  <button type="submit">Go</button>
</form>
{results}
</main>"#
        ),
    )
}

fn contact(broken: bool) -> String {
    // A live preview as the visitor types. Broken: it listens to an event
    // no typing fires.
    let on = if broken { "paste" } else { "input" };
    page(
        "Contact us",
        &format!(
            r#"<main>
<h1>Contact us</h1>
<form action="/contact" method="post">
  <label>Your name <input name="name"></label>
  <label>Message <textarea name="message"></textarea></label>
  <p>Preview: <output id="preview"></output></p>
  <button type="submit">Send</button>
</form>
</main>
<script>
  const name = document.querySelector('input[name=name]');
  name.addEventListener('{on}', () => {{ document.getElementById('preview').textContent = 'Hello, ' + name.value; }});
</script>"#
        ),
    )
}

fn tabs(broken: bool) -> String {
    let target = if broken {
        ""
    } else {
        r#" target="_blank" rel="noopener""#
    };
    page(
        "Links",
        &format!(
            r#"<main><h1>Links</h1><p><a href="/tabs/opened"{target}>Open the app</a></p></main>"#
        ),
    )
}

/// The page a new tab opens. Its phone note shows only at a phone's
/// width, so a test can tell that the scenario's `use:` reached the tab.
fn opened_tab() -> String {
    format!(
        r#"<style>@media (min-width: {min}px) {{ #phone-note {{ display: none }} }}</style>
<main><h1>Opened in a new tab</h1><p id="phone-note">Phone layout</p></main>"#,
        min = crate::PHONE_MAX_WIDTH + 1
    )
}

/// Answers the interaction pages, or `None` for any other path.
pub(crate) fn route(
    faults: &BTreeSet<Fault>,
    method: &Method,
    path: &str,
    query: &str,
) -> Option<hyper::Response<Body>> {
    let broken = faults.contains(&Fault::InteractionsBroken);
    if path == "/contact" && method == Method::POST {
        // The app would take the message; a smoke run must never get here.
        return Some(respond(StatusCode::SEE_OTHER, "text/plain", Bytes::new()));
    }
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let body = match path {
        "/menu" => menu(broken),
        "/menu/firefox" => product("Firefox"),
        "/menu/firefox-focus" => product("Firefox Focus"),
        "/spa" | "/spa/about" => spa(broken),
        "/search" => search(query_param(query, "q").as_deref(), broken),
        "/contact" => contact(broken),
        "/tabs" => tabs(broken),
        "/tabs/opened" => page("Opened", &opened_tab()),
        _ => return None,
    };
    Some(html(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_query_is_decoded_and_escaped() {
        assert_eq!(
            query_param("q=rust+lang%21", "q").as_deref(),
            Some("rust lang!")
        );
        assert_eq!(query_param("a=1&q=", "q").as_deref(), Some(""));
        assert_eq!(query_param("a=1", "q"), None);
        assert!(search(Some("<b>"), false).contains("Results for &lt;b&gt;"));
    }
}
