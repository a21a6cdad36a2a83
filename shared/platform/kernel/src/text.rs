//! Text that people type and other people read: email addresses, display names such as a
//! tenant's name. One place decides which characters may be shown, so every module agrees.

use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing: they make two different values look identical.
const ZERO_WIDTH: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Bidirectional controls: they reorder the text shown around them ("Trojan Source").
const BIDI_CONTROLS: [char; 12] = [
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// Trims and NFC-normalises, so that text which looks the same is stored as the same bytes.
pub fn normalize(raw: &str) -> String {
    raw.trim().nfc().collect()
}

/// Refuses characters that hide or disguise what a reader sees, with a message fit to show
/// the person who typed it.
pub fn check_visible(text: &str) -> Result<(), &'static str> {
    for c in text.chars() {
        if ZERO_WIDTH.contains(&c) {
            return Err("must not contain zero-width characters");
        }
        if BIDI_CONTROLS.contains(&c) {
            return Err("must not contain text-direction control characters");
        }
        if c.is_control() {
            return Err("must not contain control characters");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_composes_and_trims() {
        assert_eq!(normalize(" \tCafe\u{301}\n"), "Caf\u{e9}");
        assert_eq!(normalize("Caf\u{e9}"), normalize("Cafe\u{301}"));
    }

    #[test]
    fn normalize_keeps_inner_spaces() {
        assert_eq!(normalize("  Acme  Ltd "), "Acme  Ltd");
    }

    #[test]
    fn check_visible_accepts_ordinary_text() {
        assert_eq!(check_visible("Acme Ltd — Zürich, 東京"), Ok(()));
    }

    #[test]
    fn check_visible_refuses_every_zero_width_character() {
        for c in ZERO_WIDTH {
            let err = check_visible(&format!("Ac{c}me"));
            assert_eq!(err, Err("must not contain zero-width characters"), "{c:?}");
        }
    }

    #[test]
    fn check_visible_refuses_every_bidi_control() {
        for c in BIDI_CONTROLS {
            let err = check_visible(&format!("Ac{c}me"));
            let expected = Err("must not contain text-direction control characters");
            assert_eq!(err, expected, "{c:?}");
        }
    }

    #[test]
    fn check_visible_refuses_control_characters() {
        for text in ["Ac\u{0}me", "Ac\nme", "Ac\u{7f}me", "Ac\u{85}me"] {
            let err = check_visible(text);
            assert_eq!(err, Err("must not contain control characters"), "{text:?}");
        }
    }
}
