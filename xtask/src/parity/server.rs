//! A tiny HTTP/1.1 server for the parity pages: every answer is a fixed
//! status, headers and body, so a page says exactly what its case needs
//! (a 204 with no body, a redirect, a download) and nothing else.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use anyhow::Result;

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Serves `routes` on 127.0.0.1 (a free port) until the process ends.
/// Returns the base URL.
pub fn start(routes: HashMap<String, Response>) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let routes = routes.clone();
            std::thread::spawn(move || {
                let _ = serve(stream, &routes);
            });
        }
    });
    Ok(url)
}

fn serve(stream: TcpStream, routes: &HashMap<String, Response>) -> Result<()> {
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
    let r = routes.get(path).unwrap_or(&not_found);
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
