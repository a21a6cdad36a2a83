//! Credentials and region as Lambda provides them: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN` and `AWS_REGION`.

use aws_credential_types::Credentials;

use crate::AwsError;

/// What a client needs from the environment: who signs, and for which region.
#[derive(Debug, Clone)]
pub struct AwsEnv {
    pub credentials: Credentials,
    pub region: String,
}

impl AwsEnv {
    pub fn from_env() -> Result<Self, AwsError> {
        let lookup = |name: &str| std::env::var(name).ok();
        Ok(Self {
            credentials: credentials_from_env(lookup)?,
            region: region_from_env(lookup)?,
        })
    }
}

pub fn credentials_from_env(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Credentials, AwsError> {
    let get = |name: &'static str| {
        lookup(name)
            .filter(|v| !v.is_empty())
            .ok_or(AwsError::MissingEnv(name))
    };
    Ok(Credentials::new(
        get("AWS_ACCESS_KEY_ID")?,
        get("AWS_SECRET_ACCESS_KEY")?,
        get("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    ))
}

/// `AWS_REGION` (set by Lambda), else `AWS_DEFAULT_REGION`.
pub fn region_from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<String, AwsError> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|name| lookup(name).filter(|v| !v.is_empty()))
        .ok_or(AwsError::MissingEnv("AWS_REGION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_the_lambda_variables() {
        let vars = [
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_REGION", "eu-west-1"),
        ];
        let credentials = credentials_from_env(lookup(&vars)).unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("token"));
        assert_eq!(region_from_env(lookup(&vars)).unwrap(), "eu-west-1");
    }

    #[test]
    fn names_what_is_missing() {
        let vars = [("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "")];
        let err = credentials_from_env(lookup(&vars)).unwrap_err();
        assert!(matches!(err, AwsError::MissingEnv("AWS_SECRET_ACCESS_KEY")));
        let err = region_from_env(lookup(&[])).unwrap_err();
        assert_eq!(err.to_string(), "AWS_REGION is not set");
        let vars = [
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ];
        assert_eq!(
            credentials_from_env(lookup(&vars)).unwrap().session_token(),
            None
        );
    }
}
