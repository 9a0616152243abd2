//! Charts drawn on the server as SVG (helper E): readable without script, scaled to the page's
//! width by their view box (a 390-px phone and a desktop alike), each bar a link to the records
//! it counts with its figure in a tooltip, and the whole described by a `<title>` and `<desc>`
//! that a screen reader speaks. The page puts the same numbers in a table next to the chart.

use std::fmt::Write;

/// One bar: its short label under the axis, its value, the records it counts, and the words a
/// tooltip and a screen reader say for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub href: String,
    pub title: String,
}

const W: u32 = 360;
const H: u32 = 150;
const TOP: u32 = 16;
const BOTTOM: u32 = 20;
const LEFT: u32 = 4;

/// Text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A bar chart as an inline `<svg>` element. `id` names the title and description for
/// `aria-labelledby`; `class` colours the bars (see app.css).
pub fn bars(id: &str, class: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    let n = bars.len().max(1) as u32;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let slot = (W - LEFT * 2) / n;
    let width = (slot * 7 / 10).max(2);
    let plot = H - TOP - BOTTOM;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart {class}" viewBox="0 0 {W} {H}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    let _ = write!(
        s,
        r#"<line class="axis" x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}"/>"#,
        y = H - BOTTOM,
        x2 = W - LEFT
    );
    for (i, b) in bars.iter().enumerate() {
        let h = ((b.value as f64 / max as f64) * f64::from(plot)).round() as u32;
        // a zero still shows as a hairline, so that the month is seen to have none
        let h = if b.value > 0 { h.max(2) } else { 1 };
        let x = LEFT + slot * i as u32 + (slot - width) / 2;
        let y = H - BOTTOM - h;
        let cx = x + width / 2;
        let _ = write!(
            s,
            r#"<a href="{href}"><title>{t}</title><rect x="{x}" y="{y}" width="{width}" height="{h}"/><text class="v" x="{cx}" y="{ty}" text-anchor="middle">{v}</text></a><text class="l" x="{cx}" y="{ly}" text-anchor="middle">{l}</text>"#,
            href = escape(&b.href),
            t = escape(&b.title),
            ty = y.saturating_sub(3).max(9),
            v = b.value,
            ly = H - 6,
            l = escape(&b.label),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: u64) -> Bar {
        Bar {
            label: label.into(),
            value,
            href: format!("/home/cases?identified=2026-{label}&x=1"),
            title: format!("2026-{label}: {value}"),
        }
    }

    #[test]
    fn a_chart_says_what_it_shows_and_links_every_bar_to_its_records() {
        let svg = bars(
            "new",
            "c1",
            "每月新识别",
            "近 3 个月新识别监测对象：1 月 2 户，2 月 0 户，3 月 4 户",
            &[bar("01", 2), bar("02", 0), bar("03", 4)],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="new-t new-d""#));
        assert!(svg.contains(r#"<title id="new-t">每月新识别</title>"#));
        assert!(svg.contains("3 月 4 户</desc>"));
        assert_eq!(svg.matches("<rect ").count(), 3);
        // the ampersand of a link is escaped; every bar carries its figure
        assert!(svg.contains(r#"href="/home/cases?identified=2026-03&amp;x=1""#));
        assert!(svg.contains("<title>2026-03: 4</title>"));
        // the tallest bar fills the plot; a zero is a hairline, not a missing month
        let plot = H - TOP - BOTTOM;
        assert!(svg.contains(&format!(r#"height="{plot}""#)));
        assert!(svg.contains(r#"height="1""#));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn labels_are_escaped_and_an_empty_chart_is_still_an_image() {
        let svg = bars("x", "c", "a<b", "\"quoted\" & more", &[]);
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("&quot;quoted&quot; &amp; more"));
        assert_eq!(svg.matches("<rect ").count(), 0);
    }
}
