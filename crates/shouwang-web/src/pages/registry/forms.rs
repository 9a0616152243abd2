//! The registry's edit forms: parsing posted fields into core types (with a problem per field
//! that does not parse) and rendering inputs with their inline errors.

use crate::i18n::L;
use shouwang_core::codes::{
    Education, Health, HealthCondition, HouseholdType, LabourCapacity, Political, Relation,
    Schooling, Sex,
};
use shouwang_core::id_number::{normalise, PersonId};
use shouwang_core::money::{format_hundredths, parse_hundredths};
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Household, IdKind, Member, Problem, RegionCode};
use std::collections::HashMap;

pub type Fields = HashMap<String, String>;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Renders inputs with the posted values and the problems found for each field.
pub struct FormRenderer<'a> {
    pub l: L,
    pub values: &'a Fields,
    pub errors: &'a HashMap<String, String>,
    pub html: String,
    /// a `<fieldset>` is open and must be closed before the next section or the form's end
    pub section_open: bool,
}

impl FormRenderer<'_> {
    /// Starts a section of the form: a fieldset with its heading.
    pub fn section(&mut self, zh: &str, en: &str) {
        self.end_section();
        let legend = self.l.t(zh, en);
        self.html
            .push_str(&format!("<fieldset><legend>{legend}</legend>\n"));
        self.section_open = true;
    }
    pub fn end_section(&mut self) {
        if self.section_open {
            self.html.push_str("</fieldset>\n");
            self.section_open = false;
        }
    }
    fn err(&self, name: &str) -> String {
        self.errors
            .get(name)
            .map(|e| format!("<span class=\"err\">{}</span>", esc(e)))
            .unwrap_or_default()
    }
    fn val(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn text(&mut self, name: &str, zh: &str, en: &str, extra: &str) {
        let (label, v, e) = (self.l.t(zh, en), esc(self.val(name)), self.err(name));
        self.html.push_str(&format!(
            "<label>{label}<input name=\"{name}\" value=\"{v}\" {extra}>{e}</label>\n"
        ));
    }
    pub fn select(
        &mut self,
        name: &str,
        zh: &str,
        en: &str,
        options: &[(&str, &str)],
        allow_empty: bool,
    ) {
        let (label, e) = (self.l.t(zh, en), self.err(name));
        let current = self.val(name).to_string();
        let mut o = String::new();
        if allow_empty {
            o.push_str("<option value=\"\">—</option>");
        }
        for (value, text) in options {
            let sel = if *value == current { " selected" } else { "" };
            o.push_str(&format!(
                "<option value=\"{}\"{sel}>{}</option>",
                esc(value),
                esc(text)
            ));
        }
        self.html.push_str(&format!(
            "<label>{label}<select name=\"{name}\">{o}</select>{e}</label>\n"
        ));
    }
    pub fn check(&mut self, name: &str, zh: &str, en: &str) {
        let checked = if is_on(self.values, name) {
            " checked"
        } else {
            ""
        };
        let label = self.l.t(zh, en);
        self.html.push_str(&format!("<label class=\"check\"><input type=\"checkbox\" name=\"{name}\" value=\"on\"{checked}>{label}</label>\n"));
    }
    pub fn hidden(&mut self, name: &str) {
        self.html.push_str(&format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
            esc(self.val(name))
        ));
    }
}

fn is_on(f: &Fields, name: &str) -> bool {
    f.get(name)
        .is_some_and(|v| v == "on" || v == "1" || v == "true")
}

fn get<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map(|s| s.trim()).unwrap_or("")
}

fn labels<T: Copy>(
    l: L,
    all: &[T],
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|v| (zh(*v), if l.is_en() { en(*v) } else { zh(*v) }))
        .collect()
}

fn bad(field: &str, zh: String, en: String) -> Problem {
    Problem::new(ProblemCode::FormInvalid, field, zh, en)
}

/// Parses a code-list field by its Chinese label; empty gives `None`.
fn code<T>(
    f: &Fields,
    name: &str,
    parse: fn(&str) -> Option<T>,
    out: &mut Vec<Problem>,
) -> Option<T> {
    let v = get(f, name);
    if v.is_empty() {
        return None;
    }
    let parsed = parse(v);
    if parsed.is_none() {
        out.push(bad(
            name,
            format!("“{v}”不是有效选项"),
            format!("'{v}' is not a valid choice"),
        ));
    }
    parsed
}

fn months(f: &Fields, name: &str, out: &mut Vec<Problem>) -> i64 {
    let v = get(f, name);
    if v.is_empty() {
        return 0;
    }
    v.parse().unwrap_or_else(|_| {
        out.push(bad(
            name,
            format!("“{v}”不是整数"),
            format!("'{v}' is not a whole number"),
        ));
        0
    })
}

fn area(f: &Fields, name: &str, out: &mut Vec<Problem>) -> Option<i64> {
    let v = get(f, name);
    if v.is_empty() {
        return None;
    }
    match parse_hundredths(v) {
        Ok(x) => Some(x),
        Err(e) => {
            out.push(bad(name, format!("“{v}”{}", e.zh()), format!("'{v}': {e}")));
            None
        }
    }
}

/// The household part of a form. `household_no` and `village` come from the form too.
pub fn parse_household(f: &Fields, out: &mut Vec<Problem>) -> Option<Household> {
    let village = RegionCode::parse(get(f, "village"));
    if village.is_none() {
        out.push(bad(
            "village",
            "村代码无效".into(),
            "invalid village code".into(),
        ));
    }
    let household_type = code(f, "household_type", HouseholdType::parse_zh, out);
    if household_type.is_none() && get(f, "household_type").is_empty() {
        out.push(bad(
            "household_type",
            "请选择户类型".into(),
            "choose a household type".into(),
        ));
    }
    let cultivated = area(f, "cultivated_land", out);
    let housing = area(f, "housing_area", out);
    Some(Household {
        household_no: get(f, "household_no").to_string(),
        village: village?,
        group: get(f, "group").into(),
        address: get(f, "address").into(),
        phone: get(f, "phone").into(),
        household_type: household_type?,
        dibao: is_on(f, "dibao"),
        tekun: is_on(f, "tekun"),
        relocated: is_on(f, "relocated"),
        resettlement_site: get(f, "resettlement_site").into(),
        military_family: is_on(f, "military_family"),
        cultivated_land_centimu: cultivated,
        housing_area_centim2: housing,
        house_grade: get(f, "house_grade").to_uppercase(),
    })
}

/// The fields of a household, for an edit form.
pub fn household_fields(h: &Household) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_string(), v);
    };
    put("household_no", h.household_no.clone());
    put("village", h.village.to_string());
    put("group", h.group.clone());
    put("address", h.address.clone());
    put("phone", h.phone.clone());
    put("household_type", h.household_type.label_zh().into());
    put("resettlement_site", h.resettlement_site.clone());
    put(
        "cultivated_land",
        h.cultivated_land_centimu
            .map(format_hundredths)
            .unwrap_or_default(),
    );
    put(
        "housing_area",
        h.housing_area_centim2
            .map(format_hundredths)
            .unwrap_or_default(),
    );
    put("house_grade", h.house_grade.clone());
    for (k, v) in [
        ("dibao", h.dibao),
        ("tekun", h.tekun),
        ("relocated", h.relocated),
        ("military_family", h.military_family),
    ] {
        if v {
            put(k, "on".into());
        }
    }
    f
}

pub fn render_household(r: &mut FormRenderer<'_>, creating: bool) {
    r.section("户基本信息", "The household");
    if creating {
        r.text(
            "household_no",
            "户编号",
            "Household no.",
            "required maxlength=32",
        );
    } else {
        r.hidden("household_no");
    }
    r.text(
        "village",
        "村代码",
        "Village code",
        "required inputmode=numeric maxlength=12",
    );
    r.text("group", "组", "Group", "maxlength=50");
    r.text("address", "家庭住址", "Address", "maxlength=200");
    r.text("phone", "户联系电话", "Phone", "inputmode=tel maxlength=20");
    let types = labels(
        r.l,
        HouseholdType::ALL,
        HouseholdType::label_zh,
        HouseholdType::label_en,
    );
    r.select("household_type", "户类型", "Household type", &types, false);
    r.section("土地与住房", "Land and housing");
    r.text(
        "cultivated_land",
        "耕地面积（亩）",
        "Cultivated land (mu)",
        "inputmode=decimal",
    );
    r.text(
        "housing_area",
        "住房面积（㎡）",
        "Housing area (m²)",
        "inputmode=decimal",
    );
    r.select(
        "house_grade",
        "危房等级",
        "House safety grade",
        &[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        true,
    );
    r.text(
        "resettlement_site",
        "安置点",
        "Resettlement site",
        "maxlength=100",
    );
    r.check("relocated", "易地扶贫搬迁户", "Relocated household");
    r.section("政策身份", "Policies");
    r.check("dibao", "低保户", "Minimum-living (dibao)");
    r.check("tekun", "特困供养户", "Extremely poor (tekun)");
    r.check("military_family", "军烈属", "Military or martyr family");
}

/// A member from the form. Sex and birth date default to what the ID number says.
pub fn parse_member(f: &Fields, today: Date, out: &mut Vec<Problem>) -> Option<Member> {
    let id_kind = match get(f, "id_kind") {
        "" => Some(IdKind::ResidentId),
        v => IdKind::parse_zh(v),
    };
    let id_number = normalise(get(f, "id_number"));
    let parsed_id = id_kind.map(|k| PersonId::parse(k, &id_number, today));
    if let Some(Err(e)) = &parsed_id {
        out.push(bad(
            "id_number",
            format!("证件号码“{id_number}”无效：{}", e.zh()),
            format!("ID number '{id_number}' is invalid: {e}"),
        ));
    }
    if id_kind.is_none() {
        out.push(bad(
            "id_kind",
            "证件类型无效".into(),
            "invalid ID type".into(),
        ));
    }
    // when the ID number itself is wrong, its problem says it all
    let id_ok = matches!(parsed_id, Some(Ok(_)));
    let embedded = parsed_id.and_then(|r| r.ok()).and_then(|p| p.resident);
    let sex = match get(f, "sex") {
        "" => embedded.as_ref().map(|i| i.sex()),
        v => Sex::parse_zh(v),
    };
    let birth_date = match get(f, "birth_date") {
        "" => embedded.as_ref().map(|i| i.birth_date()),
        v => Date::parse(v),
    };
    if sex.is_none() && id_ok {
        out.push(bad(
            "sex",
            "请填写性别（或有效的身份证号）".into(),
            "give the sex (or a valid ID number)".into(),
        ));
    }
    if birth_date.is_none() && id_ok {
        out.push(bad(
            "birth_date",
            "出生日期无效（格式：2001-05-20）".into(),
            "invalid birth date (e.g. 2001-05-20)".into(),
        ));
    }
    let relation = code(f, "relation", Relation::parse_zh, out);
    if get(f, "relation").is_empty() {
        out.push(bad(
            "relation",
            "请选择与户主关系".into(),
            "choose the relation to the head".into(),
        ));
    }
    let mut health = Health::default();
    for (k, c) in [
        ("h_chronic", HealthCondition::ChronicIllness),
        ("h_serious", HealthCondition::SeriousIllness),
        ("h_disabled", HealthCondition::Disabled),
    ] {
        if is_on(f, k) {
            health = health.with(c);
        }
    }
    if health.is_empty() {
        health = Health::HEALTHY;
    }
    let deceased_on = match get(f, "deceased_on") {
        "" => None,
        v => {
            let d = Date::parse(v);
            if d.is_none() {
                out.push(bad(
                    "deceased_on",
                    "死亡日期无效".into(),
                    "invalid date of death".into(),
                ));
            }
            d
        }
    };
    let education = code(f, "education", Education::parse_zh, out);
    let schooling = code(f, "schooling", Schooling::parse_zh, out);
    let political = code(f, "political", Political::parse_zh, out);
    let labour = code(f, "labour", LabourCapacity::parse_zh, out);
    let migrant_months = months(f, "migrant_months", out);
    let welfare_job_months = months(f, "welfare_job_months", out);
    Some(Member {
        id_kind: id_kind?,
        id_number,
        person_no: get(f, "person_no").into(),
        name: get(f, "name").into(),
        sex: sex.filter(|_| id_ok)?,
        birth_date: birth_date.filter(|_| id_ok)?,
        relation: relation?,
        ethnicity: get(f, "ethnicity").into(),
        political,
        phone: get(f, "phone_m").into(),
        education,
        schooling,
        health,
        disability_category: get(f, "disability_category").into(),
        labour,
        migrant_months,
        migrant_place: get(f, "migrant_place").into(),
        migrant_employer: get(f, "migrant_employer").into(),
        welfare_job: get(f, "welfare_job").into(),
        welfare_job_months,
        dibao: is_on(f, "m_dibao"),
        tekun: is_on(f, "m_tekun"),
        resident_medical: is_on(f, "resident_medical"),
        employee_medical: is_on(f, "employee_medical"),
        serious_illness_insurance: is_on(f, "serious_illness_insurance"),
        resident_pension: is_on(f, "resident_pension"),
        employee_pension: is_on(f, "employee_pension"),
        deceased_on,
    })
}

pub fn member_fields(m: &Member) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_string(), v);
    };
    put("id_kind", m.id_kind.label_zh().into());
    put("id_number", m.id_number.clone());
    put("person_no", m.person_no.clone());
    put("name", m.name.clone());
    put("sex", m.sex.label_zh().into());
    put("birth_date", m.birth_date.to_string());
    put("relation", m.relation.label_zh().into());
    put("ethnicity", m.ethnicity.clone());
    put(
        "political",
        m.political
            .map(|p| p.label_zh().to_string())
            .unwrap_or_default(),
    );
    put("phone_m", m.phone.clone());
    put(
        "education",
        m.education
            .map(|p| p.label_zh().to_string())
            .unwrap_or_default(),
    );
    put(
        "schooling",
        m.schooling
            .map(|p| p.label_zh().to_string())
            .unwrap_or_default(),
    );
    put("disability_category", m.disability_category.clone());
    put(
        "labour",
        m.labour
            .map(|p| p.label_zh().to_string())
            .unwrap_or_default(),
    );
    put("migrant_months", m.migrant_months.to_string());
    put("migrant_place", m.migrant_place.clone());
    put("migrant_employer", m.migrant_employer.clone());
    put("welfare_job", m.welfare_job.clone());
    put("welfare_job_months", m.welfare_job_months.to_string());
    put(
        "deceased_on",
        m.deceased_on.map(|d| d.to_string()).unwrap_or_default(),
    );
    let flags = [
        ("h_chronic", m.health.has(HealthCondition::ChronicIllness)),
        ("h_serious", m.health.has(HealthCondition::SeriousIllness)),
        ("h_disabled", m.health.has(HealthCondition::Disabled)),
        ("m_dibao", m.dibao),
        ("m_tekun", m.tekun),
        ("resident_medical", m.resident_medical),
        ("employee_medical", m.employee_medical),
        ("serious_illness_insurance", m.serious_illness_insurance),
        ("resident_pension", m.resident_pension),
        ("employee_pension", m.employee_pension),
    ];
    for (k, v) in flags {
        if v {
            put(k, "on".into());
        }
    }
    f
}

pub fn render_member(r: &mut FormRenderer<'_>) {
    let l = r.l;
    r.section("基本信息", "Person");
    r.text("name", "姓名", "Name", "required maxlength=50");
    let kinds: Vec<(&str, &str)> = [IdKind::ResidentId, IdKind::DisabilityCard, IdKind::Other]
        .iter()
        .map(|k| (k.label_zh(), l.t(k.label_zh(), k.label_en())))
        .collect();
    r.select("id_kind", "证件类型", "ID type", &kinds, false);
    r.text(
        "id_number",
        "证件号码",
        "ID number",
        "required maxlength=32 autocomplete=off",
    );
    r.select(
        "sex",
        "性别（可留空，按证件号码）",
        "Sex (blank: from the ID)",
        &labels(l, Sex::ALL, Sex::label_zh, Sex::label_en),
        true,
    );
    r.text(
        "birth_date",
        "出生日期（可留空，按证件号码）",
        "Birth date (blank: from the ID)",
        l.t("placeholder=例如1980-05-01", "placeholder=YYYY-MM-DD"),
    );
    r.select(
        "relation",
        "与户主关系",
        "Relation to head",
        &labels(l, Relation::ALL, Relation::label_zh, Relation::label_en),
        true,
    );
    r.text("ethnicity", "民族", "Ethnicity", "maxlength=20");
    r.select(
        "political",
        "政治面貌",
        "Political status",
        &labels(l, Political::ALL, Political::label_zh, Political::label_en),
        true,
    );
    r.text(
        "phone_m",
        "成员联系电话",
        "Phone",
        "inputmode=tel maxlength=20",
    );
    r.section("教育与健康", "Education and health");
    r.select(
        "education",
        "文化程度（不在校时）",
        "Education (if not in school)",
        &labels(l, Education::ALL, Education::label_zh, Education::label_en),
        true,
    );
    r.select(
        "schooling",
        "在校生状况",
        "Schooling",
        &labels(l, Schooling::ALL, Schooling::label_zh, Schooling::label_en),
        true,
    );
    r.check("h_chronic", "长期慢性病", "Chronic illness");
    r.check("h_serious", "患有大病", "Serious illness");
    r.check("h_disabled", "残疾", "Disabled");
    r.text(
        "disability_category",
        "残疾类别",
        "Disability category",
        "maxlength=30",
    );
    r.section("劳动与就业", "Work");
    r.select(
        "labour",
        "劳动技能",
        "Labour capacity",
        &labels(
            l,
            LabourCapacity::ALL,
            LabourCapacity::label_zh,
            LabourCapacity::label_en,
        ),
        true,
    );
    r.text(
        "migrant_months",
        "务工时间（月）",
        "Months of migrant work",
        "inputmode=numeric",
    );
    r.text(
        "migrant_place",
        "务工所在地",
        "Place of work",
        "maxlength=100",
    );
    r.text(
        "migrant_employer",
        "务工企业名称",
        "Employer",
        "maxlength=100",
    );
    r.text(
        "welfare_job",
        "公益性岗位类型",
        "Public-welfare job",
        "maxlength=50",
    );
    r.text(
        "welfare_job_months",
        "公益性岗位(月数)",
        "Public-welfare job months",
        "inputmode=numeric",
    );
    r.section("保险与保障", "Insurance and support");
    r.check(
        "resident_medical",
        "城乡居民基本医疗保险",
        "Resident basic medical insurance",
    );
    r.check(
        "employee_medical",
        "城镇职工基本医疗保险",
        "Employee basic medical insurance",
    );
    r.check(
        "serious_illness_insurance",
        "大病保险",
        "Serious-illness insurance",
    );
    r.check(
        "resident_pension",
        "城乡居民基本养老保险",
        "Resident pension",
    );
    r.check(
        "employee_pension",
        "城镇职工基本养老保险",
        "Employee pension",
    );
    r.check("m_dibao", "享受低保", "Receives dibao");
    r.check("m_tekun", "特困供养人员", "Tekun supported person");
    // a death is recorded through 成员减少 (which sets this date); a date already stored
    // (from a ledger) is kept as it is
    r.hidden("deceased_on");
}

/// Where a store problem belongs on a form: `members[2].name` → `name` on a member form.
pub fn form_field_of(problem_field: &str) -> String {
    match problem_field.split_once("].") {
        Some((_, rest)) => {
            if rest == "phone" {
                "phone_m".into()
            } else {
                rest.to_string()
            }
        }
        None => problem_field.to_string(),
    }
}
