-- The checkpoints of fieldcrypt's Hibernate jobs (see docs/SCHEMA.md): the last key done per job and table.
-- ${table} is the data key table's name followed by _checkpoint.
create table if not exists ${table} (
    job        varchar(200)  not null,
    table_name varchar(512)  not null,
    last_key   text[]        not null,
    updated_at timestamptz   not null,
    primary key (job, table_name)
);
