//! What each mail says, in a plain-text and an HTML part. Every value interpolated into HTML
//! is escaped, whether it came from a user or from configuration.

mod invitation;
mod link;
mod password_reset;
mod welcome;

pub use invitation::invitation;
pub use password_reset::password_reset;
pub use welcome::welcome;

use time::UtcDateTime;

/// A rendered template, before it is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `value` with the characters that are markup in HTML text or in a quoted attribute replaced
/// by their character references.
pub(crate) fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `value` on one line: every run of whitespace and control or line-break characters becomes
/// one space, so user text cannot start a new header line in a subject or fake a paragraph.
pub(crate) fn one_line(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An instant as a reader sees it, such as "27 November 2026 at 13:00 UTC".
pub(crate) fn readable(at: UtcDateTime) -> String {
    format!(
        "{} {} {} at {:02}:{:02} UTC",
        at.day(),
        at.month(),
        at.year(),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use time::{Date, Month, Time};

    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">O'Brien & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
        assert_eq!(escape("plain text, ünïcode"), "plain text, ünïcode");
    }

    #[test]
    fn one_line_leaves_no_line_breaks_or_controls() {
        assert_eq!(
            one_line("  Acme\r\nBcc: eve@example.com\u{85}\u{2028}x\ty\u{0}z  "),
            "Acme Bcc: eve@example.com x y z"
        );
        assert_eq!(one_line("Zürich  Büro"), "Zürich Büro");
    }

    #[test]
    fn readable_times_name_the_month_and_utc() {
        let at = UtcDateTime::new(
            Date::from_calendar_date(2026, Month::November, 7).unwrap(),
            Time::from_hms(9, 5, 59).unwrap(),
        );
        assert_eq!(readable(at), "7 November 2026 at 09:05 UTC");
    }
}
