//! Daemons the tests start on loopback (Prometheus, Alertmanager,
//! VictoriaMetrics, vmalert, exporters, PostgreSQL, Redis): started in a
//! temporary directory, probed until ready, stopped and reaped when dropped;
//! and the loopback servers they talk to (HTTP capture, plain SMTP capture).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A daemon this test started; killed and reaped when dropped.
pub struct Daemon {
    name: &'static str,
    child: Child,
    log: PathBuf,
    port: u16,
    /// Asked to stop with SIGINT first (PostgreSQL cleans up after itself).
    graceful: bool,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.graceful {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    pub fn start(
        name: &'static str,
        binary: &str,
        args: &[String],
        log: PathBuf,
        port: u16,
    ) -> Daemon {
        Daemon::start_probed(name, binary, args, log, port, "/-/ready")
    }

    /// Start `binary` and wait until `probe` answers 200.
    pub fn start_probed(
        name: &'static str,
        binary: &str,
        args: &[String],
        log: PathBuf,
        port: u16,
        probe: &str,
    ) -> Daemon {
        assert!(
            Path::new(binary).is_file(),
            "{binary} is missing: install its Debian package (scripts/test.sh installs \
             every daemon the tests start)"
        );
        let mut command = Command::new(binary);
        command.args(args);
        let daemon = Daemon::spawn(name, command, log, port, false);
        daemon.wait_until(Duration::from_secs(20), "ready", || {
            get(port, probe).0 == 200
        });
        daemon
    }

    /// Start `command` (a daemon that is not HTTP: PostgreSQL, Redis) and
    /// wait until `port` accepts connections; `graceful` stops it with
    /// SIGINT before SIGKILL.
    pub fn start_tcp(
        name: &'static str,
        command: Command,
        log: PathBuf,
        port: u16,
        graceful: bool,
    ) -> Daemon {
        let binary = command.get_program().to_string_lossy().into_owned();
        assert!(
            Path::new(&binary).is_file(),
            "{binary} is missing: install its Debian package (scripts/test.sh installs \
             every daemon the tests start)"
        );
        let daemon = Daemon::spawn(name, command, log, port, graceful);
        daemon.wait_until(Duration::from_secs(30), "listening", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        daemon
    }

    fn spawn(
        name: &'static str,
        mut command: Command,
        log: PathBuf,
        port: u16,
        graceful: bool,
    ) -> Daemon {
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", command.get_program()));
        Daemon {
            name,
            child,
            log,
            port,
            graceful,
        }
    }

    /// The end of the daemon's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    pub fn wait_until(&self, limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + limit;
        while !done() {
            assert!(
                Instant::now() < deadline,
                "{} not {what} within {limit:?}; its log ends with:\n{}",
                self.name,
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn get_json(&self, path: &str) -> Value {
        let (status, body) = get(self.port, path);
        assert_eq!(status, 200, "GET {path} on {}: {body}", self.name);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// One HTTP/1.0 GET on loopback; status and body (0 when nothing answers).
pub fn get(port: u16, path: &str) -> (u16, String) {
    exchange(
        port,
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"),
    )
}

/// One HTTP/1.0 POST of a JSON body on loopback; status and body.
pub fn post_json(port: u16, path: &str, body: &str) -> (u16, String) {
    exchange(
        port,
        format!(
            "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn exchange(port: u16, request: String) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let mut response = String::new();
    if stream.write_all(request.as_bytes()).is_err()
        || stream.read_to_string(&mut response).is_err()
    {
        return (0, String::new());
    }
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// Read one HTTP request: its path and body.
pub fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, body))
}

pub fn respond(stream: &mut TcpStream, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Serve `handle` on a loopback port from a background thread.
pub fn serve(handle: impl Fn(&mut TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            handle(&mut stream);
        }
    });
    port
}

/// One message an SMTP client delivered to [`serve_smtp`]: the envelope
/// and the message as sent (headers and body, dot-stuffing undone, lines
/// ending in CRLF).
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// Serve plain SMTP (no TLS, no AUTH) on a loopback port from a background
/// thread, handing every delivered message to `deliver`: a greeting, then
/// EHLO/HELO, MAIL FROM, RCPT TO, DATA up to the line `.`, RSET, NOOP and
/// QUIT; any other command is answered 502.
pub fn serve_smtp(deliver: impl Fn(Mail) + Send + 'static) -> u16 {
    serve(move |stream| {
        let Ok(read) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(read);
        let mut line = || {
            let mut bytes = Vec::new();
            match reader.read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            }
        };
        let mut reply = |text: &str| write!(stream, "{text}\r\n").is_ok();
        if !reply("220 127.0.0.1 ESMTP capture") {
            return;
        }
        let (mut from, mut to) = (String::new(), Vec::new());
        while let Some(command) = line() {
            let command = command.trim_end();
            let verb = command
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            // `MAIL FROM:<a@b> BODY=8BITMIME` -> `a@b`.
            let address = || {
                command
                    .split_once(':')
                    .map(|(_, rest)| rest.trim())
                    .and_then(|rest| rest.strip_prefix('<'))
                    .and_then(|rest| rest.split_once('>'))
                    .map_or(String::new(), |(address, _)| address.to_string())
            };
            let answered = match verb.as_str() {
                "EHLO" | "HELO" => reply("250 127.0.0.1"),
                "MAIL" => {
                    (from, to) = (address(), Vec::new());
                    reply("250 OK")
                }
                "RCPT" => {
                    to.push(address());
                    reply("250 OK")
                }
                "DATA" => {
                    if !reply("354 end data with <CR><LF>.<CR><LF>") {
                        return;
                    }
                    let mut data = String::new();
                    loop {
                        let Some(text) = line() else { return };
                        if text.trim_end_matches(['\r', '\n']) == "." {
                            break;
                        }
                        data.push_str(text.strip_prefix('.').unwrap_or(&text));
                    }
                    deliver(Mail {
                        from: from.clone(),
                        to: std::mem::take(&mut to),
                        data,
                    });
                    reply("250 OK queued")
                }
                "RSET" => {
                    (from, to) = (String::new(), Vec::new());
                    reply("250 OK")
                }
                "NOOP" => reply("250 OK"),
                "QUIT" => {
                    reply("221 bye");
                    return;
                }
                _ => reply("502 command not implemented"),
            };
            if !answered {
                return;
            }
        }
    })
}
