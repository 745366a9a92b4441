//! Redaction: personal data in a citizen's text replaced by placeholders before it is stored.
//!
//! Replaced, in this order (an earlier rule wins where two would match):
//!
//! | what | examples | placeholder |
//! |------|----------|-------------|
//! | e-mail addresses | `max.muster@web.de`, `max (at) web.de` | `[E-Mail]` |
//! | IBANs | `DE89 3704 0044 0532 0130 00`, `DE89370400440532013000` | `[IBAN]` |
//! | dates | `04.12.2026`, `4.12.26`, `4.12.`, `2026-12-04`, `4. Dezember 1980` | `[Datum]` |
//! | phone numbers | `+49 89 1234567`, `0049 89 1234567`, `089/123456`, `0171-1234567`, `(089) 233-96000` | `[Telefon]` |
//! | numbers of 5 or more digits, also with spaces, dashes or slashes inside | `80331`, `12 345 678 901`, `233-96000` | `[Zahl]` |
//!
//! What stays: words, numbers of up to 4 digits ("3 Zeugnisse", "Paragraph 19d", "B 2",
//! "Jahr 2026", "10.000 Euro", "09.30 Uhr") and ranges of years ("2025/2026"). Redaction errs
//! on the side of removing: a 5-digit amount written without a dot ("12000 Euro") goes too.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Placeholder for an e-mail address.
pub const EMAIL: &str = "[E-Mail]";
/// Placeholder for a phone number.
pub const PHONE: &str = "[Telefon]";
/// Placeholder for an IBAN.
pub const IBAN: &str = "[IBAN]";
/// Placeholder for a date.
pub const DATE: &str = "[Datum]";
/// Placeholder for a number of 5 or more digits.
pub const NUMBER: &str = "[Zahl]";

/// Every placeholder [`redact`] puts in.
pub const PLACEHOLDERS: [&str; 5] = [EMAIL, PHONE, IBAN, DATE, NUMBER];

/// Numbers with fewer digits than this stay.
const MIN_NUMBER_DIGITS: usize = 5;
/// A phone number has at least this many digits (area code included).
const MIN_PHONE_DIGITS: usize = 6;
/// An IBAN has at least this many digits (Germany: 20).
const MIN_IBAN_DIGITS: usize = 10;

/// Characters allowed between the digits of one number: spaces, dashes, slashes.
const NUMBER_SEPARATORS: &str = r" \t\u{a0}\u{202f}\-\u{2010}-\u{2015}\u{2212}/";

static DIGIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d").expect("valid regex"));

static EMAIL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[\w.!#$%&'*+/=?^`{|}~-]+(?:@|\s?\(at\)\s?|\s?\[at\]\s?)[\w-]+(?:\.[\w-]+)+")
        .expect("valid regex")
});

static IBAN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z]{2} ?\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
        .expect("valid regex")
});

const MONTHS: &str = "januar|jan|februar|feb|märz|maerz|mär|mrz|april|apr|mai|juni|jun|juli|jul|\
                      august|aug|september|sept|sep|oktober|okt|november|nov|dezember|dez";

static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)
        \b(?P<d1>\d{{1,2}})\.\s?(?P<m1>\d{{1,2}})\.(?:\s?(?P<y1>\d{{4}}|\d{{2}})\b)?  # 04.12.2026, 4.12.26, 4.12.
        | \b(?P<y2>\d{{4}})-(?P<m2>\d{{1,2}})-(?P<d2>\d{{1,2}})\b                    # 2026-12-04
        | \b(?P<d3>\d{{1,2}})/(?P<m3>\d{{1,2}})/(?P<y3>\d{{4}}|\d{{2}})\b            # 04/12/2026
        | \b(?P<d4>\d{{1,2}})\.?\s?(?:{MONTHS})\b\.?(?:\s?\d{{4}}\b)?                # 4. Dezember 1980
        "
    ))
    .expect("valid regex")
});

static PHONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?: (?:\+|\b00)\d{1,3}(?:[\ \-/]{0,3}\(0\))?   # +49, 0049, +49 (0)
          | \(0\d{1,5}\)                               # (089)
          | \b0\d{1,5}                                 # 089, 0171
        )
        (?:[\ \t\u{a0}\-/]{0,3}\d+)+                  # 89 1234567, /123456, -1234567
        ",
    )
    .expect("valid regex")
});

static NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\d(?:[{NUMBER_SEPARATORS}]?\d)*")).expect("valid regex")
});

/// `text` with e-mail addresses, IBANs, dates, phone numbers and numbers of 5 or more digits
/// replaced by [`EMAIL`], [`IBAN`], [`DATE`], [`PHONE`] and [`NUMBER`].
///
/// ```
/// use sophia::review::redact;
/// assert_eq!(
///     redact("Ich bin max@web.de, Tel. 089/123456, geboren am 4.12.1980"),
///     "Ich bin [E-Mail], Tel. [Telefon], geboren am [Datum]"
/// );
/// assert_eq!(redact("IBAN DE89 3704 0044 0532 0130 00"), "IBAN [IBAN]");
/// assert_eq!(redact("Kundennummer 12 345 678"), "Kundennummer [Zahl]");
/// // Small numbers and years stay.
/// assert_eq!(redact("3 Zeugnisse nach Paragraph 19d im Jahr 2026"), "3 Zeugnisse nach Paragraph 19d im Jahr 2026");
/// ```
pub fn redact(text: &str) -> String {
    let text = EMAIL_RE.replace_all(text, EMAIL);
    let text = IBAN_RE.replace_all(&text, |c: &Captures| {
        keep_or(&c[0], digits(&c[0]) >= MIN_IBAN_DIGITS, IBAN)
    });
    let text = DATE_RE.replace_all(&text, |c: &Captures| {
        let whole = c.get(0).expect("group 0 always matches");
        // "4.12." is a date, "1.2.3" a version number.
        let digit_follows = text[whole.end()..]
            .chars()
            .next()
            .is_some_and(|next| DIGIT.is_match(next.encode_utf8(&mut [0; 4])));
        keep_or(whole.as_str(), is_date(c) && !digit_follows, DATE)
    });
    let text = PHONE_RE.replace_all(&text, |c: &Captures| {
        keep_or(&c[0], digits(&c[0]) >= MIN_PHONE_DIGITS, PHONE)
    });
    let text = NUMBER_RE.replace_all(&text, |c: &Captures| {
        let number = &c[0];
        keep_or(
            number,
            digits(number) >= MIN_NUMBER_DIGITS && !is_year_range(number),
            NUMBER,
        )
    });
    text.into_owned()
}

/// `placeholder` when `replace`, else `found` unchanged.
fn keep_or(found: &str, replace: bool, placeholder: &str) -> String {
    if replace {
        placeholder.to_string()
    } else {
        found.to_string()
    }
}

/// The number of digits in `text`.
fn digits(text: &str) -> usize {
    DIGIT.find_iter(text).count()
}

/// True when the date match has a plausible day and month.
fn is_date(c: &Captures) -> bool {
    let number = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| c.name(n))
            .and_then(|m| m.as_str().parse::<u32>().ok())
    };
    let day = number(&["d1", "d2", "d3", "d4"]);
    let month = number(&["m1", "m2", "m3"]);
    day.is_some_and(|d| (1..=31).contains(&d)) && month.is_none_or(|m| (1..=12).contains(&m))
}

/// True for "2025/2026", "2025-2026", "1999 2000": only years (1900 to 2099) of 4 digits.
fn is_year_range(number: &str) -> bool {
    let groups: Vec<&str> = number
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    groups.len() >= 2
        && groups.len() == number.split(|c: char| !c.is_ascii_digit()).count()
        && groups
            .iter()
            .all(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (input, expected output)
    const CASES: &[(&str, &str)] = &[
        // e-mail
        ("Meine Mail: max.muster@web.de", "Meine Mail: [E-Mail]"),
        ("MAX_1+info@sub.example-stadt.de.", "[E-Mail]."),
        (
            "schreiben Sie an anna (at) gmx.net bitte",
            "schreiben Sie an [E-Mail] bitte",
        ),
        ("jörg.müller@bürger.de", "[E-Mail]"),
        ("12345@web.de", "[E-Mail]"),
        // phone
        (
            "Rufen Sie mich an: +49 89 1234567",
            "Rufen Sie mich an: [Telefon]",
        ),
        ("Tel. 089/123456", "Tel. [Telefon]"),
        ("Tel. 089 / 123 456", "Tel. [Telefon]"),
        ("Handy 0171-1234567 abends", "Handy [Telefon] abends"),
        ("0171 1234567", "[Telefon]"),
        ("+49 (0)89 233-96000", "[Telefon]"),
        ("(089) 233 96000", "[Telefon]"),
        ("0049 171 1234567", "[Telefon]"),
        ("+4917112345678", "[Telefon]"),
        // IBAN
        (
            "IBAN DE89 3704 0044 0532 0130 00 bitte",
            "IBAN [IBAN] bitte",
        ),
        ("DE89370400440532013000", "[IBAN]"),
        ("de89 3704 0044 0532 0130 00", "[IBAN]"),
        ("NL91 ABNA 0417 1643 00", "[IBAN]"),
        // dates
        (
            "Termin am 04.12.2026 um 10 Uhr",
            "Termin am [Datum] um 10 Uhr",
        ),
        ("geboren 4.12.26", "geboren [Datum]"),
        ("seit 2026-12-04", "seit [Datum]"),
        ("bis zum 4.12. geht das?", "bis zum [Datum] geht das?"),
        ("geboren am 4. Dezember 1980", "geboren am [Datum]"),
        ("am 04/12/2026", "am [Datum]"),
        // long numbers
        ("Aktenzeichen 123456", "Aktenzeichen [Zahl]"),
        ("PLZ 80331", "PLZ [Zahl]"),
        ("Steuer-ID 12 345 678 901", "Steuer-ID [Zahl]"),
        ("Nummer 233-96000", "Nummer [Zahl]"),
        ("AZ-2026-12345", "AZ-[Zahl]"),
        ("１２３４５", "[Zahl]"),
        // what stays
        ("Paragraph 19d", "Paragraph 19d"),
        ("3 Zeugnisse beglaubigen", "3 Zeugnisse beglaubigen"),
        ("Jahr 2026", "Jahr 2026"),
        ("B 2", "B 2"),
        ("Steuerjahr 2025/2026", "Steuerjahr 2025/2026"),
        ("10.000 Euro Strafe", "10.000 Euro Strafe"),
        ("geöffnet 08.00 - 12.00 Uhr", "geöffnet 08.00 - 12.00 Uhr"),
        ("Mo-Fr 8-12 Uhr", "Mo-Fr 8-12 Uhr"),
        ("§ 19 Abs. 2 Satz 1", "§ 19 Abs. 2 Satz 1"),
        ("Kapitel 3.2", "Kapitel 3.2"),
        ("Version 1.45", "Version 1.45"),
        ("E-Mail an die Stadt", "E-Mail an die Stadt"),
        ("@stadtmuenchen auf Twitter", "@stadtmuenchen auf Twitter"),
        ("Reisepass beantragen", "Reisepass beantragen"),
        ("AB12 Test Wort", "AB12 Test Wort"),
        ("um 0815", "um 0815"),
        ("", ""),
    ];

    #[test]
    fn each_case_is_redacted_as_expected() {
        let mut wrong = Vec::new();
        for (input, expected) in CASES {
            let got = redact(input);
            if got != *expected {
                wrong.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    #[test]
    fn several_kinds_in_one_text() {
        assert_eq!(
            redact("a@b.de, 0171 1234567, DE89370400440532013000, 1.1.2000 und 99999"),
            "[E-Mail], [Telefon], [IBAN], [Datum] und [Zahl]"
        );
    }

    #[test]
    fn impossible_dates_and_version_numbers_stay() {
        // 45.13.2026 is no date, and dots do not join numbers.
        assert_eq!(redact("45.13.2026"), "45.13.2026");
        assert_eq!(redact("Version 1.2.3"), "Version 1.2.3");
        assert_eq!(redact("am 31.4."), "am [Datum]");
        assert_eq!(redact("am 32.4."), "am 32.4.");
    }

    #[test]
    fn year_ranges_need_only_years() {
        assert!(is_year_range("2025/2026"));
        assert!(is_year_range("1999-2000"));
        assert!(!is_year_range("2026"));
        assert!(!is_year_range("2025/12345"));
        assert!(!is_year_range("3025/3026"));
    }

    static EMAIL_LIKE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\w@[\w-]+\.\w").expect("valid regex"));
    static LONG_DIGITS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d{5,}").expect("valid regex"));

    proptest! {
        #[test]
        fn no_email_or_long_digit_run_survives(
            text in r"[a-zA-Z0-9äöü@._+() /-]{0,60}|\PC{0,40}"
        ) {
            let out = redact(&text);
            prop_assert!(!EMAIL_LIKE.is_match(&out), "{text:?} -> {out:?}");
            prop_assert!(!LONG_DIGITS.is_match(&out), "{text:?} -> {out:?}");
        }

        #[test]
        fn typical_personal_data_is_always_removed(
            name in "[a-z]{1,10}",
            domain in "[a-z]{2,10}",
            number in "[0-9]{5,12}",
            words in "[A-Za-z ]{0,20}",
        ) {
            let text = format!("{words} {name}@{domain}.de {number} {words}");
            let out = redact(&text);
            prop_assert!(!out.contains('@'), "{out}");
            prop_assert!(!out.contains(&number), "{out}");
        }

        #[test]
        fn text_without_digits_or_at_signs_is_unchanged(text in r"[^0-9@()\[\]]{0,60}") {
            prop_assume!(!text.chars().any(|c| c.is_numeric()));
            prop_assert_eq!(redact(&text), text);
        }
    }
}
