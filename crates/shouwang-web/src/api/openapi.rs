//! The OpenAPI 3.0 document of `/api/v1`, written out by hand: small enough to read, and it
//! keeps a heavy derive crate out of the build.
//!
//! Every body the API answers is described field by field: what a caller can rely on being there
//! (every field of an answer is), its type, and for the code lists the labels that may come. The
//! code lists are read from the enums themselves, so a new value cannot be missing here; a field
//! added to or taken from a record without this document following is caught by the test that
//! checks real answers against it (`tests/openapi_web.rs`). Bodies sent to the API use the same
//! fields, required only where the record has no default.

use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};
use shouwang_core::calendar::DayKind;
use shouwang_core::codes::Health;
use shouwang_core::codes::{
    Education, HealthCondition, HouseholdType, LabourCapacity, Political, Relation, Schooling, Sex,
};
use shouwang_core::id_number::make_id;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::catalogue::Unit;
use shouwang_core::screening::{RuleId, WarningLevel};
use shouwang_core::{IdKind, ProblemCode, Role};

// ------------------------------------------------------------------ building blocks

fn string() -> Value {
    json!({"type": "string"})
}

fn integer() -> Value {
    json!({"type": "integer", "format": "int64"})
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

/// A calendar date, `YYYY-MM-DD`.
fn date() -> Value {
    json!({"type": "string", "format": "date"})
}

/// A region code in its short form: 2, 4, 6, 9 or 12 digits.
fn region_code() -> Value {
    json!({"type": "string", "pattern": "^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$"})
}

/// A 12-digit village code.
fn village_code() -> Value {
    json!({"type": "string", "pattern": "^[0-9]{12}$"})
}

fn nullable(mut schema: Value) -> Value {
    schema["nullable"] = json!(true);
    schema
}

fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn with_description(mut schema: Value, text: &str) -> Value {
    schema["description"] = json!(text);
    schema
}

/// A string out of a list of labels.
fn one_of<'a>(labels: impl IntoIterator<Item = &'a str>) -> Value {
    let labels: Vec<&str> = labels.into_iter().collect();
    json!({"type": "string", "enum": labels})
}

/// The labels of a code list as it serialises (Chinese labels, or snake_case names).
fn serialised<T: Serialize>(all: &[T]) -> Value {
    let labels: Vec<Value> = all
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect();
    json!({"type": "string", "enum": labels})
}

/// Every 健康状况 a member can have: 健康, or one or more of the conditions, in list order.
fn health() -> Value {
    let conditions: Vec<HealthCondition> = HealthCondition::ALL
        .iter()
        .copied()
        .filter(|c| *c != HealthCondition::Healthy)
        .collect();
    let mut labels = vec![Health::HEALTHY.label_zh()];
    for set in 1..(1u32 << conditions.len()) {
        let h = conditions
            .iter()
            .enumerate()
            .filter(|(i, _)| set & (1 << i) != 0)
            .fold(Health::default(), |h, (_, c)| h.with(*c));
        labels.push(h.label_zh());
    }
    with_description(
        json!({"type": "string", "enum": labels}),
        "健康状况: 健康, or conditions joined by commas",
    )
}

/// A field of a record: its name, its schema, and whether a body sent to the API may leave it
/// out (it has a default).
struct Field(&'static str, Value, bool);

const REQUIRED: bool = false;
const OPTIONAL: bool = true;

/// An object of `fields`. Answers carry every field; bodies sent to the API need only the
/// fields without a default.
fn object(fields: Vec<Field>, sent: bool) -> Value {
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| !(sent && f.2))
        .map(|f| f.0)
        .collect();
    let properties: Map<String, Value> = fields
        .into_iter()
        .map(|Field(name, schema, _)| (name.to_string(), schema))
        .collect();
    json!({"type": "object", "required": required, "properties": properties, "additionalProperties": false})
}

/// An answer's object: every field is there.
fn answer(fields: &[(&'static str, Value)]) -> Value {
    object(
        fields
            .iter()
            .map(|(n, s)| Field(n, s.clone(), REQUIRED))
            .collect(),
        false,
    )
}

// ------------------------------------------------------------------ the records

fn household(sent: bool) -> Value {
    object(
        vec![
            Field("household_no", string(), REQUIRED),
            Field("village", village_code(), REQUIRED),
            Field("group", string(), OPTIONAL),
            Field("address", string(), OPTIONAL),
            Field("phone", string(), OPTIONAL),
            Field("household_type", serialised(HouseholdType::ALL), REQUIRED),
            Field("dibao", boolean(), OPTIONAL),
            Field("tekun", boolean(), OPTIONAL),
            Field("relocated", boolean(), OPTIONAL),
            Field("resettlement_site", string(), OPTIONAL),
            Field("military_family", boolean(), OPTIONAL),
            Field(
                "cultivated_land_centimu",
                with_description(nullable(integer()), "耕地面积 in hundredths of a 亩"),
                OPTIONAL,
            ),
            Field(
                "housing_area_centim2",
                with_description(nullable(integer()), "住房面积 in hundredths of a m²"),
                OPTIONAL,
            ),
            Field(
                "house_grade",
                with_description(string(), "危房等级 A, B, C, D or empty"),
                OPTIONAL,
            ),
        ],
        sent,
    )
}

fn member(sent: bool) -> Value {
    object(
        vec![
            Field("id_kind", serialised(&IdKind::ALL), REQUIRED),
            Field(
                "id_number",
                with_description(
                    string(),
                    "证件号码; masked (3****…**1) in answers, a masked one sent back keeps the stored number",
                ),
                REQUIRED,
            ),
            Field("person_no", string(), OPTIONAL),
            Field("name", string(), REQUIRED),
            Field("sex", serialised(Sex::ALL), REQUIRED),
            Field("birth_date", date(), REQUIRED),
            Field("relation", serialised(Relation::ALL), REQUIRED),
            Field("ethnicity", string(), OPTIONAL),
            Field("political", nullable(serialised(Political::ALL)), OPTIONAL),
            Field("phone", string(), OPTIONAL),
            Field("education", nullable(serialised(Education::ALL)), OPTIONAL),
            Field("schooling", nullable(serialised(Schooling::ALL)), OPTIONAL),
            Field("health", health(), REQUIRED),
            Field("disability_category", string(), OPTIONAL),
            Field("labour", nullable(serialised(LabourCapacity::ALL)), OPTIONAL),
            Field("migrant_months", integer(), OPTIONAL),
            Field("migrant_place", string(), OPTIONAL),
            Field("migrant_employer", string(), OPTIONAL),
            Field("welfare_job", string(), OPTIONAL),
            Field("welfare_job_months", integer(), OPTIONAL),
            Field("dibao", boolean(), OPTIONAL),
            Field("tekun", boolean(), OPTIONAL),
            Field("resident_medical", boolean(), OPTIONAL),
            Field("employee_medical", boolean(), OPTIONAL),
            Field("serious_illness_insurance", boolean(), OPTIONAL),
            Field("resident_pension", boolean(), OPTIONAL),
            Field("employee_pension", boolean(), OPTIONAL),
            Field("deceased_on", nullable(date()), OPTIONAL),
        ],
        sent,
    )
}

fn warning_scheme() -> Value {
    answer(&[
        ("red_days", integer()),
        ("yellow_days", integer()),
        ("blue_days", integer()),
    ])
}

/// The fields of a standard that a region may set, each inherited when null.
fn standard_fields() -> Vec<Field> {
    let fen = |text| with_description(nullable(integer()), text);
    vec![
        Field("document", string(), OPTIONAL),
        Field(
            "monitoring_line",
            fen("监测线, 分 per person per year"),
            OPTIONAL,
        ),
        Field("near_line_percent", nullable(integer()), OPTIONAL),
        Field("income_drop_percent", nullable(integer()), OPTIONAL),
        Field("rigid_expenditure_percent", nullable(integer()), OPTIONAL),
        Field("rigid_expenditure_amount", fen("分"), OPTIONAL),
        Field("schooling_cost_threshold", fen("分"), OPTIONAL),
        Field("identification_days", nullable(integer()), OPTIONAL),
        Field("notice_min_days", nullable(integer()), OPTIONAL),
        Field("measures_days", nullable(integer()), OPTIONAL),
        Field(
            "working_days",
            with_description(
                nullable(boolean()),
                "按工作日计算: the procedure's days are working days (holidays from the working calendar)",
            ),
            OPTIONAL,
        ),
        Field("verification_days", nullable(integer()), OPTIONAL),
        Field("appraisal_days", nullable(integer()), OPTIONAL),
        Field("township_review_days", nullable(integer()), OPTIONAL),
        Field("county_decision_days", nullable(integer()), OPTIONAL),
        Field("elimination_min_months", nullable(integer()), OPTIONAL),
        Field("development_months", nullable(integer()), OPTIONAL),
        Field("income_stable_months", nullable(integer()), OPTIONAL),
        Field("secretary_visit_months", nullable(integer()), OPTIONAL),
        Field("party_secretary_visit_months", nullable(integer()), OPTIONAL),
        Field("helper_visit_months", nullable(integer()), OPTIONAL),
        Field("doctor_visit_months", nullable(integer()), OPTIONAL),
        Field(
            "rural_income",
            fen("上年农村居民人均可支配收入, 分 (the 医保 alert's base)"),
            OPTIONAL,
        ),
        Field("medical_percent_registered", nullable(integer()), OPTIONAL),
        Field("medical_percent_others", nullable(integer()), OPTIONAL),
        Field("medical_amount_registered", fen("分"), OPTIONAL),
        Field("medical_amount_others", fen("分"), OPTIONAL),
        Field("disaster_loss_threshold", fen("分"), OPTIONAL),
        Field(
            "self_report_days",
            with_description(
                nullable(integer()),
                "自主申报受理时限, working days",
            ),
            OPTIONAL,
        ),
        Field(
            "rural_income_growth_permille",
            with_description(
                nullable(integer()),
                "农村居民人均可支配收入增速, ‰ (促增收: the growth 脱贫 and monitored incomes must beat)",
            ),
            OPTIONAL,
        ),
        Field(
            "low_income_watch",
            fen("低收入监测线, 分 (below it a household enters the low-income ledger)"),
            OPTIONAL,
        ),
        Field("income_target", fen("县定增收目标, 分"), OPTIONAL),
        Field("warning_scheme", nullable(warning_scheme()), OPTIONAL),
    ]
}

fn standard() -> Value {
    let mut fields = vec![
        Field("year", integer(), REQUIRED),
        Field("region", region_code(), REQUIRED),
    ];
    fields.extend(standard_fields());
    object(fields, false)
}

/// What `PUT /standards/{region}/{year}` reads: the region and year come from the path.
fn standard_input() -> Value {
    let mut body = object(standard_fields(), true);
    body["description"] =
        json!("The values to set; money in 分; a field left out or null is inherited from the regions above. The path gives the region and year.");
    body
}

fn resolved_standard() -> Value {
    let origin = answer(&[
        ("field", string()),
        (
            "from",
            with_description(
                nullable(json!({"type": "array", "minItems": 2, "maxItems": 2,
                    "items": {"oneOf": [region_code(), integer()]}})),
                "[region, year] of the standard that set the field; null for the built-in default",
            ),
        ),
    ]);
    answer(&[
        ("year", integer()),
        ("region", region_code()),
        ("monitoring_line", integer()),
        ("near_line_percent", integer()),
        ("income_drop_percent", integer()),
        ("rigid_expenditure_percent", integer()),
        ("rigid_expenditure_amount", integer()),
        ("schooling_cost_threshold", integer()),
        ("identification_days", integer()),
        ("notice_min_days", integer()),
        ("measures_days", integer()),
        ("working_days", boolean()),
        ("verification_days", integer()),
        ("appraisal_days", integer()),
        ("township_review_days", integer()),
        ("county_decision_days", integer()),
        ("elimination_min_months", integer()),
        ("development_months", integer()),
        ("income_stable_months", integer()),
        ("secretary_visit_months", integer()),
        ("party_secretary_visit_months", integer()),
        ("helper_visit_months", integer()),
        ("doctor_visit_months", integer()),
        ("rural_income", integer()),
        ("medical_percent_registered", integer()),
        ("medical_percent_others", integer()),
        ("medical_amount_registered", integer()),
        ("medical_amount_others", integer()),
        ("disaster_loss_threshold", integer()),
        ("self_report_days", integer()),
        ("rural_income_growth_permille", integer()),
        ("low_income_watch", integer()),
        ("income_target", integer()),
        ("warning_scheme", warning_scheme()),
        ("origins", array(origin)),
    ])
}

fn rule() -> Value {
    one_of(RuleId::ALL.iter().map(|r| r.code()))
}

/// Levels go out by their English names (`red`), as stored.
fn level() -> Value {
    one_of(WarningLevel::ALL.iter().map(|l| l.label_en()))
}

/// 预警依据 as a run stores it (`evidence_json` in the store): the sentence in both languages,
/// the values observed and the thresholds they were compared with, and the data's source.
fn evidence() -> Value {
    let units = [Unit::Fen, Unit::Percent, Unit::Persons, Unit::Flag];
    let measure = answer(&[
        ("name_zh", string()),
        ("name_en", string()),
        ("value", integer()),
        ("unit", serialised(&units)),
        (
            "text",
            with_description(string(), "the value as shown: 8700元, 30%, 2人"),
        ),
    ]);
    let source = answer(&[
        ("label_zh", string()),
        ("label_en", string()),
        (
            "date",
            with_description(date(), "the date the data is as of"),
        ),
    ]);
    answer(&[
        ("zh", string()),
        ("en", string()),
        ("observed", array(measure.clone())),
        ("thresholds", array(measure)),
        ("source", nullable(source)),
    ])
}

/// A new household of 桃红村 with its head, as `POST /households` takes it.
fn household_example() -> Value {
    let birth = shouwang_core::Date::new(1966, 6, 6);
    let id = birth.map(|b| make_id(EXAMPLE_COUNTY, b, 66, Sex::Male));
    json!({
        "household": {"household_no": "EXAMPLE-0001", "village": EXAMPLE_VILLAGE, "household_type": "一般农户", "group": "1组"},
        "members": [{"id_kind": "resident_id", "id_number": id, "name": "示例", "sex": "男", "birth_date": birth,
            "relation": "户主", "education": "初中", "health": "健康", "labour": "普通劳动力", "resident_medical": true}],
    })
}

/// The bodies of the API, by name.
fn schemas() -> Map<String, Value> {
    let codes: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
    let problem = answer(&[
        ("code", one_of(codes.iter().copied())),
        (
            "field",
            with_description(
                string(),
                "the field (members[2].id_number) or query parameter concerned",
            ),
        ),
        ("zh", string()),
        ("en", string()),
    ]);
    let error = answer(&[
        ("code", one_of(codes.iter().copied())),
        (
            "message",
            with_description(string(), "the answer in Chinese"),
        ),
        (
            "message_en",
            with_description(string(), "the answer in English"),
        ),
        (
            "errors",
            with_description(
                array(problem),
                "one entry per problem with the input; empty for refusals not about the input",
            ),
        ),
    ]);
    let region_summary = answer(&[
        ("code", region_code()),
        ("name", string()),
        ("households", integer()),
        ("persons", integer()),
    ]);
    let list_row = answer(&[
        ("household_no", string()),
        ("village", village_code()),
        ("group", string()),
        ("head_name", string()),
        ("head_id", with_description(string(), "masked")),
        ("size", integer()),
        ("household_type", serialised(HouseholdType::ALL)),
        ("dibao", boolean()),
        ("tekun", boolean()),
        ("relocated", boolean()),
    ]);
    let hit = answer(&[
        ("run_id", integer()),
        ("run_at", with_description(integer(), "Unix seconds")),
        ("household_no", string()),
        ("village", village_code()),
        ("rule", rule()),
        ("level", level()),
        ("risk", serialised(RiskType::ALL)),
        ("evidence", evidence()),
    ]);
    let lead = answer(&[
        ("id", integer()),
        ("household_no", string()),
        ("risk", serialised(RiskType::ALL)),
        ("level", level()),
        (
            "rules",
            with_description(
                json!({"type": "string", "pattern": "^R[0-9]{2}(,R[0-9]{2})*$"}),
                "the rules that raised it: R01,R03",
            ),
        ),
        ("source", string()),
        ("found_on", date()),
        ("due_on", date()),
        ("status", string()),
    ]);
    let mut s = Map::new();
    let mut put = |name: &str, schema: Value| {
        s.insert(name.to_string(), schema);
    };
    put("Error", error);
    put(
        "Login",
        object(
            vec![
                Field("username", string(), REQUIRED),
                Field("password", string(), REQUIRED),
            ],
            true,
        ),
    );
    put(
        "LoginAnswer",
        answer(&[(
            "csrf",
            with_description(string(), "send as X-CSRF-Token on every write"),
        )]),
    );
    put(
        "Me",
        answer(&[
            ("username", string()),
            ("display_name", string()),
            ("role", one_of(Role::ALL.iter().map(|r| r.as_str()))),
            ("region", region_code()),
            ("csrf", string()),
        ]),
    );
    put("RegionSummary", region_summary);
    put(
        "Region",
        answer(&[
            ("code", region_code()),
            ("name", string()),
            ("households", integer()),
            ("persons", integer()),
            ("children", array(reference("RegionSummary"))),
        ]),
    );
    put("HouseholdListRow", list_row);
    put(
        "HouseholdList",
        answer(&[
            ("total", integer()),
            ("offset", integer()),
            ("households", array(reference("HouseholdListRow"))),
        ]),
    );
    put("Household", household(false));
    put("Member", member(false));
    put(
        "HouseholdRecord",
        answer(&[
            ("county", region_code()),
            ("household", reference("Household")),
            ("members", array(reference("Member"))),
            (
                "version",
                with_description(integer(), "send it back with a change"),
            ),
            ("updated_at", with_description(integer(), "Unix seconds")),
        ]),
    );
    put("HouseholdInput", household(true));
    put("MemberInput", member(true));
    put(
        "HouseholdBody",
        example(
            object(
                vec![
                    Field("household", reference("HouseholdInput"), REQUIRED),
                    Field("members", array(reference("MemberInput")), REQUIRED),
                    Field(
                        "version",
                        with_description(integer(), "the version read; 0 when creating"),
                        OPTIONAL,
                    ),
                ],
                true,
            ),
            household_example(),
        ),
    );
    put(
        "Reveal",
        answer(&[("id_number", with_description(string(), "the full number"))]),
    );
    put(
        "SearchHit",
        answer(&[
            ("household_no", string()),
            ("village", village_code()),
            ("name", string()),
            ("id_number", with_description(string(), "masked")),
            ("relation", serialised(Relation::ALL)),
        ]),
    );
    put("Search", answer(&[("hits", array(reference("SearchHit")))]));
    put("Hit", hit);
    put("Lead", lead);
    put(
        "Warnings",
        answer(&[
            ("region", region_code()),
            ("warnings", array(reference("Hit"))),
        ]),
    );
    put(
        "HouseholdWarnings",
        answer(&[
            ("warnings", array(reference("Hit"))),
            ("leads", array(reference("Lead"))),
        ]),
    );
    put("Standard", standard());
    put(
        "StandardInput",
        example(
            standard_input(),
            json!({"near_line_percent": 10, "document": "示例文号〔2026〕1号"}),
        ),
    );
    put(
        "Standards",
        answer(&[
            ("region", region_code()),
            ("year", integer()),
            ("standards", array(reference("Standard"))),
            (
                "in_force",
                with_description(
                    nullable(resolved_standard()),
                    "the standard in force for the year, field by field; null when no monitoring line is set",
                ),
            ),
        ]),
    );
    put("Saved", answer(&[("saved", reference("Standard"))]));
    put(
        "CalendarDay",
        answer(&[
            (
                "region",
                with_description(
                    region_code(),
                    "the province, city or county the day was entered for",
                ),
            ),
            ("date", date()),
            ("kind", serialised(DayKind::ALL)),
            ("name", string()),
        ]),
    );
    put(
        "Calendar",
        answer(&[
            ("region", region_code()),
            ("year", integer()),
            (
                "days",
                with_description(
                    array(reference("CalendarDay")),
                    "the days that depart from the weekday rule, by date; a date entered at two levels is the more specific region's",
                ),
            ),
        ]),
    );
    let day_input = object(
        vec![
            Field("date", date(), REQUIRED),
            Field("kind", serialised(DayKind::ALL), REQUIRED),
            Field("name", string(), OPTIONAL),
        ],
        true,
    );
    put(
        "CalendarInput",
        example(
            object(vec![Field("days", array(day_input), REQUIRED)], true),
            json!({"days": [
                {"date": "2026-10-01", "kind": "法定节假日", "name": "国庆节"},
                {"date": "2026-10-10", "kind": "调休上班日", "name": "国庆节调休"}
            ]}),
        ),
    );
    procedure::schemas(&mut put);
    assistance::schemas(&mut put);
    visits::schemas(&mut put);
    tasks::schemas(&mut put);
    s
}

// ------------------------------------------------------------------ the operations

/// The examples name the demo county (`shouwang demo`): its code, 桃红村, and that village's
/// first household.
const EXAMPLE_COUNTY: &str = "510821";
const EXAMPLE_VILLAGE: &str = "510821108212";
const EXAMPLE_HOUSEHOLD: &str = "51082110821200001";

fn example(mut schema: Value, value: impl Serialize) -> Value {
    schema["example"] = json!(value);
    schema
}

/// A parameter: its name, where it goes, and its schema.
type Param = (&'static str, &'static str, Value);

fn path(name: &'static str, schema: Value) -> Param {
    (name, "path", schema)
}

fn query(name: &'static str, schema: Value) -> Param {
    (name, "query", schema)
}

/// `{id}` of a record in a path.
fn id_param() -> Param {
    path(
        "id",
        example(
            json!({"type": "integer", "format": "int64", "minimum": 1}),
            1,
        ),
    )
}

/// `?region=`, the user's own when not given.
fn region_param() -> Param {
    query(
        "region",
        with_description(
            example(region_code(), EXAMPLE_COUNTY),
            "your own region if not given",
        ),
    )
}

/// `?page=&per_page=` of a list.
fn paging() -> Vec<Param> {
    vec![
        query(
            "page",
            with_description(integer(), "from 1; below 1 counts as 1"),
        ),
        query(
            "per_page",
            with_description(
                integer(),
                "rows, 50 if not given; below 1 counts as 1, above 500 as 500",
            ),
        ),
    ]
}

/// The error answers an operation can give besides its success.
const READ_ERRORS: &[&str] = &["400", "401", "403", "404"];
const WRITE_ERRORS: &[&str] = &["400", "401", "403", "404", "409", "422"];
const LOGIN_ERRORS: &[&str] = &["400", "401", "429"];

fn op(
    summary: &str,
    params: Vec<Param>,
    body: Option<&str>,
    ok: (&str, &str),
    errors: &[&str],
) -> Value {
    let mut parameters: Vec<Value> = params
        .into_iter()
        .map(|(name, at, schema)| {
            json!({"name": name, "in": at, "required": at == "path", "schema": schema})
        })
        .collect();
    parameters.push(json!({"name": "lang", "in": "query", "required": false,
        "description": "the language of messages (zh, the default, or en)",
        "schema": {"type": "string", "enum": ["zh", "en"]}}));
    let mut responses = Map::new();
    responses.insert(
        ok.0.to_string(),
        json!({"description": "OK", "content": {"application/json": {"schema": reference(ok.1)}}}),
    );
    for status in errors {
        responses.insert(
            status.to_string(),
            json!({"$ref": "#/components/responses/Error"}),
        );
    }
    let mut o = json!({"summary": summary, "parameters": parameters, "responses": responses});
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": reference(schema)}}});
    }
    o
}

/// An operation open without a session (signing in).
fn without_session(mut op: Value) -> Value {
    op["security"] = json!([]);
    op
}

/// The whole document.
pub fn spec() -> Value {
    let no = || {
        path(
            "no",
            example(json!({"type": "string", "minLength": 1}), EXAMPLE_HOUSEHOLD),
        )
    };
    let this_year = crate::state::today().year();
    let year = || example(json!({"type": "integer", "format": "int32"}), this_year);
    let county = || example(region_code(), EXAMPLE_COUNTY);
    let limit = |default: i64, max: i64| {
        with_description(
            integer(),
            &format!("rows, {default} if not given; below 1 counts as 1, above {max} as {max}"),
        )
    };
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "守望 Shouwang API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "防返贫监测 registry API. Sign in with POST /api/v1/login; send the returned csrf as X-CSRF-Token on every write. ID numbers are masked; reveal one with the audited reveal call. Errors: {code, message (zh), message_en, errors[{code, field, zh, en}]} with the status the code has in docs/problem-codes.md (400 unreadable input, 401 not signed in, 403 not allowed, no CSRF token, or auth.password_change when the account must change its password first (on the page /password; only GET /api/v1/me answers meanwhile), 404 not found or outside your region, 405 a method the address does not take, 409 already registered or stale, 422 a broken rule, 429 too many failed sign-ins). A query parameter the call does not list, given twice, or whose value does not parse is refused with 400 query.invalid; an empty value means no filter."
        },
        "paths": {
            "/api/v1/login": {"post": without_session(op("Sign in; sets the session cookie and returns {csrf}", vec![], Some("Login"), ("200", "LoginAnswer"), LOGIN_ERRORS))},
            "/api/v1/me": {"get": op("The signed-in user and CSRF token", vec![], None, ("200", "Me"), READ_ERRORS)},
            "/api/v1/regions/{code}": {"get": op("A region with its children and counts", vec![path("code", county())], None, ("200", "Region"), READ_ERRORS)},
            "/api/v1/regions/{code}/households": {"get": op("Households under a region", vec![path("code", example(region_code(), EXAMPLE_VILLAGE)), query("offset", with_description(integer(), "rows to skip; below 0 counts as 0")), query("limit", limit(50, 500))], None, ("200", "HouseholdList"), READ_ERRORS)},
            "/api/v1/households": {"post": op("Create a household with its members", vec![], Some("HouseholdBody"), ("201", "HouseholdRecord"), WRITE_ERRORS)},
            "/api/v1/households/{no}": {
                "get": op("A household with its members (IDs masked)", vec![no()], None, ("200", "HouseholdRecord"), READ_ERRORS),
                "put": op("Replace a household's fields and members (send the version you read)", vec![no()], Some("HouseholdBody"), ("200", "HouseholdRecord"), WRITE_ERRORS)
            },
            "/api/v1/households/{no}/members/{idx}/reveal": {"post": op("Reveal one member's full ID number (audited)", vec![no(), path("idx", example(json!({"type": "integer", "minimum": 0}), 0))], None, ("200", "Reveal"), WRITE_ERRORS)},
            "/api/v1/search": {"get": op("Search by name (or its beginning), ID number or household number in your region", vec![query("q", example(string(), "张"))], None, ("200", "Search"), READ_ERRORS)},
            "/api/v1/warnings": {"get": op("Warnings of the latest screening runs, with evidence", vec![
                query("region", with_description(county(), "your own region if not given")),
                query("level", level()),
                query("risk", serialised(RiskType::ALL)),
                query("rule", rule()),
                query("min_age_days", with_description(integer(), "only warnings open at least this many days")),
                query("limit", limit(500, 5000)),
            ], None, ("200", "Warnings"), READ_ERRORS)},
            "/api/v1/households/{no}/warnings": {"get": op("A household's warnings with evidence, and its leads", vec![no()], None, ("200", "HouseholdWarnings"), READ_ERRORS)},
            "/api/v1/standards": {"get": op("Standards applying to a region and the one in force for a year", vec![
                query("region", with_description(county(), "your own region if not given")),
                query("year", with_description(year(), "this year if not given")),
            ], None, ("200", "Standards"), READ_ERRORS)},
            "/api/v1/calendar": {
                "get": op("The working calendar of a region for a year: public holidays and make-up working days, its own and those of the regions above it", vec![
                    query("region", with_description(county(), "your own region if not given")),
                    query("year", with_description(year(), "this year if not given")),
                ], None, ("200", "Calendar"), READ_ERRORS),
                "put": op("Replace the days a province, city or county holds for a year (county officers and admins, audited); a date twice or outside the year is refused, nothing written", vec![
                    query("region", with_description(county(), "your own region if not given")),
                    query("year", with_description(year(), "this year if not given")),
                ], Some("CalendarInput"), ("200", "Calendar"), WRITE_ERRORS)
            },
            "/api/v1/standards/{region}/{year}": {"put": op("Set a region's standard for a year (county officers and admins, audited); money in 分", vec![path("region", county()), path("year", year())], Some("StandardInput"), ("200", "Saved"), WRITE_ERRORS)}
        },
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sw_session"}},
            "responses": {"Error": {"description": "Error, in the one shape of docs/problem-codes.md", "content": {"application/json": {"schema": reference("Error")}}}},
            "schemas": schemas()
        },
        "security": [{"session": []}]
    });
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.extend(procedure::paths());
        paths.extend(assistance::paths());
        paths.extend(visits::paths());
        paths.extend(elimination::paths());
        paths.extend(tasks::paths());
        paths.extend(dept::paths());
        paths.extend(dept_push::paths());
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.extend(elimination::schemas());
        schemas.extend(dept::schemas());
        schemas.extend(dept_push::schemas());
    }
    if let Some(schemes) = doc["components"]["securitySchemes"].as_object_mut() {
        let (name, scheme) = dept_push::security_scheme();
        schemes.insert(name, scheme);
    }
    doc
}

pub async fn document(_: super::query::ApiQuery<super::query::NoParams>) -> Json<Value> {
    Json(spec())
}

// ------------------------------------------------------------------ 识别认定

/// The parts of the procedure as core records them. Fields that may be left out of a step sent
/// (an `Option`) are optional there; answers carry every field.
mod procedure {
    use super::*;
    use shouwang_core::identification::{AppraisalResult, Purpose, Stage, StepKind};
    use shouwang_core::lead::{LeadSource, LeadStatus};
    use shouwang_core::monitoring::EliminationKind;
    use shouwang_core::monitoring::{CaseStatus, CaseType};

    fn record(fields: Vec<Field>) -> Value {
        object(fields, true)
    }

    fn risks() -> Value {
        with_description(
            json!({"type": "array", "minItems": 1, "maxItems": 5, "items": serialised(RiskType::ALL)}),
            "one to five risk types, no repeats",
        )
    }

    fn any_risks() -> Value {
        array(serialised(RiskType::ALL))
    }

    fn level() -> Value {
        serialised(WarningLevel::ALL)
    }

    fn stage() -> Value {
        serialised(Stage::ALL)
    }

    fn inclusion() -> Value {
        record(vec![
            Field("case_type", serialised(CaseType::ALL), REQUIRED),
            Field("risks", risks(), REQUIRED),
            Field("level", level(), REQUIRED),
        ])
    }

    fn verification_fields() -> Vec<Field> {
        vec![
            Field(
                "on",
                with_description(date(), "the day of the home visit"),
                REQUIRED,
            ),
            Field(
                "authorised_on",
                with_description(
                    nullable(date()),
                    "the date of the household's signed 授权承诺书; required to verify",
                ),
                OPTIONAL,
            ),
            Field(
                "members",
                json!({"type": "integer", "minimum": 1}),
                REQUIRED,
            ),
            Field(
                "income_12m",
                with_description(integer(), "近12个月家庭纯收入, 分"),
                REQUIRED,
            ),
            Field("compulsory_education_secure", boolean(), REQUIRED),
            Field("basic_medical_secure", boolean(), REQUIRED),
            Field("housing_secure", boolean(), REQUIRED),
            Field("drinking_water_secure", boolean(), REQUIRED),
            Field(
                "assets",
                record(vec![
                    Field(
                        "vehicles",
                        json!({"type": "integer", "minimum": 0}),
                        REQUIRED,
                    ),
                    Field("commercial_housing", boolean(), REQUIRED),
                    Field("registered_business", boolean(), REQUIRED),
                    Field("public_payroll", boolean(), REQUIRED),
                ]),
                REQUIRED,
            ),
            Field("findings", string(), REQUIRED),
        ]
    }

    fn appraisal_fields() -> Vec<Field> {
        vec![
            Field("on", date(), REQUIRED),
            Field("participants", string(), REQUIRED),
            Field("result", serialised(AppraisalResult::ALL), REQUIRED),
            Field("minutes", string(), REQUIRED),
            Field(
                "proposal",
                with_description(
                    nullable(inclusion()),
                    "the proposed type, risks and level; required to agree",
                ),
                OPTIONAL,
            ),
            Field(
                "elimination",
                with_description(
                    nullable(serialised(EliminationKind::ALL)),
                    "风险消除方式 proposed; required to agree in an elimination procedure",
                ),
                OPTIONAL,
            ),
        ]
    }

    fn notice_fields() -> Vec<Field> {
        vec![
            Field("start", date(), REQUIRED),
            Field(
                "end",
                with_description(
                    date(),
                    "the last day; the notice lasts at least the standard's days",
                ),
                REQUIRED,
            ),
            Field(
                "contact",
                with_description(string(), "where and to whom to object"),
                REQUIRED,
            ),
        ]
    }

    fn review_fields() -> Vec<Field> {
        vec![
            Field("on", date(), REQUIRED),
            Field("opinion", string(), REQUIRED),
        ]
    }

    fn decision_fields() -> Vec<Field> {
        vec![
            Field("on", date(), REQUIRED),
            Field(
                "inclusion",
                with_description(nullable(inclusion()), "null for 不予纳入"),
                OPTIONAL,
            ),
            Field(
                "reason",
                with_description(string(), "required for 不予纳入"),
                REQUIRED,
            ),
            Field(
                "announcement",
                with_description(string(), "公告; required to include or to close"),
                REQUIRED,
            ),
            Field(
                "closure",
                with_description(
                    nullable(record(vec![
                        Field("kind", serialised(EliminationKind::ALL), REQUIRED),
                        Field("contact_name", with_description(string(), "监测联系人"), REQUIRED),
                        Field("contact_phone", with_description(string(), "an 11-digit mobile or a fixed line"), REQUIRED),
                    ])),
                    "an elimination procedure: the kind and contact to close the case (风险已消除), null for 不予消除",
                ),
                OPTIONAL,
            ),
        ]
    }

    fn green_channel_fields() -> Vec<Field> {
        vec![
            Field("on", date(), REQUIRED),
            Field("reason", string(), REQUIRED),
        ]
    }

    fn dated_text(text: &'static str) -> Vec<Field> {
        vec![
            Field("on", date(), REQUIRED),
            Field(text, string(), REQUIRED),
        ]
    }

    /// One step, by its `step` name.
    pub fn step() -> Value {
        let variant = |name: &'static str, fields: Vec<Field>| {
            let mut all = vec![Field("step", one_of([name]), REQUIRED)];
            all.extend(fields);
            record(all)
        };
        json!({
            "description": "one step of the procedure, named by `step`; core decides whether the user's role takes it at the current stage",
            "oneOf": [
                variant("verify", verification_fields()),
                variant("appraise", appraisal_fields()),
                variant("publish_notice", notice_fields()),
                variant("raise_objection", dated_text("content")),
                variant("handle_objection", {
                    let mut f = vec![Field("index", with_description(json!({"type": "integer", "minimum": 0}), "the objection's place in `objections`, from 0"), REQUIRED)];
                    f.extend(dated_text("text"));
                    f
                }),
                variant("submit", vec![Field("on", date(), REQUIRED)]),
                variant("township_approve", review_fields()),
                variant("decide", decision_fields()),
                variant("return", vec![
                    Field("on", date(), REQUIRED),
                    Field("to", with_description(stage(), "an earlier open stage, never the notice"), REQUIRED),
                    Field("reason", string(), REQUIRED),
                ]),
                variant("mark_green_channel", green_channel_fields()),
            ]
        })
    }

    /// The procedure as core holds it.
    fn identification() -> Value {
        let handling = record(dated_text("text"));
        let objection = record(vec![
            Field("on", date(), REQUIRED),
            Field("content", string(), REQUIRED),
            Field("handling", nullable(handling), REQUIRED),
        ]);
        answer(&[
            (
                "purpose",
                with_description(serialised(Purpose::ALL), "识别认定程序 or 风险消除程序"),
            ),
            ("stage", stage()),
            ("found_on", date()),
            ("due_on", date()),
            ("stage_since", date()),
            ("stage_due", date()),
            ("risks", any_risks()),
            ("green_channel", nullable(record(green_channel_fields()))),
            ("verification", nullable(record(verification_fields()))),
            ("appraisal", nullable(record(appraisal_fields()))),
            ("notice", nullable(record(notice_fields()))),
            ("objections", array(objection)),
            ("township_review", nullable(record(review_fields()))),
            ("decision", nullable(record(decision_fields()))),
            (
                "returned",
                with_description(
                    nullable(string()),
                    "why it was returned, while the stage returned to is open",
                ),
            ),
        ])
    }

    fn lead() -> Value {
        answer(&[
            ("id", integer()),
            ("household_no", string()),
            ("village", village_code()),
            ("head_name", string()),
            ("group", string()),
            ("risk", serialised(RiskType::ALL)),
            ("level", level()),
            ("rules", with_description(array(string()), "the rules of a screening lead: R01…")),
            ("source", serialised(LeadSource::ALL)),
            ("found_on", date()),
            ("due_on", date()),
            (
                "remaining_days",
                with_description(
                    nullable(integer()),
                    "days to the due date (negative when overdue); null once the lead is no longer open",
                ),
            ),
            ("overdue", boolean()),
            ("status", serialised(LeadStatus::ALL)),
            ("note", string()),
            ("created_by", string()),
            ("identification_id", nullable(integer())),
            ("merged_into", nullable(integer())),
            ("closed_reason", string()),
            ("closed_by", nullable(string())),
            (
                "overdue_since",
                with_description(nullable(date()), "the day the daily sweep found it overdue"),
            ),
        ])
    }

    fn procedure_fields() -> Vec<(&'static str, Value)> {
        let days = |text| with_description(nullable(integer()), text);
        vec![
            ("id", integer()),
            ("household_no", string()),
            ("village", village_code()),
            ("head_name", string()),
            ("group", string()),
            (
                "version",
                with_description(integer(), "send it back with the next step"),
            ),
            ("stage", stage()),
            (
                "owner",
                with_description(
                    nullable(one_of(["village", "township", "county"])),
                    "the role that acts at the current stage; null once ended",
                ),
            ),
            ("found_on", date()),
            ("due_on", date()),
            ("stage_since", date()),
            ("stage_due", date()),
            (
                "remaining_days",
                days("days to the overall due date, counted as the standard counts (negative when overdue); null once ended"),
            ),
            (
                "stage_remaining_days",
                days("days to the current stage's due date; null once ended"),
            ),
            (
                "urgency",
                nullable(one_of(["on_time", "due_soon", "overdue"])),
            ),
            ("green_channel", boolean()),
            ("case_id", nullable(integer())),
            ("created_by", string()),
            ("overdue_since", nullable(date())),
            ("procedure", reference("Identification")),
        ]
    }

    fn step_record() -> Value {
        let mut step = step();
        step["nullable"] = json!(true);
        step["description"] = json!("the step as sent; null for the opening");
        answer(&[
            ("kind", serialised(StepKind::ALL)),
            ("stage_before", stage()),
            ("stage_after", stage()),
            ("on", date()),
            ("actor", string()),
            ("actor_name", string()),
            ("role", one_of(Role::ALL.iter().map(|r| r.as_str()))),
            ("step", step),
            ("recorded_at", with_description(integer(), "Unix seconds")),
        ])
    }

    fn page(items: &'static str, of: &str) -> Value {
        answer(&[
            ("region", region_code()),
            ("total", integer()),
            ("page", integer()),
            ("per_page", integer()),
            (items, array(reference(of))),
        ])
    }

    pub fn schemas(put: &mut impl FnMut(&str, Value)) {
        put("Identification", identification());
        put("Step", step());
        put("StepRecord", step_record());
        put("LeadRecord", lead());
        put("LeadPage", page("leads", "LeadRecord"));
        put("Procedure", answer(&procedure_fields()));
        let mut detail = procedure_fields();
        detail.push(("steps", array(reference("StepRecord"))));
        detail.push(("leads", array(reference("LeadRecord"))));
        put("ProcedureDetail", answer(&detail));
        put("ProcedurePage", page("identifications", "Procedure"));
        let row = answer(&[
            ("head_name", string()),
            ("group", string()),
            (
                "case_type",
                with_description(
                    nullable(serialised(CaseType::ALL)),
                    "as the village proposed it",
                ),
            ),
            ("risks", any_risks()),
            ("start", nullable(date())),
            ("end", nullable(date())),
            ("contact", with_description(string(), "where to object")),
        ]);
        put(
            "Notice",
            answer(&[
                ("village", village_code()),
                ("village_name", string()),
                ("date", date()),
                (
                    "households",
                    with_description(
                        array(row),
                        "the households under notice on the date; never an ID number, phone, bank account or health detail",
                    ),
                ),
            ]),
        );
        put(
            "Case",
            answer(&[
                ("id", integer()),
                ("household_no", string()),
                ("village", village_code()),
                ("head_name", string()),
                ("case_type", serialised(CaseType::ALL)),
                ("risks", any_risks()),
                (
                    "level",
                    with_description(nullable(level()), "null for a case a ledger brought"),
                ),
                ("status", serialised(CaseStatus::ALL)),
                (
                    "identified",
                    with_description(
                        json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
                        "识别监测时间, YYYY-MM",
                    ),
                ),
                (
                    "identification_id",
                    with_description(
                        nullable(integer()),
                        "the procedure it came from; null for a case a ledger brought",
                    ),
                ),
            ]),
        );
        let manual: Vec<&str> = LeadSource::ALL
            .iter()
            .filter(|s| **s != LeadSource::Screening)
            .map(|s| s.label_zh())
            .collect();
        put(
            "RaiseLead",
            example(
                record(vec![
                    Field("household_no", string(), REQUIRED),
                    Field("risk", serialised(RiskType::ALL), REQUIRED),
                    Field("level", level(), REQUIRED),
                    Field(
                        "source",
                        with_description(
                            one_of(manual),
                            "a screening's leads come from the screening",
                        ),
                        REQUIRED,
                    ),
                    Field(
                        "note",
                        with_description(string(), "what was seen, two characters or more"),
                        REQUIRED,
                    ),
                ]),
                json!({"household_no": EXAMPLE_HOUSEHOLD, "risk": "因病", "level": "黄色预警",
                    "source": "干部排查", "note": "户主住院，自付费用较高"}),
            ),
        );
        put(
            "Dismiss",
            record(vec![Field(
                "reason",
                with_description(string(), "two characters or more"),
                REQUIRED,
            )]),
        );
        put(
            "Merge",
            record(vec![
                Field(
                    "into",
                    with_description(integer(), "a waiting lead of the same household"),
                    REQUIRED,
                ),
                Field("reason", string(), REQUIRED),
            ]),
        );
        put(
            "OpenProcedure",
            record(vec![Field(
                "leads",
                with_description(
                    json!({"type": "array", "minItems": 1, "items": integer()}),
                    "open leads of one household",
                ),
                REQUIRED,
            )]),
        );
        put(
            "GatherLeads",
            record(vec![
                Field("version", integer(), REQUIRED),
                Field("leads", array(integer()), REQUIRED),
            ]),
        );
        put(
            "TakeStep",
            example(
                record(vec![
                    Field(
                        "version",
                        with_description(integer(), "the version read"),
                        REQUIRED,
                    ),
                    Field("step", reference("Step"), REQUIRED),
                ]),
                json!({"version": 1, "step": {"step": "submit", "on": "2026-11-17"}}),
            ),
        );
    }

    pub fn paths() -> Map<String, Value> {
        let labelled = |v: Value| {
            with_description(
                v,
                "the Chinese label; the English label or the stored number are read too",
            )
        };
        let overdue = || {
            query(
                "overdue",
                with_description(
                    one_of(["1", "0", "true", "false"]),
                    "1: only what is past its due date",
                ),
            )
        };
        let mut lead_params = vec![
            region_param(),
            query(
                "status",
                labelled(with_description(
                    serialised(LeadStatus::ALL),
                    "the waiting leads (待核实 and 识别中) if not given",
                )),
            ),
            query("source", labelled(serialised(LeadSource::ALL))),
            query("risk", labelled(serialised(RiskType::ALL))),
            overdue(),
        ];
        lead_params.extend(paging());
        let mut procedure_params = vec![
            region_param(),
            query(
                "stage",
                labelled(with_description(
                    serialised(Stage::ALL),
                    "every open stage if not given",
                )),
            ),
            overdue(),
        ];
        procedure_params.extend(paging());
        let mut p = Map::new();
        let mut put = |path: &str, ops: Value| {
            p.insert(path.to_string(), ops);
        };
        put(
            "/api/v1/leads",
            json!({
                "get": op("Leads (风险线索) of a region, soonest due first, with the total", lead_params, None, ("200", "LeadPage"), READ_ERRORS),
                "post": op("Raise a lead by hand (a cadre's check, the 12317 hotline, a department, the household); due by the warning scheme's days for its level", vec![], Some("RaiseLead"), ("201", "LeadRecord"), WRITE_ERRORS),
            }),
        );
        put(
            "/api/v1/leads/{id}",
            json!({
                "get": op("One lead", vec![id_param()], None, ("200", "LeadRecord"), READ_ERRORS),
            }),
        );
        put(
            "/api/v1/leads/{id}/dismiss",
            json!({
                "post": op("Dismiss an open lead with a reason (kept and audited)", vec![id_param()], Some("Dismiss"), ("200", "LeadRecord"), WRITE_ERRORS),
            }),
        );
        put(
            "/api/v1/leads/{id}/merge",
            json!({
                "post": op("Merge an open lead into another waiting lead of the same household", vec![id_param()], Some("Merge"), ("200", "LeadRecord"), WRITE_ERRORS),
            }),
        );
        put(
            "/api/v1/identifications",
            json!({
                "get": op("Identification procedures (识别认定) of a region, the current stage soonest due first", procedure_params, None, ("200", "ProcedurePage"), READ_ERRORS),
                "post": op("Open the procedure of a household on some of its open leads; the clock runs from the earliest", vec![], Some("OpenProcedure"), ("201", "ProcedureDetail"), WRITE_ERRORS),
            }),
        );
        put(
            "/api/v1/identifications/{id}",
            json!({
                "get": op("A procedure with its steps, its leads and the days left", vec![id_param()], None, ("200", "ProcedureDetail"), READ_ERRORS),
            }),
        );
        put(
            "/api/v1/identifications/{id}/leads",
            json!({
                "post": op("Gather more open leads of the household into its open procedure (send the version read)", vec![id_param()], Some("GatherLeads"), ("200", "ProcedureDetail"), WRITE_ERRORS),
            }),
        );
        put(
            "/api/v1/identifications/{id}/steps",
            json!({
                "post": op("Take one step (send the version read): 409 stale when someone acted first, 403 identification.wrong_role when the step is another role's, 422 with the problems", vec![id_param()], Some("TakeStep"), ("200", "ProcedureDetail"), WRITE_ERRORS),
            }),
        );
        put(
            "/api/v1/villages/{code}/notice",
            json!({
                "get": op("The village's public notice (公示) on a day: names, groups, types, risks, dates and where to object; no personal identifier", vec![
                    path("code", example(village_code(), EXAMPLE_VILLAGE)),
                    query("date", with_description(date(), "today if not given")),
                ], None, ("200", "Notice"), READ_ERRORS),
            }),
        );
        put(
            "/api/v1/cases/{id}",
            json!({
                "get": op("A monitoring case (防止返贫致贫对象): type, risks, level, status, the month identified and its procedure", vec![id_param()], None, ("200", "Case"), READ_ERRORS),
            }),
        );
        p
    }
}

// ------------------------------------------------------------------ 精准帮扶

/// 一户一策: the plan of a case, its measures, and the assistance flags of a region.
mod assistance {
    use super::*;
    use shouwang_core::assistance::flags::FlagKind;
    use shouwang_core::assistance::{MeasureCategory, MeasureState};
    use shouwang_core::monitoring::CaseStatus;

    fn measure_input() -> Value {
        example(
            object(
                vec![
                    Field("category", serialised(MeasureCategory::ALL), REQUIRED),
                    Field(
                        "content",
                        with_description(string(), "帮扶内容, at most 500 characters"),
                        REQUIRED,
                    ),
                    Field("risk", nullable(serialised(RiskType::ALL)), OPTIONAL),
                    Field("start", date(), REQUIRED),
                    Field(
                        "end",
                        with_description(nullable(date()), "planned end, not before the start"),
                        OPTIONAL,
                    ),
                    Field(
                        "amount",
                        with_description(
                            nullable(integer()),
                            "分; 0 to 50,000,000 (500,000 元)",
                        ),
                        OPTIONAL,
                    ),
                    Field("unit", string(), OPTIONAL),
                    Field("responsible", string(), OPTIONAL),
                    Field(
                        "state",
                        with_description(
                            nullable(serialised(MeasureState::ALL)),
                            "计划实施 if not given; 计划实施 → 已落实 → 已结束, an ended measure stays ended",
                        ),
                        OPTIONAL,
                    ),
                    Field(
                        "ended_on",
                        with_description(
                            nullable(date()),
                            "the day it ended: required with 已结束, not before the start nor after today",
                        ),
                        OPTIONAL,
                    ),
                    Field(
                        "version",
                        with_description(integer(), "the plan's version as read (0 before any plan)"),
                        REQUIRED,
                    ),
                ],
                true,
            ),
            json!({"category": "产业帮扶", "content": "发放产业奖补资金用于养殖肉牛3头", "risk": "因病",
                "start": "2026-03-01", "end": "2026-12-31", "amount": 600000, "unit": "乡农业服务中心",
                "responsible": "李四", "state": "计划实施", "version": 0}),
        )
    }

    pub fn schemas(put: &mut impl FnMut(&str, Value)) {
        put(
            "Measure",
            answer(&[
                ("id", integer()),
                ("category", serialised(MeasureCategory::ALL)),
                (
                    "development",
                    with_description(boolean(), "产业, 就业, 金融 or 公益岗位"),
                ),
                ("content", string()),
                ("risk", nullable(serialised(RiskType::ALL))),
                ("start", date()),
                ("end", nullable(date())),
                ("amount", with_description(nullable(integer()), "分")),
                ("unit", string()),
                ("responsible", string()),
                ("state", serialised(MeasureState::ALL)),
                ("ended_on", nullable(date())),
                (
                    "runs_past_elimination",
                    with_description(
                        nullable(string()),
                        "why it keeps running after the risk is eliminated, when policy says so",
                    ),
                ),
                ("version", integer()),
            ]),
        );
        put(
            "AssistancePlan",
            answer(&[
                ("case_id", integer()),
                ("household_no", string()),
                ("village", village_code()),
                ("head_name", string()),
                ("status", serialised(CaseStatus::ALL)),
                (
                    "under_assistance",
                    with_description(boolean(), "风险未消除: measures may be added and changed"),
                ),
                ("identified_on", date()),
                (
                    "measures_due",
                    with_description(
                        date(),
                        "the identification day plus the standard's measures_days",
                    ),
                ),
                ("summary", string()),
                (
                    "version",
                    with_description(integer(), "send it with the next write; 0 before any plan"),
                ),
                ("measures", array(reference("Measure"))),
            ]),
        );
        put(
            "PlanInput",
            example(
                object(
                    vec![
                        Field(
                            "summary",
                            with_description(string(), "帮扶思路, at most 2,000 characters"),
                            REQUIRED,
                        ),
                        Field("version", integer(), REQUIRED),
                    ],
                    true,
                ),
                json!({"summary": "发展肉牛养殖，稳定务工", "version": 0}),
            ),
        );
        put("MeasureInput", measure_input());
        let flagged = answer(&[
            ("case_id", nullable(integer())),
            (
                "identification_id",
                with_description(nullable(integer()), "the green-channel procedure"),
            ),
            ("household_no", string()),
            ("head_name", string()),
            ("village", village_code()),
            ("group", string()),
            (
                "since_on",
                with_description(
                    date(),
                    "the identification day, or the day the procedure opened",
                ),
            ),
            (
                "elapsed",
                with_description(integer(), "days (kinds 1 and 3) or months (kind 2) since"),
            ),
            ("limit", with_description(integer(), "in the same unit")),
            ("zh", string()),
            ("en", string()),
        ]);
        put(
            "AssistanceFlags",
            answer(&[
                ("region", region_code()),
                (
                    "kind",
                    json!({"type": "integer", "format": "int64", "enum": FlagKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>()}),
                ),
                ("measures_days", integer()),
                ("development_months", integer()),
                (
                    "counts",
                    answer(&[
                        ("no_measure", integer()),
                        ("no_development", integer()),
                        ("green_channel", integer()),
                    ]),
                ),
                ("total", integer()),
                ("page", integer()),
                ("per_page", integer()),
                ("households", array(flagged)),
            ]),
        );
    }

    pub fn paths() -> Map<String, Value> {
        let mut p = Map::new();
        p.insert(
            "/api/v1/cases/{id}/plan".into(),
            json!({
                "get": op("The plan of a case (一户一策) with its measures and the version to send with a write", vec![id_param()], None, ("200", "AssistancePlan"), READ_ERRORS),
                "put": op("Save the plan in words (send the version read): 409 stale when someone wrote first, 409 measure.case_closed when the case is not under assistance", vec![id_param()], Some("PlanInput"), ("200", "AssistancePlan"), WRITE_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/cases/{id}/measures".into(),
            json!({
                "post": op("Add a measure to the plan (send the plan's version read); refused 422 measure.dates or measure.amount, 409 measure.case_closed or stale, nothing written", vec![id_param()], Some("MeasureInput"), ("201", "AssistancePlan"), WRITE_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/measures/{id}".into(),
            json!({
                "put": op("Change a measure, or end it (state 已结束 with ended_on); 409 measure.state for a change its state does not allow", vec![id_param()], Some("MeasureInput"), ("200", "AssistancePlan"), WRITE_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/assistance/flags".into(),
            json!({
                "get": op("The assistance flags of a region: counts by kind and a page of the households tripping one, with the numbers behind each", [vec![
                    region_param(),
                    query("kind", with_description(one_of(["1", "2", "3"]), "1 no measure in time (the default), 2 labour capacity without a development measure, 3 green channel overdue; the Chinese or English label is read too")),
                ], paging()].concat(), None, ("200", "AssistanceFlags"), READ_ERRORS),
            }),
        );
        p
    }
}

// ------------------------------------------------------------------ 帮扶责任人 and 走访

/// Persons, pairings, visits and the visit duties.
mod visits {
    use super::*;
    use shouwang_core::codes::{Political, Sex};
    use shouwang_core::visit::Position;

    fn position() -> Value {
        serialised(Position::ALL)
    }

    fn person_input() -> Value {
        object(
            vec![
                Field(
                    "region",
                    with_description(
                        region_code(),
                        "the region whose county the person belongs to; your own if not given",
                    ),
                    OPTIONAL,
                ),
                Field(
                    "position",
                    with_description(
                        one_of([
                            Position::AssistancePerson.label_zh(),
                            Position::FamilyDoctor.label_zh(),
                        ]),
                        "帮扶责任人 or 家庭签约医生",
                    ),
                    REQUIRED,
                ),
                Field("name", string(), REQUIRED),
                Field("sex", nullable(serialised(Sex::ALL)), OPTIONAL),
                Field("political", nullable(serialised(Political::ALL)), OPTIONAL),
                Field(
                    "unit",
                    with_description(string(), "帮扶(选派)单位名称"),
                    OPTIONAL,
                ),
                Field("phone", string(), OPTIONAL),
            ],
            true,
        )
    }

    pub fn schemas(put: &mut impl FnMut(&str, Value)) {
        put(
            "AssistancePerson",
            answer(&[
                ("id", integer()),
                ("county", region_code()),
                ("position", position()),
                ("name", string()),
                ("sex", nullable(serialised(Sex::ALL))),
                ("political", nullable(serialised(Political::ALL))),
                ("unit", string()),
                ("phone", string()),
                (
                    "username",
                    with_description(
                        nullable(string()),
                        "the user account, when the person signs in",
                    ),
                ),
                (
                    "households",
                    with_description(integer(), "households paired today"),
                ),
            ]),
        );
        put(
            "AssistancePersons",
            answer(&[
                ("region", region_code()),
                ("persons", array(reference("AssistancePerson"))),
            ]),
        );
        put(
            "PersonInput",
            example(
                person_input(),
                json!({"position": "帮扶责任人", "name": "陈明", "unit": "县农业农村局", "phone": "13800000001"}),
            ),
        );
        put(
            "Pairing",
            answer(&[
                ("id", integer()),
                ("person_id", integer()),
                ("person_name", string()),
                ("position", position()),
                ("household_no", string()),
                ("village", village_code()),
                ("head_name", string()),
                ("start", date()),
                (
                    "end",
                    with_description(nullable(date()), "null while it lasts"),
                ),
                ("end_reason", string()),
            ]),
        );
        put(
            "PairingInput",
            example(
                object(
                    vec![
                        Field("person_id", integer(), REQUIRED),
                        Field("household_no", string(), REQUIRED),
                        Field("start", date(), REQUIRED),
                        Field("end", nullable(date()), OPTIONAL),
                    ],
                    true,
                ),
                json!({"person_id": 1, "household_no": EXAMPLE_HOUSEHOLD, "start": "2026-01-01"}),
            ),
        );
        put(
            "PairingEnd",
            example(
                object(
                    vec![
                        Field(
                            "end",
                            with_description(date(), "not before the start"),
                            REQUIRED,
                        ),
                        Field("reason", string(), OPTIONAL),
                    ],
                    true,
                ),
                json!({"end": "2026-06-30", "reason": "工作调动"}),
            ),
        );
        put(
            "VisitRecord",
            answer(&[
                ("id", integer()),
                ("household_no", string()),
                ("village", village_code()),
                ("head_name", string()),
                ("on", date()),
                ("visitor", string()),
                ("visitor_name", string()),
                ("position", position()),
                ("person_id", nullable(integer())),
                ("findings", string()),
                ("follow_up", string()),
                (
                    "lead_id",
                    with_description(nullable(integer()), "the lead the visit raised"),
                ),
            ]),
        );
        put(
            "VisitInput",
            example(
                object(
                    vec![
                        Field("household_no", string(), REQUIRED),
                        Field("on", with_description(date(), "not after today"), REQUIRED),
                        Field("position", with_description(position(), "a position you hold that covers the household; 村干部 for village users"), REQUIRED),
                        Field("findings", string(), REQUIRED),
                        Field("follow_up", string(), OPTIONAL),
                        Field("risk", with_description(nullable(serialised(RiskType::ALL)), "raises a 干部排查 lead with lead_note"), OPTIONAL),
                        Field("lead_note", string(), OPTIONAL),
                    ],
                    true,
                ),
                json!({"household_no": EXAMPLE_HOUSEHOLD, "on": "2026-06-01", "position": "村干部", "findings": "户主身体恢复，已外出务工"}),
            ),
        );
        put(
            "Visits",
            answer(&[
                ("household_no", string()),
                ("visits", array(reference("VisitRecord"))),
            ]),
        );
        let period = answer(&[("position", position()), ("start", date()), ("end", date())]);
        let counts = |first: Vec<(&'static str, Value)>| {
            let mut f = first;
            f.extend([
                ("due", with_description(integer(), "duties this period")),
                (
                    "done",
                    with_description(integer(), "met by a visit this period"),
                ),
                (
                    "overdue",
                    with_description(integer(), "no visit in the last completed period"),
                ),
            ]);
            answer(&f)
        };
        put(
            "VisitDuties",
            answer(&[
                ("region", region_code()),
                ("on", date()),
                ("periods", array(period)),
                (
                    "villages",
                    array(counts(vec![
                        ("village", village_code()),
                        ("village_name", string()),
                        ("position", position()),
                    ])),
                ),
                (
                    "holders",
                    array(counts(vec![
                        ("position", position()),
                        ("person_id", nullable(integer())),
                        ("username", nullable(string())),
                        ("region", nullable(string())),
                        ("name", string()),
                    ])),
                ),
            ]),
        );
    }

    pub fn paths() -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(
            "/api/v1/assistance/persons".into(),
            json!({
                "get": op("Assistance persons and family doctors (帮扶责任人, 家庭签约医生) of a region's county, with the households paired today", vec![region_param(), query("q", with_description(string(), "a part of the name, unit or phone"))], None, ("200", "AssistancePersons"), READ_ERRORS),
                "post": op("Register a person (audited)", vec![], Some("PersonInput"), ("201", "AssistancePerson"), WRITE_ERRORS),
            }),
        );
        m.insert(
            "/api/v1/assistance/persons/{id}".into(),
            json!({"put": op("Replace a person's fields (audited)", vec![id_param()], Some("PersonInput"), ("200", "AssistancePerson"), WRITE_ERRORS)}),
        );
        m.insert(
            "/api/v1/assistance/pairings".into(),
            json!({"post": op("Pair a person with a household from a day; refused when it ends before it starts or overlaps another pairing of the same person and household", vec![], Some("PairingInput"), ("201", "Pairing"), WRITE_ERRORS)}),
        );
        m.insert(
            "/api/v1/assistance/pairings/{id}/end".into(),
            json!({"post": op("End an open pairing on a day (kept in the history)", vec![id_param()], Some("PairingEnd"), ("200", "Pairing"), WRITE_ERRORS)}),
        );
        m.insert(
            "/api/v1/visits".into(),
            json!({
                "get": op("A household's visits (走访), newest first", vec![query("household", example(string(), EXAMPLE_HOUSEHOLD))], None, ("200", "Visits"), READ_ERRORS),
                "post": op("Record a visit; refused when dated in the future, for a position not held, or by a 帮扶责任人/家庭签约医生 not paired with the household that day; with risk and lead_note it also raises a lead", vec![], Some("VisitInput"), ("201", "VisitRecord"), WRITE_ERRORS),
            }),
        );
        m.insert(
            "/api/v1/visits/duties".into(),
            json!({"get": op("Visit duties of a region this period per village and position and per holder: due, done, overdue", vec![region_param()], None, ("200", "VisitDuties"), READ_ERRORS)}),
        );
        m
    }
}

// ------------------------------------------------------------------ 风险消除

/// The elimination calls: a case's conditions, opening its procedure, 兜底保障, 风险再标注, and
/// the cases of a region that could be closed now.
mod elimination {
    use super::*;
    use shouwang_core::elimination::{ConditionId, Verdict};
    use shouwang_core::monitoring::{CaseStatus, EliminationKind};

    fn record(fields: Vec<Field>) -> Value {
        object(fields, true)
    }

    pub fn schemas() -> Map<String, Value> {
        let condition = answer(&[
            ("id", serialised(ConditionId::ALL)),
            ("met", boolean()),
            ("zh", string()),
            ("en", string()),
        ]);
        let check = answer(&[
            ("case_id", integer()),
            ("household_no", string()),
            ("village", village_code()),
            ("head_name", string()),
            ("status", serialised(CaseStatus::ALL)),
            ("version", integer()),
            (
                "safety_net",
                with_description(boolean(), "marked 兜底保障 (整户无劳动能力)"),
            ),
            ("identified_on", date()),
            ("on", date()),
            ("verdict", serialised(Verdict::ALL)),
            ("without_labour", boolean()),
            ("closable_as", array(serialised(EliminationKind::ALL))),
            (
                "per_capita",
                with_description(nullable(integer()), "人均纯收入, 分"),
            ),
            ("line", with_description(integer(), "监测线, 分")),
            ("conditions", array(condition)),
        ]);
        let closed = answer(&[
            ("case_id", integer()),
            ("household_no", string()),
            ("status", serialised(CaseStatus::ALL)),
            ("version", integer()),
            ("safety_net", boolean()),
            ("kind", nullable(serialised(EliminationKind::ALL))),
            ("eliminated_on", nullable(date())),
            ("contact_name", string()),
            ("contact_phone", string()),
            (
                "snapshot",
                with_description(
                    json!({"type": "object", "nullable": true}),
                    "the incomes and conditions on the day it closed",
                ),
            ),
            (
                "procedures",
                array(answer(&[
                    ("id", integer()),
                    (
                        "stage",
                        serialised(shouwang_core::identification::Stage::ALL),
                    ),
                ])),
            ),
            ("reflags", array(integer())),
            (
                "check",
                with_description(
                    array(reference("EliminationCheck")),
                    "the conditions today: one entry while the case is open, none once closed",
                ),
            ),
        ]);
        let candidates = answer(&[
            ("region", region_code()),
            ("on", date()),
            ("open", integer()),
            ("closable", integer()),
            ("not_yet", integer()),
            ("safety_net", integer()),
            ("page", integer()),
            ("per_page", integer()),
            ("cases", array(reference("EliminationCheck"))),
        ]);
        let mut m = Map::new();
        m.insert("EliminationCheck".into(), check);
        m.insert("CaseElimination".into(), closed);
        m.insert("EliminationCandidates".into(), candidates);
        m.insert(
            "OpenElimination".into(),
            example(
                record(vec![
                    Field("kind", with_description(serialised(EliminationKind::ALL), "帮扶消除 if not given"), OPTIONAL),
                    Field("on", with_description(date(), "the day the procedure started: today if not given, at most 30 days back"), OPTIONAL),
                ]),
                json!({"kind": "帮扶消除"}),
            ),
        );
        m.insert(
            "SafetyNet".into(),
            example(
                record(vec![Field(
                    "version",
                    with_description(integer(), "the case's version read"),
                    REQUIRED,
                )]),
                json!({"version": 1}),
            ),
        );
        m.insert(
            "Reflag".into(),
            example(
                record(vec![
                    Field("risk", serialised(RiskType::ALL), REQUIRED),
                    Field(
                        "level",
                        with_description(serialised(WarningLevel::ALL), "yellow if not given"),
                        OPTIONAL,
                    ),
                    Field(
                        "note",
                        with_description(string(), "what was seen, two characters or more"),
                        REQUIRED,
                    ),
                ]),
                json!({"risk": "因意外事故", "note": "户主车祸住院"}),
            ),
        );
        m
    }

    pub fn paths() -> Map<String, Value> {
        let mut p = Map::new();
        p.insert(
            "/api/v1/cases/{id}/elimination".into(),
            json!({
                "get": op("A case's elimination: the conditions one by one with their numbers while it is open, what it keeps once closed", vec![id_param()], None, ("200", "CaseElimination"), READ_ERRORS),
                "post": op("Open the case's elimination procedure (风险消除程序); 422 elimination.conditions naming each failed condition, or elimination.without_labour. The steps are those of /api/v1/identifications/{id}/steps", vec![id_param()], Some("OpenElimination"), ("201", "ProcedureDetail"), WRITE_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/cases/{id}/safety-net".into(),
            json!({
                "post": op("Mark an open case 兜底保障 when no member of the household can work (send the case's version)", vec![id_param()], Some("SafetyNet"), ("200", "CaseElimination"), WRITE_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/cases/{id}/reflag".into(),
            json!({
                "post": op("风险再标注: a lead on a closed case's household and a new identification procedure naming the case", vec![id_param()], Some("Reflag"), ("201", "ProcedureDetail"), WRITE_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/elimination/candidates".into(),
            json!({
                "get": op("可消除风险: the open cases of a region whose conditions hold today, with the counts", [vec![
                    region_param(),
                ], paging()].concat(), None, ("200", "EliminationCandidates"), READ_ERRORS),
            }),
        );
        p
    }
}

// ------------------------------------------------------------------ 工作提示单

/// The monthly task list of a village and its generation.
mod tasks {
    use super::*;
    use shouwang_core::task_list::TaskKind;

    fn month() -> Value {
        example(
            json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
            "2026-12",
        )
    }

    pub fn schemas(put: &mut impl FnMut(&str, Value)) {
        let item = answer(&[
            ("kind", serialised(TaskKind::ALL)),
            ("kind_code", integer()),
            ("household_no", string()),
            ("head_name", string()),
            (
                "due",
                with_description(date(), "before the month's first day: overdue"),
            ),
            ("overdue", boolean()),
            (
                "who",
                with_description(
                    string(),
                    "who acts: a role or position, and a paired person's name",
                ),
            ),
            ("who_en", string()),
            (
                "text",
                with_description(string(), "what to do, with its numbers"),
            ),
            ("text_en", string()),
            ("link", with_description(string(), "the page to act on")),
        ]);
        put(
            "TaskList",
            answer(&[
                ("village", village_code()),
                ("village_name", string()),
                ("month", month()),
                (
                    "saved",
                    with_description(
                        boolean(),
                        "false: not generated yet, computed from the data now",
                    ),
                ),
                ("generated_by", nullable(string())),
                (
                    "generated_at",
                    with_description(nullable(integer()), "unix seconds"),
                ),
                ("overdue", integer()),
                (
                    "items",
                    with_description(array(item), "by due day, then kind"),
                ),
            ]),
        );
        put(
            "GenerateTasks",
            object(
                vec![
                    Field(
                        "region",
                        with_description(
                            example(region_code(), EXAMPLE_VILLAGE),
                            "a village, township or county: every village in it",
                        ),
                        REQUIRED,
                    ),
                    Field(
                        "month",
                        with_description(month(), "this month if not given"),
                        OPTIONAL,
                    ),
                ],
                true,
            ),
        );
        put(
            "TasksGenerated",
            answer(&[
                ("region", region_code()),
                ("month", month()),
                ("villages", integer()),
                ("items", integer()),
                ("overdue", integer()),
            ]),
        );
    }

    pub fn paths() -> Map<String, Value> {
        let mut p = Map::new();
        p.insert(
            "/api/v1/tasks".into(),
            json!({
                "get": op("A village's monthly task list (工作提示单): steps, leads, measures, visits and eliminations due that month or overdue", vec![
                    query("village", with_description(example(village_code(), EXAMPLE_VILLAGE), "a village; your own region if not given")),
                    query("month", with_description(month(), "this month if not given")),
                ], None, ("200", "TaskList"), READ_ERRORS),
            }),
        );
        p.insert(
            "/api/v1/tasks/generate".into(),
            json!({
                "post": op("Generate (again) and save the task lists of a village, or of every village of a township or county (audited as one event)", vec![], Some("GenerateTasks"), ("200", "TasksGenerated"), WRITE_ERRORS),
            }),
        );
        p
    }
}

// ------------------------------------------------------------------ 部门数据 (issue 15, PAGES)

/// The department data a user reads: batches, alerts, the unmatched queue.
pub(super) mod dept {
    use super::*;
    use shouwang_core::department::alert::DeptRule;
    use shouwang_core::department::{
        AlertStatus, BatchChannel, BatchStatus, DeptKind, QueueStatus, UnmatchedReason,
    };
    use shouwang_core::monitoring::RiskType;

    fn kind() -> Value {
        one_of(DeptKind::ALL.iter().map(|k| k.slug()))
    }

    fn paged(key: &'static str, row: Value) -> Value {
        answer(&[
            ("total", integer()),
            ("page", integer()),
            ("per_page", integer()),
            (key, array(row)),
        ])
    }

    pub fn schemas() -> Map<String, Value> {
        let batch = answer(&[
            ("id", integer()),
            ("county", region_code()),
            (
                "region",
                with_description(string(), "the region the batch covers"),
            ),
            ("kind", kind()),
            ("kind_name", string()),
            (
                "channel",
                one_of(
                    BatchChannel::ALL
                        .iter()
                        .map(|c| crate::api::dept::channel_name(*c)),
                ),
            ),
            ("file_name", string()),
            ("sha256", string()),
            ("client_batch_id", nullable(string())),
            ("period", nullable(string())),
            ("rows", integer()),
            ("matched", integer()),
            ("unmatched", integer()),
            ("invalid", integer()),
            ("alerts", integer()),
            ("leads", integer()),
            (
                "status",
                one_of(
                    BatchStatus::ALL
                        .iter()
                        .map(|s| crate::api::dept::batch_status_name(*s)),
                ),
            ),
            ("created_by", string()),
            ("created_at", with_description(integer(), "unix seconds")),
            ("rolled_back_by", nullable(string())),
            ("rolled_back_at", nullable(integer())),
            ("rollback_reason", nullable(string())),
        ]);
        let alert = answer(&[
            ("id", integer()),
            ("batch_id", integer()),
            ("kind", kind()),
            ("rule", one_of(DeptRule::ALL.iter().map(|r| r.code()))),
            ("rule_name", string()),
            ("rule_name_en", string()),
            ("household_no", string()),
            ("village", village_code()),
            ("person_name", string()),
            ("id_number", with_description(string(), "masked")),
            ("level", level()),
            ("risk", serialised(RiskType::ALL)),
            ("year", integer()),
            ("on_date", nullable(date())),
            ("amount", with_description(nullable(integer()), "分")),
            ("threshold", with_description(nullable(integer()), "分")),
            ("evidence", string()),
            ("evidence_en", string()),
            ("lead_id", nullable(integer())),
            (
                "status",
                one_of(
                    AlertStatus::ALL
                        .iter()
                        .map(|s| crate::api::dept::alert_status_name(*s)),
                ),
            ),
            ("created_at", with_description(integer(), "unix seconds")),
        ]);
        let unmatched = answer(&[
            ("id", integer()),
            ("batch_id", integer()),
            ("kind", kind()),
            ("row_no", integer()),
            (
                "reason",
                one_of(
                    UnmatchedReason::ALL
                        .iter()
                        .map(|r| crate::api::dept::reason_name(*r)),
                ),
            ),
            ("field", string()),
            ("message", string()),
            ("message_en", string()),
            (
                "id_number",
                with_description(string(), "masked, as the row gave it"),
            ),
            ("name", string()),
            (
                "status",
                one_of(
                    QueueStatus::ALL
                        .iter()
                        .map(|s| crate::api::dept::queue_name(*s)),
                ),
            ),
            ("household_no", nullable(string())),
            ("note", nullable(string())),
        ]);
        let mut m = Map::new();
        m.insert("DeptBatches".into(), paged("batches", batch.clone()));
        m.insert("DeptBatch".into(), batch);
        m.insert("DeptAlerts".into(), paged("alerts", alert));
        m.insert("DeptUnmatched".into(), paged("rows", unmatched));
        m
    }

    pub fn paths() -> Map<String, Value> {
        let kind_q = || {
            query(
                "kind",
                with_description(kind(), "a department user: its own kind only"),
            )
        };
        let batch_q = || query("batch", with_description(integer(), "one batch's"));
        let mut p = Map::new();
        p.insert(
            "/api/v1/dept/batches".into(),
            json!({"get": op("部门数据批次: the batches of your region, newest first, with their counts", [vec![kind_q()], paging()].concat(), None, ("200", "DeptBatches"), READ_ERRORS)}),
        );
        p.insert(
            "/api/v1/dept/batches/{id}".into(),
            json!({"get": op("One department batch", vec![id_param()], None, ("200", "DeptBatch"), READ_ERRORS)}),
        );
        p.insert(
            "/api/v1/dept/alerts".into(),
            json!({"get": op("部门预警: the alerts of your region with their evidence, newest first", [vec![
                kind_q(),
                query("level", level()),
                query("status", with_description(one_of(AlertStatus::ALL.iter().map(|s| crate::api::dept::alert_status_name(*s))), "open if not given")),
                query("rule", one_of(DeptRule::ALL.iter().map(|r| r.code()))),
                batch_q(),
            ], paging()].concat(), None, ("200", "DeptAlerts"), READ_ERRORS)}),
        );
        p.insert(
            "/api/v1/dept/unmatched".into(),
            json!({"get": op("未匹配队列: department rows that matched no member or could not be read", [vec![
                kind_q(),
                query("reason", one_of(UnmatchedReason::ALL.iter().map(|r| crate::api::dept::reason_name(*r)))),
                query("status", with_description(one_of(QueueStatus::ALL.iter().map(|s| crate::api::dept::queue_name(*s))), "open if not given")),
                batch_q(),
            ], paging()].concat(), None, ("200", "DeptUnmatched"), READ_ERRORS)}),
        );
        p
    }
}

// ------------------------------------------------------------------ 部门数据接口推送

/// `POST /api/v1/dept/{kind}/records`: a department's push, signed with its API token (the
/// security scheme `dept_token`, HTTP bearer), never with a session.
pub mod dept_push {
    use super::*;
    use shouwang_core::department::profile::Field as DeptField;
    use shouwang_core::department::{BatchChannel, BatchStatus, DeptKind};

    /// The security scheme of the push.
    pub fn security_scheme() -> (String, Value) {
        (
            "dept_token".into(),
            json!({"type": "http", "scheme": "bearer",
                "description": "a department API token (swd_…), made by the county on the page /dept/tokens; bound to one kind and one region"}),
        )
    }

    fn kinds() -> Value {
        one_of(DeptKind::ALL.iter().map(|k| k.slug()))
    }

    pub fn schemas() -> Map<String, Value> {
        let mut s = Map::new();
        let text_or_number =
            json!({"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": true});
        let properties: Map<String, Value> = DeptField::ALL
            .iter()
            .map(|f| {
                (
                    f.name().to_string(),
                    with_description(
                        text_or_number.clone(),
                        &format!("{} / {}", f.label_zh(), f.label_en()),
                    ),
                )
            })
            .collect();
        s.insert(
            "DeptPushRecord".into(),
            json!({
                "type": "object",
                "description": "one line of a JSON-lines push: the kind's own fields only (id_number always; 医保 self_paid, 民政 roll, 残联 disability_grade …, as FORMATS.md §2 and the kind's column profile say); money in 元; a key the kind does not have refuses the push naming the line",
                "required": ["id_number"],
                "properties": properties,
                "additionalProperties": false,
            }),
        );
        s.insert(
            "DeptPushBatch".into(),
            answer(&[
                ("id", integer()),
                ("kind", kinds()),
                (
                    "region",
                    with_description(region_code(), "the token's region"),
                ),
                (
                    "channel",
                    one_of(BatchChannel::ALL.iter().map(|c| c.label_en())),
                ),
                ("client_batch_id", nullable(string())),
                ("period", nullable(string())),
                ("sha256", with_description(string(), "of the body's bytes")),
                ("rows", with_description(integer(), "records read")),
                (
                    "matched",
                    with_description(integer(), "matched to a member of the region"),
                ),
                (
                    "unmatched",
                    with_description(
                        integer(),
                        "no such member, or a member outside the region (queued)",
                    ),
                ),
                (
                    "invalid",
                    with_description(
                        integer(),
                        "an ID number or value that cannot be read (queued)",
                    ),
                ),
                ("alerts", integer()),
                ("leads", with_description(integer(), "leads raised")),
                (
                    "status",
                    one_of(BatchStatus::ALL.iter().map(|c| c.label_en())),
                ),
                ("created_at", with_description(integer(), "unix seconds")),
            ]),
        );
        s.insert(
            "DeptPushAnswer".into(),
            answer(&[
                (
                    "duplicate",
                    with_description(
                        boolean(),
                        "true: the same push (client batch id or body) was taken before; nothing was written",
                    ),
                ),
                ("batch", reference("DeptPushBatch")),
            ]),
        );
        s
    }

    pub fn paths() -> Map<String, Value> {
        let mut o = op(
            "A department system pushes records of its kind (JSON lines or CSV) with its API token; they are matched on the ID number to members of the token's region and raise alerts and leads as an imported file does",
            vec![
                path("kind", with_description(example(kinds(), "medical"), "the kind of data; a token pushes its own kind only (another: 403 dept.token_scope)")),
                query("batch_id", with_description(
                    example(json!({"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}), "2026-11-01"),
                    "the client's batch id (or the Idempotency-Key header): the same id again answers the first batch with duplicate: true")),
                query("period", with_description(example(string(), "2026-11"), "the month the data is of, YYYY-MM")),
            ],
            None,
            ("201", "DeptPushAnswer"),
            &["400", "401", "403", "422"],
        );
        o["responses"]["200"] = json!({"description": "the same push again: the first batch, nothing written",
            "content": {"application/json": {"schema": reference("DeptPushAnswer")}}});
        o["responses"]["201"]["description"] = json!("imported: the new batch with its counts");
        o["requestBody"] = json!({
            "required": true,
            "description": "at most 64 MiB, 200,000 records and 16 KiB a line (over: 422 dept.push_over_limit); a line or header that cannot be read refuses the whole push naming its line (400 dept.push_body, 422 dept.column_missing or dept.wrong_kind), nothing written",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string",
                    "description": "one DeptPushRecord (#/components/schemas/DeptPushRecord) a line; blank lines skipped"},
                    "example": "{\"id_number\": \"510821199001011234\", \"name\": \"张三\", \"date\": \"2026-11-02\", \"self_paid\": 12800.5}\n"},
                "text/csv": {"schema": {"type": "string",
                    "description": "UTF-8; a header row with the column names of the county's profile of the kind (as a delivered file), then one row a record"},
                    "example": "证件号码,姓名,结算日期,合规自付\n510821199001011234,张三,2026-11-02,12800.5\n"}
            }
        });
        o["security"] = json!([{"dept_token": []}]);
        o["description"] = json!("Authenticated by `Authorization: Bearer <token>` only: no session, no CSRF token. An unknown or revoked token: 401 dept.token_invalid. Headers: Idempotency-Key (optional, as batch_id).");
        let mut p = Map::new();
        p.insert("/api/v1/dept/{kind}/records".into(), json!({ "post": o }));
        p
    }
}
