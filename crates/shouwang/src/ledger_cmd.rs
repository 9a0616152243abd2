//! `shouwang import ledger`, `shouwang export ledger` and `shouwang synth ledger`: the household
//! ledger (户人台账) of FORMATS.md §1 from and to files.
//!
//! The command line is the operator's and checks no role, but an export of ID numbers is still
//! a reveal: `export ledger` masks them unless given `--full-ids` (to move a county to another
//! installation, say), and records either kind in the audit log with its rows. Files written
//! here are readable by their owner only (0600).

use anyhow::{bail, Context, Result};
use shouwang_app::ledger::{import_file, report_lines, ImportFailure, Imported};
use shouwang_core::ledger::LedgerHousehold;
use shouwang_core::synth::SynthConfig;
use shouwang_core::{Date, RegionCode, RegionLevel};
use shouwang_io::ledger::synth::synth_ledger;
use shouwang_io::ledger::{Ids, LedgerCsvWriter, LedgerXlsxWriter, ReadOptions};
use shouwang_store::audit::Actor;
use shouwang_store::ledger::LedgerImport;
use shouwang_store::{Store, StoreError};
use std::path::Path;

use crate::cli::ImportLedgerArgs;

/// How many row errors the command prints before pointing to the error workbook.
const PRINTED_ERRORS: usize = 20;

pub fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}

fn region(text: &str) -> Result<RegionCode> {
    RegionCode::parse(text)
        .with_context(|| format!("区划代码“{text}”无效 / invalid region code '{text}'"))
}

fn county_arg(store: &Store, county: Option<&str>) -> Result<RegionCode> {
    if let Some(c) = county {
        let c = region(c)?;
        if c.level() != RegionLevel::County {
            bail!("--county 需要县级代码（6位）/ --county needs a county code (6 digits), got {c}");
        }
        return Ok(c);
    }
    let all = store.counties_with_villages()?;
    match all.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("数据库中没有区划，请先运行 shouwang init 或 shouwang regions import / the database holds no regions: run shouwang init or shouwang regions import first"),
        _ => bail!(
            "数据库中有多个县（{}），请用 --county 指定 / the database holds several counties ({}): choose one with --county",
            all.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
            all.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn is_csv(path: &Path) -> Result<bool> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(true),
        Some("xlsx") => Ok(false),
        _ => bail!(
            "输出文件须以 .xlsx 或 .csv 结尾 / the output file must end in .xlsx or .csv: {}",
            path.display()
        ),
    }
}

/// `shouwang import ledger`.
pub fn import(store: &Store, args: &ImportLedgerArgs) -> Result<()> {
    let county = county_arg(store, args.county.as_deref())?;
    let mut read = ReadOptions::new(today());
    if let Some(s) = &args.sheet {
        read = read.sheet(s.clone());
    }
    let opts = LedgerImport {
        county: county.clone(),
        within: county.clone(),
        all_or_nothing: args.all_or_nothing,
        actor: Actor::system("cli"),
        source: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        today: read.today,
        page_cache_mib: args.cache_mb,
        exclusive: true,
        exported_at: None,
        overwrite_newer: args.overwrite_newer,
    };
    let started = std::time::Instant::now();
    let imported = match import_file(store, &args.file, &read, &opts, args.errors.as_deref()) {
        Ok(r) => r,
        Err(ImportFailure::File(e)) => bail!("{}：{e}", args.file.display()),
        Err(e @ ImportFailure::ErrorWorkbook { .. }) => bail!("{e}"),
        Err(ImportFailure::Store(StoreError::Invalid(ps))) => bail!(
            "{}",
            ps.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Err(ImportFailure::Store(e)) => return Err(e).context("导入失败 / import failed"),
    };
    let Imported {
        report,
        summary,
        error_workbook,
    } = imported;
    println!(
        "已读取 / read {}: {} 行 / rows, {:.1} s",
        args.file.display(),
        summary.rows,
        started.elapsed().as_secs_f64()
    );
    if !summary.unknown_columns().is_empty() {
        println!(
            "未识别的列（已忽略）/ unknown columns (ignored): {}",
            summary.unknown_columns().join(", ")
        );
    }
    for line in report_lines(&report) {
        println!("{line}");
    }
    for w in report.warnings.iter().take(PRINTED_ERRORS) {
        println!("提示 / warning: {w}");
    }
    for c in report.conflicts.iter().take(PRINTED_ERRORS) {
        println!(
            "冲突 / conflict: 第{}行 / row {}: {}",
            c.row, c.row, c.problem
        );
    }
    if !report.conflicts.is_empty() {
        println!("核对后用 --overwrite-newer 再次导入即覆盖 / check them, then import again with --overwrite-newer to overwrite them");
    }
    let errors = report.errors();
    for e in errors.iter().take(PRINTED_ERRORS) {
        println!("错误 / error: {e}");
    }
    if errors.len() > PRINTED_ERRORS {
        println!(
            "… 共 {} 个错误 / {} errors in all",
            errors.len(),
            errors.len()
        );
    }
    match (error_workbook, report.rejected.is_empty()) {
        (Some((path, lines)), false) => {
            println!(
                "错误工作簿 / error workbook: {} ({lines} 行 / lines)：改正后可再次导入 / fix it and import it again",
                path.display()
            );
        }
        (_, false) => println!("用 --errors 文件.xlsx 可得到错误工作簿 / use --errors FILE.xlsx to get the error workbook"),
        _ => {}
    }
    if !report.committed {
        bail!("未导入任何数据 / nothing was imported (--all-or-nothing)");
    }
    // a script that imports ledgers must see that rows were refused, not only a person reading
    if report.households_rejected > 0 {
        let rows: usize = report.rejected.iter().map(|r| r.rows.len()).sum();
        bail!(
            "{} 户（{} 行）被拒绝，未导入，其余已导入；退出码非零 / {} households ({} rows) were refused and not imported, the rest was; the exit code is not zero",
            report.households_rejected,
            rows,
            report.households_rejected,
            rows
        );
    }
    // so must households left as they were for an edit newer than the file
    if !report.conflicts.is_empty() {
        bail!(
            "{} 户在导出后已在守望中修改，未覆盖；退出码非零 / {} households were edited after the export and not overwritten; the exit code is not zero",
            report.conflicts.len(),
            report.conflicts.len()
        );
    }
    Ok(())
}

/// Writes households to `.xlsx` or `.csv` (a file only its owner may read), streaming, ID
/// numbers as `ids` says; returns (households, persons). `exported_at`: an export of the
/// database says when it was made (see `shouwang_io::ledger::stamp`).
pub fn write_households<S: shouwang_core::ledger::SourceRows>(
    out: &Path,
    ids: Ids,
    exported_at: Option<i64>,
    each: impl FnOnce(
        &mut dyn FnMut(LedgerHousehold<S>) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError>,
) -> Result<(usize, usize)> {
    let to_store = |e: shouwang_io::ledger::WriteError| StoreError::Other(e.to_string());
    if is_csv(out)? {
        let file = shouwang_io::private::create_file(out)
            .with_context(|| format!("无法写入 / cannot write {}", out.display()))?;
        let mut w = match exported_at {
            Some(at) => LedgerCsvWriter::exported(file, at)?,
            None => LedgerCsvWriter::new(file)?,
        }
        .ids(ids);
        let n = each(&mut |h| w.write_household(&h).map_err(to_store))?;
        let rows = w.finish()?;
        Ok((n, rows))
    } else {
        let mut w = match exported_at {
            Some(at) => LedgerXlsxWriter::exported(at)?,
            None => LedgerXlsxWriter::new()?,
        }
        .ids(ids);
        let n = each(&mut |h| w.write_household(&h).map_err(to_store))?;
        let rows = w.finish(out)?;
        Ok((n, rows))
    }
}

/// `shouwang export ledger`: ID numbers masked unless `full_ids`; audited either way, with
/// the rows written.
pub fn export(store: &Store, region_text: &str, out: &Path, full_ids: bool) -> Result<()> {
    let r = region(region_text)?;
    if store.region(&r)?.is_none() {
        bail!("数据库中没有区划{r} / no region {r} in the database");
    }
    let started = std::time::Instant::now();
    let ids = if full_ids { Ids::Full } else { Ids::Masked };
    let now = shouwang_store::now();
    let (households, persons) =
        write_households(out, ids, Some(now), |sink| store.export_ledger(&r, sink))?;
    store.audit_with(
        &Actor::system("cli"),
        r.county().as_ref().map(|c| c.as_str()),
        if full_ids {
            "ledger.export.full_ids"
        } else {
            "ledger.export"
        },
        ("region", r.as_str()),
        &serde_json::json!({
            "rows": persons,
            "file": out.display().to_string(),
            "ids": if full_ids { "full" } else { "masked" },
        }),
    )?;
    println!(
        "已导出 / exported {households} 户 / households, {persons} 人 / persons → {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if !full_ids {
        println!("证件号码已打码，此文件不能再导入；如需完整号码请加 --full-ids（记入审计日志）/ ID numbers are masked and the file cannot be imported again; add --full-ids for full numbers (audited)");
    }
    Ok(())
}

/// `shouwang synth ledger`: core's synthetic households over the county's villages from the
/// database (510821 is built in; other counties: `shouwang regions import DIR --within CODE`).
pub fn synth(store: &Store, county: &str, households: usize, seed: u64, out: &Path) -> Result<()> {
    let county = region(county)?;
    if county.level() != RegionLevel::County {
        bail!(
            "--county 需要县级代码（6位）/ --county needs a county code (6 digits), got {county}"
        );
    }
    let mut places = store.village_places(&county)?;
    if places.is_empty() && county.as_str() == crate::demo::DEMO_COUNTY {
        store.import_regions(shouwang_io::regions::demo_regions()?)?;
        places = store.village_places(&county)?;
    }
    if places.is_empty() {
        bail!("数据库中没有县{county}的村：请先运行 shouwang regions import 区划目录 --within {county} / no villages of county {county} in the database: run shouwang regions import DIR --within {county} first");
    }
    let started = std::time::Instant::now();
    let data = synth_ledger(
        &SynthConfig {
            households,
            seed,
            today: today(),
            county: county.clone(),
        },
        &places,
    );
    // synthetic persons: their numbers are made up, and written in full to be imported
    let (n, persons) = write_households(out, Ids::Full, None, |sink| {
        let n = data.len();
        for h in data {
            sink(h)?;
        }
        Ok(n)
    })?;
    println!(
        "已生成 / wrote {n} 户 / households, {persons} 人 / persons ({} 村 / villages) → {} in {:.1} s",
        places.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::id_number::mask;
    use shouwang_core::synth::{generate, SynthVillage};
    use shouwang_store::testing::TestDb;

    const VILLAGE: &str = "510821108212";

    #[test]
    fn the_command_line_exports_masked_ids_unless_asked_and_audits_both_in_a_private_file() {
        for db in TestDb::all() {
            let db = db.with_regions(&[("510821108", "三江镇"), (VILLAGE, "桃红村村民委员会")]);
            let data = generate(
                &SynthConfig {
                    households: 5,
                    seed: 2,
                    today: today(),
                    county: RegionCode::parse("510821").unwrap(),
                },
                &[SynthVillage {
                    code: RegionCode::parse(VILLAGE).unwrap(),
                    resettlement_site: None,
                }],
            );
            db.store
                .bulk_load(&Actor::system("test"), &data, "test.load")
                .unwrap();
            let persons: usize = data.iter().map(|(_, m)| m.len()).sum();
            let id = &data[0].1[0].id_number;
            let dir = tempfile::tempdir().unwrap();

            let masked = dir.path().join("masked.csv");
            export(&db.store, "510821", &masked, false).unwrap();
            let text = std::fs::read_to_string(&masked).unwrap();
            assert!(!text.contains(id.as_str()), "{}", db.name);
            assert!(text.contains(&mask(id)));
            let full = dir.path().join("full.csv");
            export(&db.store, "510821", &full, true).unwrap();
            assert!(std::fs::read_to_string(&full)
                .unwrap()
                .contains(id.as_str()));

            #[cfg(unix)]
            for f in [&masked, &full] {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", f.display());
            }
            assert_eq!(db.store.count_events("ledger.export").unwrap(), 1);
            assert_eq!(db.store.count_events("ledger.export.full_ids").unwrap(), 1);
            let events = db.store.history("region", "510821", 5).unwrap();
            let after = events[0].after.as_ref().unwrap();
            assert_eq!(events[0].action, "ledger.export.full_ids");
            assert_eq!(events[0].username, "system:cli");
            assert_eq!(after["rows"], serde_json::json!(persons));
        }
    }
}
