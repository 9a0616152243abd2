//! `/assistance/flags?region=&kind=&page=`: the assistance flags of a region — how many
//! households trip each (no measure in time, labour capacity without a development measure, a
//! green-channel procedure overdue), and a page of the households tripping one, each with the
//! numbers behind it and a link to its plan (or procedure).

use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::pages::identification::{place, short_name};
use crate::pages::{render, Crumb, Ctx, Pager};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Query, State};
use shouwang_core::access::Action;
use shouwang_core::assistance::flags::FlagKind;
use shouwang_core::{Problem, ProblemCode};
use std::collections::HashMap;

const PER_PAGE: usize = 50;

struct Tab {
    href: String,
    label: String,
    count: i64,
    current: bool,
}

struct Row {
    href: String,
    head: String,
    place: String,
    text: String,
    since: String,
    elapsed: String,
    limit: String,
}

#[derive(Template)]
#[template(path = "assistance_flags.html")]
struct FlagsPage {
    ctx: Ctx,
    region_name: String,
    tabs: Vec<Tab>,
    kind_label: String,
    rule: String,
    rows: Vec<Row>,
    pager: Pager,
}

/// GET /assistance/flags?region=&kind=&page=
pub(super) async fn flags_page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let region = access::asked_region(
        &s,
        Action::ViewAssistance,
        q.get("region").map(String::as_str),
    )?;
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let refuse = |label: (&str, &str), v: &str| {
        AppError::Invalid(vec![Problem::new(
            ProblemCode::QueryInvalid,
            l.t(label.0, label.1),
            format!("“{v}”无法识别"),
            format!("'{v}' cannot be read"),
        )])
    };
    let kind = match get("kind") {
        None => FlagKind::NoMeasure,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .and_then(FlagKind::from_code)
            .ok_or_else(|| refuse(("预警类别", "Flag"), v))?,
    };
    let page = match get("page") {
        None => 1,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| refuse(("页码", "Page"), v))?,
    };
    let today = today();
    let r = region.clone();
    let offset = ((page - 1) * PER_PAGE) as i64;
    let (list, names, region_name) = state
        .db(move |st| {
            let list =
                shouwang_app::assistance::flag_list(st, &r, kind, today, offset, PER_PAGE as i64)?;
            let mut names = HashMap::new();
            for (h, _) in &list.rows {
                if !names.contains_key(h.village.as_str()) {
                    let name = st.region(&h.village)?.map(|x| x.name).unwrap_or_default();
                    names.insert(h.village.as_str().to_string(), name);
                }
            }
            let region_name = st.region(&r)?.map(|x| x.name).unwrap_or_default();
            Ok((list, names, region_name))
        })
        .await?;
    let base = if region != s.scope.region {
        format!("region={}&", region.as_str())
    } else {
        String::new()
    };
    let tabs = FlagKind::ALL
        .iter()
        .map(|k| Tab {
            href: format!("/assistance/flags?{base}kind={}", k.code()),
            label: l.t(k.label_zh(), k.label_en()).to_string(),
            count: list.counts.of(*k),
            current: *k == kind,
        })
        .collect();
    let days = |n: i64| {
        if l.is_en() {
            format!("{n} days")
        } else {
            format!("{n}天")
        }
    };
    let months = |n: i64| {
        if l.is_en() {
            format!("{n} months")
        } else {
            format!("{n}个月")
        }
    };
    let rows = list
        .rows
        .iter()
        .map(|(h, f)| {
            let village = names.get(h.village.as_str()).cloned().unwrap_or_default();
            let (elapsed, limit) = match f.kind {
                FlagKind::NoDevelopment => (months(f.elapsed), months(f.limit)),
                _ => (days(f.elapsed), days(f.limit)),
            };
            Row {
                href: match (h.case_id, h.identification_id) {
                    (Some(c), _) => format!("/cases/{c}/plan"),
                    (None, Some(i)) => format!("/identifications/{i}"),
                    _ => format!("/households/{}", h.household_no),
                },
                head: if h.head_name.is_empty() {
                    h.household_no.clone()
                } else {
                    h.head_name.clone()
                },
                place: place(l, short_name(&village), &h.group),
                text: l.t(&f.zh, &f.en).to_string(),
                since: f.since_on.to_string(),
                elapsed,
                limit,
            }
        })
        .collect();
    let rule = match kind {
        FlagKind::NoMeasure => {
            let n = list.limits.measures_days;
            if l.is_en() {
                format!("A case without any measure more than {n} days after its identification (this year's standard).")
            } else {
                format!("认定后超过{n}天仍无任何帮扶措施的监测户（本年度监测标准）。")
            }
        }
        FlagKind::NoDevelopment => {
            let n = list.limits.development_months;
            if l.is_en() {
                format!("A household with a member able to work and no farming, employment, finance or public-welfare-job measure (planned or in place) more than {n} months after its identification.")
            } else {
                format!("家中有劳动力（普通、技能、弱劳动力或半劳动力），认定超过{n}个月仍无产业、就业、金融或公益岗位帮扶（计划或已落实）。")
            }
        }
        FlagKind::GreenChannelOverdue => l
            .t(
                "走绿色通道的识别程序已超过总期限仍未办结。",
                "A green-channel procedure still open after its overall due date.",
            )
            .to_string(),
    };
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if region != s.scope.region {
        pairs.push(("region", region.as_str().to_string()));
    }
    pairs.push(("kind", kind.code().to_string()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let pager = Pager::new(page, PER_PAGE, list.counts.of(kind).max(0) as usize, query);
    let title = l.t("帮扶预警", "Assistance flags").to_string();
    Ok(render(FlagsPage {
        region_name: short_name(&region_name).to_string(),
        tabs,
        kind_label: l.t(kind.label_zh(), kind.label_en()).to_string(),
        rule,
        rows,
        pager,
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(title)]),
    }))
}
