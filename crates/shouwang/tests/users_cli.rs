//! `shouwang user …` and `shouwang audit …` as an operator runs them: a user's region must fit
//! the role, a weak password is refused, accounts are listed, disabled, enabled, reset and
//! re-roled, and the audit log is exported for an auditor.

use std::path::Path;
use std::process::{Command, Output};

fn shouwang(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("SHOUWANG_NEW_PASSWORD")
        .output()
        .expect("run shouwang")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_operator_administers_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let init = shouwang(&db, &["init", "--county", "510821"]);
    assert!(init.status.success(), "{}", text(&init));

    let add = |role: &str, region: &str, password: &str| {
        shouwang(
            &db,
            &[
                "user",
                "add",
                "--username",
                "zhaowen",
                "--role",
                role,
                "--region",
                region,
                "--password",
                password,
            ],
        )
    };
    // a village cadre bound to the whole county is refused
    let wide = add("village", "510821", "Hills-of-Wangcang7");
    assert!(!wide.status.success());
    assert!(
        text(&wide).contains("user.region_level") || text(&wide).contains("村"),
        "{}",
        text(&wide)
    );
    for weak in ["password", "aaaaaaaa", "Password123", "Zhaowen-2026"] {
        let o = add("village", "510821108212", weak);
        assert!(!o.status.success(), "{weak} was accepted");
    }
    let ok = add("village", "510821108212", "Hills-of-Wangcang7");
    assert!(ok.status.success(), "{}", text(&ok));

    let list = shouwang(&db, &["user", "list"]);
    assert!(text(&list).contains("zhaowen") && text(&list).contains("admin"));
    for args in [
        &["user", "disable", "zhaowen"][..],
        &["user", "enable", "zhaowen"],
        &["user", "unlock", "zhaowen"],
        &[
            "user",
            "set-role",
            "zhaowen",
            "--role",
            "township",
            "--region",
            "510821108",
        ],
    ] {
        let o = shouwang(&db, args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let bad_role = shouwang(
        &db,
        &[
            "user",
            "set-role",
            "zhaowen",
            "--role",
            "county",
            "--region",
            "510821108",
        ],
    );
    assert!(!bad_role.status.success());
    let reset = shouwang(&db, &["user", "reset-password", "zhaowen"]);
    assert!(reset.status.success() && text(&reset).contains("shown once"));

    let out = dir.path().join("audit.csv");
    let export = shouwang(&db, &["audit", "export", out.to_str().unwrap()]);
    assert!(export.status.success(), "{}", text(&export));
    let csv = std::fs::read_to_string(&out).unwrap();
    for action in [
        "user.create",
        "user.disable",
        "user.enable",
        "user.unlock",
        "user.set_role",
        "user.password_reset",
    ] {
        assert!(csv.contains(action), "{action} missing from {csv}");
    }
    let short = shouwang(&db, &["audit", "purge", "--keep-days", "30"]);
    assert!(
        !short.status.success(),
        "a retention under 180 days was accepted"
    );
}
