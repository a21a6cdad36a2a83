use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use notifications::{Mail, MailError, MailId, Mailer};

use crate::{Sender, message};

/// Tells apart the temporary files of concurrent writes in one process.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// Writes each mail as `<dir>/<mail id>.eml`: the embedded default for local runs and tests,
/// where a developer opens the files instead of running a mail server.
///
/// A file appears whole or not at all (it is written under a temporary name, then renamed),
/// and a redelivered mail replaces the file of its first delivery.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    sender: Sender,
}

impl FileMailer {
    /// The directory is created on the first send if it does not exist.
    pub fn new(dir: impl Into<PathBuf>, sender: Sender) -> Self {
        Self {
            dir: dir.into(),
            sender,
        }
    }

    /// The file the mail with `id` is written to.
    pub fn path(&self, id: &MailId) -> PathBuf {
        self.dir.join(format!("{id}.eml"))
    }
}

impl Mailer for FileMailer {
    #[tracing::instrument(name = "mailer.file.send", skip_all, fields(mail_id = %mail.id))]
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let bytes = message::build(mail, &self.sender)?.formatted();
        let (dir, path) = (self.dir.clone(), self.path(&mail.id));
        tokio::task::spawn_blocking(move || write_whole(&dir, &path, &bytes))
            .await
            .map_err(MailError::transient)?
            .map_err(MailError::transient)
    }
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it over
/// `path`, so readers never see a partial file.
fn write_whole(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let temporary = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = File::create_new(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    });
    if written.is_err() {
        // Best effort: the error that matters is the one being returned.
        let _ = fs::remove_file(&temporary);
    }
    written
}
