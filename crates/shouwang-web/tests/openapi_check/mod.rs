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
