//! A household's history in words: "字段中文名: 旧值 → 新值", codes as their labels, who by
//! display name, when in China time, with ID numbers masked.

use crate::i18n::{yes_no, L};
use serde_json::Value;
use shouwang_core::codes::{
    Education, HealthCondition, HouseholdType, LabourCapacity, Political, Relation, Schooling, Sex,
};
use shouwang_core::household::LeaveReason;
use shouwang_core::id_number::mask;
use shouwang_core::money::format_hundredths;
use shouwang_store::audit::AuditEvent;
use std::collections::HashMap;

/// Unix seconds as China time, `YYYY-MM-DD HH:MM`.
pub fn china_time(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let d = shouwang_core::Date::from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!("{d} {:02}:{:02}", s / 3600, s % 3600 / 60)
}

fn action_label(l: &L, action: &str) -> String {
    match action {
        "household.create" => l.t("建档", "created"),
        "household.update" => l.t("修改", "changed"),
        "household.import" => l.t("台账导入", "ledger import"),
        "household.move_in" => l.t("迁入成员", "members moved in"),
        "household.move_out" => l.t("迁出成员", "members moved out"),
        "household.member_leave" => l.t("成员减少", "member left"),
        "id.reveal" => l.t("查看完整证件号码", "revealed an ID number"),
        "pairing.create" => l.t("结对帮扶", "paired an assistance person"),
        _ => l.t("其他操作", "other change"),
    }
    .to_string()
}

/// The name of a stored field in the page's language (the keys of the household and member
/// records as the audit trail keeps them).
fn field_label(l: &L, key: &str) -> String {
    let (zh, en) = match key {
        "household_no" => ("户编号", "household no."),
        "village" => ("村", "village"),
        "group" => ("组", "group"),
        "address" => ("家庭住址", "address"),
        "phone" => ("联系电话", "phone"),
        "household_type" => ("户类型", "household type"),
        "dibao" => ("低保", "dibao"),
        "tekun" => ("特困供养", "tekun"),
        "relocated" => ("易地扶贫搬迁", "relocated"),
        "resettlement_site" => ("安置点", "resettlement site"),
        "military_family" => ("军烈属", "military family"),
        "cultivated_land_centimu" => ("耕地面积（亩）", "cultivated land (mu)"),
        "housing_area_centim2" => ("住房面积（㎡）", "housing area (m²)"),
        "house_grade" => ("危房等级", "house grade"),
        "id_kind" => ("证件类型", "ID type"),
        "id_number" => ("证件号码", "ID number"),
        "person_no" => ("人口编号", "person no."),
        "name" => ("姓名", "name"),
        "sex" => ("性别", "sex"),
        "birth_date" => ("出生日期", "birth date"),
        "relation" => ("与户主关系", "relation to the head"),
        "ethnicity" => ("民族", "ethnicity"),
        "political" => ("政治面貌", "political status"),
        "education" => ("文化程度", "education"),
        "schooling" => ("在校生状况", "schooling"),
        "health" => ("健康状况", "health"),
        "disability_category" => ("残疾类别", "disability category"),
        "labour" => ("劳动技能", "labour capacity"),
        "migrant_months" => ("务工时间（月）", "months of migrant work"),
        "migrant_place" => ("务工所在地", "place of work"),
        "migrant_employer" => ("务工企业", "employer"),
        "welfare_job" => ("公益性岗位", "public-welfare job"),
        "welfare_job_months" => ("公益性岗位（月数）", "public-welfare job months"),
        "resident_medical" => ("城乡居民基本医疗保险", "resident medical insurance"),
        "employee_medical" => ("城镇职工基本医疗保险", "employee medical insurance"),
        "serious_illness_insurance" => ("大病保险", "serious-illness insurance"),
        "resident_pension" => ("城乡居民基本养老保险", "resident pension"),
        "employee_pension" => ("城镇职工基本养老保险", "employee pension"),
        "deceased_on" => ("死亡日期", "date of death"),
        _ => ("其他字段", "another field"),
    };
    l.t(zh, en).to_string()
}

/// A code stored under `key` (its Chinese label, as the audit trail keeps it) in the page's
/// language; `None` when `key` holds no code.
fn code_label(l: &L, key: &str, zh: &str) -> Option<String> {
    fn en<T: Copy>(zh: &str, parse: fn(&str) -> Option<T>, en: fn(T) -> &'static str) -> String {
        parse(zh).map_or_else(|| zh.to_string(), |v| en(v).to_string())
    }
    if !l.is_en() {
        return matches!(
            key,
            "household_type"
                | "sex"
                | "relation"
                | "political"
                | "education"
                | "schooling"
                | "labour"
                | "health"
                | "id_kind"
                | "reason"
        )
        .then(|| zh.to_string());
    }
    Some(match key {
        "household_type" => en(zh, HouseholdType::parse_zh, HouseholdType::label_en),
        "sex" => en(zh, Sex::parse_zh, Sex::label_en),
        "relation" => en(zh, Relation::parse_zh, Relation::label_en),
        "political" => en(zh, Political::parse_zh, Political::label_en),
        "education" => en(zh, Education::parse_zh, Education::label_en),
        "schooling" => en(zh, Schooling::parse_zh, Schooling::label_en),
        "labour" => en(zh, LabourCapacity::parse_zh, LabourCapacity::label_en),
        "reason" => en(zh, LeaveReason::parse_zh, LeaveReason::label_en),
        "health" => zh
            .split(',')
            .map(|c| en(c, HealthCondition::parse_zh, HealthCondition::label_en))
            .collect::<Vec<_>>()
            .join(", "),
        // the ID types have no English names: data, shown as stored
        "id_kind" => zh.to_string(),
        _ => return None,
    })
}

/// A stored value in words: 是/否 for flags, labels for codes, areas to the hundredth, amounts
/// in 分 as 元 to the 分, ID numbers masked, "—" for nothing.
fn show(l: &L, key: &str, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => yes_no(l, *b).into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) if key == "id_number" => mask(s),
        Value::String(s) => code_label(l, key, s).unwrap_or_else(|| s.clone()),
        Value::Number(n) => match n.as_i64() {
            Some(x) if key.ends_with("_centimu") || key.ends_with("_centim2") => {
                format_hundredths(x)
            }
            Some(x) if key.ends_with("_fen") => {
                // money always to the 分: 1,234.50 元
                let sign = if x < 0 { "-" } else { "" };
                let (yuan, fen) = (x.unsigned_abs() / 100, x.unsigned_abs() % 100);
                format!("{sign}{yuan}.{fen:02} {}", l.t("元", "yuan"))
            }
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn diff_object(l: &L, prefix: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return;
    };
    for (k, av) in a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        // an empty text and nothing read the same to a person
        if bv != av && show(l, k, bv) != show(l, k, av) {
            out.push(format!(
                "{prefix}{}: {} → {}",
                field_label(l, k),
                show(l, k, bv),
                show(l, k, av)
            ));
        }
    }
}

/// One entry of a household's history, in words.
pub struct HistoryEntry {
    pub when: String,
    pub who: String,
    pub what: String,
    pub changes: Vec<String>,
}

/// Says who did it: the user's display name (`names`: username → display name), the system
/// for its own jobs, the username when the account is gone.
fn who(l: &L, username: &str, names: &HashMap<String, String>) -> String {
    if let Some(n) = names.get(username) {
        return n.clone();
    }
    if username.starts_with("system:") {
        return l.t("系统", "the system").into();
    }
    username.to_string()
}

pub fn describe(l: &L, e: &AuditEvent, names: &HashMap<String, String>) -> HistoryEntry {
    let mut changes = Vec::new();
    let left = e
        .after
        .as_ref()
        .map(|a| a["left"].clone())
        .filter(|v| v.is_object());
    if let Some(left) = &left {
        changes.push(format!(
            "{} {} ({}) · {}: {} · {}: {}",
            l.t("离开本户", "left the household:"),
            show(l, "name", &left["name"]),
            show(l, "id_number", &left["id_number"]),
            l.t("原因", "reason"),
            show(l, "reason", &left["reason"]),
            l.t("日期", "date"),
            show(l, "on", &left["on"]),
        ));
    }
    if let (Some(b), Some(a)) = (&e.before, &e.after) {
        diff_object(l, "", &b["household"], &a["household"], &mut changes);
        let empty = vec![];
        let bm = b["members"].as_array().unwrap_or(&empty);
        let am = a["members"].as_array().unwrap_or(&empty);
        for m in am {
            let id = &m["id_number"];
            match bm.iter().find(|x| &x["id_number"] == id) {
                Some(old) => diff_object(
                    l,
                    &format!("{} · ", show(l, "name", &m["name"])),
                    old,
                    m,
                    &mut changes,
                ),
                None => changes.push(format!(
                    "{} {} ({})",
                    l.t("新增成员", "member added:"),
                    show(l, "name", &m["name"]),
                    show(l, "id_number", id)
                )),
            }
        }
        for m in bm {
            let gone = !am.iter().any(|x| x["id_number"] == m["id_number"]);
            let said = left
                .as_ref()
                .is_some_and(|x| x["id_number"] == m["id_number"]);
            if gone && !said {
                changes.push(format!(
                    "{} {} ({})",
                    l.t("移除成员", "member removed:"),
                    show(l, "name", &m["name"]),
                    show(l, "id_number", &m["id_number"])
                ));
            }
        }
    }
    // moves by a ledger import: who came from or went to which household
    if let Some(a) = &e.after {
        for (key, zh, en, other) in [
            ("moved_in", "迁入自户", "moved in from household", "from"),
            ("moved_out", "迁出到户", "moved out to household", "to"),
        ] {
            for m in a[key].as_array().into_iter().flatten() {
                changes.push(format!(
                    "{} ({}) {} {}",
                    show(l, "name", &m["name"]),
                    show(l, "id_number", &m["id_number"]),
                    l.t(zh, en),
                    show(l, other, &m[other])
                ));
            }
        }
    }
    HistoryEntry {
        when: china_time(e.at),
        who: who(l, &e.username, names),
        what: action_label(l, &e.action),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, before: Option<Value>, after: Option<Value>) -> AuditEvent {
        AuditEvent {
            id: 1,
            at: 0,
            username: "cadre".into(),
            action: action.into(),
            entity: "household".into(),
            entity_key: "1".into(),
            before,
            after,
        }
    }

    #[test]
    fn history_names_fields_in_words_masks_id_numbers_and_says_who_by_name() {
        let e = event(
            "household.update",
            Some(
                serde_json::json!({"household": {"address": "一组", "income_fen": 123450, "dibao": false, "household_type": "一般农户", "cultivated_land_centimu": 150}, "members": [{"id_number": "510821199001011234", "name": "张三", "phone": "", "migrant_months": 0}]}),
            ),
            Some(
                serde_json::json!({"household": {"address": "二组", "income_fen": 123405, "dibao": true, "household_type": "脱贫户", "cultivated_land_centimu": 225}, "members": [{"id_number": "510821199001011234", "name": "张三", "phone": "13800000000", "migrant_months": 10}, {"id_number": "510821201001011234", "name": "张小", "phone": ""}]}),
            ),
        );
        let names = HashMap::from([("cadre".to_string(), "王村干".to_string())]);
        let zh = describe(&L(shouwang_core::Lang::Zh), &e, &names);
        assert_eq!(zh.when, "1970-01-01 08:00");
        assert_eq!((zh.who.as_str(), zh.what.as_str()), ("王村干", "修改"));
        assert_eq!(
            zh.changes,
            [
                "家庭住址: 一组 → 二组",
                "耕地面积（亩）: 1.5 → 2.25",
                "低保: 否 → 是",
                "户类型: 一般农户 → 脱贫户",
                "其他字段: 1234.50 元 → 1234.05 元",
                "张三 · 务工时间（月）: 0 → 10",
                "张三 · 联系电话: — → 13800000000",
                "新增成员 张小 (5108**********1234)"
            ]
        );
        let en = describe(&L(shouwang_core::Lang::En), &e, &HashMap::new());
        assert_eq!(en.who, "cadre");
        assert!(
            en.changes.contains(
                &"household type: ordinary household → post-poverty household".to_string()
            ),
            "{:?}",
            en.changes
        );
        assert!(en.changes.contains(&"dibao: no → yes".to_string()));
    }

    #[test]
    fn a_member_leaving_is_said_with_reason_and_date_not_as_a_removal() {
        let m = serde_json::json!({"id_number": "510821199001011234", "name": "张三"});
        let e = event(
            "household.member_leave",
            Some(serde_json::json!({"household": {}, "members": [m]})),
            Some(
                serde_json::json!({"household": {}, "members": [], "left": {"name": "张三", "id_number": "510821199001011234", "reason": "迁出", "on": "2026-10-01"}}),
            ),
        );
        let zh = describe(&L(shouwang_core::Lang::Zh), &e, &HashMap::new());
        assert_eq!(zh.what, "成员减少");
        assert_eq!(
            zh.changes,
            ["离开本户 张三 (5108**********1234) · 原因: 迁出 · 日期: 2026-10-01"]
        );
        let en = describe(&L(shouwang_core::Lang::En), &e, &HashMap::new());
        assert!(
            en.changes[0].contains("reason: moved away"),
            "{:?}",
            en.changes
        );
    }

    #[test]
    fn a_move_by_a_ledger_import_says_who_went_where_with_the_id_number_masked() {
        let mut e = event(
            "household.move_out",
            None,
            Some(serde_json::json!({"moved_out": [
                {"id_number": "510821199001011234", "name": "张三", "to": "51082110000100002"}
            ]})),
        );
        e.username = "system:ledger".into();
        let d = describe(&L(shouwang_core::Lang::Zh), &e, &HashMap::new());
        assert_eq!((d.what.as_str(), d.who.as_str()), ("迁出成员", "系统"));
        assert_eq!(
            d.changes,
            ["张三 (5108**********1234) 迁出到户 51082110000100002"]
        );
    }
}
