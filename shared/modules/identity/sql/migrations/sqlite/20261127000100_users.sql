-- The identity module's tables for the embedded default; ids are 16-byte blobs.
CREATE TABLE users (
    id blob PRIMARY KEY,
    email text NOT NULL,
    password_hash text NOT NULL,
    created_at text NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE VIEW directory_users AS SELECT id, email FROM users;
