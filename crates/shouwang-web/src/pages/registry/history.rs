//! A household's history in words: who changed what, with ID numbers masked.

use crate::i18n::L;
use serde_json::Value;
use shouwang_core::id_number::mask;
use shouwang_store::audit::AuditEvent;

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
        "id.reveal" => l.t("查看完整证件号码", "revealed an ID number"),
        "pairing.create" => l.t("结对帮扶", "paired an assistance person"),
        other => other,
    }
    .to_string()
}

fn show(key: &str, v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    };
    if key == "id_number" {
        mask(&text)
    } else {
        text
    }
}

fn diff_object(prefix: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return;
    };
    for (k, av) in a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        if bv != av {
            out.push(format!("{prefix}{k}: {} → {}", show(k, bv), show(k, av)));
        }
    }
}

/// (time, who, what, changes)
pub fn describe(l: &L, e: &AuditEvent) -> (String, String, String, Vec<String>) {
    let mut changes = Vec::new();
    if let (Some(b), Some(a)) = (&e.before, &e.after) {
        diff_object("", &b["household"], &a["household"], &mut changes);
        let empty = vec![];
        let bm = b["members"].as_array().unwrap_or(&empty);
        let am = a["members"].as_array().unwrap_or(&empty);
        for m in am {
            let id = &m["id_number"];
            match bm.iter().find(|x| &x["id_number"] == id) {
                Some(old) => diff_object(
                    &format!("{} ", show("name", &m["name"])),
                    old,
                    m,
                    &mut changes,
                ),
                None => changes.push(format!(
                    "{} {} ({})",
                    l.t("新增成员", "member added"),
                    show("name", &m["name"]),
                    show("id_number", id)
                )),
            }
        }
        for m in bm {
            if !am.iter().any(|x| x["id_number"] == m["id_number"]) {
                changes.push(format!(
                    "{} {} ({})",
                    l.t("移除成员", "member removed"),
                    show("name", &m["name"]),
                    show("id_number", &m["id_number"])
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
                    show("name", &m["name"]),
                    show("id_number", &m["id_number"]),
                    l.t(zh, en),
                    show(other, &m[other])
                ));
            }
        }
    }
    (
        china_time(e.at),
        e.username.clone(),
        action_label(l, &e.action),
        changes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_masks_id_numbers_and_lists_changed_fields() {
        let e = AuditEvent {
            id: 1,
            at: 0,
            username: "cadre".into(),
            action: "household.update".into(),
            entity: "household".into(),
            entity_key: "1".into(),
            before: Some(
                serde_json::json!({"household": {"address": "一组"}, "members": [{"id_number": "510821199001011234", "name": "张三", "phone": ""}]}),
            ),
            after: Some(
                serde_json::json!({"household": {"address": "二组"}, "members": [{"id_number": "510821199001011234", "name": "张三", "phone": "13800000000"}, {"id_number": "510821201001011234", "name": "张小", "phone": ""}]}),
            ),
        };
        let (time, who, what, changes) = describe(&L(shouwang_core::Lang::Zh), &e);
        assert_eq!(time, "1970-01-01 08:00");
        assert_eq!((who.as_str(), what.as_str()), ("cadre", "修改"));
        assert_eq!(
            changes,
            [
                "address: 一组 → 二组",
                "张三 phone:  → 13800000000",
                "新增成员 张小 (5108**********1234)"
            ]
        );
    }

    #[test]
    fn a_move_by_a_ledger_import_says_who_went_where_with_the_id_number_masked() {
        let e = AuditEvent {
            id: 2,
            at: 0,
            username: "county".into(),
            action: "household.move_out".into(),
            entity: "household".into(),
            entity_key: "51082110000100001".into(),
            before: None,
            after: Some(serde_json::json!({"moved_out": [
                {"id_number": "510821199001011234", "name": "张三", "to": "51082110000100002"}
            ]})),
        };
        let (_, _, what, changes) = describe(&L(shouwang_core::Lang::Zh), &e);
        assert_eq!(what, "迁出成员");
        assert_eq!(
            changes,
            ["张三 (5108**********1234) 迁出到户 51082110000100002"]
        );
    }
}
