//! HTML from the source turned into clean sections.
//!
//! Service descriptions and fees arrive as editor-made HTML with the usual noise: zero-width
//! spaces inside paragraphs, `&nbsp;`, runs of `<br>`, headings written as bold paragraphs,
//! inline styles, `<span>`/`<div>` wrappers, relative links. Everything here works the same
//! way: the HTML is parsed once (html5ever via `scraper`) into a small block model
//! (paragraphs, headings, lists with inline text, breaks, bold, emphasis and links), and
//! that model is rendered as plain text, as HTML (checked once more by `ammonia` with a
//! strict allowlist), or split into [`Section`]s. No regular expressions touch the HTML.

use std::collections::{HashMap, HashSet};
use std::mem;
use std::sync::LazyLock;

use scraper::{ElementRef, Html};

use super::model::{Link, RichText, Section};

/// Elements nested deeper than this are read as plain text (guards against stack overflow).
const MAX_DEPTH: usize = 96;

/// The whole field: plain text, sanitised HTML and sections, from a single parse.
///
/// ```
/// use sophia::content::html::rich_text;
/// let rt = rich_text("<p>Intro</p><p><strong>Unterlagen:</strong></p><ul><li>Pass</li></ul>");
/// assert_eq!(rt.text, "Intro\n\nUnterlagen:\n\n- Pass");
/// assert_eq!(rt.sections.len(), 2);
/// assert_eq!(rt.sections[1].heading.as_deref(), Some("Unterlagen"));
/// assert_eq!(rt.sections[1].html, "<ul><li>Pass</li></ul>");
/// ```
pub fn rich_text(html: &str) -> RichText {
    let blocks = parse_blocks(html);
    RichText {
        text: blocks_text(&blocks),
        html: clean_html(&blocks),
        sections: split_sections(blocks),
    }
}

/// The field split at its headings: real `h1`–`h6`, or a paragraph that opens with bold
/// text and reads like a heading (`<p><strong>Unterlagen:</strong></p>`, or
/// `<p><strong>Gültigkeitsdauer:</strong><br>…</p>` where the rest becomes the body).
///
/// Text before the first heading forms a section without heading. Headings are trimmed and
/// lose a trailing ':'. Sections without text are dropped; a bold paragraph that is directly
/// followed by another heading (or by nothing) stays body text, so no content is lost.
///
/// ```
/// use sophia::content::html::sections;
/// let s = sections("<p>Vorab.</p><h3>Gebühren:</h3><p>37 Euro</p>");
/// assert_eq!(s.len(), 2);
/// assert_eq!(s[0].heading, None);
/// assert_eq!(s[0].text, "Vorab.");
/// assert_eq!(s[1].heading.as_deref(), Some("Gebühren"));
/// assert_eq!(s[1].html, "<p>37 Euro</p>");
/// ```
pub fn sections(html: &str) -> Vec<Section> {
    split_sections(parse_blocks(html))
}

/// Readable plain text: paragraphs separated by a blank line, `<br>` as newline, list items
/// as "- " lines (ordered lists "1. ", "2. "), nested lists indented by two spaces,
/// whitespace collapsed within lines, zero-width characters removed, entities decoded,
/// link text kept without its URL, and `script`/`style` content dropped.
///
/// ```
/// use sophia::content::html::plain_text;
/// let html = "<p>Bitte&nbsp;mitbringen:\u{200B}</p><ul><li>Pass<ul><li>gültig</li></ul></li></ul>";
/// assert_eq!(plain_text(html), "Bitte mitbringen:\n\n- Pass\n  - gültig");
/// assert_eq!(plain_text("<ol><li>Eins</li><li>Zwei<br>mehr</li></ol>"), "1. Eins\n2. Zwei\n   mehr");
/// ```
pub fn plain_text(html: &str) -> String {
    blocks_text(&parse_blocks(html))
}

/// Sanitised HTML: only `p`, `br`, `ul`, `ol`, `li`, `strong`, `em`, `b`, `i`, `h3`–`h5` and
/// `a` (with `href` only, `rel="noopener noreferrer"`). Links survive only with an absolute
/// http/https/mailto/tel URL; otherwise the link text stays and the `<a>` goes. `div`s and
/// table cells become paragraphs, other headings are clamped to `h3`–`h5`, zero-width
/// characters and empty paragraphs are removed, `script`/`style` vanish with their content.
///
/// ```
/// use sophia::content::html::sanitize;
/// let html = r#"<p style="x" onclick="evil()">Hallo <a href="javascript:alert(1)">Welt</a></p><p>&nbsp;</p>"#;
/// assert_eq!(sanitize(html), "<p>Hallo Welt</p>");
/// assert_eq!(
///     sanitize(r#"<a href="https://muenchen.de" target="_blank">Stadt</a>"#),
///     r#"<p><a href="https://muenchen.de" rel="noopener noreferrer">Stadt</a></p>"#
/// );
/// ```
pub fn sanitize(html: &str) -> String {
    clean_html(&parse_blocks(html))
}

/// The links in the text, in document order and without duplicate URLs. Only absolute
/// http/https/mailto/tel links with visible text count; the name is the link text on one
/// line, trimmed; `description` is always `None`.
///
/// ```
/// use sophia::content::html::links;
/// let html = r#"<p><a href=" https://a.de/x ">Formular </a>, <a href="/relativ">weg</a>,
///     <a href="mailto:info@muenchen.de">E-Mail</a>, <a href="https://a.de/x">nochmal</a></p>"#;
/// let found = links(html);
/// assert_eq!(found.len(), 2);
/// assert_eq!((found[0].name.as_str(), found[0].url.as_str()), ("Formular", "https://a.de/x"));
/// assert_eq!(found[1].url, "mailto:info@muenchen.de");
/// ```
pub fn links(html: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for block in &parse_blocks(html) {
        collect_block_links(block, &mut found);
    }
    let mut seen = HashSet::new();
    found.retain(|link| seen.insert(link.url.clone()));
    found
}

/// One clean line from a plain-text field that may carry stray entities, tags, line breaks
/// or zero-width characters: entities decoded, tags stripped, whitespace collapsed.
///
/// ```
/// use sophia::content::html::clean_inline;
/// assert_eq!(clean_inline("  Gewerbe&shy;amt <b>M&uuml;nchen</b>\u{200B}\n (KVR) "), "Gewerbeamt München (KVR)");
/// ```
pub fn clean_inline(s: &str) -> String {
    let mut raw = String::new();
    for block in &parse_blocks(s) {
        push_block_words(block, &mut raw);
    }
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// The block model
// ---------------------------------------------------------------------------------------

/// Inline content of a paragraph, heading or list item.
#[derive(Debug, Clone, PartialEq)]
enum Inline {
    /// Text with whitespace collapsed to single spaces and invisible characters removed.
    Text(String),
    /// A line break.
    Break,
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    /// A link; `url` is `None` when the href was unsafe or relative (text is kept).
    Link {
        url: Option<String>,
        content: Vec<Inline>,
    },
}

/// A block of the field.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Paragraph(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    List(List),
}

/// A list; each item is a sequence of blocks (its text, nested lists).
#[derive(Debug, Clone, PartialEq)]
struct List {
    ordered: bool,
    start: usize,
    items: Vec<Vec<Block>>,
}

/// Characters that carry nothing visible and are removed everywhere: zero-width spaces and
/// joiners, the byte order mark, soft hyphens, and control characters other than whitespace.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    ) || (c.is_control() && !c.is_whitespace())
}

/// Collapses whitespace runs (including `&nbsp;`) to one space and drops invisible characters.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars().filter(|c| !is_invisible(*c)) {
        if c.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    if pending_space {
        out.push(' ');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Parsing: DOM -> blocks
// ---------------------------------------------------------------------------------------

/// How an element is treated when building blocks.
enum Kind {
    /// Removed together with its content.
    Dropped,
    Heading(u8),
    List(bool),
    Break,
    /// A block container: its inline content forms paragraphs.
    Block,
    Strong,
    Emphasis,
    Link,
    /// Formatting without meaning (`span`, `u`, `font`, ...): only its content counts.
    Transparent,
}

fn kind(name: &str) -> Kind {
    match name {
        "script" | "style" | "noscript" | "template" | "iframe" | "object" | "embed" | "head"
        | "title" | "meta" | "link" | "svg" | "math" | "img" | "input" | "select" | "textarea"
        | "button" | "canvas" | "video" | "audio" | "map" => Kind::Dropped,
        "h1" => Kind::Heading(1),
        "h2" => Kind::Heading(2),
        "h3" => Kind::Heading(3),
        "h4" => Kind::Heading(4),
        "h5" => Kind::Heading(5),
        "h6" => Kind::Heading(6),
        "ul" | "menu" => Kind::List(false),
        "ol" => Kind::List(true),
        "br" => Kind::Break,
        "p" | "div" | "section" | "article" | "header" | "footer" | "aside" | "nav" | "main"
        | "blockquote" | "address" | "figure" | "figcaption" | "table" | "thead" | "tbody"
        | "tfoot" | "tr" | "td" | "th" | "caption" | "li" | "dl" | "dt" | "dd" | "pre"
        | "center" | "form" | "fieldset" | "details" | "summary" | "hr" => Kind::Block,
        "strong" | "b" => Kind::Strong,
        "em" | "i" => Kind::Emphasis,
        "a" => Kind::Link,
        _ => Kind::Transparent,
    }
}

/// True when the element contains block-level structure (then bold/links cannot wrap it).
fn contains_blocks(el: ElementRef) -> bool {
    el.descendent_elements().any(|e| {
        matches!(
            kind(e.value().name()),
            Kind::Block | Kind::List(_) | Kind::Heading(_)
        )
    })
}

fn parse_blocks(html: &str) -> Vec<Block> {
    let document = Html::parse_fragment(html);
    let mut builder = BlockBuilder::default();
    builder.children(document.root_element(), 0);
    builder.finish()
}

/// Collects blocks; stray inline content is gathered into an open paragraph.
#[derive(Default)]
struct BlockBuilder {
    blocks: Vec<Block>,
    pending: Vec<Inline>,
}

impl BlockBuilder {
    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }

    fn children(&mut self, el: ElementRef, depth: usize) {
        for child in el.children() {
            if let Some(text) = child.value().as_text() {
                self.pending.extend(text_inlines(text));
            } else if let Some(child) = ElementRef::wrap(child) {
                self.element(child, depth + 1);
            }
        }
    }

    fn element(&mut self, el: ElementRef, depth: usize) {
        if depth > MAX_DEPTH {
            self.pending.extend(flat_text(el));
            return;
        }
        match kind(el.value().name()) {
            Kind::Dropped => {}
            Kind::Heading(level) => {
                self.flush();
                let content = tidy_inlines(inline_children(el, depth));
                if has_text(&content) {
                    self.blocks.push(Block::Heading(level, content));
                }
            }
            Kind::List(ordered) => {
                self.flush();
                let list = parse_list(el, ordered, depth);
                if !list.items.is_empty() {
                    self.blocks.push(Block::List(list));
                }
            }
            Kind::Break => self.pending.push(Inline::Break),
            Kind::Block => {
                self.flush();
                self.children(el, depth);
                self.flush();
            }
            Kind::Strong | Kind::Emphasis | Kind::Link if !contains_blocks(el) => {
                self.pending.extend(inline_element(el, depth));
            }
            _ => self.children(el, depth),
        }
    }

    /// Closes the open paragraph (split at blank lines); empty paragraphs are dropped.
    fn flush(&mut self) {
        let content = tidy_inlines(mem::take(&mut self.pending));
        for paragraph in split_at_blank_lines(content) {
            if has_text(&paragraph) {
                self.blocks.push(Block::Paragraph(paragraph));
            }
        }
    }
}

/// Splits inline content at `<br><br>` (a blank line) into separate paragraphs.
fn split_at_blank_lines(content: Vec<Inline>) -> Vec<Vec<Inline>> {
    let mut paragraphs = vec![Vec::new()];
    for inline in content {
        let Some(current) = paragraphs.last_mut() else {
            break;
        };
        if inline == Inline::Break && current.last() == Some(&Inline::Break) {
            current.pop();
            paragraphs.push(Vec::new());
        } else {
            current.push(inline);
        }
    }
    paragraphs.into_iter().map(tidy_inlines).collect()
}

fn parse_list(el: ElementRef, ordered: bool, depth: usize) -> List {
    let start = el
        .attr("start")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    let mut items: Vec<Vec<Block>> = Vec::new();
    for child in el.children() {
        let Some(child) = ElementRef::wrap(child) else {
            if let Some(text) = child.value().as_text().filter(|t| !t.trim().is_empty()) {
                let content = tidy_inlines(text_inlines(text));
                if has_text(&content) {
                    items.push(vec![Block::Paragraph(content)]);
                }
            }
            continue;
        };
        let mut builder = BlockBuilder::default();
        builder.element(child, depth + 1);
        let blocks = builder.finish();
        let is_item = child.value().name() == "li";
        // A list nested directly in a list (without its own <li>) belongs to the item before.
        match items.last_mut() {
            Some(last) if !is_item && matches!(blocks.as_slice(), [Block::List(_)]) => {
                last.extend(blocks)
            }
            _ if !blocks.is_empty() => items.push(blocks),
            _ => {}
        }
    }
    List {
        ordered,
        start,
        items,
    }
}

/// A text node as inlines. A blank line inside the text marks a line break the editors
/// typed into the source (`"150 Euro\r\n\nunbefristet"`), which browsers would swallow.
fn text_inlines(raw: &str) -> Vec<Inline> {
    let lines: Vec<&str> = raw.split('\n').collect();
    let last = lines.len() - 1;
    let mut out = Vec::new();
    let mut chunk = String::new();
    let mut after_blank_line = false;
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            chunk.push('\n');
        }
        if i > 0 && i < last && line.trim().is_empty() {
            after_blank_line = true;
            continue;
        }
        if after_blank_line {
            out.extend(text_inline(&chunk));
            out.push(Inline::Break);
            chunk.clear();
            after_blank_line = false;
        }
        chunk.push_str(line);
    }
    out.extend(text_inline(&chunk));
    out
}

fn text_inline(raw: &str) -> Option<Inline> {
    let text = collapse_whitespace(raw);
    (!text.is_empty()).then_some(Inline::Text(text))
}

/// All text of an element as one inline run, without the content of dropped elements such
/// as `script` (used past [`MAX_DEPTH`]; iterative, so any depth is fine).
fn flat_text(el: ElementRef) -> Option<Inline> {
    let is_dropped = |e: ElementRef| matches!(kind(e.value().name()), Kind::Dropped);
    let mut text = String::new();
    for node in el.descendants() {
        let Some(t) = node.value().as_text() else {
            continue;
        };
        if !node
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(is_dropped)
        {
            text.push_str(t);
        }
    }
    text_inline(&text)
}

fn inline_children(el: ElementRef, depth: usize) -> Vec<Inline> {
    let mut out = Vec::new();
    for child in el.children() {
        if let Some(text) = child.value().as_text() {
            out.extend(text_inlines(text));
        } else if let Some(child) = ElementRef::wrap(child) {
            out.extend(inline_element(child, depth + 1));
        }
    }
    out
}

/// An element inside inline content; block structure in there is flattened to breaks.
fn inline_element(el: ElementRef, depth: usize) -> Vec<Inline> {
    if depth > MAX_DEPTH {
        return flat_text(el).into_iter().collect();
    }
    match kind(el.value().name()) {
        Kind::Dropped => Vec::new(),
        Kind::Break => vec![Inline::Break],
        Kind::Strong => vec![Inline::Strong(inline_children(el, depth))],
        Kind::Emphasis => vec![Inline::Emphasis(inline_children(el, depth))],
        Kind::Link => vec![Inline::Link {
            url: el.attr("href").and_then(safe_url),
            content: inline_children(el, depth),
        }],
        Kind::Transparent => inline_children(el, depth),
        Kind::Block | Kind::List(_) | Kind::Heading(_) => {
            let mut out = vec![Inline::Break];
            out.extend(inline_children(el, depth));
            out.push(Inline::Break);
            out
        }
    }
}

/// The href as an absolute http/https/mailto/tel URL, or `None`.
fn safe_url(href: &str) -> Option<String> {
    let href: String = href.chars().filter(|c| !is_invisible(*c)).collect();
    let (scheme, rest) = href.trim().split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let rest = match scheme.as_str() {
        "http" | "https" => web_url_rest(rest)?,
        "mailto" | "tel" => rest.split_whitespace().collect::<String>(),
        _ => return None,
    };
    let url = format!("{scheme}:{rest}");
    let valid = !rest.is_empty() && !rest.contains(char::is_control) && sanitizer_keeps(&url);
    valid.then_some(url)
}

/// True when the sanitiser keeps the URL as a link target. It parses URLs with the `url`
/// crate and silently drops the `href` of those it rejects (bad ports, broken IPv6 hosts);
/// asking it first means such links lose their `<a>` like any other unsafe link.
fn sanitizer_keeps(url: &str) -> bool {
    let mut probe = String::from("<a href=\"");
    push_escaped(url, &mut probe);
    probe.push_str("\">x</a>");
    SANITIZER.clean(&probe).to_string().contains("href=")
}

/// The part after "http:" when it names a host; inner spaces are percent-encoded.
fn web_url_rest(rest: &str) -> Option<String> {
    let after_slashes = rest.strip_prefix("//")?;
    let host = after_slashes
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let bad_host_char = |c: char| c.is_whitespace() || "<>\"'`{}|\\^".contains(c);
    if host.is_empty() || host.chars().any(bad_host_char) {
        return None;
    }
    Some(rest.split_whitespace().collect::<Vec<_>>().join("%20"))
}

// ---------------------------------------------------------------------------------------
// Tidying inline content
// ---------------------------------------------------------------------------------------

/// Removes doubled and line-edge spaces, empty formatting, edge breaks, and caps break runs
/// at two (one blank line).
fn tidy_inlines(mut inlines: Vec<Inline>) -> Vec<Inline> {
    drop_leading_spaces(&mut inlines, &mut true);
    drop_trailing_spaces(&mut inlines, &mut true);
    prune_empty(&mut inlines);
    let first_content = inlines.iter().position(|i| *i != Inline::Break);
    inlines.drain(..first_content.unwrap_or(inlines.len()));
    while inlines.last() == Some(&Inline::Break) {
        inlines.pop();
    }
    cap_breaks(inlines)
}

/// Forward pass: no space at a line start or right after another space.
fn drop_leading_spaces(inlines: &mut [Inline], after_space: &mut bool) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => {
                if *after_space {
                    *text = text.trim_start().to_string();
                }
                if !text.is_empty() {
                    *after_space = text.ends_with(' ');
                }
            }
            Inline::Break => *after_space = true,
            Inline::Strong(content) | Inline::Emphasis(content) | Inline::Link { content, .. } => {
                drop_leading_spaces(content, after_space)
            }
        }
    }
}

/// Backward pass: no space at a line end.
fn drop_trailing_spaces(inlines: &mut [Inline], at_line_end: &mut bool) {
    for inline in inlines.iter_mut().rev() {
        match inline {
            Inline::Text(text) => {
                if *at_line_end {
                    *text = text.trim_end().to_string();
                }
                if !text.is_empty() {
                    *at_line_end = false;
                }
            }
            Inline::Break => *at_line_end = true,
            Inline::Strong(content) | Inline::Emphasis(content) | Inline::Link { content, .. } => {
                drop_trailing_spaces(content, at_line_end)
            }
        }
    }
}

/// Drops empty text and formatting that holds nothing but breaks or nothing at all
/// (its breaks are kept).
fn prune_empty(inlines: &mut Vec<Inline>) {
    let mut out = Vec::with_capacity(inlines.len());
    for mut inline in mem::take(inlines) {
        match &mut inline {
            Inline::Text(text) if text.is_empty() => continue,
            Inline::Strong(content) | Inline::Emphasis(content) | Inline::Link { content, .. } => {
                prune_empty(content);
                if !has_text(content) {
                    out.extend(mem::take(content));
                    continue;
                }
            }
            _ => {}
        }
        out.push(inline);
    }
    *inlines = out;
}

/// At most two breaks in a row at the top level.
fn cap_breaks(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        let run = out
            .iter()
            .rev()
            .take_while(|i| **i == Inline::Break)
            .count();
        if inline == Inline::Break && run >= 2 {
            continue;
        }
        out.push(inline);
    }
    out
}

fn has_text(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Text(text) => !text.trim().is_empty(),
        Inline::Break => false,
        Inline::Strong(content) | Inline::Emphasis(content) | Inline::Link { content, .. } => {
            has_text(content)
        }
    })
}

// ---------------------------------------------------------------------------------------
// Plain text rendering
// ---------------------------------------------------------------------------------------

fn blocks_text(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(block_text)
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Paragraph(content) | Block::Heading(_, content) => inline_text(content),
        Block::List(list) => {
            let mut lines = Vec::new();
            list_lines(list, 0, &mut lines);
            lines.join("\n")
        }
    }
}

/// Inline content as lines: breaks become newlines, whitespace collapses within a line,
/// and at most one blank line separates lines.
fn inline_text(inlines: &[Inline]) -> String {
    let mut raw = String::new();
    push_raw_text(inlines, &mut raw);
    let mut lines: Vec<String> = Vec::new();
    for line in raw.split('\n') {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let blank_before = lines.last().is_none_or(|l| l.is_empty());
        if !line.is_empty() || !blank_before {
            lines.push(line);
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn push_raw_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(text),
            Inline::Break => out.push('\n'),
            Inline::Strong(content) | Inline::Emphasis(content) | Inline::Link { content, .. } => {
                push_raw_text(content, out)
            }
        }
    }
}

/// The bare text of a block (no list markers), followed by a space.
fn push_block_words(block: &Block, out: &mut String) {
    match block {
        Block::Paragraph(content) | Block::Heading(_, content) => push_raw_text(content, out),
        Block::List(list) => list
            .items
            .iter()
            .flatten()
            .for_each(|block| push_block_words(block, out)),
    }
    out.push(' ');
}

/// Text on one line (headings, link names).
fn single_line(inlines: &[Inline]) -> String {
    inline_text(inlines)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A list as lines: "- " or "1. " markers, continuation lines aligned under the item text,
/// nested lists two spaces further in.
fn list_lines(list: &List, indent: usize, out: &mut Vec<String>) {
    for (i, item) in list.items.iter().enumerate() {
        let marker = if list.ordered {
            format!("{}. ", list.start + i)
        } else {
            "- ".to_string()
        };
        let mut prefix = format!("{}{marker}", " ".repeat(indent));
        let continuation = " ".repeat(indent + marker.chars().count());
        for block in item {
            if let Block::List(nested) = block {
                list_lines(nested, indent + 2, out);
                continue;
            }
            for line in block_text(block).lines().filter(|l| !l.is_empty()) {
                out.push(format!("{prefix}{line}"));
                prefix.clone_from(&continuation);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// HTML rendering
// ---------------------------------------------------------------------------------------

/// The final safety net over our own rendering: a strict ammonia allowlist.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags = [
        "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4", "h5", "a",
    ];
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(tags.into_iter().collect())
        .clean_content_tags(["script", "style"].into_iter().collect())
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    builder
});

fn clean_html(blocks: &[Block]) -> String {
    let mut html = String::new();
    for block in blocks {
        push_block_html(block, &mut html);
    }
    SANITIZER.clean(&html).to_string()
}

fn push_block_html(block: &Block, out: &mut String) {
    match block {
        Block::Paragraph(content) => {
            out.push_str("<p>");
            push_inline_html(content, out);
            out.push_str("</p>");
        }
        Block::Heading(level, content) => {
            let level = level.clamp(&3, &5);
            out.push_str(&format!("<h{level}>"));
            push_inline_html(content, out);
            out.push_str(&format!("</h{level}>"));
        }
        Block::List(list) => push_list_html(list, out),
    }
}

/// A list; the text blocks of an item are joined by `<br>`, nested lists stay lists.
fn push_list_html(list: &List, out: &mut String) {
    let tag = if list.ordered { "ol" } else { "ul" };
    out.push_str(&format!("<{tag}>"));
    for item in &list.items {
        out.push_str("<li>");
        let mut after_text = false;
        for block in item {
            match block {
                Block::List(nested) => {
                    push_list_html(nested, out);
                    after_text = false;
                }
                Block::Paragraph(content) | Block::Heading(_, content) => {
                    if after_text {
                        out.push_str("<br>");
                    }
                    push_inline_html(content, out);
                    after_text = true;
                }
            }
        }
        out.push_str("</li>");
    }
    out.push_str(&format!("</{tag}>"));
}

fn push_inline_html(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => push_escaped(text, out),
            Inline::Break => out.push_str("<br>"),
            Inline::Strong(content) => push_wrapped("strong", content, out),
            Inline::Emphasis(content) => push_wrapped("em", content, out),
            Inline::Link {
                url: Some(url),
                content,
            } => {
                out.push_str("<a href=\"");
                push_escaped(url, out);
                out.push_str("\">");
                push_inline_html(content, out);
                out.push_str("</a>");
            }
            Inline::Link { url: None, content } => push_inline_html(content, out),
        }
    }
}

fn push_wrapped(tag: &str, content: &[Inline], out: &mut String) {
    out.push_str(&format!("<{tag}>"));
    push_inline_html(content, out);
    out.push_str(&format!("</{tag}>"));
}

fn push_escaped(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------

fn collect_block_links(block: &Block, out: &mut Vec<Link>) {
    match block {
        Block::Paragraph(content) | Block::Heading(_, content) => {
            collect_inline_links(content, out)
        }
        Block::List(list) => list
            .items
            .iter()
            .flatten()
            .for_each(|block| collect_block_links(block, out)),
    }
}

fn collect_inline_links(inlines: &[Inline], out: &mut Vec<Link>) {
    for inline in inlines {
        match inline {
            Inline::Link {
                url: Some(url),
                content,
            } => {
                out.push(Link {
                    name: single_line(content),
                    url: url.clone(),
                    description: None,
                });
            }
            Inline::Strong(content) | Inline::Emphasis(content) | Inline::Link { content, .. } => {
                collect_inline_links(content, out)
            }
            Inline::Text(_) | Inline::Break => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------

/// A top-level block seen as part of a section.
enum Part {
    /// A heading; `fallback` is the bold paragraph it came from, kept as body text when the
    /// heading turns out to have no body of its own.
    Heading {
        title: String,
        fallback: Option<Block>,
    },
    Body(Block),
}

fn split_sections(blocks: Vec<Block>) -> Vec<Section> {
    let parts = demote_empty_headings(classify(blocks));
    let mut sections = Vec::new();
    let mut heading = None;
    let mut body = Vec::new();
    for part in parts {
        match part {
            Part::Heading { title, .. } => {
                sections.extend(make_section(heading.take(), &mem::take(&mut body)));
                heading = Some(title);
            }
            Part::Body(block) => body.push(block),
        }
    }
    sections.extend(make_section(heading, &body));
    sections
}

fn make_section(heading: Option<String>, body: &[Block]) -> Option<Section> {
    let text = blocks_text(body);
    (!text.is_empty()).then(|| Section {
        heading,
        text,
        html: clean_html(body),
    })
}

fn classify(blocks: Vec<Block>) -> Vec<Part> {
    let mut parts = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block {
            Block::Heading(_, ref content) => {
                let title = heading_title(&single_line(content));
                if !title.is_empty() {
                    parts.push(Part::Heading {
                        title,
                        fallback: None,
                    });
                }
            }
            Block::Paragraph(ref content) => match split_bold_heading(content) {
                Some((title, rest)) => {
                    let fallback = (!has_text(&rest)).then_some(block);
                    parts.push(Part::Heading { title, fallback });
                    if has_text(&rest) {
                        parts.push(Part::Body(Block::Paragraph(rest)));
                    }
                }
                None => parts.push(Part::Body(block)),
            },
            Block::List(_) => parts.push(Part::Body(block)),
        }
    }
    parts
}

/// A bold paragraph directly followed by another heading (or the end) is body text.
fn demote_empty_headings(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts.into_iter().rev() {
        let next_is_body = matches!(out.last(), Some(Part::Body(_)));
        match part {
            Part::Heading {
                fallback: Some(block),
                ..
            } if !next_is_body => out.push(Part::Body(block)),
            part => out.push(part),
        }
    }
    out.reverse();
    out
}

/// Trimmed, without a trailing ':'.
fn heading_title(text: &str) -> String {
    text.trim().trim_end_matches([':', ' ']).trim().to_string()
}

/// A paragraph that opens with bold text reading like a heading: the title and the rest.
///
/// The bold run is a heading when it is the whole paragraph, when a `<br>` follows it, or
/// when it ends with ':' or is followed by a new sentence ("<b>Neuantrag</b> Wenn Sie ...").
fn split_bold_heading(content: &[Inline]) -> Option<(String, Vec<Inline>)> {
    let lead = leading_bold(content)?;
    let mut rest = lead.rest;
    let mut title = single_line(&lead.bold);
    if let Some(Inline::Text(text)) = rest.first_mut()
        && let Some(after) = text.trim_start().strip_prefix(':')
    {
        title.push(':');
        *text = after.to_string();
    }
    let ends_with_colon = title.trim_end().ends_with(':');
    let title = heading_title(&title);
    if !looks_like_heading(&title, ends_with_colon) {
        return None;
    }
    let rest = tidy_inlines(rest);
    let rest_text = single_line(&rest);
    let run_in_ok = ends_with_colon || rest_text.starts_with(char::is_uppercase);
    (rest_text.is_empty() || lead.ends_at_break || run_in_ok).then_some((title, rest))
}

/// The bold text opening a paragraph, and what follows it.
struct LeadingBold {
    bold: Vec<Inline>,
    rest: Vec<Inline>,
    ends_at_break: bool,
}

/// Collects consecutive top-level bold inlines (spaces between them allowed) up to the first
/// other content or line break, also a break inside the bold text. `None` when the paragraph
/// does not start with bold text or the bold text contains a link.
fn leading_bold(content: &[Inline]) -> Option<LeadingBold> {
    let is_blank = |i: &&Inline| matches!(i, Inline::Text(t) if t.trim().is_empty());
    let mut bold = Vec::new();
    let mut index = 0;
    loop {
        let blanks = content[index..].iter().take_while(is_blank).count();
        let Some(Inline::Strong(inner)) = content.get(index + blanks) else {
            break;
        };
        if !bold.is_empty() && blanks > 0 {
            bold.push(Inline::Text(" ".into()));
        }
        index += blanks + 1;
        if let Some(at) = inner.iter().position(|i| *i == Inline::Break) {
            bold.extend_from_slice(&inner[..at]);
            let mut rest = vec![Inline::Strong(inner[at + 1..].to_vec())];
            rest.extend_from_slice(&content[index..]);
            return checked_lead(bold, rest, true);
        }
        bold.extend_from_slice(inner);
    }
    let rest = content[index..].to_vec();
    let ends_at_break = rest.first() == Some(&Inline::Break);
    checked_lead(bold, rest, ends_at_break)
}

fn checked_lead(bold: Vec<Inline>, rest: Vec<Inline>, ends_at_break: bool) -> Option<LeadingBold> {
    (has_text(&bold) && !contains_link(&bold)).then_some(LeadingBold {
        bold,
        rest,
        ends_at_break,
    })
}

fn contains_link(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Link { .. } => true,
        Inline::Strong(content) | Inline::Emphasis(content) => contains_link(content),
        Inline::Text(_) | Inline::Break => false,
    })
}

/// Short, not a sentence, not a "label: 50 Euro" value line.
fn looks_like_heading(title: &str, ends_with_colon: bool) -> bool {
    let length = title.chars().count();
    let max_length = if ends_with_colon { 120 } else { 80 };
    let is_value_line = title
        .split_once(':')
        .is_some_and(|(_, value)| value.chars().any(|c| c.is_ascii_digit()));
    title.chars().any(char::is_alphabetic)
        && length <= max_length
        && !title.ends_with(['.', ',', ';'])
        && !(title.ends_with('!') && length > 40)
        && !is_value_line
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZERO_WIDTH: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}', '\u{00AD}'];

    fn headings(html: &str) -> Vec<Option<String>> {
        sections(html).into_iter().map(|s| s.heading).collect()
    }

    // --- plain text --------------------------------------------------------------------

    #[test]
    fn list_stays_list() {
        // 1063424 "Umschreibung Fahrzeug – innerhalb Münchens"
        let html = "<p>Mit Ihrer Online-Ausweis-Funktion können Sie Ihr Fahrzeug Online ummelden.</p>\n<ul>\n <li>Wenn das Fahrzeug in München noch zugelassen ist, können Sie das Kennzeichen behalten.</li>\n <li>Sie haben die Möglichkeit, ein Wunschkennzeichen zu beantragen.</li>\n</ul>";
        assert_eq!(
            plain_text(html),
            "Mit Ihrer Online-Ausweis-Funktion können Sie Ihr Fahrzeug Online ummelden.\n\n\
             - Wenn das Fahrzeug in München noch zugelassen ist, können Sie das Kennzeichen behalten.\n\
             - Sie haben die Möglichkeit, ein Wunschkennzeichen zu beantragen."
        );
        assert!(sanitize(html).contains("<ul><li>Wenn das Fahrzeug"));
    }

    #[test]
    fn ordered_list_numbers_and_continuation_lines() {
        // 1063423 "Gewerbe-Anmeldung"
        let html = "<ol>\n <li><strong>Anmeldung starten</strong></li>\n <li><strong>Mit BayernID anmelden</strong>\n  <br>\n  Wenn Sie noch keine BayernID haben, können Sie sich registrieren.</li>\n <li><strong>Online zahlen</strong></li>\n</ol>";
        assert_eq!(
            plain_text(html),
            "1. Anmeldung starten\n2. Mit BayernID anmelden\n   Wenn Sie noch keine BayernID haben, können Sie sich registrieren.\n3. Online zahlen"
        );
        assert_eq!(
            plain_text("<ol start=\"4\"><li>vier</li><li>fünf</li></ol>"),
            "4. vier\n5. fünf"
        );
    }

    #[test]
    fn nested_list_is_indented() {
        // 1081224 "Erlöschen des Aufenthaltstitels"
        let html = "<ul>\n <li>Sie aus einem nicht nur vorübergehenden Grund ausreisen, zum Beispiel:\n  <ul>\n   <li>Schulbesuch im Ausland</li>\n   <li>Arbeiten im Ausland</li>\n  </ul></li>\n <li>Sie ausreisen und nicht wieder einreisen.</li>\n</ul>";
        assert_eq!(
            plain_text(html),
            "- Sie aus einem nicht nur vorübergehenden Grund ausreisen, zum Beispiel:\n  - Schulbesuch im Ausland\n  - Arbeiten im Ausland\n- Sie ausreisen und nicht wieder einreisen."
        );
        assert_eq!(
            sanitize(html),
            "<ul><li>Sie aus einem nicht nur vorübergehenden Grund ausreisen, zum Beispiel:<ul><li>Schulbesuch im Ausland</li><li>Arbeiten im Ausland</li></ul></li><li>Sie ausreisen und nicht wieder einreisen.</li></ul>"
        );
    }

    #[test]
    fn list_nested_without_li_belongs_to_previous_item() {
        let html = "<ul><li>a</li><ul><li>b</li></ul><li>c</li></ul>";
        assert_eq!(plain_text(html), "- a\n  - b\n- c");
        assert_eq!(
            sanitize(html),
            "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>"
        );
    }

    #[test]
    fn zero_width_spaces_are_removed() {
        // 1063423 starts with U+200B; 10431909 is nothing but "<p>\u200b</p>".
        let html = "<p>\u{200B}Sie haben eine gewerbliche Niederlassung.</p>\n<p>\u{200B}</p><p>Ge\u{00AD}bühr\u{FEFF}</p>";
        let rt = rich_text(html);
        assert_eq!(
            rt.text,
            "Sie haben eine gewerbliche Niederlassung.\n\nGebühr"
        );
        assert_eq!(
            rt.html,
            "<p>Sie haben eine gewerbliche Niederlassung.</p><p>Gebühr</p>"
        );
        assert!(rich_text("<p>\u{200B}</p>").is_empty());
        assert_eq!(sanitize("<p>\u{200B}</p>"), "");
    }

    #[test]
    fn nbsp_and_whitespace_collapse() {
        // 10435450 and 1073941
        let html = "<p>Nebenbestimmungen zu Beschäftigung oder&nbsp; Wohnsitzbeschränkung/-auflage\n   können gestrichen werden.<br>\n &nbsp;<br>\n Zur Nutzung des Berechnungsprogramms</p>";
        assert_eq!(
            plain_text(html),
            "Nebenbestimmungen zu Beschäftigung oder Wohnsitzbeschränkung/-auflage können gestrichen werden.\n\nZur Nutzung des Berechnungsprogramms"
        );
    }

    #[test]
    fn br_runs_become_paragraphs_and_edges_are_trimmed() {
        // 1063423 fees: "<p>50 bis 60 Euro (abhängig von der Rechtsform)<br><br></p>"
        assert_eq!(
            sanitize("<p>50 bis 60 Euro (abhängig von der Rechtsform)<br><br></p>"),
            "<p>50 bis 60 Euro (abhängig von der Rechtsform)</p>"
        );
        let html = "<p>Eins<br><br><br><br>Zwei<br>Drei</p>";
        assert_eq!(plain_text(html), "Eins\n\nZwei\nDrei");
        assert_eq!(sanitize(html), "<p>Eins</p><p>Zwei<br>Drei</p>");
    }

    #[test]
    fn typed_line_breaks_in_text_are_kept() {
        // 1063525 fees: the editors typed CR LF line breaks into the text.
        let html = "<p>\nFür ein Jahr: 150 Euro\r\n\nunbefristet: 270 Euro\r\n\n\r\n\nzusätzlich:</p>\n<ul>\n<li>\n13 Euro (für Auskunft aus dem Bundeszentralregister)</li>\n</ul>\n<p>\n\u{a0}</p>";
        assert_eq!(
            plain_text(html),
            "Für ein Jahr: 150 Euro\nunbefristet: 270 Euro\nzusätzlich:\n\n- 13 Euro (für Auskunft aus dem Bundeszentralregister)"
        );
    }

    #[test]
    fn entities_are_decoded_and_reescaped() {
        let html = "<p>Fragen &amp; Antworten &lt;wichtig&gt; &bdquo;Hallo&ldquo; 5&euro;</p>";
        assert_eq!(plain_text(html), "Fragen & Antworten <wichtig> „Hallo“ 5€");
        assert_eq!(
            sanitize(html),
            "<p>Fragen &amp; Antworten &lt;wichtig&gt; „Hallo“ 5€</p>"
        );
    }

    #[test]
    fn empty_input_gives_empty_output() {
        for html in [
            "",
            "   \n ",
            "<p></p>",
            "<p>&nbsp;</p>\n<div>\n\u{a0}</div>",
            "<br><br>",
        ] {
            let rt = rich_text(html);
            assert!(rt.is_empty(), "{html:?}");
            assert_eq!(rt.html, "", "{html:?}");
            assert!(rt.sections.is_empty(), "{html:?}");
            assert!(links(html).is_empty());
            assert_eq!(clean_inline(html), "");
        }
    }

    #[test]
    fn plain_text_without_tags() {
        let text = "Gebührenfrei, bitte   Termin\nvereinbaren.";
        assert_eq!(plain_text(text), "Gebührenfrei, bitte Termin vereinbaren.");
        assert_eq!(
            sanitize(text),
            "<p>Gebührenfrei, bitte Termin vereinbaren.</p>"
        );
        let rt = rich_text(text);
        assert_eq!(rt.sections.len(), 1);
        assert_eq!(rt.sections[0].heading, None);
    }

    #[test]
    fn malformed_html_does_not_panic() {
        let html = "<p><strong>Unterlagen:<ul><li>Pass<li>Foto</ul><p>Ende <a href='https://x.de'>Link <b>fett</p></div></span><<>>&bogus; <p";
        let rt = rich_text(html);
        assert!(rt.text.contains("- Pass\n- Foto"), "{}", rt.text);
        assert!(rt.text.contains("Ende Link fett"), "{}", rt.text);
        // The unclosed <strong> carries on into the list, as in a browser.
        assert!(
            rt.html
                .starts_with("<p><strong>Unterlagen:</strong></p><ul><li><strong>Pass"),
            "{}",
            rt.html
        );
        assert_eq!(rt.sections[0].heading.as_deref(), Some("Unterlagen"));
        for broken in [
            "<",
            "</",
            "<a href=",
            "<ul><li><ul><li>",
            "</li></ul>x",
            "<table><td>a<td>b",
            "<![CDATA[x]]>",
        ] {
            let _ = rich_text(broken);
            let _ = links(broken);
            let _ = clean_inline(broken);
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        for tag in ["div", "span", "strong", "ul", "li", "a"] {
            let html = format!(
                "{}tief{}",
                format!("<{tag}>").repeat(2000),
                format!("</{tag}>").repeat(2000)
            );
            let rt = rich_text(&html);
            assert!(rt.text.contains("tief"), "{tag}");
        }
        let deep_script = format!("{}<script>geheim</script>sichtbar", "<span>".repeat(500));
        assert_eq!(plain_text(&deep_script), "sichtbar");
    }

    #[test]
    fn script_and_style_content_is_removed_entirely() {
        let html = "<style>p { color: red }</style><p>Hallo<script>alert('x')</script> Welt</p><noscript>nope</noscript><template><p>t</p></template>";
        let rt = rich_text(html);
        assert_eq!(rt.text, "Hallo Welt");
        assert_eq!(rt.html, "<p>Hallo Welt</p>");
    }

    #[test]
    fn divs_spans_and_table_cells_become_paragraphs() {
        // 10300769 fees (divs), 1072015 fees (span, u), 10429823 description (table)
        let html = "<div>\nDer Gebührenrahmen beträgt zwischen 25 und 100 Euro.</div>\n<div>\n\u{a0}</div><p><span>Wenn Sie <u>gleichzeitig</u> beantragen</span></p><table>\n <tbody>\n  <tr>\n   <td>\n    <p>Zelle eins</p></td><td>Zelle zwei</td></tr></tbody></table>";
        assert_eq!(
            sanitize(html),
            "<p>Der Gebührenrahmen beträgt zwischen 25 und 100 Euro.</p><p>Wenn Sie gleichzeitig beantragen</p><p>Zelle eins</p><p>Zelle zwei</p>"
        );
    }

    // --- sanitising and links ----------------------------------------------------------

    #[test]
    fn unsafe_links_are_dropped_but_text_stays() {
        let html = r#"<p>Bitte <a href="javascript:alert(1)">hier</a>, <a href=" JaVaScRiPt:evil()">da</a>, <a href="data:text/html,x">dort</a>, <a href="/service/info">relativ</a>, <a href="//evil.example">ohne Schema</a>, <a>leer</a>, <a href="https://a.de:99999/">Port</a>, <a href="https://[::1/">IPv6</a>, <a href="https:///pfad">ohne Host</a> klicken.</p>"#;
        let text =
            "Bitte hier, da, dort, relativ, ohne Schema, leer, Port, IPv6, ohne Host klicken.";
        assert_eq!(sanitize(html), format!("<p>{text}</p>"));
        assert_eq!(plain_text(html), text);
        assert!(links(html).is_empty());
    }

    #[test]
    fn mailto_tel_and_http_links_are_kept_with_rel() {
        // 1080721 (mailto), 1078464 (http), 10306925 (target="")
        let html = r#"<p>E-Mail: <a href="mailto:MUC-Posteingang@bamf.bund.de">MUC-Posteingang@bamf.bund.de</a></p><p>Flyer <a href="http://www.muenchen.info/soz/pub/pdf/389_Beratung.pdf" target="">"Beratung"</a>, Telefon <a href="tel:+49 89 233-96000" onclick="x()">089 233-96000</a></p>"#;
        assert_eq!(
            sanitize(html),
            "<p>E-Mail: <a href=\"mailto:MUC-Posteingang@bamf.bund.de\" rel=\"noopener noreferrer\">MUC-Posteingang@bamf.bund.de</a></p>\
             <p>Flyer <a href=\"http://www.muenchen.info/soz/pub/pdf/389_Beratung.pdf\" rel=\"noopener noreferrer\">\"Beratung\"</a>, \
             Telefon <a href=\"tel:+4989233-96000\" rel=\"noopener noreferrer\">089 233-96000</a></p>"
        );
        let urls: Vec<String> = links(html).into_iter().map(|l| l.url).collect();
        assert_eq!(
            urls,
            [
                "mailto:MUC-Posteingang@bamf.bund.de",
                "http://www.muenchen.info/soz/pub/pdf/389_Beratung.pdf",
                "tel:+4989233-96000"
            ]
        );
    }

    #[test]
    fn links_in_order_without_duplicates() {
        // 1089337: query strings survive; 1063425: bold link text.
        let html = r#"<p>Sie müssen ein <a href="https://www.auswaertiges-amt.de/de/service/fragenkatalog-node/-/606772?openAccordionId=item-606470-2-panel">Visum</a> bei der
            <a href="https://www.auswaertiges-amt.de/de/ReiseUndSicherheit/deutsche-auslandsvertretungen"> zuständigen deutschen
            Auslandsvertretung </a> beantragen.</p><ul><li><a href="https://stadt.muenchen.de/x/"><strong>E-Kennzeichen</strong></a></li><li><a href="https://stadt.muenchen.de/x/">nochmal</a></li></ul>"#;
        let found = links(html);
        let pairs: Vec<(&str, &str)> = found
            .iter()
            .map(|l| (l.name.as_str(), l.url.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "Visum",
                    "https://www.auswaertiges-amt.de/de/service/fragenkatalog-node/-/606772?openAccordionId=item-606470-2-panel"
                ),
                (
                    "zuständigen deutschen Auslandsvertretung",
                    "https://www.auswaertiges-amt.de/de/ReiseUndSicherheit/deutsche-auslandsvertretungen"
                ),
                ("E-Kennzeichen", "https://stadt.muenchen.de/x/"),
            ]
        );
        assert!(found.iter().all(|l| l.description.is_none()));
    }

    #[test]
    fn attributes_and_unknown_tags_are_stripped() {
        // 1063576 fees: <li class="western" style="...">; 1075967: a broken style attribute.
        let html = r#"<ul><li class="western" style="margin-bottom: 0cm;" onmouseover="x()">Bearbeitungsgebühr: 5 Euro</li></ul><p><span style="color: rgb(51, 51, 51); font-family: " helvetica="" neue",="">Text</span><img src="x" onerror="alert(1)"><iframe src="https://evil"></iframe></p><h1 id="x">Eins</h1><h2>Zwei</h2><h6>Sechs</h6>"#;
        assert_eq!(
            sanitize(html),
            "<ul><li>Bearbeitungsgebühr: 5 Euro</li></ul><p>Text</p><h3>Eins</h3><h3>Zwei</h3><h5>Sechs</h5>"
        );
    }

    // --- sections ----------------------------------------------------------------------

    #[test]
    fn strong_paragraph_headings_split_sections() {
        // 1063426 "Beglaubigung von bis zu 5 Dokumenten"
        let html = "<p>Besonders häufig beglaubigen wir zum Beispiel Schulzeugnisse.</p>\n<p><strong>Unterscheidung: Amtliche und öffentliche Beglaubigung</strong></p>\n<ul>\n <li>Die Meldebehörde hat <strong>keine Befugnis zur öffentlichen Beglaubigung.</strong></li>\n</ul>";
        let s = sections(html);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].heading, None);
        assert_eq!(
            s[0].text,
            "Besonders häufig beglaubigen wir zum Beispiel Schulzeugnisse."
        );
        assert_eq!(
            s[1].heading.as_deref(),
            Some("Unterscheidung: Amtliche und öffentliche Beglaubigung")
        );
        assert_eq!(
            s[1].text,
            "- Die Meldebehörde hat keine Befugnis zur öffentlichen Beglaubigung."
        );
        assert_eq!(
            s[1].html,
            "<ul><li>Die Meldebehörde hat <strong>keine Befugnis zur öffentlichen Beglaubigung.</strong></li></ul>"
        );
    }

    #[test]
    fn colon_headings_lose_the_colon() {
        // 1081224 and 1063423
        let html = "<p><strong>So funktioniert die Online-Anmeldung:</strong></p><ol><li>Anmeldung starten</li></ol><p>\u{200B} <strong>Arbeitserlaubnis</strong></p><p>Sie brauchen keine.</p>";
        assert_eq!(
            headings(html),
            [
                Some("So funktioniert die Online-Anmeldung".to_string()),
                Some("Arbeitserlaubnis".to_string())
            ]
        );
    }

    #[test]
    fn run_in_bold_headings_split_their_paragraph() {
        let html = concat!(
            // 1064033: bold label, then <br>
            "<p><strong>Empfänger der Auskunft:</strong>\n <br>\n Die Auskunft kann nur an Sie gesandt werden.</p>",
            // 1063486: <br> inside the bold
            "<p><strong>Wegzug ins Ausland:<br></strong>Wenn Sie ins Ausland wegziehen, melden Sie sich ab.</p>",
            // 1076006-like: label ending with ':' followed by text
            "<p><strong>Zuständigkeit im Schulbereich:</strong> Das Amt für Ausbildungsförderung ist zuständig.</p>",
            // 1087850: the colon outside the bold
            "<p><strong>Visum</strong>:Vor der Einreise müssen Sie ein Visum beantragen.</p>",
            // 1072015: a new sentence after the bold
            "<p><strong>Neuantrag</strong> Wenn Sie ein Fahrzeug benötigen, beantragen Sie eine Ausnahme.</p>",
        );
        let s = sections(html);
        let pairs: Vec<(Option<&str>, &str)> = s
            .iter()
            .map(|s| (s.heading.as_deref(), s.text.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    Some("Empfänger der Auskunft"),
                    "Die Auskunft kann nur an Sie gesandt werden."
                ),
                (
                    Some("Wegzug ins Ausland"),
                    "Wenn Sie ins Ausland wegziehen, melden Sie sich ab."
                ),
                (
                    Some("Zuständigkeit im Schulbereich"),
                    "Das Amt für Ausbildungsförderung ist zuständig."
                ),
                (
                    Some("Visum"),
                    "Vor der Einreise müssen Sie ein Visum beantragen."
                ),
                (
                    Some("Neuantrag"),
                    "Wenn Sie ein Fahrzeug benötigen, beantragen Sie eine Ausnahme."
                ),
            ]
        );
        assert_eq!(
            s[0].html,
            "<p>Die Auskunft kann nur an Sie gesandt werden.</p>"
        );
    }

    #[test]
    fn bold_sentences_and_values_are_not_headings() {
        let html = concat!(
            "<p>Intro.</p>",
            // 1063486: an emphasised sentence
            "<p><strong>Bei einem Umzug innerhalb Deutschlands müssen Sie sich nicht abmelden.</strong></p>",
            // 1063519: bold word inside a sentence
            "<p><strong>Schlüssel</strong> können ohne Termin besichtigt werden.</p>",
            // 1063428 fees: bold text with a link
            "<p><a href=\"https://stadt.muenchen.de/x/\"><strong>Unterschriftsbeglaubigungen</strong></a><strong> können Sie gebührenfrei vornehmen</strong></p>",
            // 1099271 fees: fee values in bold
            "<p><strong>Erwachsene: bis 100 Euro</strong></p>\n<p><strong>Kinder und Jugendliche: bis 50 Euro\n  <br>\n  <br>Assoziationsberechtigte: 47 Euro</strong></p>",
            "<p>Mittendrin <strong>fett</strong></p>",
        );
        let s = sections(html);
        assert_eq!(s.len(), 1, "{s:#?}");
        assert_eq!(s[0].heading, None);
        assert!(s[0].text.contains("Erwachsene: bis 100 Euro\n\nKinder und Jugendliche: bis 50 Euro\n\nAssoziationsberechtigte: 47 Euro"));
    }

    #[test]
    fn h3_headings_and_text_before_first_heading() {
        let html = "<p>Allgemein.</p><h3>Unterlagen</h3><ul><li>Pass</li></ul><h4> Gebühren: </h4><p>37 Euro</p>";
        let s = sections(html);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].heading.as_deref(), s[0].text.as_str()),
            (None, "Allgemein.")
        );
        assert_eq!(
            (s[1].heading.as_deref(), s[1].html.as_str()),
            (Some("Unterlagen"), "<ul><li>Pass</li></ul>")
        );
        assert_eq!(
            (s[2].heading.as_deref(), s[2].text.as_str()),
            (Some("Gebühren"), "37 Euro")
        );
        assert_eq!(
            rich_text(html).text,
            "Allgemein.\n\nUnterlagen\n\n- Pass\n\nGebühren:\n\n37 Euro"
        );
    }

    #[test]
    fn empty_sections_are_dropped_but_bold_text_is_not_lost() {
        // A real heading without body disappears; a bold paragraph without body stays text
        // (1087850: "Hinweise zum Verfahren" directly followed by the run-in "Visum:").
        let html = "<h3>Leer</h3><h3>Voll</h3><p>Text</p><p><strong><u>Hinweise zum Verfahren</u></strong></p><p><strong>Visum</strong>: beantragen</p><p><strong>Schluss</strong></p>";
        let s = sections(html);
        let pairs: Vec<(Option<&str>, &str)> = s
            .iter()
            .map(|s| (s.heading.as_deref(), s.text.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (Some("Voll"), "Text\n\nHinweise zum Verfahren"),
                (Some("Visum"), "beantragen\n\nSchluss")
            ]
        );
        assert!(sections("<h3>Nur eine Überschrift</h3>").is_empty());
    }

    #[test]
    fn rich_text_agrees_with_the_single_functions() {
        let html = "<p>Intro <a href='https://a.de'>A</a></p><p><strong>Kontodaten:</strong>\n <br>\n IBAN: DE86 7015 0000 0000 2030 00</p>";
        let rt = rich_text(html);
        assert_eq!(rt.text, plain_text(html));
        assert_eq!(rt.html, sanitize(html));
        assert_eq!(rt.sections, sections(html));
        assert_eq!(rt.sections[1].heading.as_deref(), Some("Kontodaten"));
        assert_eq!(rt.sections[1].text, "IBAN: DE86 7015 0000 0000 2030 00");
    }

    #[test]
    fn clean_inline_flattens_to_one_line() {
        assert_eq!(
            clean_inline("Kreisverwaltungsreferat&nbsp;<br>Hauptabteilung&#160;II "),
            "Kreisverwaltungsreferat Hauptabteilung II"
        );
        assert_eq!(
            clean_inline("<p>Bürger\u{200B}büro</p><p>Ruppertstraße</p>"),
            "Bürgerbüro Ruppertstraße"
        );
        assert_eq!(clean_inline("a < b & c"), "a < b & c");
        assert_eq!(clean_inline("<script>x</script>Ok"), "Ok");
        assert_eq!(
            clean_inline("<ul><li>Pass</li><li>Foto</li></ul>"),
            "Pass Foto"
        );
        assert_eq!(clean_inline("Tab\there\u{0007}"), "Tab here");
    }

    // --- the real catalogue ------------------------------------------------------------

    /// A '<' that starts something tag-like: a letter, '/' or '!'.
    fn has_tag_remnant(text: &str) -> bool {
        text.split('<').skip(1).any(|after| {
            after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
        })
    }

    fn assert_clean_text(text: &str, what: &str) {
        assert!(!has_tag_remnant(text), "tag remnant in {what}: {text}");
        assert!(!text.contains(ZERO_WIDTH), "zero-width char in {what}");
        assert_eq!(text.trim_matches('\n'), text, "blank edge lines in {what}");
        assert!(!text.contains("\n\n\n"), "double blank line in {what}");
    }

    /// Every element and attribute in the sanitised HTML is on the allowlist.
    fn assert_safe_html(html: &str, what: &str) {
        let allowed = [
            "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4", "h5", "a",
        ];
        assert!(
            !html.to_lowercase().contains("javascript:"),
            "javascript: in {what}"
        );
        assert!(!html.contains(ZERO_WIDTH), "zero-width char in {what} html");
        let fragment = Html::parse_fragment(html);
        for el in fragment.root_element().descendent_elements().skip(1) {
            let name = el.value().name();
            assert!(allowed.contains(&name), "<{name}> in {what}");
            for (attr, value) in el.value().attrs() {
                assert!(!attr.starts_with("on"), "event attribute in {what}");
                assert!(
                    name == "a" && (attr == "href" || attr == "rel"),
                    "{attr} on <{name}> in {what}"
                );
                if attr == "href" {
                    assert!(safe_url(value).is_some(), "unsafe href {value} in {what}");
                }
            }
            if name == "a" {
                assert!(el.attr("href").is_some(), "<a> without href in {what}");
            }
            if name == "p" {
                assert!(
                    el.text().any(|t| !t.trim().is_empty()),
                    "empty <p> in {what}"
                );
            }
        }
    }

    #[test]
    fn every_munich_description_and_fee_is_clean() {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../../index/muenchen/services_de.json"))
                .expect("valid JSON");
        let services = json["data"].as_array().expect("data array");
        assert!(services.len() > 250);
        let mut fields = 0;
        let mut with_headings = 0;
        for service in services {
            for field in ["description", "fees"] {
                let Some(html) = service[field].as_str() else {
                    continue;
                };
                let what = format!("{} {field}", service["id"]);
                let rt = rich_text(html);
                fields += 1;
                assert_clean_text(&rt.text, &what);
                assert_safe_html(&rt.html, &what);
                assert_eq!(rt.is_empty(), plain_text(html).is_empty());
                let source_text: String =
                    Html::parse_fragment(html).root_element().text().collect();
                if source_text.contains(char::is_alphanumeric) {
                    assert!(!rt.is_empty(), "text lost in {what}");
                }
                for section in &rt.sections {
                    assert!(!section.text.is_empty(), "empty section in {what}");
                    assert_clean_text(&section.text, &what);
                    assert_safe_html(&section.html, &what);
                    if let Some(heading) = &section.heading {
                        with_headings += 1;
                        assert_eq!(heading.trim(), heading);
                        assert!(
                            !heading.is_empty() && !heading.ends_with(':'),
                            "heading {heading:?} in {what}"
                        );
                        assert_clean_text(heading, &what);
                    }
                }
                for link in links(html) {
                    assert!(
                        safe_url(&link.url).as_deref() == Some(link.url.as_str()),
                        "{what}"
                    );
                    assert!(!link.name.is_empty());
                }
            }
        }
        assert!(fields > 400, "{fields}");
        assert!(with_headings > 150, "{with_headings}");
    }
}
