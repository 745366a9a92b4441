//! Parsing helpers for the XZuFi importer ([`super::xzufi`]): XML with positions, elements
//! by local name (the namespace prefix varies between editorial systems), the German text of
//! multilingual fields, warnings naming file, line and element (each unknown element once
//! per file), and the readers of single XZuFi elements (costs, links, addresses, contacts,
//! coordinates, zuständigkeiten).

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node, ParsingOptions};

use super::html;
use super::import::{ImportError, Warning};
use super::{Address, Link, Office, RichText};

/// Parses one file, or fails naming file, line, column and the element open at the error.
pub(super) fn parse<'i>(name: &str, text: &'i str) -> Result<Document<'i>, ImportError> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        let message = e.to_string();
        let message = match message.rfind(" at ") {
            Some(i) if message[i + 4..].contains(':') => message[..i].to_string(),
            _ => message,
        };
        ImportError::Xml {
            file: name.to_string(),
            line: pos.row as usize,
            column: pos.col as usize,
            element: open_element_at(text, pos.row as usize, pos.col as usize),
            message,
        }
    })
}

/// The innermost element still open at a line and column (1-based): a light scan of start
/// and end tags, good enough to name the element around a syntax error.
fn open_element_at(text: &str, row: usize, col: usize) -> String {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row {
            offset += line
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(line.len(), |(b, _)| b);
            break;
        }
        offset += line.len();
    }
    let before = &text[..offset.min(text.len())];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = before;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        for (open, close) in [("!--", "-->"), ("![CDATA[", "]]>"), ("?", "?>"), ("!", ">")] {
            if let Some(after) = rest.strip_prefix(open) {
                rest = after.find(close).map_or("", |e| &after[e + close.len()..]);
                break;
            }
        }
        let closing = rest.starts_with('/');
        let tag = rest.trim_start_matches('/');
        let end = tag
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..end];
        if name.is_empty() {
            continue;
        }
        let self_closing = tag.find('>').is_some_and(|gt| tag[..gt].ends_with('/'));
        if closing {
            if let Some(i) = stack.iter().rposition(|open| *open == name) {
                stack.truncate(i);
            }
        } else if !self_closing {
            stack.push(name);
        }
    }
    let name = stack.last().copied().unwrap_or("document");
    name.rsplit(':').next().unwrap_or(name).to_string()
}

/// The element children of `node` called `name` (local name, any namespace).
pub(super) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The first element child called `name`.
pub(super) fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// All text of an element and its descendants, whitespace collapsed.
pub(super) fn text(node: Node) -> String {
    let raw: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of the child `name`, trimmed, if it is not empty.
pub(super) fn child_text(node: Node, name: &'static str) -> Option<String> {
    child(node, name).map(text).filter(|t| !t.is_empty())
}

/// A code value: the text of a `code` child (`<leikaTextmodul><code>06</code></leikaTextmodul>`),
/// or the element's own text.
pub(super) fn code(node: Node) -> String {
    child_text(node, "code").unwrap_or_else(|| text(node))
}

/// The markup inside an element, as the editors wrote it: escaped HTML and CDATA arrive as
/// text; XHTML written as child elements is taken from the source as it stands.
pub(super) fn markup(node: Node) -> String {
    let elements = node.children().any(|c| c.is_element());
    if elements {
        let first = node.first_child().map(|c| c.range().start);
        let last = node.last_child().map(|c| c.range().end);
        if let (Some(start), Some(end)) = (first, last) {
            return node.document().input_text()[start..end].to_string();
        }
    }
    node.children()
        .filter_map(|c| c.text())
        .collect::<String>()
        .trim()
        .to_string()
}

/// The language of a multilingual element (`languageCode`, `sprache` or `xml:lang`).
fn language<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.attributes()
        .find(|a| matches!(a.name(), "languageCode" | "sprache" | "lang"))
        .map(|a| a.value())
}

/// Of several language versions, the German one: the first marked `de…`, else the first
/// without a language, else the first of all.
pub(super) fn german<'a, 'i>(nodes: impl Iterator<Item = Node<'a, 'i>>) -> Option<Node<'a, 'i>> {
    let nodes: Vec<_> = nodes.collect();
    let is_german = |n: &Node| {
        language(*n).is_some_and(|l| l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("de")))
    };
    nodes
        .iter()
        .find(|n| is_german(n))
        .or_else(|| nodes.iter().find(|n| language(**n).is_none()))
        .or_else(|| nodes.first())
        .copied()
}

/// The German markup of the children `name` (`inhalt`, `beschreibung`), if not empty.
pub(super) fn german_markup(node: Node, name: &'static str) -> Option<String> {
    german(children(node, name))
        .map(markup)
        .filter(|m| !m.trim().is_empty())
}

/// Where a record is, for warnings, and which element names were already reported unknown
/// in its file.
pub(super) struct FileAt<'f> {
    /// The file's name as given.
    pub file: &'f str,
    /// Line and column lookups.
    pub doc: &'f Document<'f>,
    /// Local names already warned about as unknown in this file.
    pub unknown: HashSet<String>,
    /// Text module codes already warned about as not mapped in this file.
    pub unmapped_modules: HashSet<String>,
}

impl<'f> FileAt<'f> {
    /// A fresh context for one file.
    pub fn new(file: &'f str, doc: &'f Document<'f>) -> Self {
        FileAt {
            file,
            doc,
            unknown: HashSet::new(),
            unmapped_modules: HashSet::new(),
        }
    }

    /// The 1-based line of a node.
    pub fn line(&self, node: Node) -> usize {
        self.doc.text_pos_at(node.range().start).row as usize
    }

    /// A warning about `node` (its line), in record `record` with id `id`.
    pub fn warn(
        &self,
        node: Node,
        record: usize,
        id: Option<&str>,
        field: &str,
        message: impl Into<String>,
    ) -> Warning {
        Warning {
            file: self.file.to_string(),
            line: Some(self.line(node)),
            record,
            id: id.map(str::to_string),
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A warning about an unknown element, only the first time its name appears in the file.
    pub fn unknown(
        &mut self,
        node: Node,
        record: usize,
        id: Option<&str>,
        path: &str,
    ) -> Option<Warning> {
        let name = node.tag_name().name();
        if !self.unknown.insert(name.to_string()) {
            return None;
        }
        Some(self.warn(
            node,
            record,
            id,
            path,
            format!(
                "unknown element <{name}> skipped (further <{name}> elements in this file are skipped without warning)"
            ),
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Readers of XZuFi elements
// ---------------------------------------------------------------------------------------

/// Standard children of an `organisationseinheit` that Sophia does not use.
pub(super) const OFFICE_IGNORED: &[&str] = &[
    "idSekundaer",
    "kurzbeschreibung",
    "beschreibung",
    "uebergeordneteOrganisationseinheitID",
    "organisationsart",
    "kategorie",
    "sprachversion",
    "versionsinformation",
    "gueltigkeit",
    "bankverbindung",
    "glaeubigerIdentifikationsnummer",
    "synonym",
    "alternativeName",
    "kommunikationssystem",
    "parkplatz",
    "barrierefreiheit",
    "infoParkplatz",
    "infoBarrierefreiheit",
    "infoOePNV",
    "anfahrturl",
    "herausgeber",
];

/// What a `leistung` holds, module by module, before it becomes a [`super::Service`].
#[derive(Default)]
pub(super) struct LeistungParts<'a, 'i> {
    /// `modulText`s by `leikaTextmodul/code`.
    pub modules: HashMap<String, Vec<Node<'a, 'i>>>,
    pub leika: Option<(Node<'a, 'i>, String)>,
    pub fees: Option<RichText>,
    pub process_time: Option<RichText>,
    pub deadline: Option<String>,
    pub url: Option<String>,
    pub updated: Option<String>,
    pub terms: Vec<String>,
}

impl LeistungParts<'_, '_> {
    /// The German HTML of text module `code` (several modules with the code are joined).
    pub fn text(&self, code: &str) -> Option<String> {
        let parts: Vec<String> = self
            .modules
            .get(code)?
            .iter()
            .filter_map(|m| german_markup(*m, "inhalt"))
            .map(|m| as_html(&m))
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    }

    /// Text module `code` as one line, if not empty (names).
    pub fn name(&self, code: &str) -> Option<String> {
        self.text(code)
            .map(|n| html::clean_inline(&n))
            .filter(|n| !n.is_empty())
    }

    /// The `weiterfuehrenderLink`s of text module `code`.
    pub fn further_links(&self, code: &str) -> Vec<Link> {
        self.modules
            .get(code)
            .map(|ms| ms.iter().flat_map(|m| further_links(*m)).collect())
            .unwrap_or_default()
    }

    /// Text module `code` as a list (documents, prerequisites, legal bases).
    pub fn items(&self, code: &str) -> Vec<Link> {
        items(self.text(code).as_deref(), self.further_links(code))
    }

    /// Text module `code` as links (forms, further information).
    pub fn links(&self, code: &str) -> Vec<Link> {
        links(self.text(code).as_deref(), self.further_links(code))
    }

    /// The description: Volltext (else Kurztext, else Teaser), then Verfahrensablauf,
    /// Hinweise and Fristen under their headings.
    pub fn description(&self) -> RichText {
        let mut html = self
            .text("06")
            .or_else(|| self.text("05"))
            .or_else(|| self.text("24"))
            .unwrap_or_default();
        let later = [
            ("Verfahrensablauf", self.text("11")),
            ("Hinweise", self.text("16")),
            ("Fristen", self.deadline.clone()),
        ];
        for (heading, body) in later {
            if let Some(body) = body {
                html.push_str(&format!("\n<h3>{heading}</h3>\n{body}"));
            }
        }
        html::rich_text(&html)
    }
}

/// One zuständigkeit: which office is responsible for which leistung, where, and where in
/// which file it was said.
#[derive(Debug, Clone)]
pub(super) struct Responsible {
    pub file: String,
    pub line: usize,
    pub record: usize,
    pub office_id: String,
    pub leistung_id: Option<String>,
    /// Valid 12-digit ARS.
    pub regions: Vec<String>,
    /// gebietIDs that are not 12-digit ARS.
    pub bad_regions: Vec<String>,
}

/// Reads a `zustaendigkeit{leistungID, gebietID*, rolle}` of organisationseinheit `office_id`.
pub(super) fn responsible(
    node: Node,
    office_id: &str,
    file: &str,
    line: usize,
    record: usize,
) -> Responsible {
    let (regions, bad_regions) = children(node, "gebietID")
        .map(text)
        .filter(|g| !g.is_empty())
        .partition(|g| g.len() == 12 && g.bytes().all(|b| b.is_ascii_digit()));
    Responsible {
        file: file.to_string(),
        line,
        record,
        office_id: office_id.to_string(),
        leistung_id: child_text(node, "leistungID"),
        regions,
        bad_regions,
    }
}

/// HTML for module text: markup stays as it is; plain text becomes paragraphs (blank lines)
/// with line breaks.
pub(super) fn as_html(markup: &str) -> String {
    if markup.contains('<') {
        return markup.to_string();
    }
    markup
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            format!(
                "<p>{}</p>",
                p.lines().map(str::trim).collect::<Vec<_>>().join("<br>")
            )
        })
        .collect()
}

/// The German `beschreibung` of a module (`modulFrist`, `modulBearbeitungsdauer`), else its
/// own text.
pub(super) fn module_markup(node: Node) -> Option<String> {
    german_markup(node, "beschreibung")
        .or_else(|| german_markup(node, "inhalt"))
        .or_else(|| {
            let own: String = node.children().filter_map(|c| c.text()).collect();
            Some(own.trim().to_string()).filter(|t| !t.is_empty())
        })
        .map(|m| as_html(&m))
}

/// Costs: every `kosten` entry as a list item ("Beschreibung: 70 Euro"), then the module's
/// `beschreibung`. `None` when the module says nothing.
pub(super) fn fees(node: Node) -> Option<RichText> {
    let mut items = Vec::new();
    for k in children(node, "kosten") {
        let what = german_markup(k, "beschreibung").map(|d| html::clean_inline(&d));
        let amount = amount(k);
        let item = match (what.filter(|w| !w.is_empty()), amount) {
            (Some(w), Some(a)) => format!("{w}: {a}"),
            (Some(w), None) => w,
            (None, Some(a)) => a,
            (None, None) => continue,
        };
        items.push(format!("<li>{}</li>", escape(&item)));
    }
    let mut out = String::new();
    if !items.is_empty() {
        out = format!("<ul>{}</ul>", items.concat());
    }
    if let Some(text) = german_markup(node, "beschreibung") {
        out.push_str(&as_html(&text));
    }
    let rich = html::rich_text(&out);
    (!rich.is_empty()).then_some(rich)
}

/// The amount of a `kosten` entry: fixed, or from–to, in euros.
fn amount(node: Node) -> Option<String> {
    let euro = |name: &'static str| child_text(node, name).map(|a| euro(&a));
    match (
        euro("betragFix").or_else(|| euro("betrag")),
        euro("betragVon"),
        euro("betragBis"),
    ) {
        (Some(fix), _, _) => Some(fix),
        (None, Some(from), Some(to)) => Some(format!("{from} bis {to}")),
        (None, Some(from), None) => Some(format!("ab {from}")),
        (None, None, Some(to)) => Some(format!("bis {to}")),
        (None, None, None) => None,
    }
}

/// "70.00" → "70 Euro", "37.5" → "37,50 Euro"; anything else as written.
fn euro(raw: &str) -> String {
    match raw.trim().replace(',', ".").parse::<f64>() {
        Ok(v) if v.fract() == 0.0 => format!("{v:.0} Euro"),
        Ok(v) => format!("{v:.2} Euro").replace('.', ","),
        Err(_) => raw.trim().to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The search terms of a `modulBegriffImKontext`.
pub(super) fn terms(node: Node) -> Vec<String> {
    node.descendants()
        .filter(|d| d.is_element() && d.tag_name().name() == "begriffImKontext")
        .filter_map(|b| german(children(b, "begriff")).map(text))
        .map(|t| html::clean_inline(&t))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The `weiterfuehrenderLink`s of a `modulText` (`uri`, `titel`, `beschreibung`).
pub(super) fn further_links(node: Node) -> Vec<Link> {
    children(node, "weiterfuehrenderLink")
        .filter_map(|l| {
            let url = child_text(l, "uri").or_else(|| child_text(l, "link"))?;
            let name = child_text(l, "titel").unwrap_or_else(|| url.clone());
            Some(Link {
                name: html::clean_inline(&name),
                url,
                description: child_text(l, "beschreibung")
                    .map(|d| html::clean_inline(&d))
                    .filter(|d| !d.is_empty()),
            })
        })
        .collect()
}

/// A list field (documents, prerequisites, legal bases): the list items of the text (or
/// its paragraphs when it has no list), each with the URL of the link of the same name,
/// then the remaining links.
pub(super) fn items(markup: Option<&str>, further: Vec<Link>) -> Vec<Link> {
    let mut links = text_links(markup, further);
    let Some(markup) = markup else {
        return links;
    };
    let text = html::plain_text(markup);
    let listed: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("- ").or_else(|| {
                let (n, rest) = l.split_once(". ")?;
                n.bytes().all(|b| b.is_ascii_digit()).then_some(rest)
            })
        })
        .collect();
    let lines: Vec<&str> = if listed.is_empty() {
        text.split("\n\n").collect()
    } else {
        listed
    };
    let mut out = Vec::new();
    for line in lines {
        let name = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            continue;
        }
        let url = links
            .iter()
            .position(|l| l.name == name)
            .map(|i| links.remove(i).url)
            .unwrap_or_default();
        out.push(Link {
            name,
            url,
            description: None,
        });
    }
    out.extend(links);
    out
}

/// A link field (forms, further information): its links; its list items or paragraphs
/// when it has no link.
pub(super) fn links(markup: Option<&str>, further: Vec<Link>) -> Vec<Link> {
    let links = text_links(markup, further);
    if links.is_empty() {
        return items(markup, Vec::new());
    }
    links
}

/// The `weiterfuehrenderLink`s, then the links in the text not among them.
fn text_links(markup: Option<&str>, mut links: Vec<Link>) -> Vec<Link> {
    for link in markup.map(html::links).unwrap_or_default() {
        if !links.iter().any(|l| l.url == link.url) {
            links.push(link);
        }
    }
    links
}

/// The name of an organisationseinheit: the German `name` inside `name`, or its text.
pub(super) fn name(node: Node) -> String {
    let inner = german(children(node, "name"));
    html::clean_inline(&inner.map_or_else(|| text(node), text))
}

/// An office with only id and name.
pub(super) fn empty_office(id: String, name: String) -> Office {
    Office {
        id,
        name,
        display_name: None,
        organization: None,
        organization_unit: None,
        address: Address::default(),
        geo: None,
        phone: None,
        email: None,
        url: None,
        service_ids: Vec::new(),
        opening_hours: None,
        keywords: Vec::new(),
        regions: Vec::new(),
    }
}

/// An `anschrift`.
pub(super) fn address(node: Node) -> Address {
    let field = |name: &'static str| child_text(node, name).unwrap_or_default();
    Address {
        street: field("strasse"),
        house_number: field("hausnummer"),
        postal_code: field("postleitzahl"),
        city: field("ort"),
    }
}

/// Whether an element holds opening hours (`oeffnungszeiten`, `infoOeffnungszeitenText`...).
pub(super) fn is_opening_hours(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("oeffnungszeit") || lower == "erreichbarkeit"
}

/// Opening hours as plain text, from a `beschreibung`/`inhalt`/`text` child or the text.
pub(super) fn opening_hours(node: Node) -> Option<String> {
    let markup = german_markup(node, "beschreibung")
        .or_else(|| german_markup(node, "inhalt"))
        .or_else(|| german_markup(node, "text"))
        .unwrap_or_else(|| markup(node));
    let text = html::plain_text(&as_html(&markup));
    (!text.trim().is_empty()).then_some(text)
}

/// The opening hours among the children of an `anschrift`.
pub(super) fn opening_hours_in(node: Node) -> Vec<String> {
    node.children()
        .filter(|c| c.is_element() && is_opening_hours(c.tag_name().name()))
        .filter_map(opening_hours)
        .collect()
}

/// A `kommunikation{kanal, kennung}` entry: phone, e-mail or web page into the office. The
/// channel codes follow the XÖV list "Erreichbarkeit" (01 e-mail, 02/03 phone, 04 fax,
/// 09 web); the value decides when the code is missing.
pub(super) fn contact(node: Node, office: &mut Office) {
    let Some(value) = child_text(node, "kennung").or_else(|| child_text(node, "wert")) else {
        return;
    };
    let channel = child(node, "kanal").map(code).unwrap_or_default();
    let lower = value.to_ascii_lowercase();
    let slot = if lower.starts_with("mailto:") || (value.contains('@') && !value.contains("://")) {
        &mut office.email
    } else if lower.starts_with("http://") || lower.starts_with("https://") || channel == "09" {
        &mut office.url
    } else if channel == "04" {
        return;
    } else {
        &mut office.phone
    };
    if slot.is_none() {
        let value = value
            .strip_prefix("mailto:")
            .or_else(|| value.strip_prefix("tel:"))
            .unwrap_or(&value);
        *slot = Some(value.trim().to_string());
    }
}

/// Latitude and longitude in a `geokodierung`: named pairs (`breitengrad`/`laengengrad`,
/// `lat`/`lon`, ...), or a GML-style `pos`/`koordinate` "lat lon". `None` when missing or
/// out of range.
pub(super) fn coordinates(node: Node) -> Option<(f64, f64)> {
    let number = |names: &[&str]| {
        node.descendants()
            .filter(|d| d.is_element())
            .find(|d| names.contains(&d.tag_name().name()))
            .and_then(|d| text(d).replace(',', ".").parse::<f64>().ok())
    };
    let pair = match (
        number(&[
            "breitengrad",
            "breite",
            "lat",
            "latitude",
            "ykoordinate",
            "y",
        ]),
        number(&[
            "laengengrad",
            "laenge",
            "lon",
            "lng",
            "longitude",
            "xkoordinate",
            "x",
        ]),
    ) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => node
            .descendants()
            .filter(|d| d.is_element())
            .find(|d| matches!(d.tag_name().name(), "pos" | "koordinate" | "koordinaten"))
            .and_then(|d| {
                let t = text(d);
                let mut it = t.split_whitespace().map(|n| n.parse::<f64>().ok());
                Some((it.next()??, it.next()??))
            }),
    };
    pair.filter(|(lat, lon)| lat.abs() <= 90.0 && lon.abs() <= 180.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_element_is_named_at_an_error() {
        let text = "<a>\n<b x=\"1\">\n<!-- <c> -->\n<d/>\n<e>text</e>\n<f";
        assert_eq!(open_element_at(text, 6, 1), "b");
        assert_eq!(open_element_at("<x:root><x:leistung>", 1, 21), "leistung");
        assert_eq!(open_element_at("", 1, 1), "document");
    }

    #[test]
    fn german_text_is_preferred() {
        let doc = Document::parse(
            r#"<m><inhalt languageCode="en">Passport</inhalt><inhalt languageCode="de-DE">Pass</inhalt></m>"#,
        )
        .unwrap();
        assert_eq!(
            german_markup(doc.root_element(), "inhalt").as_deref(),
            Some("Pass")
        );
    }

    #[test]
    fn markup_keeps_xhtml_children_and_unescapes_text() {
        let doc = Document::parse(
            "<m><a>&lt;p&gt;Eins&lt;/p&gt;</a><b><p>Zwei <em>drei</em></p></b><c><![CDATA[<ul><li>x</li></ul>]]></c></m>",
        )
        .unwrap();
        let m = doc.root_element();
        assert_eq!(markup(child(m, "a").unwrap()), "<p>Eins</p>");
        assert_eq!(markup(child(m, "b").unwrap()), "<p>Zwei <em>drei</em></p>");
        assert_eq!(markup(child(m, "c").unwrap()), "<ul><li>x</li></ul>");
    }
}
