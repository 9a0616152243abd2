//! `shouwang`: the one binary that runs a county. Wires configuration to the crates.

mod bench;
mod bench_assistance;
mod bench_dept;
mod bench_dept_push;
mod bench_elim;
mod bench_home;
mod bench_ident;
mod bench_ledger;
mod bench_quality;
mod bench_ranking;
mod bench_report;
mod bench_screen;
mod bench_tasks;
mod calendar_cmd;
mod check_cmd;
mod cli;
mod demo;
mod demo_assistance;
mod demo_department;
mod demo_procedures;
mod dept_cmd;
mod ledger_cmd;
mod report_cmd;
mod report_income_cmd;
mod report_tables_cmd;
mod screen_cmd;
mod tasks_cmd;
mod users;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{BenchCommand, Cli, Command, RegionsCommand, UserCommand};
use shouwang_core::{Region, RegionCode, RegionLevel, Role};
use shouwang_store::audit::Actor;
use shouwang_store::users::NewUser;
use shouwang_store::Store;
use std::path::Path;

/// mimalloc instead of the system allocator: an import or a screening run allocates and frees
/// millions of small strings on two threads, where glibc's malloc spent a third of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // the whole chain, one line, no backtrace: these messages are for county staff
            eprintln!("错误 / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOUWANG_LOG")
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_target(false)
        .init();
    match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Serve {
            listen,
            files,
            security,
        } => {
            let store = open(&cli.database_url)?;
            if let Some(days) = security.audit_retention_days {
                if days < shouwang_app::audit::MIN_RETENTION_DAYS {
                    bail!("审计日志至少保存180天 / --audit-retention-days must be 180 or more");
                }
            }
            let config = shouwang_web::WebConfig {
                idle_timeout: security.idle_minutes * 60,
                max_session_age: security.session_hours * 3600,
                password_max_age_days: security.password_max_age_days,
                secure_cookies: security.secure_cookies,
                trust_proxy: security.trust_proxy,
                audit_retention_days: security.audit_retention_days,
                ..web_config(&cli.database_url, &files)?
            };
            serve(store, &listen, config)
        }
        Command::Audit { command } => audit(&open(&cli.database_url)?, command),
        Command::Init { county, regions } => init(&cli.database_url, &county, regions.as_deref()),
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    region,
                    name,
                    password,
                },
        } => {
            let store = open(&cli.database_url)?;
            add_user(&store, &username, &role, &region, name.as_deref(), password)
        }
        Command::User { command } => users::run(&open(&cli.database_url)?, command),
        Command::Regions {
            command: RegionsCommand::Import { dir, within },
        } => {
            let store = open(&cli.database_url)?;
            import_regions(&store, &dir, within.as_deref())
        }
        Command::Bench(args) => match args.what.clone() {
            Some(BenchCommand::Screen(a)) => bench_screen::run(a),
            Some(BenchCommand::Ledger(a)) => bench_ledger::run(a),
            Some(BenchCommand::Identification(a)) => bench_ident::run(a),
            Some(BenchCommand::Tasks(a)) => bench_tasks::run(a),
            Some(BenchCommand::Assistance(a)) => bench_assistance::run(a),
            Some(BenchCommand::Elimination(a)) => bench_elim::run(a),
            Some(BenchCommand::DeptPush(a)) => bench_dept_push::run(a),
            Some(BenchCommand::Dept(a)) => bench_dept::run(a),
            Some(BenchCommand::Quality(a)) => bench_quality::run(a),
            Some(BenchCommand::Ranking(a)) => bench_ranking::run(a),
            Some(BenchCommand::Report(a)) => bench_report::run(a),
            Some(BenchCommand::Income(a)) => report_income_cmd::bench(a),
            Some(BenchCommand::Home(a)) => bench_home::run(a),
            None => bench::run(args),
        },
        Command::Screen(args) => {
            let store = open(&cli.database_url)?;
            screen_cmd::run(&store, &args)
        }
        Command::Tasks { command } => tasks_cmd::run(&open(&cli.database_url)?, command),
        Command::Check(args) => check_cmd::run(&open(&cli.database_url)?, &args),
        Command::Standard { command } => {
            let store = open(&cli.database_url)?;
            screen_cmd::standard(&store, command)
        }
        Command::Calendar { command } => calendar_cmd::run(&open(&cli.database_url)?, command),
        Command::Import {
            command: cli::ImportCommand::Ledger(args),
        } => ledger_cmd::import(&open(&cli.database_url)?, &args),
        Command::Export {
            command:
                cli::ExportCommand::Ledger {
                    region,
                    out,
                    full_ids,
                },
        } => ledger_cmd::export(&open(&cli.database_url)?, &region, &out, full_ids),
        Command::Synth {
            command:
                cli::SynthCommand::Ledger {
                    county,
                    households,
                    seed,
                    out,
                },
        } => ledger_cmd::synth(&open(&cli.database_url)?, &county, households, seed, &out),
        Command::Dept { command } => dept_cmd::run(&open(&cli.database_url)?, command),
        Command::Report { command } => {
            use cli::ReportCommand as R;
            use shouwang_core::supervision::tables::TableKind as T;
            let store = open(&cli.database_url)?;
            match command {
                R::Monitoring(a) => report_cmd::run_monitoring(&store, &a),
                R::Measures(a) => report_tables_cmd::table(&store, T::Measures, a),
                R::WithoutMeasures(a) => report_tables_cmd::table(&store, T::WithoutMeasures, a),
                R::Overdue(a) => report_tables_cmd::table(&store, T::Overdue, a),
                R::Visits(a) => report_tables_cmd::table(&store, T::Visits, a),
                R::Alerts(a) => report_tables_cmd::table(&store, T::Alerts, a),
                R::Leads(a) => report_tables_cmd::table(&store, T::Leads, a),
                R::Ranking(a) => report_tables_cmd::ranking(&store, a),
                R::Income(a) => report_income_cmd::run(&store, a),
            }
        }
    }
}

pub fn open(url: &str) -> Result<Store> {
    Store::open(url).with_context(|| {
        format!(
            "打开数据库失败 / cannot open the database {}",
            shouwang_store::redact(url)
        )
    })
}

/// The folder of the installation for the web server's files: given, or `work` beside a
/// SQLite database (with PostgreSQL, `shouwang-data/work` under the current folder).
pub fn work_dir(database_url: &str, given: Option<&Path>) -> Result<std::path::PathBuf> {
    if let Some(dir) = given {
        return Ok(dir.to_path_buf());
    }
    Ok(
        match shouwang_store::DatabaseUrl::parse(database_url)
            .context("数据库地址无效 / invalid database URL")?
        {
            shouwang_store::DatabaseUrl::Sqlite(db) => db
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("work"),
            shouwang_store::DatabaseUrl::Postgres(_) => Path::new("shouwang-data").join("work"),
        },
    )
}

/// The web server's settings from the command line.
fn web_config(database_url: &str, files: &cli::FileArgs) -> Result<shouwang_web::WebConfig> {
    let work_dir = work_dir(database_url, files.work_dir.as_deref())?;
    Ok(shouwang_web::WebConfig {
        report_secret: report_secret(&work_dir.with_file_name("report.key"))?,
        work_dir,
        file_retention: std::time::Duration::from_secs(files.file_retention_hours * 3600),
        public_url: files.public_url.clone().filter(|u| !u.trim().is_empty()),
        ..shouwang_web::WebConfig::default()
    })
}

/// The self-report page's secret (its challenges, the keys its limits count addresses by),
/// kept in `path` (0600, beside the work folder) so that a restart keeps both; made on first
/// use. Several servers on one database share the file.
pub fn report_secret(path: &Path) -> Result<shouwang_web::ReportSecret> {
    let parse = |text: &str| -> Option<[u8; 32]> {
        let t = text.trim();
        if t.len() != 64 {
            return None;
        }
        let mut b = [0u8; 32];
        for (i, x) in b.iter_mut().enumerate() {
            *x = u8::from_str_radix(t.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(b)
    };
    if let Ok(text) = std::fs::read_to_string(path) {
        return parse(&text)
            .map(shouwang_web::ReportSecret)
            .with_context(|| {
                format!(
                    "密钥文件无效 / the key file {} is not 64 hex digits",
                    path.display()
                )
            });
    }
    let secret = shouwang_web::ReportSecret::random();
    let hex: String = secret.0.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        shouwang_io::private::create_dir(dir)?;
    }
    let mut f = shouwang_io::private::create_file(path)
        .with_context(|| format!("无法写入密钥文件 / cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut f, hex.as_bytes())?;
    Ok(secret)
}

/// Serves the web application until Ctrl-C.
pub fn serve(store: Store, listen: &str, config: shouwang_web::WebConfig) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("无法监听 / cannot listen on {listen}"))?;
        shouwang_io::private::create_dir(&config.work_dir).with_context(|| {
            format!(
                "无法创建工作目录 / cannot create the work folder {}",
                config.work_dir.display()
            )
        })?;
        let files = config.clone();
        let state = shouwang_web::AppState::new(store.clone(), config.clone());
        // sessions idle past their timeout are removed every ten minutes, and audit events past
        // their retention period
        let purge_store = store.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                let s = purge_store.clone();
                let now = shouwang_store::now();
                let config = config.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    if let Err(e) =
                        s.purge_sessions(now - config.idle_timeout, now - config.max_session_age)
                    {
                        tracing::error!(error = %e, "removing expired sessions failed");
                    }
                    if let Err(e) = s.forget_login_failures(now) {
                        tracing::error!(error = %e, "removing old sign-in failures failed");
                    }
                    if let Some(days) = config.audit_retention_days {
                        if let Err(e) = shouwang_app::audit::apply_retention(&s, now, days) {
                            tracing::error!(error = %e, "removing old audit events failed");
                        }
                    }
                })
                .await;
            }
        });
        // error workbooks and files left behind are removed once past their retention: at
        // start, then every ten minutes
        tokio::spawn(async move {
            loop {
                let f = files.clone();
                match tokio::task::spawn_blocking(move || shouwang_web::sweep_work_dir(&f)).await {
                    Ok(Ok(n)) if n > 0 => tracing::info!("removed {n} expired files"),
                    Ok(Err(e)) => tracing::warn!("cannot clean the work folder: {e}"),
                    _ => {}
                }
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
            }
        });
        // the daily deadline sweep and the monthly screening: checked hourly
        let _schedule = schedule(store.clone())?;
        tracing::info!("serving on http://{listen}");
        // the client's address reaches the handlers (sign-in throttling by address)
        let app = shouwang_web::router(state)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

/// The jobs the server runs by itself, stopped when the returned handle is dropped.
fn schedule(store: Store) -> Result<shouwang_app::scheduler::Running> {
    use shouwang_app::scheduler::{Round, Scheduler};
    let sweeping = store.clone();
    let listing = store.clone();
    let ranking = store.clone();
    let running = Scheduler::new(std::time::Duration::from_secs(3600))
        .once_per(
            "daily deadline sweep",
            || {
                let today = screen_cmd::today();
                // the period is the day: (year, day of the year)
                let first = shouwang_core::Date::new(today.year(), 1, 1).expect("1 January");
                (today.year(), (today.to_days() - first.to_days()) as u32)
            },
            move || match shouwang_app::identification::sweep(&sweeping, screen_cmd::today()) {
                Ok(counts) => {
                    tracing::info!(
                        overdue_identifications = counts.overdue_identifications,
                        overdue_leads = counts.overdue_leads,
                        newly_overdue = counts.newly_overdue,
                        "deadline sweep"
                    );
                    Round::Done
                }
                Err(e) => Round::Retry(format!("deadline sweep failed: {e}")),
            },
        )
        .once_per(
            "monthly task lists",
            || {
                let today = screen_cmd::today();
                (today.year(), u32::from(today.month()))
            },
            move || match shouwang_app::task_list::monthly(&listing, screen_cmd::today()) {
                Ok(villages) => {
                    tracing::info!(villages, "monthly task lists");
                    Round::Done
                }
                Err(e) => Round::Retry(format!("monthly task lists failed: {e}")),
            },
        )
        .once_per(
            "monthly ranking freeze",
            || {
                let today = screen_cmd::today();
                (today.year(), u32::from(today.month()))
            },
            move || match shouwang_app::supervision::monthly(&ranking, screen_cmd::today()) {
                Ok(frozen) => {
                    tracing::info!(frozen, "last month's supervision rankings kept");
                    Round::Done
                }
                Err(e) => Round::Retry(format!("monthly ranking freeze failed: {e}")),
            },
        )
        .once_per(
            "monthly screening",
            || {
                let today = screen_cmd::today();
                (today.year(), u32::from(today.month()))
            },
            move || match shouwang_app::screening::monthly(&store, screen_cmd::today()) {
                Ok(_) => Round::Done,
                Err(e) => Round::Retry(format!("monthly screening failed: {e}")),
            },
        )
        .start()
        .context("无法启动定时任务 / cannot start the scheduler")?;
    Ok(running)
}

fn parse_region(text: &str) -> Result<RegionCode> {
    RegionCode::parse(text)
        .with_context(|| format!("区划代码“{text}”无效 / invalid region code '{text}'"))
}

pub fn add_user(
    store: &Store,
    username: &str,
    role: &str,
    region: &str,
    name: Option<&str>,
    password: Option<String>,
) -> Result<()> {
    let role = Role::parse(role).with_context(|| {
        format!(
            "角色“{role}”无效 / unknown role; use one of: {}",
            Role::ALL.map(|r| r.as_str()).join(", ")
        )
    })?;
    let region = parse_region(region)?;
    let generated = password.is_none();
    let password = password.unwrap_or_else(shouwang_web::auth::generate_password);
    if let Err(p) = shouwang_core::password::check(username, &password) {
        bail!("{} / {}", p.zh, p.en);
    }
    if let Err(p) = role.check_region(&region) {
        bail!("{} / {}", p.zh, p.en);
    }
    let hash = shouwang_web::hash_password(&password).map_err(anyhow::Error::msg)?;
    store
        .add_user(
            &Actor::system("cli"),
            NewUser {
                username,
                display_name: name.unwrap_or(username),
                password_hash: &hash,
                role,
                region: &region,
                must_change_password: true,
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "已创建用户 / created user {username} ({}, {region})",
        role.as_str()
    );
    if generated {
        println!("密码（只显示这一次）/ password (shown once): {password}");
    }
    println!("首次登录时须修改密码 / the password must be changed at the first sign-in");
    Ok(())
}

fn audit(store: &Store, command: cli::AuditCommand) -> Result<()> {
    use shouwang_io::table::TableFormat;
    match command {
        cli::AuditCommand::Export { out, days, region } => {
            let format = TableFormat::of_name(&out.display().to_string()).with_context(|| {
                format!(
                    "输出文件须为 .xlsx 或 .csv / the output file must end in .xlsx or .csv: {}",
                    out.display()
                )
            })?;
            let within = region.as_deref().map(parse_region).transpose()?;
            let now = shouwang_store::now();
            let (bytes, rows) = shouwang_app::audit::export(
                store,
                &Actor::system("cli"),
                within.as_ref(),
                (now - days * 86_400, now + 1),
                format,
            )?;
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("已导出 / exported {rows} audit events to {}", out.display());
        }
        cli::AuditCommand::Purge { keep_days } => {
            let n = shouwang_app::audit::apply_retention(store, shouwang_store::now(), keep_days)?;
            println!("已删除 / removed {n} audit events older than {keep_days} days");
        }
    }
    Ok(())
}

/// Creates a user with a known password, without printing it (demo and benchmarks).
pub fn add_user_quiet(
    store: &Store,
    username: &str,
    role: &str,
    region: &str,
    name: &str,
    password: &str,
) -> Result<i64> {
    let role = Role::parse(role).context("role")?;
    let region = parse_region(region)?;
    let hash = shouwang_web::hash_password(password).map_err(anyhow::Error::msg)?;
    store
        .add_user(
            &Actor::system("demo"),
            NewUser {
                username,
                display_name: name,
                password_hash: &hash,
                role,
                region: &region,
                // the demo's and the benchmarks' accounts are used as they are
                must_change_password: false,
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn import_regions(store: &Store, dir: &Path, within: Option<&str>) -> Result<()> {
    let within = match within {
        Some(w) => parse_region(w)?.to_string(),
        None => String::new(),
    };
    let started = std::time::Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    let mut total = 0usize;
    let mut flush = |batch: &mut Vec<Region>| -> Result<(), String> {
        total += store
            .import_regions(batch.drain(..))
            .map_err(|e| e.to_string())?;
        Ok(())
    };
    shouwang_io::regions::read_region_dir(dir, &within, &mut |r| {
        batch.push(r);
        if batch.len() >= 10_000 {
            flush(&mut batch)?;
        }
        Ok(())
    })?;
    flush(&mut batch).map_err(anyhow::Error::msg)?;
    println!(
        "已导入 / imported {total} regions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn init(url: &str, county: &str, regions: Option<&Path>) -> Result<()> {
    let county = parse_region(county)?;
    if county.level() != RegionLevel::County {
        bail!(
            "--county 需要县级代码（6位）/ --county needs a county code (6 digits), got {county}"
        );
    }
    let store = open(url)?;
    match regions {
        Some(dir) => import_regions(&store, dir, Some(county.as_str()))?,
        None if county.as_str() == "510821" => {
            store.import_regions(shouwang_io::regions::demo_regions()?)?;
        }
        None => bail!("请用 --regions DIR 指定区划文件目录 / give the region files with --regions DIR (only 510821 is built in)"),
    }
    let villages = store.count_regions(&county, RegionLevel::Village)?;
    if villages == 0 {
        bail!("区划文件中没有县{county}的村 / no villages of county {county} in the region files");
    }
    println!(
        "数据库已就绪 / database ready: {} (schema v{}), {villages} villages",
        store.label,
        store.schema_version()?
    );
    add_user(
        &store,
        "admin",
        "admin",
        county.as_str(),
        Some("系统管理员"),
        None,
    )
}

#[cfg(test)]
mod report_secret_tests {
    #[test]
    fn the_self_report_secret_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("report.key");
        let made = super::report_secret(&path).unwrap();
        let again = super::report_secret(&path).unwrap();
        assert_eq!(made.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by the server only");
        }
        std::fs::write(&path, "not hex").unwrap();
        assert!(super::report_secret(&path).is_err());
    }
}
