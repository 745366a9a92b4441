//! The simple Markdown editors write custom answers in (links, lists, bold), rendered to
//! the same plain text and sanitised HTML as catalogue content.

use pulldown_cmark::{Event, Options, Parser};

use super::RichText;
use super::html;

/// Renders Markdown as plain text and sanitised HTML. Raw HTML in the Markdown is shown as
/// text, never passed through; links keep only http(s), mailto and tel addresses.
///
/// ```
/// let rich = sophia::content::markdown::render("Sperrmüll holt der **AWM**:\n\n- online\n- telefonisch\n\n[Termin](https://www.awm-muenchen.de)");
/// assert!(rich.html.contains("<strong>AWM</strong>"));
/// assert!(rich.html.contains("<li>online</li>"));
/// assert!(rich.html.contains("href=\"https://www.awm-muenchen.de\""));
/// assert!(rich.text.contains("- online"));
/// let hostile = sophia::content::markdown::render("<script>alert(1)</script> [x](javascript:void)");
/// assert!(!hostile.html.contains("<script"));
/// assert!(!hostile.html.contains("href=\"javascript"));
/// ```
pub fn render(markdown: &str) -> RichText {
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            // Editors' HTML is shown as typed, not interpreted.
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, parser);
    html::rich_text(&out)
}
