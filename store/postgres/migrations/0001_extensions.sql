-- pg_trgm makes substring search on names, numbers and e-mail addresses
-- use an index (GIN with gin_trgm_ops) instead of scanning every row.
-- It is created in the public schema, once per database, so that schemas
-- of several parley installations in one database share it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
