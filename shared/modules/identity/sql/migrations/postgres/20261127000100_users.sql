-- The identity module's tables. Its versions are 2026112700010x.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- The directory other modules may read: ids and emails, never password hashes. It is the
-- module's published read contract; its columns only ever grow.
CREATE VIEW directory_users AS SELECT id, email FROM users;
