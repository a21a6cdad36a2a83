//! The webhooks core's tests that need more than one module: the use cases on the in-memory
//! store, and the signatures against a second implementation.

mod service;
mod signing;
