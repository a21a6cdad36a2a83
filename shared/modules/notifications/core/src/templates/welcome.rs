use kernel::Email;

use crate::Branding;
use crate::templates::{Content, escape, one_line};

/// The mail a new account receives.
pub fn welcome(branding: &Branding, to: &Email) -> Content {
    let product = &branding.product;
    let url = &branding.base_url;
    let subject = one_line(&format!("Welcome to {product}"));
    let text = format!(
        "Welcome to {product}!\n\
         \n\
         Your account for {to} is ready. Sign in at {url}\n\
         \n\
         If you did not create this account, you can ignore this message.\n"
    );
    let (product, to, url) = (escape(product), escape(to.as_str()), escape(url));
    let html = format!(
        "<!DOCTYPE html>\n\
         <html lang=\"en\">\n\
         <head><meta charset=\"utf-8\"><title>Welcome to {product}</title></head>\n\
         <body>\n\
         <h1>Welcome to {product}!</h1>\n\
         <p>Your account for <strong>{to}</strong> is ready.</p>\n\
         <p><a href=\"{url}\">Sign in to {product}</a></p>\n\
         <p>If you did not create this account, you can ignore this message.</p>\n\
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
    use super::*;

    fn branding() -> Branding {
        Branding {
            product: "Acme <Beta> & Co".into(),
            base_url: "https://app.example.com/?a=1&b=\"2\"".into(),
        }
    }

    #[test]
    fn names_the_product_the_account_and_the_link_in_both_parts() {
        let to = Email::parse("o'brien&co@example.com").unwrap();
        let content = welcome(&branding(), &to);
        assert_eq!(content.subject, "Welcome to Acme <Beta> & Co");
        assert!(content.text.contains("Welcome to Acme <Beta> & Co!"));
        assert!(content.text.contains("o'brien&co@example.com"));
        assert!(
            content
                .text
                .contains("Sign in at https://app.example.com/?a=1&b=\"2\"")
        );
        assert!(
            content
                .html
                .contains("<h1>Welcome to Acme &lt;Beta&gt; &amp; Co!</h1>")
        );
        assert!(
            content
                .html
                .contains("<strong>o&#39;brien&amp;co@example.com</strong>")
        );
        assert!(
            content
                .html
                .contains(r#"<a href="https://app.example.com/?a=1&amp;b=&quot;2&quot;">"#)
        );
    }

    #[test]
    fn no_interpolated_value_reaches_the_html_unescaped() {
        let content = welcome(
            &branding(),
            &Email::parse("o'brien&co@example.com").unwrap(),
        );
        for raw in ["<Beta>", "& Co", "o'brien", "&co@", "\"2\""] {
            assert!(!content.html.contains(raw), "{raw:?} is unescaped");
        }
    }
}
