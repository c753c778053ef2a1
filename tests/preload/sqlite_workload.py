"""Writes the scripted sqlite3 shell workload of check-preload on standard output: a few thousand
statements (schema, inserts in transactions, indexes, joins, aggregates, window functions, a
recursive CTE, JSON, updates, deletes, VACUUM, integrity check). Deterministic: the same text every
run, so its output under the preload can be compared with its output without it."""
import random

rng = random.Random(21)
out = []
w = out.append
w(".bail on")
w("PRAGMA journal_mode=WAL;")
w("CREATE TABLE author(id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER);")
w("CREATE TABLE book(id INTEGER PRIMARY KEY, author INTEGER REFERENCES author(id), title TEXT, "
  "pages INTEGER, price REAL, tags TEXT);")
w("BEGIN;")
for i in range(1, 301):
    w(f"INSERT INTO author(id, name, born) VALUES ({i}, 'author {i} {'x' * rng.randrange(1, 60)}', "
      f"{1900 + rng.randrange(100)});")
w("COMMIT;")
for batch in range(6):
    w("BEGIN;")
    for j in range(400):
        i = batch * 400 + j + 1
        title = "".join(rng.choice("abcdefghij klmnop") for _ in range(rng.randrange(5, 200)))
        tags = '["' + '","'.join(rng.sample(["sf", "crime", "poetry", "maths", "c", "rust", "history"], 2)) + '"]'
        w(f"INSERT INTO book VALUES ({i}, {rng.randrange(1, 301)}, '{title}', {rng.randrange(20, 2000)}, "
          f"{rng.randrange(100, 10000) / 100}, '{tags}');")
    w("COMMIT;")
w("CREATE INDEX book_author ON book(author);")
w("CREATE INDEX book_pages ON book(pages);")
for k in range(400):
    a = rng.randrange(1, 301)
    kind = k % 8
    if kind == 0:
        w(f"SELECT count(*), sum(pages), round(avg(price), 2) FROM book WHERE author = {a};")
    elif kind == 1:
        w(f"SELECT a.name, count(b.id) FROM author a LEFT JOIN book b ON b.author = a.id "
          f"WHERE a.id BETWEEN {a} AND {a + 5} GROUP BY a.id ORDER BY a.id;")
    elif kind == 2:
        w(f"UPDATE book SET price = price * 1.1, title = upper(title) WHERE author = {a};")
    elif kind == 3:
        w(f"SELECT id, length(title), substr(title, 3, 10) FROM book WHERE pages > {rng.randrange(20, 2000)} "
          f"ORDER BY pages DESC, id LIMIT 5;")
    elif kind == 4:
        w(f"SELECT author, id, rank() OVER (PARTITION BY author ORDER BY pages DESC) FROM book "
          f"WHERE author = {a} ORDER BY 1, 3, 2;")
    elif kind == 5:
        w(f"SELECT json_group_array(value) FROM (SELECT DISTINCT j.value FROM book, json_each(book.tags) j "
          f"WHERE book.author = {a} ORDER BY 1);")
    elif kind == 6:
        w(f"DELETE FROM book WHERE id = {rng.randrange(1, 2401)};")
    else:
        w(f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {rng.randrange(10, 500)}) "
          f"SELECT count(*), sum(x), group_concat(x % 7, '') FROM n;")
w("SELECT count(*), sum(pages), printf('%.2f', sum(price)) FROM book;")
w("CREATE TABLE copy AS SELECT * FROM book ORDER BY title;")
w("DROP INDEX book_pages;")
w("VACUUM;")
w("PRAGMA integrity_check;")
w("SELECT count(*) FROM copy;")
print("\n".join(out))
