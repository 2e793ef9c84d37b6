"""Command line: `python -m local_backend serve | token USER | seed`.

`--db` defaults to $LOCAL_BACKEND_DB (else .local_backend/colliderml.sqlite3);
the synthetic truth directory comes from $LOCAL_BACKEND_DATA; modules named in
$LOCAL_BACKEND_PLUGINS (comma-separated) are imported first, so the tasks they
register are served and seeded like colliderml's own.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from local_backend import db, plugins, tokens


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local_backend", description="The local ColliderML backend.")
    commands = parser.add_subparsers(dest="command", required=True)
    db_help = "SQLite database file (default: $LOCAL_BACKEND_DB or %(default)s)"

    serve = commands.add_parser("serve", help="serve the backend over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--db", type=Path, default=db.default_db_path(), help=db_help)

    token = commands.add_parser("token", help="print a bearer token for USER")
    token.add_argument("user", help="Hugging Face user name the token signs in as")
    token.add_argument("--db", type=Path, default=db.default_db_path(), help=db_help)
    token.add_argument(
        "--expires-in",
        type=int,
        default=tokens.TOKEN_LIFETIME_SECONDS,
        metavar="SECONDS",
        help="token lifetime in seconds (default: %(default)s)",
    )

    seed = commands.add_parser("seed", help="fill the database with demo data (once)")
    seed.add_argument("--db", type=Path, default=db.default_db_path(), help=db_help)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "token" and not tokens.USERNAME_RE.match(args.user):
        parser.error(f"{args.user!r} is not a Hugging Face user name (letters, digits, . _ -)")
    if args.command in ("serve", "seed"):  # the commands that list tasks; `token` stays light
        try:
            plugins.load_plugins()
        except plugins.PluginError as exc:
            parser.error(str(exc))
    db.init_db(args.db)
    if args.command == "serve":
        # Imported only here: the app and the seed pull in colliderml and
        # pyarrow, which `token` does not need.
        import uvicorn

        from local_backend.app import create_app

        uvicorn.run(create_app(args.db), host=args.host, port=args.port)
    elif args.command == "token":
        conn = db.connect(args.db)
        try:
            print(tokens.issue_token(conn, args.user, expires_in=args.expires_in))
        finally:
            conn.close()
    elif args.command == "seed":
        from local_backend.seed import seed_demo_data

        seeded = seed_demo_data(args.db)
        print(f"Seeded demo data into {args.db}" if seeded else f"{args.db} already holds demo data")


if __name__ == "__main__":
    main()
