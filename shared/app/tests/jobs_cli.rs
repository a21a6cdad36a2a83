//! The jobs CLI as operators run it, on the embedded queue and on SQS (moto): a poison message
//! reaches the dead letters after the maximum receives, is listed and shown, and a replay puts
//! it back on the queue.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use jobs::Queue;
use runtime::{Jobs, JobsConfig};

const MAX_RECEIVES: u32 = 2;

struct Cli {
    env: Vec<(String, String)>,
}

impl Cli {
    fn run(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_jobs"))
            .args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .expect("run the jobs CLI");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    }
}

/// Delivers `queue`'s one message `MAX_RECEIVES` times without acknowledging it, as a worker
/// that fails on it every time would.
async fn fail_every_delivery(queue: &dyn Fn() -> Jobs) {
    let jobs = queue();
    for _ in 0..MAX_RECEIVES {
        let got = testkit::queue_contract::receive_n(&jobs.queue, 1, Duration::from_secs(1)).await;
        assert_eq!(got.len(), 1);
        tokio::time::sleep(Duration::from_millis(1300)).await;
    }
    assert!(
        jobs.queue
            .receive(10, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn poison_is_listed_shown_replayed_and_purged(cli: Cli, jobs: Jobs) {
    let poison = r#"{"poison":true}"#;
    jobs.queue.send(&[poison.to_owned()]).await.unwrap();
    fail_every_delivery(&|| jobs.clone()).await;

    let (ok, listed) = cli.run(&["dead", "list"]);
    assert!(ok, "{listed}");
    assert!(listed.contains("1 dead letter(s)"), "{listed}");
    assert!(listed.contains("(not an event envelope)"), "{listed}");
    let message_id = listed.split_whitespace().next().unwrap().to_owned();

    let (ok, shown) = cli.run(&["dead", "show", &message_id]);
    assert!(ok, "{shown}");
    assert!(shown.contains("\"poison\": true"), "{shown}");
    let (ok, missing) = cli.run(&["dead", "show", "no-such-id"]);
    assert!(
        !ok && missing.contains("no dead letter no-such-id"),
        "{missing}"
    );

    let (ok, replayed) = cli.run(&["dead", "replay", "--all"]);
    assert!(ok, "{replayed}");
    assert!(replayed.contains("replayed 1 dead letter(s)"), "{replayed}");
    let back = testkit::queue_contract::receive_n(&jobs.queue, 1, Duration::from_secs(1)).await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].body, poison);
    assert_eq!(back[0].receive_count, 1, "a replay is a fresh message");

    jobs.queue.dead_letter(&back[0]).await.unwrap();
    let (ok, refused) = cli.run(&["dead", "purge"]);
    assert!(!ok && refused.contains("--yes"), "{refused}");
    let (ok, purged) = cli.run(&["dead", "purge", "--yes"]);
    assert!(ok, "{purged}");
    let (ok, empty) = cli.run(&["dead", "list"]);
    assert!(ok && empty.contains("0 dead letter(s)"), "{empty}");
}

fn sqlite_path() -> PathBuf {
    std::env::temp_dir().join(format!("jobs-cli-{}.sqlite", uuid::Uuid::now_v7().simple()))
}

async fn migrated_sqlite(path: &Path) -> database::Backend {
    let backend = database::Backend::Sqlite(database::sqlite::open(path).await.unwrap());
    app::migrate(&backend).await.unwrap();
    backend
}

#[tokio::test]
async fn on_the_embedded_queue() {
    let path = sqlite_path();
    let backend = migrated_sqlite(&path).await;
    let jobs = Jobs::new(
        &JobsConfig::Embedded {
            max_receives: MAX_RECEIVES,
        },
        &backend,
    );
    let cli = Cli {
        env: vec![
            ("SQLITE_PATH".into(), path.display().to_string()),
            ("JOBS_MAX_RECEIVES".into(), MAX_RECEIVES.to_string()),
        ],
    };
    poison_is_listed_shown_replayed_and_purged(cli, jobs).await;
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn on_sqs() {
    let path = sqlite_path();
    let backend = migrated_sqlite(&path).await;
    let queue = testkit::sqs::fresh_queue(MAX_RECEIVES).await;
    let cli = Cli {
        env: vec![
            ("SQLITE_PATH".into(), path.display().to_string()),
            ("JOBS_QUEUE_URL".into(), queue.url().to_owned()),
            ("AWS_ENDPOINT_URL".into(), testkit::moto_endpoint()),
            ("AWS_REGION".into(), testkit::REGION.into()),
            ("AWS_ACCESS_KEY_ID".into(), testkit::ACCESS_KEY_ID.into()),
            (
                "AWS_SECRET_ACCESS_KEY".into(),
                testkit::SECRET_ACCESS_KEY.into(),
            ),
        ],
    };
    let jobs = Jobs::on_sqs(&backend, queue);
    poison_is_listed_shown_replayed_and_purged(cli, jobs).await;
    let _ = std::fs::remove_file(path);
}
