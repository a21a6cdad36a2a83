//! The smallest useful lambda_http function, built with the project's release profile, so the
//! cold-start benchmark has a baseline from the same machine and the same run.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async {
        let mut response = Response::new(Body::from("hello"));
        response
            .headers_mut()
            .insert("content-type", "text/plain".parse()?);
        Ok::<_, Error>(response)
    }))
    .await
}
