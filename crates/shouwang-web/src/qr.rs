//! QR codes drawn by the server (the self-report poster, 一码申报): the `qrcode` crate gives the
//! module matrix and this module draws it as one SVG path, the dark modules of a row merged
//! into runs. No image library, no outside service.

use qrcode::{Color, EcLevel, QrCode};

/// The modules of the QR code of `text` (error correction M), row by row, `true` for dark; no
/// quiet zone. `None` only for a text too long for any QR code.
pub fn matrix(text: &str) -> Option<Vec<Vec<bool>>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    Some(
        colors
            .chunks(width)
            .map(|row| row.iter().map(|c| *c == Color::Dark).collect())
            .collect(),
    )
}

/// The QR code of `text` as an inline SVG element with a quiet zone of four modules, scaled by
/// the page (a `viewBox` in modules); `label` is its accessible name.
pub fn svg(text: &str, label: &str) -> Option<String> {
    let m = matrix(text)?;
    let quiet = 4;
    let size = m.len() + 2 * quiet;
    let mut path = String::new();
    for (y, row) in m.iter().enumerate() {
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            path.push_str(&format!(
                "M{} {}h{}v1h-{}z",
                start + quiet,
                y + quiet,
                x - start,
                x - start
            ));
        }
    }
    let label = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    Some(format!(
        r##"<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="{label}"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_draws_every_dark_module_once() {
        let text = "http://example.org/report?village=510821108212";
        let m = matrix(text).unwrap();
        assert_eq!(m.len() % 4, 1, "a QR code is 17 + 4k modules wide");
        let dark: usize = m.iter().flatten().filter(|d| **d).count();
        let s = svg(text, "二维码 <x>").unwrap();
        // each run is h{n}: the runs' lengths add up to the dark modules
        let drawn: usize = s
            .split('h')
            .skip(1)
            .filter_map(|t| t.split('v').next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(drawn, dark);
        assert!(s.contains("aria-label=\"二维码 &lt;x>\""));
    }
}
