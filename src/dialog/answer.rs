//! Answer texts built from a service: the summary, and the part a citizen asked for.
//!
//! Every answer exists twice, as plain text and as sanitised HTML, built from the same
//! pieces so they never say different things.

pub use crate::content::is_safe_url;
use crate::content::{Catalog, Link, Office, Service, ServiceTexts};
use crate::nlu::Aspect;

use super::whereabouts::Whereabouts;

use super::reply::OfficeRef;

/// Most characters of a summary.
const SUMMARY_CHARS: usize = 400;
/// Most characters of fees shown in a service summary before they are shortened.
const FEES_CHARS: usize = 400;
/// Most offices listed in one answer.
const MAX_OFFICES: usize = 5;

/// An answer under construction: blocks of plain text with their HTML.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Answer {
    text: Vec<String>,
    html: Vec<String>,
    /// Offices the answer names.
    pub offices: Vec<OfficeRef>,
}

impl Answer {
    /// Adds a paragraph of plain text.
    pub fn paragraph(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.text.push(text.trim().to_string());
        self.html.push(format!(
            "<p>{}</p>",
            escape(text.trim()).replace('\n', "<br>")
        ));
    }

    /// Adds all blocks and offices of `other` after this answer's.
    pub fn append(&mut self, other: Answer) {
        self.text.extend(other.text);
        self.html.extend(other.html);
        self.offices.extend(other.offices);
    }

    /// Adds a heading line ("Reisepass").
    pub fn title(&mut self, title: &str) {
        self.text.push(title.to_string());
        self.html
            .push(format!("<p><strong>{}</strong></p>", escape(title)));
    }

    /// Adds a rich-text block (already sanitised HTML).
    pub fn rich(&mut self, text: &str, html: &str) {
        if text.trim().is_empty() {
            return;
        }
        self.text.push(text.trim().to_string());
        self.html.push(html.to_string());
    }

    /// Adds a labelled link.
    pub fn link(&mut self, label: &str, url: &str) {
        if !is_safe_url(url) {
            return;
        }
        // "E-Mail: amt@stadt.de" links to mailto:amt@stadt.de; the text needs it once.
        let shown = url.strip_prefix("mailto:").unwrap_or(url);
        if label.ends_with(shown) {
            self.text.push(label.to_string());
        } else {
            self.text.push(format!("{label}: {url}"));
        }
        self.html.push(format!(
            "<p><a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a></p>",
            escape(url),
            escape(label)
        ));
    }

    /// Adds a bulleted list.
    pub fn list(&mut self, items: &[String]) {
        let lines = items.iter().map(|i| format!("- {i}")).collect();
        let lis = items
            .iter()
            .map(|i| format!("<li>{}</li>", escape(i)))
            .collect();
        self.push_list("ul", lines, lis);
    }

    /// Adds a numbered list ("1. …" in text, `<ol>` in HTML).
    pub fn numbered_list(&mut self, items: &[String]) {
        let lines = items
            .iter()
            .enumerate()
            .map(|(i, item)| format!("{}. {item}", i + 1))
            .collect();
        let lis = items
            .iter()
            .map(|i| format!("<li>{}</li>", escape(i)))
            .collect();
        self.push_list("ol", lines, lis);
    }

    /// Adds a list given as text lines and the matching `<li>` elements (nothing when empty).
    fn push_list(&mut self, tag: &str, lines: Vec<String>, items: Vec<String>) {
        if lines.is_empty() {
            return;
        }
        self.text.push(lines.join("\n"));
        self.html.push(format!("<{tag}>{}</{tag}>", items.concat()));
    }

    /// Adds a list of links.
    pub fn link_list(&mut self, links: &[&Link]) {
        let links: Vec<&&Link> = links.iter().filter(|l| !l.name.is_empty()).collect();
        let lines = links
            .iter()
            .map(|l| match (is_safe_url(&l.url), &l.description) {
                (true, _) => format!("- {}: {}", l.name, l.url),
                (false, Some(d)) => format!("- {} ({d})", l.name),
                (false, None) => format!("- {}", l.name),
            })
            .collect();
        let lis = links
            .iter()
            .map(|l| {
                if is_safe_url(&l.url) {
                    format!(
                        "<li><a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a></li>",
                        escape(&l.url),
                        escape(&l.name)
                    )
                } else {
                    format!("<li>{}</li>", escape(&l.name))
                }
            })
            .collect();
        self.push_list("ul", lines, lis);
    }

    /// Names offices: each with address, phone and page (the service's booking link there
    /// when its `texts` have one), listed in the text and in [`Answer::offices`].
    pub fn offices(&mut self, offices: &[&Office], texts: Option<&ServiceTexts>) {
        let mut items = Vec::new();
        for office in offices.iter().take(MAX_OFFICES) {
            let url = texts
                .and_then(|t| t.links_at(&office.id))
                .and_then(|l| l.appointment_url.clone())
                .or_else(|| office.url.clone());
            let address = office.address.one_line();
            let mut line = office.name.clone();
            if !address.is_empty() {
                line.push_str(&format!(", {address}"));
            }
            if let Some(phone) = &office.phone {
                line.push_str(&format!(", Tel. {phone}"));
            }
            items.push(line);
            self.offices.push(OfficeRef {
                id: office.id.clone(),
                name: office.name.clone(),
                address,
                phone: office.phone.clone(),
                url,
            });
        }
        self.list(&items);
        if offices.len() > MAX_OFFICES {
            self.paragraph(&format!(
                "… und {} weitere Standorte.",
                offices.len() - MAX_OFFICES
            ));
        }
    }

    /// The finished plain text.
    pub fn text(&self) -> String {
        self.text.join("\n\n")
    }

    /// The finished HTML.
    pub fn html(&self) -> String {
        self.html.concat()
    }
}

/// The "Stand" line with the attribution: "Stand: 08.06.2026 · Leistungsbeschreibungen: ...".
pub fn stand_line(service: &Service) -> String {
    match &service.updated {
        Some(date) => format!("Stand: {} · {}", german_date(date), service.attribution),
        None => service.attribution.clone(),
    }
}

/// "2026-06-08" as "08.06.2026"; anything else unchanged.
///
/// ```
/// assert_eq!(sophia::dialog::german_date("2026-06-08"), "08.06.2026");
/// assert_eq!(sophia::dialog::german_date("gestern"), "gestern");
/// ```
pub fn german_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}.{m}.{y}"),
        _ => iso.to_string(),
    }
}

/// The first sentences of `text`, at most about `max` characters, cut at a sentence end
/// where possible.
///
/// ```
/// let s = sophia::dialog::summary("Erster Satz. Zweiter Satz. Dritter Satz.", 20);
/// assert_eq!(s, "Erster Satz.");
/// ```
pub fn summary(text: &str, max: usize) -> String {
    let first_block = text.trim();
    if first_block.chars().count() <= max {
        return first_block.to_string();
    }
    let cut: String = first_block.chars().take(max).collect();
    let sentence_end = cut
        .char_indices()
        .filter(|(i, c)| {
            matches!(c, '.' | '!' | '?' | ':')
                && cut[i + c.len_utf8()..].starts_with([' ', '\n'])
                && *i > max / 4
        })
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    match sentence_end {
        Some(end) => cut[..end].trim().to_string(),
        None => {
            let word_end = cut.rfind([' ', '\n']).unwrap_or(cut.len());
            format!("{} …", cut[..word_end].trim_end())
        }
    }
}

/// The short description of a service (with its `texts`) for a direct answer.
pub fn service_answer(service: &Service, texts: &ServiceTexts) -> Answer {
    let mut answer = Answer::default();
    answer.title(&service.name);
    let intro = texts
        .description
        .sections
        .first()
        .map(|s| s.text.as_str())
        .unwrap_or(texts.description.text.as_str());
    if !intro.trim().is_empty() {
        answer.paragraph(&summary(intro, SUMMARY_CHARS));
    }
    if let Some(fees) = &texts.fees {
        answer.title("Gebühren");
        if fees.text.chars().count() <= FEES_CHARS {
            answer.rich(&fees.text, &fees.html);
        } else {
            answer.paragraph(&summary(&fees.text, FEES_CHARS));
        }
    }
    if let Some(online) = online_link(service, texts) {
        answer.link("Online beantragen", &online);
    }
    if let Some(url) = service.url.as_ref().or(service.appointment_url.as_ref()) {
        answer.link("Mehr dazu und Termin", url);
    }
    answer.paragraph(&stand_line(service));
    answer
}

/// The answer about `service` when its texts cannot be read (a built folder's texts file
/// damaged after it was opened): its name, that the description cannot be shown, and its
/// page.
pub(crate) fn unavailable_answer(service: &Service) -> Answer {
    let mut answer = Answer::default();
    answer.title(&service.name);
    answer.paragraph("Die Beschreibung dieser Leistung kann ich gerade nicht anzeigen.");
    if let Some(url) = service.url.as_ref().or(service.appointment_url.as_ref()) {
        answer.link("Mehr dazu und Termin", url);
    }
    answer.paragraph(&stand_line(service));
    answer
}

/// The part of `service` (with its `texts`) that answers `aspect`.
pub fn aspect_answer(
    service: &Service,
    texts: &ServiceTexts,
    aspect: Aspect,
    catalog: &Catalog,
    place: &Whereabouts,
) -> Answer {
    let mut answer = Answer::default();
    let name = &service.name;
    match aspect {
        Aspect::Fees => match &texts.fees {
            Some(fees) => {
                answer.title(&format!("Gebühren für „{name}“"));
                answer.rich(&fees.text, &fees.html);
            }
            None => answer.paragraph(&format!(
                "Für „{name}“ nennt die Leistungsbeschreibung keine Gebühren."
            )),
        },
        Aspect::Documents => {
            answer.title(&format!("Unterlagen für „{name}“"));
            let links: Vec<&Link> = texts.requirements.iter().collect();
            let passages = passages(texts, DOCUMENT_CUES);
            if links.is_empty() && passages.is_empty() {
                answer.paragraph(
                    "Die Leistungsbeschreibung nennt keine eigene Liste der Unterlagen.",
                );
            }
            answer.link_list(&links);
            add_passages(&mut answer, &passages);
            let forms: Vec<&Link> = texts.forms.iter().collect();
            if !forms.is_empty() {
                answer.paragraph("Formulare:");
                answer.link_list(&forms);
            }
        }
        Aspect::Prerequisites => {
            answer.title(&format!("Voraussetzungen für „{name}“"));
            let links: Vec<&Link> = texts.prerequisites.iter().collect();
            let passages = passages(texts, PREREQUISITE_CUES);
            if links.is_empty() && passages.is_empty() {
                answer
                    .paragraph("Die Leistungsbeschreibung nennt keine besonderen Voraussetzungen.");
                answer.paragraph(&summary(&texts.description.text, SUMMARY_CHARS));
            }
            answer.link_list(&links);
            add_passages(&mut answer, &passages);
        }
        Aspect::Duration => {
            answer.title(&format!("Dauer: „{name}“"));
            match &texts.process_time {
                Some(time) => answer.rich(&time.text, &time.html),
                None => {
                    let passages = passages(texts, DURATION_CUES);
                    if passages.is_empty() {
                        answer.paragraph(
                            "Zur Bearbeitungsdauer nennt die Leistungsbeschreibung nichts.",
                        );
                    }
                    add_passages(&mut answer, &passages);
                }
            }
            if let Some(minutes) = service.slot_minutes.filter(|m| *m > 0) {
                answer.paragraph(&format!(
                    "Für den Termin vor Ort sollten Sie etwa {minutes} Minuten einplanen."
                ));
            }
        }
        Aspect::Location => {
            let offices = place.offices(service, catalog);
            if offices.is_empty() {
                answer.paragraph(&format!(
                    "Für „{name}“ ist in der Leistungsbeschreibung kein Standort genannt."
                ));
                if let Some(r) = &texts.responsibility {
                    answer.rich(&r.text, &r.html);
                }
            } else {
                answer.title(&format!("„{name}“ erledigen Sie hier:"));
                if let (Some(label), Some(_), true) = (&place.label, place.point, offices.len() > 1)
                {
                    answer.paragraph(&format!("Von {label} aus die nächsten zuerst:"));
                }
                answer.offices(&offices, Some(texts));
            }
        }
        Aspect::Online => match online_link(service, texts) {
            Some(url) => {
                answer.title(&format!("„{name}“ online"));
                if let Some(description) =
                    service.online.as_ref().and_then(|o| o.description.as_ref())
                {
                    answer.paragraph(description);
                }
                answer.link("Online beantragen", &url);
            }
            None => {
                answer.paragraph(&format!(
                    "Für „{name}“ ist kein Online-Antrag genannt; Sie können einen Termin vereinbaren."
                ));
                if let Some(url) = booking_url(service) {
                    answer.link("Termin vereinbaren", url);
                }
            }
        },
        Aspect::Appointment => {
            answer.title(&format!("Termin für „{name}“"));
            match booking_url(service) {
                Some(url) => answer.link("Termin vereinbaren", url),
                None => answer.paragraph("Für diese Leistung ist keine Terminbuchung genannt."),
            }
            let offices = place.offices(service, catalog);
            if !offices.is_empty() {
                answer.paragraph("Termine gibt es an diesen Standorten:");
                answer.offices(&offices, Some(texts));
            }
        }
    }
    if aspect != Aspect::Online
        && aspect != Aspect::Appointment
        && let Some(url) = &service.url
    {
        answer.link("Mehr dazu", url);
    }
    answer.paragraph(&stand_line(service));
    answer
}

const DOCUMENT_CUES: &[&str] = &[
    "unterlagen",
    "mitbringen",
    "benötigen",
    "dokumente",
    "nachweis",
    "vorlegen",
    "hochladen",
];
const PREREQUISITE_CUES: &[&str] = &[
    "voraussetzung",
    "berechtigt",
    "anspruch",
    "nur wenn",
    "müssen sie",
];
const DURATION_CUES: &[&str] = &[
    "bearbeitungszeit",
    "bearbeitungsdauer",
    "dauert",
    "wochen",
    "werktage",
    "arbeitstage",
];

/// Sections or paragraphs of the description that talk about one of `cues`: sections whose
/// heading names a cue come whole, otherwise single paragraphs that name one.
fn passages<'a>(texts: &'a ServiceTexts, cues: &[&str]) -> Vec<(&'a str, Option<&'a str>)> {
    let mentions = |s: &str| {
        let lower = s.to_lowercase();
        cues.iter().any(|c| lower.contains(c))
    };
    let mut out = Vec::new();
    for section in &texts.description.sections {
        if section.heading.as_deref().is_some_and(mentions) {
            out.push((section.text.as_str(), Some(section.html.as_str())));
        }
    }
    if out.is_empty() {
        for section in &texts.description.sections {
            for paragraph in section.text.split("\n\n") {
                if mentions(paragraph) {
                    out.push((paragraph, None));
                }
            }
        }
    }
    out.truncate(3);
    out
}

fn add_passages(answer: &mut Answer, passages: &[(&str, Option<&str>)]) {
    for (text, html) in passages {
        match html {
            Some(html) => answer.rich(text, html),
            None => answer.paragraph(text),
        }
    }
}

/// The online application: the service's own, a per-office one, or a link named
/// "Antragstellung"/"Online".
/// The page an answer sends a citizen to for an appointment: the booking page, else the
/// service's own page.
pub(crate) fn booking_url(service: &Service) -> Option<&String> {
    service.appointment_url.as_ref().or(service.url.as_ref())
}

/// True when the [`aspect_answer`] for `aspect` links the [`booking_url`]: always for
/// appointments, for online questions when there is no online application.
pub(crate) fn links_booking(aspect: Aspect, service: &Service, texts: &ServiceTexts) -> bool {
    aspect == Aspect::Appointment
        || (aspect == Aspect::Online && online_link(service, texts).is_none())
}

pub(crate) fn online_link(service: &Service, texts: &ServiceTexts) -> Option<String> {
    service
        .online
        .as_ref()
        .map(|o| o.url.clone())
        .or_else(|| {
            texts
                .links
                .iter()
                .chain(&texts.forms)
                .find(|l| {
                    let n = l.name.to_lowercase();
                    n.contains("antragstellung") || n.contains("online")
                })
                .map(|l| l.url.clone())
        })
        .or_else(|| {
            // The first office's, in the order of the service's offices.
            service
                .offices
                .iter()
                .filter_map(|o| texts.links_at(&o.office_id))
                .find_map(|l| l.online_url.clone())
                .filter(|url| Some(url) != service.url.as_ref())
        })
        .filter(|url| is_safe_url(url))
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appended_answer_follows_with_its_offices() {
        let mut answer = Answer::default();
        answer.paragraph("Für beide gilt:");
        let mut part = Answer::default();
        part.paragraph("Die Gebühr beträgt 10 Euro.");
        answer.append(part);
        assert_eq!(
            answer.text(),
            "Für beide gilt:\n\nDie Gebühr beträgt 10 Euro."
        );
        assert_eq!(
            answer.html(),
            "<p>Für beide gilt:</p><p>Die Gebühr beträgt 10 Euro.</p>"
        );
    }

    #[test]
    fn summary_cuts_at_a_sentence_end() {
        let text = "Der Reisepass ist ein Ausweisdokument. Er gilt zehn Jahre. Für Kinder gelten andere Regeln.";
        assert_eq!(
            summary(text, 60),
            "Der Reisepass ist ein Ausweisdokument. Er gilt zehn Jahre."
        );
        assert_eq!(summary("kurz", 60), "kurz");
    }

    #[test]
    fn summary_without_sentence_end_cuts_at_a_word() {
        let s = summary("wort ".repeat(50).trim(), 22);
        assert!(s.ends_with(" …") && s.len() < 30, "{s}");
    }

    #[test]
    fn unsafe_links_are_never_rendered() {
        let mut a = Answer::default();
        a.link("x", "javascript:alert(1)");
        a.link("y", "https://a.de/\"onmouseover=\"x");
        assert!(a.text().is_empty() && a.html().is_empty());
    }

    #[test]
    fn an_e_mail_link_shows_the_address_once_in_the_text() {
        let mut a = Answer::default();
        a.link("E-Mail: amt@stadt.de", "mailto:amt@stadt.de");
        a.link("Mehr dazu", "https://stadt.de");
        assert_eq!(
            a.text(),
            "E-Mail: amt@stadt.de\n\nMehr dazu: https://stadt.de"
        );
        assert!(a.html().contains("href=\"mailto:amt@stadt.de\""));
    }

    #[test]
    fn text_is_escaped_in_html() {
        let mut a = Answer::default();
        a.paragraph("<script>alert(1)</script>");
        assert!(!a.html().contains("<script>"));
        assert!(a.text().contains("<script>"));
    }

    #[test]
    fn every_service_of_the_shipped_catalogue_answers_every_aspect() {
        let catalog = Catalog::shipped();
        for service in catalog.services().iter().filter(|s| s.citizen_facing) {
            let texts = catalog.texts(service).unwrap();
            assert!(!service_answer(service, &texts).text().is_empty());
            for aspect in Aspect::ALL {
                let place = Whereabouts::default();
                let a = aspect_answer(service, &texts, aspect, &catalog, &place);
                assert!(
                    a.text().contains(&service.name) || a.text().contains("Stand"),
                    "{} {aspect:?}",
                    service.id
                );
            }
        }
    }

    #[test]
    fn without_its_texts_a_service_is_named_with_its_page() {
        let catalog = Catalog::shipped();
        let pass = catalog.service("1063453").unwrap();
        let text = unavailable_answer(pass).text();
        assert!(
            text.starts_with("Reisepass\n\nDie Beschreibung dieser Leistung kann ich gerade nicht"),
            "{text}"
        );
        assert!(text.contains("Mehr dazu und Termin: https://"), "{text}");
    }

    #[test]
    fn location_answers_name_offices_with_addresses() {
        let catalog = Catalog::shipped();
        let pass = catalog.service("1063453").unwrap();
        let texts = catalog.texts(pass).unwrap();
        let a = aspect_answer(
            pass,
            &texts,
            Aspect::Location,
            &catalog,
            &Whereabouts::default(),
        );
        assert!(!a.offices.is_empty());
        assert!(a.offices.iter().all(|o| !o.address.is_empty()));
    }
}
