/// What the templates say about the product: its name, and where its links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// The name mails use for the product, as in "Welcome to Acme".
    pub product: String,
    /// The address of the web app, such as `https://app.example.com`; mails link to it.
    pub base_url: String,
}
