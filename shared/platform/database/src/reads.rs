//! Which pool a task's plain reads use. By default [`Db::read_pool`](crate::Db::read_pool) is
//! the reader's; inside [`on_writer`] it is the writer's, so a client that has just written
//! reads its own write while the replica catches up. The web layer decides per request.

use std::future::Future;

tokio::task_local! {
    static ON_WRITER: ();
}

/// Runs `work` with every plain read of its task served by the writer.
pub async fn on_writer<F: Future>(work: F) -> F::Output {
    ON_WRITER.scope((), work).await
}

/// Whether the current task runs inside [`on_writer`].
pub fn pinned_to_writer() -> bool {
    ON_WRITER.try_with(|()| ()).is_ok()
}
