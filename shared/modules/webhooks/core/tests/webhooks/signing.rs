//! The signatures, checked against a second implementation: Python's `hmac` module, fed the
//! same secret, id, timestamp and body, must produce the same `webhook-signature`.

use std::io::Write;
use std::process::{Command, Stdio};

use time::OffsetDateTime;
use webhooks::Secret;
use webhooks::signing::{self, verify};

/// What Python computes for the Standard Webhooks signature of the JSON `input`.
fn python_signature(input: &serde_json::Value) -> String {
    let script = r#"
import base64, hashlib, hmac, json, sys
i = json.load(sys.stdin)
key = base64.b64decode(i["secret"][len("whsec_"):])
signed = (i["id"] + "." + str(i["timestamp"]) + ".").encode() + i["body"].encode()
print("v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode())
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write to python3");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "python3 failed: {out:?}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[test]
fn signatures_match_an_independent_implementation() {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let bodies = [
        r#"{"type":"tenancy.member_added","data":{"role":"admin"}}"#,
        r#"{"name":"Zoë ✓ \u00e9","nested":{"list":[1,2,3]}}"#,
        "",
    ];
    for body in bodies {
        let secret = Secret::generate().expect("entropy");
        let id = uuid::Uuid::now_v7().to_string();
        let expected = python_signature(&serde_json::json!({
            "secret": secret.expose(),
            "id": id,
            "timestamp": now,
            "body": body,
        }));
        let headers = signing::headers(&secret, &id, now, body.as_bytes());
        assert_eq!(headers[0], (signing::ID_HEADER, id.clone()));
        assert_eq!(headers[1], (signing::TIMESTAMP_HEADER, now.to_string()));
        assert_eq!(headers[2], (signing::SIGNATURE_HEADER, expected.clone()));
        let checked = verify(
            &secret,
            &id,
            &now.to_string(),
            &expected,
            body.as_bytes(),
            OffsetDateTime::now_utc(),
        );
        assert_eq!(checked, Ok(()), "{body}");
    }
}
