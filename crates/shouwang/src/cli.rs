//! Command-line interface, with help in Chinese and English.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "shouwang",
    version,
    about = "守望：防止返贫动态监测和帮扶系统 / Shouwang: monitoring and assistance to prevent rural households from falling back into poverty",
    long_about = None
)]
pub struct Cli {
    /// 数据库地址：sqlite://文件 或 postgres://… / database URL: sqlite://FILE or postgres://…
    #[arg(
        long,
        global = true,
        env = "SHOUWANG_DATABASE_URL",
        default_value = "sqlite://shouwang-data/shouwang.sqlite"
    )]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// 生成演示县（旺苍县）并启动 / build the demo county (旺苍县) and serve it
    Demo(DemoArgs),
    /// 启动网页服务 / serve the web application
    Serve {
        /// 监听地址 / address to listen on
        #[arg(long, env = "SHOUWANG_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        files: FileArgs,
        #[command(flatten)]
        security: ServeSecurity,
    },
    /// 初始化数据库、导入本县区划并创建管理员 / create the schema, load the county's regions, create an admin
    Init {
        /// 县级区划代码（6位）/ county code (6 digits)
        #[arg(long)]
        county: String,
        /// 国家统计局区划文件目录（510821 已内置）/ directory of NBS region files (510821 is built in)
        #[arg(long)]
        regions: Option<PathBuf>,
    },
    /// 用户管理 / users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// 审计日志 / the audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 行政区划 / administrative divisions
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// 性能测试（打印各项指标）/ benchmarks (prints the figures)
    Bench(BenchArgs),
    /// 监测预警筛查 / screen every household against the year's standard and rules
    Screen(crate::screen_cmd::ScreenArgs),
    /// 工作提示单 / the monthly task lists of villages
    Tasks {
        #[command(subcommand)]
        command: crate::tasks_cmd::TasksCommand,
    },
    /// 数据质量核查 / run the data-quality catalogue over a region
    Check(crate::check_cmd::CheckArgs),
    /// 监测标准 / monitoring standards
    Standard {
        #[command(subcommand)]
        command: crate::screen_cmd::StandardCommand,
    },
    /// 工作日历（法定节假日和调休上班日）/ the working calendar (public holidays and make-up working days)
    Calendar {
        #[command(subcommand)]
        command: crate::calendar_cmd::CalendarCommand,
    },
    /// 导入文件 / import files
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// 导出文件 / export files
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// 生成模拟数据文件 / write synthetic data files
    Synth {
        #[command(subcommand)]
        command: SynthCommand,
    },
    /// 部门数据：导入、撤回 / department data: import a file, roll a batch back
    Dept {
        #[command(subcommand)]
        command: crate::dept_cmd::DeptCommand,
    },
    /// 报表 / reports
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
}

/// `shouwang report …`: each report a subcommand.
#[derive(Subcommand, Clone)]
pub enum ReportCommand {
    /// 监测对象统计：分类型户数人数、风险消除、新识别，分乡镇或村 / monitored households and persons by type, eliminated, new, per township or village
    Monitoring(crate::report_cmd::ReportMonitoringArgs),
    /// 帮扶措施落实情况（按措施类别和监测类别）/ measures in place by category and monitoring type
    Measures(crate::report_tables_cmd::ReportTableArgs),
    /// 未落实帮扶措施的监测户 / monitored households without a measure in place
    WithoutMeasures(crate::report_tables_cmd::ReportTableArgs),
    /// 逾期工作（按村）/ overdue work by village
    Overdue(crate::report_tables_cmd::ReportTableArgs),
    /// 走访落实情况（按村按月）/ visit compliance by village and month
    Visits(crate::report_tables_cmd::ReportTableArgs),
    /// 部门预警（按种类按月）/ department alerts by kind and month
    Alerts(crate::report_tables_cmd::ReportTableArgs),
    /// 风险线索（按来源和结果）/ leads by source and outcome
    Leads(crate::report_tables_cmd::ReportTableArgs),
    /// 督导考核排序 / the monthly supervision ranking
    Ranking(crate::report_tables_cmd::ReportRankingArgs),
    /// 促增收：脱贫人口和监测对象收入情况、低收入户台账 / income tracking: figures and the low-income ledger
    Income(crate::report_income_cmd::ReportIncomeArgs),
}

/// Where the web server keeps uploads, error workbooks and exports, and for how long.
#[derive(Args, Clone)]
pub struct FileArgs {
    /// 上传、错误工作簿和导出文件的目录（仅本服务可读）；默认为数据库旁的 work 目录 / folder for uploads, error workbooks and exports (readable by the server only); default: `work` beside the database
    #[arg(long, env = "SHOUWANG_WORK_DIR")]
    pub work_dir: Option<PathBuf>,
    /// 错误工作簿等文件保留的小时数 / hours an error workbook (or a file left behind) is kept
    #[arg(long, env = "SHOUWANG_FILE_RETENTION_HOURS", default_value_t = 24)]
    pub file_retention_hours: u64,
    /// 公众访问本系统的地址，印在申报二维码海报上（如 https://fp.example.gov.cn）；默认取请求的 Host / the address the public reaches this server at, printed on the self-report QR posters; default: the request's Host
    #[arg(long, env = "SHOUWANG_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// 导入户人台账（xlsx 或 CSV）/ import a household ledger (xlsx or CSV)
    Ledger(ImportLedgerArgs),
}

#[derive(Args, Clone)]
pub struct ImportLedgerArgs {
    /// 台账文件 / the ledger file
    pub file: PathBuf,
    /// 县级区划代码（数据库中只有一个县时可省略）/ county code (may be omitted when the database holds one county)
    #[arg(long)]
    pub county: Option<String>,
    /// 工作表名称（默认第一个）/ sheet name (the first sheet by default)
    #[arg(long)]
    pub sheet: Option<String>,
    /// 有任何错误则全部不导入 / commit nothing if any row fails
    #[arg(long)]
    pub all_or_nothing: bool,
    /// 错误工作簿输出路径 / where to write the error workbook
    #[arg(long)]
    pub errors: Option<PathBuf>,
    /// 覆盖台账导出后在守望中修改过的户（确认后使用）/ overwrite households edited in Shouwang after the ledger was exported (once you have checked them)
    #[arg(long)]
    pub overwrite_newer: bool,
    /// 导入时 SQLite 页缓存（MB，内存紧张时调小）/ SQLite page cache while importing (MB; smaller when memory is short)
    #[arg(long, default_value_t = shouwang_store::ledger::IMPORT_CACHE_MIB)]
    pub cache_mb: u32,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// 导出户人台账 / export the household ledger of a region
    Ledger {
        /// 区划代码（县、乡镇或村）/ region code (county, township or village)
        #[arg(long)]
        region: String,
        /// 输出文件：.xlsx 或 .csv / output file: .xlsx or .csv
        out: PathBuf,
        /// 导出完整证件号码（默认打码；记入审计日志）/ write full ID numbers (masked by default; audited)
        #[arg(long)]
        full_ids: bool,
    },
}

#[derive(Subcommand)]
pub enum SynthCommand {
    /// 生成模拟户人台账 / write a synthetic household ledger
    Ledger {
        /// 县级区划代码 / county code
        #[arg(long)]
        county: String,
        /// 户数 / households
        #[arg(long, default_value_t = 1000)]
        households: usize,
        /// 随机种子 / seed
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 输出文件：.xlsx 或 .csv / output file: .xlsx or .csv
        out: PathBuf,
    },
}

#[derive(Subcommand, Clone)]
pub enum BenchCommand {
    /// 台账导入导出性能 / ledger import and export speed
    Ledger(BenchLedgerArgs),
    /// 筛查性能：快照载入、评估、模拟测算、完整筛查 / screening: snapshot load, evaluation, what-if, full run
    Screen(crate::bench_screen::BenchScreenArgs),
    /// 识别认定性能：线索列表、识别程序、每日时限巡检 / identification: lead list, procedures, daily deadline sweep
    Identification(crate::bench_ident::BenchIdentArgs),
    /// 工作提示单性能：全县各村当月提示单 / task lists: every village's list of a county
    Tasks(crate::bench_tasks::BenchTasksArgs),
    /// 帮扶页面性能：监测对象、帮扶计划、走访、提示单、风险消除 / assistance pages: case, plan, visits, task list, elimination
    Assistance(crate::bench_assistance::BenchAssistArgs),
    /// 风险消除性能：单户检查、可消除风险名单 / elimination: one household's check, the list of cases that could be closed
    Elimination(crate::bench_elim::BenchElimArgs),
    /// 部门数据接口推送性能：一次推送十万条记录 / department push: 100,000 records in one request
    DeptPush(crate::bench_dept_push::BenchDeptPushArgs),
    /// 部门数据导入性能：医保文件匹配与预警 / department import: a 医保 file matched and evaluated
    Dept(crate::bench_dept::BenchDeptArgs),
    /// 数据质量核查性能：全部规则跑一百万人 / data quality: the whole catalogue over a million persons
    Quality(crate::bench_quality::BenchQualityArgs),
    /// 督导报表与考核排序性能：一个县的各表和排序 / supervision: a county's tables and ranking
    Ranking(crate::bench_ranking::BenchRankingArgs),
    /// 监测统计性能：全省与一县，含历史日期 / monitoring statistics: a province and a county, past dates included
    Report(crate::bench_report::BenchReportArgs),
    /// 促增收报表性能：全县收入情况表和低收入户台账 / income report: a county's figures and ledger
    Income(crate::report_income_cmd::BenchIncomeArgs),
    /// 首页性能：各角色首页 / home pages: each role's first page
    Home(crate::bench_home::BenchHomeArgs),
}

#[derive(Args, Clone)]
pub struct BenchLedgerArgs {
    /// 人数（行数）/ person rows
    #[arg(long, default_value_t = 1_000_000)]
    pub persons: usize,
    /// 另测 PostgreSQL（空库或可建 schema 的库）/ also time PostgreSQL at this URL
    #[arg(long, env = "SHOUWANG_BENCH_PG_URL")]
    pub pg_url: Option<String>,
    /// 数据目录（省略则用临时目录）/ data directory (a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 跳过 xlsx / skip the xlsx import
    #[arg(long)]
    pub no_xlsx: bool,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// 新增用户 / add a user
    Add {
        /// 用户名 / username
        #[arg(long)]
        username: String,
        /// 角色：admin county township village assistance department inspector / role
        #[arg(long)]
        role: String,
        /// 所属区划代码 / region code the user is bound to
        #[arg(long)]
        region: String,
        /// 显示名 / display name
        #[arg(long)]
        name: Option<String>,
        /// 密码（省略则随机生成并显示一次）/ password (generated and shown once if omitted)
        #[arg(long, env = "SHOUWANG_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// 列出用户 / list the users
    List,
    /// 停用用户（立即结束其会话）/ disable a user (their sessions end at once)
    Disable { username: String },
    /// 启用用户 / enable a user
    Enable { username: String },
    /// 重置密码（随机生成并显示一次，下次登录须修改）/ reset a password (generated, shown once, to be changed at the next sign-in)
    ResetPassword { username: String },
    /// 修改角色和区划 / change a user's role and region
    SetRole {
        username: String,
        /// 角色 / role
        #[arg(long)]
        role: String,
        /// 区划代码 / region code
        #[arg(long)]
        region: String,
    },
    /// 解除登录限制（失败次数过多造成的等待）/ lift the sign-in delays that failures imposed
    Unlock { username: String },
}

/// The web server's security settings (等保三级: session limits, password expiry, audit
/// retention).
#[derive(Args, Clone)]
pub struct ServeSecurity {
    /// 会话空闲超时（分钟）/ a session idle this many minutes ends
    #[arg(long, env = "SHOUWANG_IDLE_MINUTES", default_value_t = 30)]
    pub idle_minutes: i64,
    /// 会话最长时间（小时）/ a session ends this many hours after sign-in, whatever its use
    #[arg(long, env = "SHOUWANG_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: i64,
    /// 密码有效期（天，0 为不过期）/ a password older than this many days must be changed (0: never)
    #[arg(long, env = "SHOUWANG_PASSWORD_MAX_AGE_DAYS", default_value_t = 0)]
    pub password_max_age_days: i64,
    /// 审计日志保存天数（至少180，省略则永久保存）/ keep the audit log this many days (180 at least; forever if omitted)
    #[arg(long, env = "SHOUWANG_AUDIT_RETENTION_DAYS")]
    pub audit_retention_days: Option<i64>,
    /// Cookie 总是加 Secure（经 HTTPS 访问时自动添加）/ always mark cookies Secure (they are whenever the proxy says HTTPS)
    #[arg(long, env = "SHOUWANG_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// 位于反向代理之后：客户端地址取 X-Forwarded-For 的最后一项 / behind a reverse proxy: the client address is the last X-Forwarded-For entry
    #[arg(long, env = "SHOUWANG_TRUST_PROXY")]
    pub trust_proxy: bool,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 导出审计日志（供审计人员，xlsx 或 CSV）/ export the audit log for an auditor (xlsx or CSV)
    Export {
        /// 输出文件：.xlsx 或 .csv / output file: .xlsx or .csv
        out: PathBuf,
        /// 最近多少天 / the last this many days
        #[arg(long, default_value_t = 365)]
        days: i64,
        /// 只导出该区划（默认全部）/ only this region (everything by default)
        #[arg(long)]
        region: Option<String>,
    },
    /// 删除超过保存期的审计日志（至少保存180天）/ remove audit events older than the retention period (180 days at least)
    Purge {
        /// 保存天数 / days to keep
        #[arg(long)]
        keep_days: i64,
    },
}

#[derive(Subcommand)]
pub enum RegionsCommand {
    /// 导入国家统计局区划文件（gzip 或 CSV）/ import the NBS region files (gzip or plain CSV)
    Import {
        /// 含 provinces/cities/areas/streets/villages.csv[.gz] 的目录 / directory with the five files
        dir: PathBuf,
        /// 只导入该区划及其上下级 / only this region, its parents and everything below it
        #[arg(long)]
        within: Option<String>,
    },
}

#[derive(Args, Clone)]
pub struct DemoArgs {
    /// 数据目录 / data directory
    #[arg(long, default_value = "shouwang-demo")]
    pub dir: PathBuf,
    /// 生成的户数 / households to generate
    #[arg(long, default_value_t = 20_000)]
    pub households: usize,
    /// 随机种子（相同种子生成相同数据）/ seed (the same seed gives the same county)
    #[arg(long, default_value_t = 510_821)]
    pub seed: u64,
    /// 监听地址 / address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// 只生成数据，不启动服务 / build the data and exit
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Args, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: Option<BenchCommand>,
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 200_000)]
    pub households: usize,
    /// 数据目录（省略则用临时目录）/ data directory (a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 每项重复次数 / repetitions per measurement
    #[arg(long, default_value_t = 200)]
    pub repeat: usize,
}
