//! The schema check the API tests share: a small JSON-schema reader for the part of OpenAPI 3.0
//! the document uses (`$ref`, type, nullable, enum, required, properties, additionalProperties,
//! items, oneOf, minItems/maxItems, minLength, minimum, format date); patterns are left to
//! schemathesis in CI.
#![allow(dead_code)] // each test crate uses its own part

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use shouwang_core::Date;

/// What is wrong with `value` against `schema`, each with where (`$.members[0].sex`).
pub fn violations(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, at, &mut out);
    out
}

pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> Result<&'a Value, String> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r
                .strip_prefix('#')
                .ok_or_else(|| format!("external $ref {r}"))?;
            let target = doc
                .pointer(pointer)
                .ok_or_else(|| format!("$ref {r} names nothing"))?;
            resolve(doc, target)
        }
        None => Ok(schema),
    }
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = match resolve(doc, schema) {
        Ok(s) => s,
        Err(e) => return out.push(format!("{at}: {e}")),
    };
    if value.is_null() {
        if schema["nullable"] != json!(true) {
            out.push(format!("{at}: null where the document allows none"));
        }
        return;
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let fitting = options
            .iter()
            .filter(|o| violations(doc, o, value, at).is_empty())
            .count();
        if fitting != 1 {
            out.push(format!("{at}: {value} fits {fitting} of oneOf, not one"));
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    let Some(kind) = schema["type"].as_str() else {
        return;
    };
    let fits = match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        other => {
            out.push(format!("{at}: unknown type {other}"));
            return;
        }
    };
    if !fits {
        return out.push(format!("{at}: {value} is not of type {kind}"));
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    out.push(format!("{at}: the required field {name} is missing"));
                }
            }
            for (name, v) in fields {
                match properties.and_then(|p| p.get(name)) {
                    Some(s) => check(doc, s, v, &format!("{at}.{name}"), out),
                    None if schema["additionalProperties"] == json!(false) => {
                        out.push(format!("{at}: the field {name} is not in the document"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            let len = items.len() as u64;
            if schema["minItems"].as_u64().is_some_and(|m| len < m)
                || schema["maxItems"].as_u64().is_some_and(|m| len > m)
            {
                out.push(format!("{at}: {len} items, outside the bounds"));
            }
            for (i, item) in items.iter().enumerate() {
                check(doc, &schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        Value::String(s) => {
            if schema["minLength"]
                .as_u64()
                .is_some_and(|m| (s.chars().count() as u64) < m)
            {
                out.push(format!("{at}: '{s}' is too short"));
            }
            if schema["format"] == json!("date")
                && Date::parse(s).map(|d| d.to_string()).as_deref() != Some(s.as_str())
            {
                out.push(format!("{at}: '{s}' is not a YYYY-MM-DD date"));
            }
        }
        Value::Number(n) => {
            if let (Some(min), Some(v)) = (schema["minimum"].as_f64(), n.as_f64()) {
                if v < min {
                    out.push(format!("{at}: {v} is below {min}"));
                }
            }
        }
        _ => {}
    }
}

/// The schema the document gives for answering `status` to `method` on `path`.
pub fn answer_schema<'a>(
    doc: &'a Value,
    method: &Method,
    path: &str,
    status: StatusCode,
) -> &'a Value {
    let op = &doc["paths"][path][method.as_str().to_lowercase()];
    assert!(op.is_object(), "the document has no {method} {path}");
    let response = &op["responses"][status.as_str()];
    assert!(
        !response.is_null(),
        "the document lists no {status} for {method} {path}"
    );
    let response = resolve(doc, response).unwrap();
    &response["content"]["application/json"]["schema"]
}

/// The schema of the body `method` on `path` reads.
pub fn body_schema<'a>(doc: &'a Value, method: &Method, path: &str) -> &'a Value {
    &doc["paths"][path][method.as_str().to_lowercase()]["requestBody"]["content"]
        ["application/json"]["schema"]
}

/// The API document as the app serves it.
pub async fn document(app: &axum::Router) -> Value {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let r = app
        .clone()
        .oneshot(
            axum::http::Request::get("/api/openapi.json")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// A JSON answer of the API: its status, the body read as JSON (null when it is not) and as text.
pub struct ApiAnswer {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

/// Fails when `body` breaks the request schema the document gives `method path`.
pub fn assert_body_fits(doc: &Value, method: &Method, path: &str, body: &Value) {
    let wrong = violations(doc, body_schema(doc, method, path), body, "$");
    assert!(
        wrong.is_empty(),
        "the body sent to {method} {path} breaks its schema: {wrong:?}"
    );
}

/// One JSON call as `user` (the test session `token-{user}` and the test CSRF token); the
/// answer is checked against the document's schema for `method path` and its status (a null
/// `doc` checks nothing). `backend` names the database in a failure.
#[allow(clippy::too_many_arguments)]
pub async fn api_call(
    app: &axum::Router,
    doc: &Value,
    backend: &str,
    user: &str,
    method: Method,
    path: &str,
    uri: &str,
    body: Option<Value>,
) -> ApiAnswer {
    use axum::http::header;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(
            header::COOKIE,
            format!("{}=token-{user}", shouwang_web::auth::SESSION_COOKIE),
        )
        .header("x-csrf-token", crate::common::CSRF);
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            axum::body::Body::from(b.to_string())
        }
        None => axum::body::Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !doc.is_null() {
        let wrong = violations(doc, answer_schema(doc, &method, path, status), &body, "$");
        assert!(
            wrong.is_empty(),
            "{backend}: {method} {uri} ({status}) does not match the document:\n{}\n{text}",
            wrong.join("\n")
        );
    }
    ApiAnswer { status, body, text }
}
