//! The jobs [`Queue`] and [`DeadLetters`] ports on Amazon SQS.
//!
//! A function that may publish builds an [`SqsQueue`] at start, but nothing AWS-related runs
//! until the first call: loading the SDK configuration (the credentials chain, the region) and
//! the HTTPS client (TLS roots) costs milliseconds that a request which never touches SQS must
//! not pay, and the first call happens after the response, in the outbox relay.
//!
//! The SDK's endpoint comes from the environment as usual: `AWS_ENDPOINT_URL_SQS` (or
//! `AWS_ENDPOINT_URL`) points it at moto server locally. The dead-letter queue is the one the
//! source queue's redrive policy names, found on first use unless it is given.

mod queue;

pub use queue::SqsQueue;
