//! The Amtlicher Regionalschlüssel (ARS): 12 digits naming a region of Germany, read as
//! nested parts: Land (2), Regierungsbezirk (1), Kreis (2), Gemeindeverband (4),
//! Gemeinde (3). Trailing parts of zeros mean "the whole of the part before", so
//! `060000000000` is Hessen and `065340000000` the Landkreis Marburg-Biedenkopf in it.

/// The lengths of the ARS prefixes at which a part ends: Land, Regierungsbezirk, Kreis,
/// Gemeindeverband, Gemeinde.
const PART_ENDS: [usize; 5] = [2, 3, 5, 9, 12];

/// Checks that `ars` is 12 digits starting with a Land (01 to 16); the error says why not.
///
/// ```
/// use sophia::geo::check_ars;
/// assert!(check_ars("091620000000").is_ok());
/// assert!(check_ars("0916").unwrap_err().contains("12 digits"));
/// assert!(check_ars("991620000000").unwrap_err().contains("no Land"));
/// ```
pub fn check_ars(ars: &str) -> Result<(), String> {
    if ars.len() != 12 || !ars.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "must be an Amtlicher Regionalschlüssel of 12 digits (\"060000000000\" for Hessen), found {ars:?}"
        ));
    }
    let land: u8 = ars[..2].parse().unwrap_or(0);
    if !(1..=16).contains(&land) {
        return Err(format!(
            "{ars:?} starts with {:?}, which is no Land (01 to 16)",
            &ars[..2]
        ));
    }
    Ok(())
}

/// The part of an ARS that names the region: the key without its trailing parts of zeros.
/// A Land keeps 2 digits, a Kreis 5, a Gemeinde all 12. Not a 12-digit key: returned as is.
///
/// ```
/// use sophia::geo::significant;
/// assert_eq!(significant("060000000000"), "06");
/// assert_eq!(significant("065340000000"), "06534");
/// assert_eq!(significant("091620000000"), "09162");
/// assert_eq!(significant("010010000000"), "01001"); // Flensburg: no Regierungsbezirk
/// assert_eq!(significant("064400005005"), "064400005005");
/// ```
pub fn significant(ars: &str) -> &str {
    if ars.len() != 12 || !ars.is_ascii() {
        return ars;
    }
    let mut end = PART_ENDS[0];
    let mut start = 0;
    for &part_end in &PART_ENDS {
        if ars[start..part_end].bytes().any(|b| b != b'0') {
            end = part_end;
        }
        start = part_end;
    }
    &ars[..end]
}

/// The prefixes of an ARS's significant part at each part boundary, largest region first:
/// the regions that contain it.
///
/// ```
/// use sophia::geo::enclosing;
/// assert_eq!(enclosing("065340000000"), vec!["06", "065", "06534"]);
/// ```
pub fn enclosing(ars: &str) -> Vec<&str> {
    let sig = significant(ars);
    PART_ENDS
        .iter()
        .take_while(|&&end| end <= sig.len())
        .map(|&end| &sig[..end])
        .collect()
}

/// True when region `outer` contains region `inner` (or they are the same).
///
/// ```
/// use sophia::geo::contains;
/// assert!(contains("060000000000", "065340000000")); // Hessen holds Marburg-Biedenkopf
/// assert!(!contains("065340000000", "060000000000"));
/// assert!(!contains("091620000000", "065340000000"));
/// ```
pub fn contains(outer: &str, inner: &str) -> bool {
    significant(inner).starts_with(significant(outer))
}

/// True when one region contains the other: content for `a` concerns someone in `b`. A
/// Land-wide service concerns a citizen of any Gemeinde in it, and a Land portal shows the
/// services of its Kreise.
///
/// ```
/// use sophia::geo::overlaps;
/// assert!(overlaps("060000000000", "065340000000"));
/// assert!(overlaps("065340000000", "060000000000"));
/// assert!(!overlaps("091620000000", "060000000000"));
/// ```
pub fn overlaps(a: &str, b: &str) -> bool {
    contains(a, b) || contains(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_parts_of_real_keys() {
        for (ars, sig) in [
            ("010000000000", "01"),
            ("020000000000", "02"), // Hamburg
            ("064000000000", "064"),
            ("064120000000", "06412"), // Frankfurt am Main
            ("091620000000", "09162"), // München
            ("091840000000", "09184"), // Landkreis München
            ("091840119119", "091840119119"),
            ("055150000000", "05515"), // Münster
            ("160730000000", "16073"),
        ] {
            assert_eq!(significant(ars), sig, "{ars}");
        }
    }

    #[test]
    fn a_gemeindeverband_of_zeros_keeps_the_gemeinde() {
        // A kreisfreie Stadt's Gemeinde part may follow a Gemeindeverband of zeros.
        assert_eq!(significant("031010000000"), "03101");
        assert_eq!(significant("031010000001"), "031010000001");
    }

    #[test]
    fn neighbours_do_not_overlap() {
        assert!(!overlaps("091620000000", "091840000000")); // Stadt and Landkreis München
        assert!(!overlaps("065340000000", "065350000000"));
        assert!(overlaps("091840119119", "091840000000"));
    }
}
