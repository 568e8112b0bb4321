//! A small HTTP/1.1 server on 127.0.0.1 for the network tests (std networking only, so no test
//! touches the internet). It answers each request, each connection on its own thread, with what
//! the handler returns, logs every request with its arrival time, headers and body, and counts
//! the most connections it served at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Send only this many body bytes, then close (a truncated body).
    pub send_only: Option<usize>,
    /// Wait before the status line.
    pub delay: Duration,
    /// Wait between the headers and the body (a slow transfer).
    pub body_delay: Duration,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, body)
    }
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            send_only: None,
            delay: Duration::ZERO,
            body_delay: Duration::ZERO,
        }
    }
}

pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<Request>>>,
    /// Connections being served now, and the most at any one time.
    in_flight: Arc<Mutex<(usize, usize)>>,
}

impl Server {
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
    /// The most connections served at the same time.
    pub fn most_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap().1
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// Serves `handler(request, number of the request from 1)`, each connection on its own thread
/// (so concurrent clients are seen as such).
pub fn serve(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let in_flight = Arc::new(Mutex::new((0usize, 0usize)));
    let handler: Arc<Handler> = Arc::new(handler);
    let (server_log, server_flight) = (log.clone(), in_flight.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let at = Instant::now();
            let (log, flight, handler) =
                (server_log.clone(), server_flight.clone(), handler.clone());
            {
                let mut f = flight.lock().unwrap();
                f.0 += 1;
                f.1 = f.1.max(f.0);
            }
            std::thread::spawn(move || {
                answer(stream, at, &log, &*handler);
                flight.lock().unwrap().0 -= 1;
            });
        }
    });
    Server {
        base,
        log,
        in_flight,
    }
}

fn answer(stream: TcpStream, at: Instant, log: &Mutex<Vec<Request>>, handler: &Handler) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("GET").to_string();
    let path = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let request = Request {
        method,
        path,
        headers,
        body,
        at,
    };
    let n = {
        let mut log = log.lock().unwrap();
        log.push(request.clone());
        log.len()
    };
    let reply = handler(&request, n);
    std::thread::sleep(reply.delay);
    let mut head = format!(
        "HTTP/1.1 {} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = writer.write_all(head.as_bytes());
    let _ = writer.flush();
    std::thread::sleep(reply.body_delay);
    let upto = reply
        .send_only
        .unwrap_or(reply.body.len())
        .min(reply.body.len());
    let _ = writer.write_all(&reply.body[..upto]);
}

/// Most requests that arrived within any one second.
pub fn most_in_one_second(requests: &[Request]) -> usize {
    let mut times: Vec<Instant> = requests.iter().map(|r| r.at).collect();
    times.sort();
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}
