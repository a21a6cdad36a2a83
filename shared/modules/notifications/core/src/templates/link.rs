use crate::Branding;

/// The address of the web app's page at `path` with `token` as its `token` query value.
pub(crate) fn with_token(branding: &Branding, path: &str, token: &str) -> String {
    let base = branding.base_url.trim_end_matches('/');
    format!("{base}/{path}?token={}", percent_encode(token))
}

/// `value` with every byte outside RFC 3986's unreserved characters written as `%XX`, so it
/// stays one query value whatever it holds.
fn percent_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_unreserved_characters_and_encodes_the_rest() {
        assert_eq!(percent_encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(
            percent_encode("a+b/c=&d e?#%\"<ü"),
            "a%2Bb%2Fc%3D%26d%20e%3F%23%25%22%3C%C3%BC"
        );
    }

    #[test]
    fn joins_the_base_url_path_and_token() {
        let branding = Branding {
            product: "Acme".into(),
            base_url: "https://app.example.com/".into(),
        };
        assert_eq!(
            with_token(&branding, "reset-password", "a/b"),
            "https://app.example.com/reset-password?token=a%2Fb"
        );
    }
}
