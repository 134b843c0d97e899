-- Source rows of the PostgreSQL examples: postgresql-to-mysql.json.
-- Run it against the database of the examples' POSTGRESQL data source (drops and recreates the table):
--   psql -h 127.0.0.1 -p 55432 -U postgres -d app -f examples/data/seed-postgresql.sql
DROP TABLE IF EXISTS public.fdi_example_customers;
CREATE TABLE public.fdi_example_customers (
  id int4 PRIMARY KEY,
  name varchar(100) NOT NULL,
  status varchar(20) NOT NULL,
  signed_up timestamptz
);
-- postgresql-to-mysql.json copies the ACTIVE ones (1, 3, 4, 6).
INSERT INTO public.fdi_example_customers (id, name, status, signed_up) VALUES
  (1, 'Zhang Wei', 'ACTIVE', '2023-04-11 09:30:00+08'),
  (2, 'Siobhán O''Brien', 'GONE', '2023-05-02 12:00:00+01'),
  (3, 'Jürgen Müller', 'ACTIVE', NULL),
  (4, 'Ana Souza', 'ACTIVE', '2023-07-07 14:00:00-03'),
  (5, '田中 さくら', 'SUSPENDED', '2023-08-30 10:00:00+09'),
  (6, 'Olusegun Adeyemi 😀', 'ACTIVE', '2023-09-14 08:15:30.5+01');
