//! Fills the PostgreSQL database of `DATABASE_URL` with a realistic volume of data, migrating
//! it first: a thousand tenants of skewed sizes, their members, invitations, webhooks and
//! delivery logs, 90 days of activity, sessions, resets, and a published outbox.
//!
//!     seed [--tenants N] [--users N] [--rows N] [--force]
//!
//! Every seeded account's password is `correct horse battery`; emails are
//! `user<n>@seed.example.com`. A database that holds data already is refused, unless `--force`
//! empties the seeded tables first.

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use database::Backend;
use identity::{Password, PasswordHasher};
use identity_passwords::Argon2Hasher;
use indicatif::{ProgressBar, ProgressStyle};
use runtime::{Config, DatabaseConfig, telemetry};

/// The password every seeded account logs in with.
const PASSWORD: &str = "correct horse battery";

#[derive(Parser)]
#[command(
    name = "seed",
    about = "Fills the PostgreSQL database of DATABASE_URL with realistic data"
)]
struct Cli {
    /// Tenants: 1% big, 9% medium, the rest small.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    tenants: u64,
    /// Accounts.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    users: u64,
    /// Daily API-call counts; the daily logins get half as many, the delivery log, outbox and
    /// ledger a tenth each.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    rows: u64,
    /// Empties every table the seed writes before seeding, instead of refusing a database
    /// that holds data.
    #[arg(long)]
    force: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    if !matches!(config.database, DatabaseConfig::Postgres { .. }) {
        bail!(
            "seed writes PostgreSQL only: set DATABASE_URL=postgres://… (the embedded SQLite default is not seeded)"
        );
    }
    let backend = runtime::database::open(&config.database).await?;
    let Backend::Postgres(db) = &backend else {
        bail!("DATABASE_URL did not open a PostgreSQL database");
    };
    app::migrate(&backend).await.context("migrating")?;
    let pool = db.pool().await.context("connecting")?;
    if app::seed::has_data(pool).await.context("probing")? {
        if !cli.force {
            bail!(
                "the database holds data already: seed a fresh one, or pass --force to empty the seeded tables first"
            );
        }
        app::seed::empty(pool).await.context("emptying")?;
    }
    let password = Password::parse(PASSWORD.to_owned()).context("password")?;
    let hash = Argon2Hasher::new(1)
        .hash(password)
        .await
        .context("hashing the password")?;

    let scale = app::seed::Scale {
        tenants: cli.tenants,
        users: cli.users,
        rows: cli.rows,
    };
    let steps = app::seed::plan(&scale);
    let bar = ProgressBar::new(steps.iter().map(|s| s.rows).sum()).with_style(
        ProgressStyle::with_template("seeding {bar:40} {pos}/{len} rows {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let written = app::seed::run(pool, &steps, &hash, &bar)
        .await
        .context("seeding")?;
    bar.finish_and_clear();
    println!(
        "seeded {written} rows ({} tenants, {} users) in {:.1} s",
        scale.tenants,
        scale.users,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
