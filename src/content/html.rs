//! TEMPORARY stub until the html helper lands.
use super::{Link, RichText, Section};
use scraper::Html;

pub fn plain_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    doc.root_element()
        .text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
pub fn sanitize(html: &str) -> String {
    ammonia::clean(html)
}
pub fn sections(html: &str) -> Vec<Section> {
    vec![Section {
        heading: None,
        text: plain_text(html),
        html: sanitize(html),
    }]
}
pub fn rich_text(html: &str) -> RichText {
    RichText {
        text: plain_text(html),
        html: sanitize(html),
        sections: sections(html),
    }
}
pub fn links(_html: &str) -> Vec<Link> {
    Vec::new()
}
pub fn clean_inline(s: &str) -> String {
    plain_text(s)
}
