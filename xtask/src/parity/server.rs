//! A tiny HTTP/1.1 server for the parity pages: every answer is a fixed
//! status, headers and body, so a page says exactly what its case needs
//! (a 204 with no body, a redirect, a download) and nothing else.
//!
//! One path is not fixed: `/__state?case=NAME&s=STATE` is how an action
//! case's page reports where it is (its URL and a digest of its DOM,
//! `actions.rs`); the server keeps the last
//! report of each case, so both tools' end states can be compared.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use anyhow::Result;

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The last state each action case's page reported.
pub type States = Arc<Mutex<BTreeMap<String, String>>>;

/// When each case's kept state was taken (the page's clock, in ms), so a
/// report that arrives late does not replace a newer one.
type Clocks = Arc<Mutex<HashMap<String, f64>>>;

/// Serves `routes` on 127.0.0.1 (a free port) until the process ends.
/// Returns the base URL, and the states the pages report.
pub fn start(routes: HashMap<String, Response>) -> Result<(String, States)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let routes = Arc::new(routes);
    let states = States::default();
    let kept = states.clone();
    let clocks = Clocks::default();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (routes, states, clocks) = (routes.clone(), kept.clone(), clocks.clone());
            std::thread::spawn(move || {
                let _ = serve(stream, &routes, &states, &clocks);
            });
        }
    });
    Ok((url, states))
}

/// `%XX` escapes as bytes, `+` as a space (what `encodeURIComponent` wrote).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |at: usize| {
            b.get(at)
                .and_then(|c| (*c as char).to_digit(16))
                .map(|d| d as u8)
        };
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Keeps a page's `/__state?case=…&at=…&s=…` report, unless a report
/// taken later is already kept.
fn keep_state(query: &str, states: &States, clocks: &Clocks) {
    let param = |name: &str| {
        query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| decode(v))
        })
    };
    let at = param("at").and_then(|a| a.parse::<f64>().ok());
    let (Some(case), Some(state), Some(at)) = (param("case"), param("s"), at) else {
        return;
    };
    let mut clocks = clocks.lock().expect("clocks");
    let mut states = states.lock().expect("states");
    // A state taken before the last reset (a new run) has no clock kept.
    if !states.contains_key(&case) || clocks.get(&case).is_none_or(|t| *t <= at) {
        clocks.insert(case.clone(), at);
        states.insert(case, state);
    }
}

fn serve(
    stream: TcpStream,
    routes: &HashMap<String, Response>,
    states: &States,
    clocks: &Clocks,
) -> Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read the rest of the head; no request here has a body.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('#').next().unwrap_or(path);
    let not_found = Response {
        status: 404,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: "no such parity page".into(),
    };
    let reported = Response {
        status: 204,
        headers: Vec::new(),
        body: String::new(),
    };
    let r = match path.strip_prefix("/__state?") {
        Some(query) => {
            keep_state(query, states, clocks);
            &reported
        }
        None => routes.get(path).unwrap_or(&not_found),
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    // A 204 carries no Content-Length; every other answer says its size.
    if r.status != 204 {
        head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    head.push_str("Cache-Control: no-store\r\nConnection: close\r\n\r\n");
    let mut out = stream;
    out.write_all(head.as_bytes())?;
    if r.status != 204 && r.status != 205 {
        out.write_all(r.body.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
