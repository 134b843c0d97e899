-- Source rows of the MySQL examples: mysql-to-postgresql.json, mysql-to-kafka.json, mysql-to-sftp-csv.json.
-- Run it against the database of the examples' MYSQL data source (drops and recreates the table):
--   mariadb -h 127.0.0.1 -P 33306 -u app -papp app < examples/data/seed-mysql.sql
--   (MySQL's client: mysql -h 127.0.0.1 -P 33306 -u app -papp app < examples/data/seed-mysql.sql)
SET NAMES utf8mb4;
DROP TABLE IF EXISTS fdi_example_orders;
CREATE TABLE fdi_example_orders (
  id BIGINT NOT NULL PRIMARY KEY,
  customer VARCHAR(100) NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  status VARCHAR(20) NOT NULL,
  details JSON NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY fdi_example_orders_updated (updated_at, id)
) DEFAULT CHARSET = utf8mb4;
-- updated_at is wall-clock time in the tasks' timeZone (GMT+08:00). Rows 1 and 2 share a timestamp on purpose:
-- the incremental reader splits ties by the primary key.
INSERT INTO fdi_example_orders (id, customer, amount, status, details, updated_at) VALUES
  (1, 'Zhang Wei', 120.50, 'PAID', '{"channel": "web", "items": 2}', '2024-02-01 09:00:00'),
  (2, 'Siobhán O''Brien', 15.00, 'DRAFT', NULL, '2024-02-01 09:00:00'),
  (3, 'Jürgen Müller', 99.99, 'SHIPPED', '{"channel": "shop", "items": [1, 2]}', '2024-02-02 10:30:00'),
  (4, 'Ana Souza', 4200.00, 'PAID', NULL, '2024-02-03 18:45:00.250000'),
  (5, '田中 さくら 😀', 7.25, 'DELETED', NULL, '2024-02-04 08:00:00'),
  (6, 'Olusegun Adeyemi', 310.40, 'SHIPPED', '{"gift": true}', '2024-02-05 12:00:00');

-- Target of kafka-to-mysql-realtime.json (the spec's realtime example writes into an existing table).
DROP TABLE IF EXISTS fdi_example_order_events;
CREATE TABLE fdi_example_order_events (
  id BIGINT NOT NULL PRIMARY KEY,
  amount DECIMAL(12,2) NULL,
  status VARCHAR(20) NULL,
  changed_at DATETIME(6) NULL
) DEFAULT CHARSET = utf8mb4;
