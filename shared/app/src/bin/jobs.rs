//! The jobs CLI: inspect and replay the dead letters of the configured queue (SQS when
//! `JOBS_QUEUE_URL` is set, otherwise the embedded queue in the configured database), and
//! relay the outbox by hand.
//!
//!     jobs dead list
//!     jobs dead show <message-id>
//!     jobs dead replay --all | jobs dead replay <message-id>...
//!     jobs dead purge --yes
//!     jobs relay

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use jobs::{DeadLetter, DeadLetters};
use kernel::Envelope;
use runtime::{Config, Jobs, telemetry};

/// How many dead letters one command looks at, at most.
const LIMIT: usize = 10_000;
/// How long SQS hides the letters a command listed; a replay must finish within it.
const HOLD: Duration = Duration::from_secs(120);

#[derive(Parser)]
#[command(
    name = "jobs",
    about = "Dead letters and the outbox of the configured job queue"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The dead-letter queue.
    #[command(subcommand)]
    Dead(Dead),
    /// Moves what the outbox holds onto the queue now.
    Relay,
}

#[derive(Subcommand)]
enum Dead {
    /// One line per dead letter: message id, event type, event id, tenant.
    List,
    /// A dead letter's whole body.
    Show { message_id: String },
    /// Puts dead letters back on the queue: all of them, or those named.
    Replay {
        #[arg(long, conflicts_with = "message_ids")]
        all: bool,
        message_ids: Vec<String>,
    },
    /// Deletes every dead letter.
    Purge {
        /// Confirms the deletion.
        #[arg(long)]
        yes: bool,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let backend = runtime::database::open(&config.database).await?;
    let jobs = Jobs::new(&config.jobs, &backend);
    match cli.command {
        Command::Relay => {
            let moved = jobs.relay().await.context("relaying the outbox")?;
            println!("relayed {moved} envelope(s)");
        }
        Command::Dead(Dead::List) => {
            let letters = list(&jobs).await?;
            for letter in &letters {
                println!("{}", summary(letter));
            }
            println!("{} dead letter(s)", letters.len());
            release(&jobs, &letters).await?;
        }
        Command::Dead(Dead::Show { message_id }) => {
            let letters = list(&jobs).await?;
            let shown = find(&letters, &message_id).map(|letter| {
                serde_json::from_str::<serde_json::Value>(&letter.body)
                    .and_then(|json| serde_json::to_string_pretty(&json))
                    .unwrap_or_else(|_| letter.body.clone())
            });
            release(&jobs, &letters).await?;
            println!("{}", shown?);
        }
        Command::Dead(Dead::Replay { all, message_ids }) => {
            if !all && message_ids.is_empty() {
                bail!("name the message ids to replay, or pass --all");
            }
            let letters = list(&jobs).await?;
            let chosen: Vec<&DeadLetter> = if all {
                letters.iter().collect()
            } else {
                let found = message_ids
                    .iter()
                    .map(|id| find(&letters, id))
                    .collect::<anyhow::Result<_>>();
                if found.is_err() {
                    release(&jobs, &letters).await?;
                }
                found?
            };
            let others: Vec<DeadLetter> = letters
                .iter()
                .filter(|l| !chosen.iter().any(|c| c.message_id == l.message_id))
                .cloned()
                .collect();
            release(&jobs, &others).await?;
            let bar = ProgressBar::new(chosen.len() as u64).with_style(
                ProgressStyle::with_template("replaying {bar:40} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            for letter in &chosen {
                bar.set_message(letter.message_id.clone());
                jobs.dead_letters
                    .replay(letter)
                    .await
                    .with_context(|| format!("replaying {}", letter.message_id))?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            println!("replayed {} dead letter(s)", chosen.len());
        }
        Command::Dead(Dead::Purge { yes }) => {
            if !yes {
                bail!("purging deletes every dead letter for good: pass --yes");
            }
            jobs.dead_letters.purge().await.context("purging")?;
            println!("purged");
        }
    }
    Ok(())
}

async fn list(jobs: &Jobs) -> anyhow::Result<Vec<DeadLetter>> {
    jobs.dead_letters
        .list(LIMIT, HOLD)
        .await
        .context("listing dead letters")
}

/// Lets the listed letters show again at once (SQS hides what it lists).
async fn release(jobs: &Jobs, letters: &[DeadLetter]) -> anyhow::Result<()> {
    jobs.dead_letters
        .release(letters)
        .await
        .context("releasing the listed dead letters")
}

fn find<'a>(letters: &'a [DeadLetter], message_id: &str) -> anyhow::Result<&'a DeadLetter> {
    letters
        .iter()
        .find(|l| l.message_id == message_id)
        .with_context(|| format!("no dead letter {message_id}"))
}

fn summary(letter: &DeadLetter) -> String {
    match serde_json::from_str::<Envelope>(&letter.body) {
        Ok(e) => format!(
            "{}  {} v{}  event {}  tenant {}",
            letter.message_id,
            e.kind,
            e.version,
            e.id,
            e.tenant_id
                .map_or_else(|| "-".to_owned(), |t| t.to_string())
        ),
        Err(_) => format!("{}  (not an event envelope)", letter.message_id),
    }
}
