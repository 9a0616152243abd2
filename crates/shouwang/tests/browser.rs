//! The demo in a real browser: `shouwang demo` serves, Debian's headless Chromium signs in with
//! a demo link and renders 旺苍县 → 三江镇 → 桃红村 → a household with its members.
//!
//! Skipped (with a message) when Chromium is not installed, unless SHOUWANG_REQUIRE_CHROMIUM is
//! set, as `.ci/run` does, so that CI cannot pass without the browser.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> Option<&'static str> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn browse(
    browser: &str,
    profile: &std::path::Path,
    args: &[&str],
    url: &str,
) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium")
}

#[test]
fn a_browser_walks_from_the_county_to_a_household() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("SHOUWANG_REQUIRE_CHROMIUM").is_none(),
            "SHOUWANG_REQUIRE_CHROMIUM is set but Chromium is not installed"
        );
        eprintln!("skipped: Chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .args(["demo", "--households", "600", "--dir"])
        .arg(dir.path().join("demo"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child);
    let started = Instant::now();
    while http_get(port, "/healthz").is_none_or(|r| !r.contains("ok")) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the demo did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let profile = dir.path().join("profile");
    let base = format!("http://127.0.0.1:{port}");

    // the county page lists the townships
    let county = browse(
        browser,
        &profile,
        &["--dump-dom"],
        &format!("{base}/demo-login/county?next=/regions/510821"),
    );
    let dom = String::from_utf8_lossy(&county.stdout);
    assert!(
        dom.contains("旺苍县") && dom.contains("三江镇") && dom.contains("龙凤镇"),
        "county page: {dom}"
    );

    // the township, then the village with its households
    let town = browse(
        browser,
        &profile,
        &["--dump-dom"],
        &format!("{base}/demo-login/county?next=/regions/510821108"),
    );
    assert!(String::from_utf8_lossy(&town.stdout).contains("桃红村村民委员会"));
    let village = browse(
        browser,
        &profile,
        &["--dump-dom"],
        &format!("{base}/demo-login/county?next=/regions/510821108212"),
    );
    let dom = String::from_utf8_lossy(&village.stdout);
    assert!(dom.contains("51082110821200001"), "village page: {dom}");

    // a household with its members, ID numbers masked
    let household = browse(
        browser,
        &profile,
        &["--dump-dom"],
        &format!("{base}/demo-login/taohong?next=/households/51082110821200001"),
    );
    let dom = String::from_utf8_lossy(&household.stdout);
    assert!(
        dom.contains("家庭成员") && dom.contains("户主"),
        "household page: {dom}"
    );
    assert!(dom.contains("5108**********"), "ID numbers are masked");

    // and it renders on a phone-sized screen
    let shot = dir.path().join("household.png");
    browse(
        browser,
        &profile,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=412,900",
        ],
        &format!("{base}/demo-login/taohong?next=/households/51082110821200001"),
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "a real screenshot"
    );
}
