//! Operates the tenant shards of `DATABASE_URL` (the home database) and `DATABASE_SHARDS`:
//!
//!     shards tenants [--after <tenant>] [--limit N]   every tenant, across shards
//!     shards move <tenant> <shard> [--settle-seconds N]
//!
//! `move` copies the tenant's rows to the shard, verifies counts and checksums, flips its route
//! and deletes the old rows (see `database::shards::moves`); run it again to resume a move that
//! stopped. It talks to the databases directly, as `migrate` does: run it from where the writer
//! endpoints are reachable.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use database::Backend;
use database::shards::moves::{self, MoveOptions, Progress, Step};
use indicatif::{ProgressBar, ProgressStyle};
use kernel::TenantId;
use runtime::{Config, telemetry};

#[derive(Parser)]
#[command(
    name = "shards",
    about = "Lists tenants across shards and moves them between shards"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every tenant in id order, with its shard and member count.
    Tenants {
        /// Start after this tenant id.
        #[arg(long)]
        after: Option<TenantId>,
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
    },
    /// Moves a tenant to another shard, or resumes its interrupted move.
    Move {
        tenant: TenantId,
        /// The target shard's name (`main` is the home database).
        shard: String,
        /// How long to wait after freezing the tenant before copying: longer than
        /// DATABASE_SHARD_ROUTE_TTL_SECONDS plus the longest request.
        #[arg(long, default_value_t = 35)]
        settle_seconds: u64,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let backend = runtime::database::open(&config.database).await?;
    match cli.command {
        Command::Tenants { after, limit } => {
            let tenants = tenancy_sql::tenants(&backend, after, limit).await?;
            println!(
                "{:<36}  {:<8}  {:>7}  {:<8}  name",
                "tenant", "shard", "members", "plan"
            );
            for t in &tenants {
                println!(
                    "{:<36}  {:<8}  {:>7}  {:<8}  {}",
                    t.tenant.id, t.shard, t.members, t.tenant.plan.id, t.tenant.name
                );
            }
        }
        Command::Move {
            tenant,
            shard,
            settle_seconds,
        } => {
            let Backend::Postgres(home) = &backend else {
                bail!("shards are PostgreSQL databases: set DATABASE_URL and DATABASE_SHARDS");
            };
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} rows ({elapsed})")
                    .context("progress style")?
                    .progress_chars("=> "),
            );
            let options = MoveOptions {
                settle: Duration::from_secs(settle_seconds),
                ..MoveOptions::default()
            };
            let report = |event: Progress| match event {
                Progress::Step(step) => bar.set_message(step_name(step)),
                Progress::Rows(total) => bar.set_length(total),
                Progress::Copied(rows) => bar.inc(rows),
            };
            let tables = app::tenant_tables();
            let moved = moves::move_tenant(home, tenant, &shard, &tables, &options, &report).await;
            bar.finish_and_clear();
            let moved = moved.with_context(|| format!("moving tenant {tenant} to {shard}"))?;
            if moved.rows == 0 && moved.from == moved.to {
                println!("tenant {tenant} is on {} already", moved.to);
            } else {
                println!(
                    "moved tenant {tenant} from {} to {}: {} rows copied, verified and removed from {}",
                    moved.from, moved.to, moved.rows, moved.from
                );
            }
        }
    }
    Ok(())
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Freeze => "freezing",
        Step::Copy => "copying",
        Step::Verify => "verifying",
        Step::Flip => "flipping",
        Step::CleanUp => "cleaning",
    }
}
