use kernel::Email;
use time::UtcDateTime;

use crate::Branding;
use crate::events::{Role, Token};
use crate::templates::{Content, escape, link, one_line, readable};

/// The mail that invites `to` to join the tenant named `tenant_name` with `role`.
///
/// The tenant's name is whatever its members typed, so it is put on one line before it goes
/// anywhere, and escaped in the HTML part.
pub fn invitation(
    branding: &Branding,
    to: &Email,
    tenant_name: &str,
    role: Role,
    token: &Token,
    expires_at: UtcDateTime,
) -> Content {
    let product = &branding.product;
    let tenant = one_line(tenant_name);
    let role = with_article(role);
    let url = link::with_token(branding, "invitations/accept", token.as_str());
    let until = readable(expires_at);
    let subject = one_line(&format!("You're invited to join {tenant} on {product}"));
    let text = format!(
        "You're invited to join {tenant} on {product} as {role}.\n\
         \n\
         To accept, open this link and sign in, or sign up, with this email address ({to}):\n\
         {url}\n\
         \n\
         The invitation is valid until {until}.\n\
         \n\
         If you did not expect this invitation, you can ignore this message.\n"
    );
    let (product, tenant, role, to, url, until) = (
        escape(product),
        escape(&tenant),
        escape(role),
        escape(to.as_str()),
        escape(&url),
        escape(&until),
    );
    let html = format!(
        "<!DOCTYPE html>\n\
         <html lang=\"en\">\n\
         <head><meta charset=\"utf-8\"><title>You're invited to join {tenant} on {product}\
         </title></head>\n\
         <body>\n\
         <h1>You're invited to join {tenant} on {product}</h1>\n\
         <p>You're invited to join <strong>{tenant}</strong> as {role}.</p>\n\
         <p>To accept, sign in, or sign up, with this email address: \
         <strong>{to}</strong>.</p>\n\
         <p><a href=\"{url}\">Accept the invitation</a></p>\n\
         <p>The invitation is valid until {until}.</p>\n\
         <p>If you did not expect this invitation, you can ignore this message.</p>\n\
         </body>\n\
         </html>\n"
    );
    Content {
        subject,
        text,
        html,
    }
}

fn with_article(role: Role) -> &'static str {
    match role {
        Role::Owner => "an owner",
        Role::Admin => "an admin",
        Role::Member => "a member",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::{Date, Month, Time};

    use super::*;

    fn branding() -> Branding {
        Branding {
            product: "Acme Cloud".into(),
            base_url: "https://app.example.com".into(),
        }
    }

    fn token() -> Token {
        serde_json::from_value(json!("aW52aXRl_-")).unwrap()
    }

    fn expiry() -> UtcDateTime {
        UtcDateTime::new(
            Date::from_calendar_date(2026, Month::December, 4).unwrap(),
            Time::from_hms(12, 0, 0).unwrap(),
        )
    }

    fn grace() -> Email {
        Email::parse("grace@example.com").unwrap()
    }

    #[test]
    fn names_the_tenant_the_role_the_link_and_the_expiry_in_both_parts() {
        let content = invitation(
            &branding(),
            &grace(),
            "Globex",
            Role::Admin,
            &token(),
            expiry(),
        );
        assert_eq!(
            content.subject,
            "You're invited to join Globex on Acme Cloud"
        );
        let link = "https://app.example.com/invitations/accept?token=aW52aXRl_-";
        for part in [&content.text, &content.html] {
            assert!(part.contains("as an admin."), "{part}");
            assert!(part.contains("grace@example.com"), "{part}");
            assert!(
                part.contains("sign in, or sign up, with this email address"),
                "{part}"
            );
            assert!(
                part.contains("valid until 4 December 2026 at 12:00 UTC."),
                "{part}"
            );
        }
        assert!(
            content
                .text
                .contains("You're invited to join Globex on Acme Cloud as an admin.")
        );
        assert!(content.text.contains(&format!("\n{link}\n")));
        assert!(content.html.contains("<strong>Globex</strong>"));
        assert!(
            content
                .html
                .contains(&format!(r#"<a href="{link}">Accept the invitation</a>"#))
        );
    }

    #[test]
    fn each_role_reads_with_its_article() {
        for (role, words) in [
            (Role::Owner, "as an owner."),
            (Role::Admin, "as an admin."),
            (Role::Member, "as a member."),
        ] {
            let content = invitation(&branding(), &grace(), "Globex", role, &token(), expiry());
            assert!(content.text.contains(words), "{role:?}");
            assert!(content.html.contains(words), "{role:?}");
        }
    }

    #[test]
    fn a_hostile_tenant_name_stays_one_line_and_inert() {
        let name = "<script>alert(1)</script>\r\nBcc: eve@example.com & \"Co\"";
        let content = invitation(
            &branding(),
            &grace(),
            name,
            Role::Member,
            &token(),
            expiry(),
        );

        assert_eq!(
            content.subject,
            "You're invited to join <script>alert(1)</script> Bcc: eve@example.com & \"Co\" \
             on Acme Cloud"
        );
        assert!(!content.subject.contains(['\r', '\n']));
        assert!(!content.text.contains("\r"));
        assert!(!content.text.contains("\nBcc:"));
        assert!(content.html.contains(
            "<strong>&lt;script&gt;alert(1)&lt;/script&gt; Bcc: eve@example.com &amp; \
             &quot;Co&quot;</strong>"
        ));
        for raw in ["<script>", "</script>", "& \"Co\"", "\r", "\nBcc:"] {
            assert!(!content.html.contains(raw), "{raw:?} reached the HTML");
        }
    }
}
