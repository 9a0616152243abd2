//! A `multipart/form-data` body read whole (RFC 7578), for the few forms that carry a file
//! without a script (the department upload). The body is bounded before it gets here (the
//! session layer reads at most [`MAX_BYTES`] of it); its parts are slices of it.

/// The largest multipart body a form may send.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// The pages whose forms send a file as `multipart/form-data`; any other page reads forms of
/// at most 2 MB, multipart or not (and takes its CSRF token from a urlencoded form or the header).
pub const FORMS: &[&str] = &["/dept/upload"];

/// One part of the body.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    /// the file's name, for a file input
    pub filename: Option<String>,
    pub data: &'a [u8],
}

impl Part<'_> {
    /// The part as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.data).into_owned()
    }
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, rest) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// A parameter of a `Content-Disposition` header (`name="csrf"`).
fn disposition_param(header: &str, key: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The parts of `body`; `None` when it is not a well-formed multipart body.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delim = format!("--{boundary}");
    let next_delim = format!("\r\n--{boundary}");
    let mut at = find(body, delim.as_bytes(), 0)? + delim.len();
    let mut out = Vec::new();
    loop {
        // after a delimiter: "--" ends the body, CRLF starts a part
        if body.get(at..at + 2) == Some(b"--") {
            return Some(out);
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return None;
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at)?;
        let head = std::str::from_utf8(&body[at..head_end]).ok()?;
        let data_start = head_end + 4;
        let data_end = find(body, next_delim.as_bytes(), data_start)?;
        let disposition = head
            .split("\r\n")
            .find(|l| {
                l.split_once(':')
                    .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            })?
            .split_once(':')?
            .1;
        out.push(Part {
            name: disposition_param(disposition, "name")?,
            filename: disposition_param(disposition, "filename"),
            data: &body[data_start..data_end],
        });
        at = data_end + next_delim.len();
    }
}

/// The text of field `name` of a multipart body of content type `content_type`.
pub fn field(content_type: &str, body: &[u8], name: &str) -> Option<String> {
    let b = boundary(content_type)?;
    parts(body, &b)?
        .into_iter()
        .find(|p| p.name == name && p.filename.is_none())
        .map(|p| p.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_with_a_file_reads_into_its_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n\xe8\xaf\x81,b\r\n1,2\r\n--XyZ--\r\n";
        let ct = "multipart/form-data; boundary=XyZ";
        let b = boundary(ct).unwrap();
        let p = parts(body, &b).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].text(), "tok");
        assert_eq!(p[1].filename.as_deref(), Some("a.csv"));
        assert_eq!(p[1].data, "证,b\r\n1,2".as_bytes());
        assert_eq!(field(ct, body, "csrf").as_deref(), Some("tok"));
        assert_eq!(field(ct, b"garbage", "csrf"), None);
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
    }
}
