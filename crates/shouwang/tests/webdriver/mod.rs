//! A real browser for the tests: `chromedriver` driving Debian's headless Chromium over the
//! W3C WebDriver protocol, and the demo server it browses. Shared by the browser walk and the
//! identification journey.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when the test ends, however it ends.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn first_existing(paths: &[&'static str]) -> Option<&'static str> {
    paths.iter().copied().find(|p| Path::new(p).exists())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 exchange on a fresh connection: (status, body).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        req.push_str("Content-Type: application/json; charset=utf-8\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    // chromedriver keeps the connection open: read the headers, then as many bytes as they say
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let split = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("closed before the end of headers"));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let mut rest = raw[split + 4..].to_vec();
    let body = if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        while rest.len() < len {
            let n = s.read(&mut buf)?;
            if n == 0 {
                break;
            }
            rest.extend_from_slice(&buf[..n]);
        }
        rest.truncate(len);
        rest
    } else {
        s.read_to_end(&mut rest)?;
        if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            unchunk(&rest)
        } else {
            rest
        }
    };
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// The body of a chunked answer.
pub fn unchunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 || rest.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
        rest = &rest[(eol + 4 + size).min(rest.len())..];
    }
    out
}

/// A browser session of chromedriver.
pub struct Browser {
    pub port: u16,
    pub session: String,
}

impl Browser {
    pub fn open(driver_port: u16) -> Browser {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--force-device-scale-factor=1",
            "--window-size=1280,900",
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"args": args},
        }}});
        let (status, body) = http(driver_port, "POST", "/session", &[], &caps.to_string())
            .expect("chromedriver answers");
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session ({status}): {body}"))
            .to_string();
        let b = Browser {
            port: driver_port,
            session,
        };
        b.call(
            "POST",
            "timeouts",
            json!({"pageLoad": 120_000, "script": 60_000}),
        );
        b
    }

    /// A WebDriver command of this session; its `value`, or a panic with the driver's error.
    pub fn call(&self, method: &str, command: &str, body: Value) -> Value {
        self.try_call(method, command, body)
            .unwrap_or_else(|e| panic!("chromedriver {command}: {e}"))
    }

    /// A WebDriver command of this session; its `value`, or the driver's error.
    pub fn try_call(&self, method: &str, command: &str, body: Value) -> Result<Value, String> {
        let path = format!("/session/{}/{command}", self.session);
        let body = if method == "GET" {
            String::new()
        } else {
            body.to_string()
        };
        let (status, text) =
            http(self.port, method, &path, &[], &body).map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != 200 {
            return Err(format!("({status}): {text}"));
        }
        Ok(v["value"].clone())
    }

    pub fn go(&self, url: &str) {
        self.call("POST", "url", json!({ "url": url }));
    }

    /// Runs a function body in the page and answers what it returns.
    pub fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// A command of Chrome's DevTools protocol, through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "goog/cdp/execute",
            json!({"cmd": cmd, "params": params}),
        )
    }

    /// The viewport in CSS pixels (no phone emulation: a page too wide scrolls, it is not
    /// zoomed out to fit).
    pub fn viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.call(
            "POST",
            "cookie",
            json!({"cookie": {"name": name, "value": value, "path": "/"}}),
        );
    }

    /// The cookies of the site, as a `Cookie:` header (the session cookie is HttpOnly, which
    /// WebDriver still sees).
    pub fn cookie_header(&self) -> String {
        self.call("GET", "cookie", Value::Null)
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{}={}",
                    c["name"].as_str().unwrap_or(""),
                    c["value"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The page as a PNG, down to `max_height` pixels of it.
    pub fn screenshot(&self, width: u32, max_height: u32) -> Vec<u8> {
        let height = self.run("return Math.ceil(document.documentElement.scrollHeight)");
        let height = (height.as_u64().unwrap_or(900) as u32).min(max_height);
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}),
        );
        base64(shot["data"].as_str().expect("screenshot data"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // ends Chromium too
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            "",
        );
    }
}

pub fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let sextets: Vec<u8> = text.bytes().filter_map(value).collect();
    sextets
        .chunks(4)
        .flat_map(|c| {
            let n = c
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &s)| n | u32::from(s) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(c.len() - 1)
        })
        .collect()
}

/// The demo server and chromedriver, both stopped when this is dropped.
pub struct Running {
    pub server_port: u16,
    pub driver_port: u16,
    _server: Killed,
    _driver: Killed,
}

impl Running {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.server_port)
    }
}

/// Starts `shouwang demo` with `households` in `dir` and chromedriver, and waits until both
/// answer. `None` (with a message) when Chromium or chromedriver is not installed, unless
/// SHOUWANG_REQUIRE_CHROMIUM is set, as `.ci/run` does: then it fails.
pub fn start(households: &str, dir: &Path) -> Option<Running> {
    let browser = first_existing(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let driver = first_existing(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(_), Some(driver)) = (browser, driver) else {
        assert!(
            std::env::var_os("SHOUWANG_REQUIRE_CHROMIUM").is_none(),
            "SHOUWANG_REQUIRE_CHROMIUM is set but Chromium or chromedriver is not installed"
        );
        eprintln!("skipped: Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    let server_port = free_port();
    let server = Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .args(["demo", "--households", households, "--dir"])
        .arg(dir.join("demo"))
        .args(["--listen", &format!("127.0.0.1:{server_port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Killed(server);
    let driver_port = free_port();
    let chromedriver = Command::new(driver)
        .arg(format!("--port={driver_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Killed(chromedriver);
    let started = Instant::now();
    let up = |port: u16, path: &str, says: &str| {
        http(port, "GET", path, &[], "").is_ok_and(|(s, b)| s == 200 && b.contains(says))
    };
    while !(up(server_port, "/healthz", "ok") && up(driver_port, "/status", "\"ready\":true")) {
        // a demo that stopped (say, its port taken meanwhile) is no demo to wait for
        if let Ok(Some(end)) = server.0.try_wait() {
            panic!("the demo stopped before answering: {end}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the demo or chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Some(Running {
        server_port,
        driver_port,
        _server: server,
        _driver: driver,
    })
}

impl Browser {
    /// Clicks the first element matching `css` and waits until the page it leads to has loaded
    /// (a form's button, a link). WebDriver's click does not wait for that: it may answer before
    /// the browser has even sent the form, and whatever comes next (reading the page, filling
    /// the next form) would then see the old page, the more often the busier the machine is.
    /// The old page is marked before the click; the wait ends when the page in the window is
    /// another one and has loaded, or fails after two minutes.
    pub fn submit(&self, css: &str) {
        self.run("window.__shouwangOld = true; return null;");
        self.click(css);
        let started = Instant::now();
        loop {
            // while the browser navigates, a script may fail (no document): ask again
            let ready = self.try_call(
                "POST",
                "execute/sync",
                json!({"script": "return window.__shouwangOld === undefined && document.readyState === 'complete';", "args": []}),
            );
            if ready == Ok(Value::Bool(true)) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "clicking {css} led to no new page within two minutes (at {}: {ready:?})",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the first element matching `css`, for what stays on the page (opening a
    /// `<details>`); use [`Browser::submit`] for what leads to another page.
    pub fn click(&self, css: &str) {
        let found = self.call(
            "POST",
            "element",
            json!({"using": "css selector", "value": css}),
        );
        let id = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string();
        self.call("POST", &format!("element/{id}/click"), json!({}));
    }

    /// Fills the fields of the form matching `form` (text, selects by value, checkboxes with
    /// "1" for checked) and answers what is missing, if anything.
    pub fn fill(&self, form: &str, fields: &[(&str, &str)]) {
        let values: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        let script = format!(
            "const f = document.querySelector({form}); if (!f) return 'no form ' + {form};
             for (const [k, v] of Object.entries({values})) {{
               const els = f.querySelectorAll('[name=\"' + k + '\"]');
               if (!els.length) return 'no field ' + k;
               for (const e of els) {{ if (e.type === 'checkbox') e.checked = v === '1'; else e.value = v; }}
             }}
             return 'ok';",
            form = serde_json::to_string(form).unwrap(),
            values = Value::Object(values),
        );
        let answer = self.run(&script);
        assert_eq!(answer, json!("ok"), "filling {form}");
    }

    /// The text of the page as shown.
    pub fn text(&self) -> String {
        self.run("return document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The address of the page.
    pub fn url(&self) -> String {
        self.call("GET", "url", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}
