-- A stand-in for the identity module's published `directory_users` view.
CREATE TABLE directory_users (
    id blob PRIMARY KEY,
    email text NOT NULL UNIQUE
);
