//! The OpenAPI 3.0 document of `/api/v1`, written out by hand: small enough to read, and it
//! keeps a heavy derive crate out of the build.

use axum::Json;
use serde_json::{json, Value};
use shouwang_core::ProblemCode;

fn op(summary: &str, params: &[(&str, &str)], body: Option<&str>, ok: &str) -> Value {
    let parameters: Vec<Value> = params
        .iter()
        .map(|(name, loc)| json!({"name": name, "in": loc, "required": *loc == "path", "schema": {"type": "string"}}))
        .collect();
    let mut o = json!({
        "summary": summary,
        "parameters": parameters,
        "responses": {
            ok: {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"$ref": "#/components/responses/Error"},
            "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
            "409": {"$ref": "#/components/responses/Error"},
            "422": {"$ref": "#/components/responses/Error"}
        }
    });
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    o
}

pub async fn document(_: super::query::ApiQuery<super::query::NoParams>) -> Json<Value> {
    let codes: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
    Json(json!({
        "openapi": "3.0.3",
        "info": {
            "title": "守望 Shouwang API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "防返贫监测 registry API. Sign in with POST /api/v1/login; send the returned csrf as X-CSRF-Token on every write. ID numbers are masked; reveal one with the audited reveal call. Errors: {code, message (zh), message_en, errors[{code, field, zh, en}]} with the status the code has in docs/problem-codes.md (400 unreadable input, 404 not found or outside your region, 409 already registered or stale, 422 a broken rule). A query parameter the call does not list, given twice, or whose value does not parse is refused with 400 query.invalid; an empty value means no filter."
        },
        "paths": {
            "/api/v1/login": {"post": op("Sign in; sets the session cookie and returns {csrf}", &[], Some("Login"), "200")},
            "/api/v1/me": {"get": op("The signed-in user and CSRF token", &[], None, "200")},
            "/api/v1/regions/{code}": {"get": op("A region with its children and counts", &[("code", "path")], None, "200")},
            "/api/v1/regions/{code}/households": {"get": op("Households under a region", &[("code", "path"), ("offset", "query"), ("limit", "query")], None, "200")},
            "/api/v1/households": {"post": op("Create a household with its members", &[], Some("HouseholdBody"), "201")},
            "/api/v1/households/{no}": {
                "get": op("A household with its members (IDs masked)", &[("no", "path")], None, "200"),
                "put": op("Replace a household's fields and members (send the version you read)", &[("no", "path")], Some("HouseholdBody"), "200")
            },
            "/api/v1/households/{no}/members/{idx}/reveal": {"post": op("Reveal one member's full ID number (audited)", &[("no", "path"), ("idx", "path")], None, "200")},
            "/api/v1/search": {"get": op("Search by name, ID number or household number in your region", &[("q", "query")], None, "200")},
            "/api/v1/warnings": {"get": op("Warnings of the latest screening runs, with evidence", &[("region", "query"), ("level", "query"), ("risk", "query"), ("rule", "query"), ("min_age_days", "query"), ("limit", "query")], None, "200")},
            "/api/v1/households/{no}/warnings": {"get": op("A household's warnings with evidence, and its leads", &[("no", "path")], None, "200")},
            "/api/v1/standards": {"get": op("Standards applying to a region and the one in force for a year", &[("region", "query"), ("year", "query")], None, "200")},
            "/api/v1/standards/{region}/{year}": {"put": op("Set a region's standard for a year (county officers and admins, audited); money in 分", &[("region", "path"), ("year", "path")], Some("Standard"), "200")}
        },
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sw_session"}},
            "responses": {"Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Error": {"type": "object", "properties": {
                    "code": {"type": "string", "enum": codes}, "message": {"type": "string"}, "message_en": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string", "enum": codes}, "field": {"type": "string"}, "zh": {"type": "string"}, "en": {"type": "string"}}}}
                }},
                "Standard": {"type": "object", "description": "monitoring_line (分), near_line_percent, income_drop_percent, rigid_expenditure_percent, rigid_expenditure_amount (分), schooling_cost_threshold (分), identification_days, notice_min_days, measures_days, elimination_min_months, warning_scheme {red_days, yellow_days, blue_days}, document; fields left out are inherited"},
                "Login": {"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}},
                "HouseholdBody": {"type": "object", "required": ["household", "members"], "properties": {
                    "household": {"type": "object", "description": "household_no, village (12 digits), household_type (户类型 label), group, address, phone, dibao, tekun, relocated, resettlement_site, military_family, cultivated_land_centimu, housing_area_centim2, house_grade"},
                    "members": {"type": "array", "items": {"type": "object", "description": "id_kind, id_number, name, sex (男/女), birth_date (YYYY-MM-DD), relation (与户主关系 label), education or schooling, health (健康 / 长期慢性病,残疾 …), labour, insurance flags …"}},
                    "version": {"type": "integer"}
                }}
            }
        },
        "security": [{"session": []}]
    }))
}
