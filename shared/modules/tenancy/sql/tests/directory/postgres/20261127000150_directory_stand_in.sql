-- A stand-in for the identity module's published `directory_users` view: the only thing the
-- tenancy module reads of accounts. Its tests need nothing else of another module.
CREATE TABLE directory_users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE
);
