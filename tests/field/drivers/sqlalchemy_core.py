"""Field driver: SQLAlchemy Core on in-memory SQLite: a table, inserts, a select with a join."""

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, func, select

metadata = MetaData()
users = Table("users", metadata, Column("id", Integer, primary_key=True), Column("name", String(30)))
posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id")),
    Column("title", String(50)),
)
engine = create_engine("sqlite://")
metadata.create_all(engine)
with engine.begin() as conn:
    conn.execute(users.insert(), [{"name": "ada"}, {"name": "bob"}])
    conn.execute(
        posts.insert(), [{"user_id": 1, "title": "a"}, {"user_id": 1, "title": "b"}, {"user_id": 2, "title": "c"}]
    )
    query = select(users.c.name, func.count(posts.c.id)).join(posts).group_by(users.c.name).order_by(users.c.name)
    print(conn.execute(query).all())
    print(str(query).replace("\n", " "))
