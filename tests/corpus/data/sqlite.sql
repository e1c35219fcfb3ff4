-- sqlite3 with both kinds of journal: a rollback journal (created and
-- deleted per transaction), then WAL with a checkpoint. The output is the
-- same on every run.
PRAGMA journal_mode=DELETE;
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000)
INSERT INTO t(name, n) SELECT 'row ' || i, i * 7 % 101 FROM c;
COMMIT;
UPDATE t SET n = n + 1 WHERE id % 3 = 0;
BEGIN;
DELETE FROM t WHERE id % 10 = 0;
ROLLBACK;
CREATE INDEX t_n ON t(n);
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000)
INSERT INTO t(name, n) SELECT 'wal ' || i, i % 13 FROM c;
COMMIT;
DELETE FROM t WHERE n = 5;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT count(*), sum(n), max(id) FROM t;
SELECT name FROM t WHERE n = 100 ORDER BY id LIMIT 3;
PRAGMA integrity_check;
VACUUM;
SELECT count(*) FROM t;
