create sequence customer_seq increment by 50;
create table customer (
    id        bigint primary key,
    name      varchar(200),
    email     text,
    email_bidx bytea,
    zip       bytea,
    zip_bidx  bytea
);
create index customer_email_bidx on customer (email_bidx);
create index customer_zip_bidx on customer (zip_bidx);
