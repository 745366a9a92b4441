//! The widget's size budget (issue 6): `widget/sophia.js` is at most 15 KB gzipped, so that
//! portals can embed it on every page. Measured like `gzip -9c widget/sophia.js | wc -c`.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

/// 15 KB, read strictly as 15,000 bytes (not 15,360), gzipped at the highest level.
const BUDGET_BYTES: usize = 15_000;

#[test]
fn the_widget_is_at_most_15_kb_gzipped() {
    let source = include_bytes!("../widget/sophia.js");
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(source).unwrap();
    let gzipped = encoder.finish().unwrap().len();
    eprintln!(
        "widget/sophia.js: {} bytes, {gzipped} bytes gzipped (budget {BUDGET_BYTES})",
        source.len()
    );
    assert!(
        gzipped <= BUDGET_BYTES,
        "widget/sophia.js is {gzipped} bytes gzipped, over the budget of {BUDGET_BYTES} bytes: \
         tighten the code (shorter CSS, less repetition), never minify the committed file"
    );
}

/// Rules that keep the widget working under a strict host CSP and free of HTML injection.
#[test]
fn the_widget_uses_no_inline_styles_eval_or_inner_html() {
    let source = include_str!("../widget/sophia.js");
    // Comments may name what the code avoids; the code itself must not use it.
    let code: String = source
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !(line.starts_with("//") || line.starts_with('*') || line.starts_with("/*"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    for forbidden in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "'style'",
        ".style.cssText",
        "createElement('style')",
        "h('style'",
    ] {
        assert!(
            !code.contains(forbidden),
            "widget/sophia.js uses `{forbidden}`"
        );
    }
}
