use kernel::Email;
use time::UtcDateTime;

use crate::Branding;
use crate::events::Token;
use crate::templates::{Content, escape, link, one_line, readable};

/// The mail that carries a password-reset link to the account's address.
pub fn password_reset(
    branding: &Branding,
    to: &Email,
    token: &Token,
    expires_at: UtcDateTime,
) -> Content {
    let product = &branding.product;
    let url = link::with_token(branding, "reset-password", token.as_str());
    let until = readable(expires_at);
    let subject = one_line(&format!("Reset your {product} password"));
    let text = format!(
        "Someone asked to reset the password of your {product} account, {to}.\n\
         \n\
         Choose a new password here: {url}\n\
         \n\
         The link works once, until {until}.\n\
         \n\
         If you did not ask for this, you can ignore this message: your password has not \
         changed.\n"
    );
    let (product, to, url, until) = (
        escape(product),
        escape(to.as_str()),
        escape(&url),
        escape(&until),
    );
    let html = format!(
        "<!DOCTYPE html>\n\
         <html lang=\"en\">\n\
         <head><meta charset=\"utf-8\"><title>Reset your {product} password</title></head>\n\
         <body>\n\
         <h1>Reset your {product} password</h1>\n\
         <p>Someone asked to reset the password of your {product} account, \
         <strong>{to}</strong>.</p>\n\
         <p><a href=\"{url}\">Choose a new password</a></p>\n\
         <p>The link works once, until {until}.</p>\n\
         <p>If you did not ask for this, you can ignore this message: your password has not \
         changed.</p>\n\
         </body>\n\
         </html>\n"
    );
    Content {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::{Date, Month, Time};

    use super::*;

    fn branding() -> Branding {
        Branding {
            product: "Acme <Beta> & Co".into(),
            base_url: "https://app.example.com".into(),
        }
    }

    fn token(raw: &str) -> Token {
        serde_json::from_value(json!(raw)).unwrap()
    }

    fn expiry() -> UtcDateTime {
        UtcDateTime::new(
            Date::from_calendar_date(2026, Month::November, 27).unwrap(),
            Time::from_hms(13, 0, 0).unwrap(),
        )
    }

    #[test]
    fn links_the_token_and_says_until_when_in_both_parts() {
        let to = Email::parse("o'brien&co@example.com").unwrap();
        let content = password_reset(&branding(), &to, &token("Zm9v-YmFy_"), expiry());
        assert_eq!(content.subject, "Reset your Acme <Beta> & Co password");
        let link = "https://app.example.com/reset-password?token=Zm9v-YmFy_";
        assert!(
            content
                .text
                .contains(&format!("Choose a new password here: {link}\n"))
        );
        assert!(content.text.contains("o'brien&co@example.com"));
        assert!(
            content
                .text
                .contains("works once, until 27 November 2026 at 13:00 UTC.")
        );
        assert!(content.text.contains("your password has not changed"));
        assert!(content.html.contains(&format!(r#"<a href="{link}">"#)));
        assert!(
            content
                .html
                .contains("<h1>Reset your Acme &lt;Beta&gt; &amp; Co password</h1>")
        );
        assert!(
            content
                .html
                .contains("<strong>o&#39;brien&amp;co@example.com</strong>")
        );
        assert!(
            content
                .html
                .contains("until 27 November 2026 at 13:00 UTC.")
        );
        assert!(content.html.contains("your password has not changed"));
    }

    #[test]
    fn a_token_with_url_syntax_stays_one_query_value() {
        let to = Email::parse("ada@example.com").unwrap();
        let content = password_reset(&branding(), &to, &token("a+b/c=&next=\"x\""), expiry());
        let link = "https://app.example.com/reset-password?token=a%2Bb%2Fc%3D%26next%3D%22x%22";
        assert!(content.text.contains(link));
        assert!(content.html.contains(&format!(r#"<a href="{link}">"#)));
    }

    #[test]
    fn no_interpolated_value_reaches_the_html_unescaped() {
        let content = password_reset(
            &branding(),
            &Email::parse("o'brien&co@example.com").unwrap(),
            &token("t"),
            expiry(),
        );
        for raw in ["<Beta>", "& Co", "o'brien", "&co@"] {
            assert!(!content.html.contains(raw), "{raw:?} is unescaped");
        }
    }
}
