"""``sigilo search|show|export|delete``: operators' access to stored conversations."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sigilo.cli.console_common import CommandError, add_url, command
from sigilo.console.auth import Session
from sigilo.console.export import FORMATS
from sigilo.console.service import Console


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``search``, ``show``, ``export`` and ``delete``."""
    search = subparsers.add_parser("search", help="find conversations (no personal data shown)")
    search.add_argument("--from", dest="from_", metavar="YYYY-MM-DD")
    search.add_argument("--to", metavar="YYYY-MM-DD")
    search.add_argument("--channel")
    search.add_argument("--language")
    search.add_argument("--consent", help="given, refused, withdrawn or unknown")
    search.add_argument("--personal", help="true: holds personal data; false: none")
    search.add_argument("--sender-id", help="the sender or Messenger id (looked up by pseudonym)")
    search.add_argument("--page", default="1")
    search.add_argument("--page-size", default="50")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument(
        "--pseudonyms", action="store_true", help="print only the pseudonyms (for export -)"
    )
    search.set_defaults(func=search_command)
    show = subparsers.add_parser("show", help="read one conversation (masked by role)")
    show.add_argument("pseudonym")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=show_command)
    export = subparsers.add_parser("export", help="export conversations: JSON, CSV or Excel")
    export.add_argument(
        "pseudonyms",
        nargs="+",
        metavar="PSEUDONYM",
        help="pseudonyms, or - to read them from stdin",
    )
    export.add_argument("--format", default="json", choices=sorted(FORMATS))
    export.add_argument("--output", "-o", required=True, help="file to write")
    export.set_defaults(func=export_command)
    delete = subparsers.add_parser("delete", help="erase conversations, one receipt each")
    delete.add_argument(
        "pseudonyms", nargs="+", metavar="PSEUDONYM", help="pseudonyms, or - (with --yes)"
    )
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(func=delete_command)
    for parser in (search, show, export, delete):
        add_url(parser)


def _pseudonyms(given: list[str]) -> list[str]:
    """The pseudonyms given, or read one per line from stdin when the only one is ``-``."""
    if given == ["-"]:
        given = [line.strip() for line in sys.stdin if line.strip()]
    return list(dict.fromkeys(given))


@command("search")
def search_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Prints one page of matches."""
    raw = {
        "from": args.from_,
        "to": args.to,
        "channel": args.channel,
        "language": args.language,
        "consent": args.consent,
        "personal": args.personal,
        "sender_id": args.sender_id,
        "page": args.page,
        "page_size": args.page_size,
    }
    found = console.search(session, {k: v for k, v in raw.items() if v is not None})
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    if args.pseudonyms:
        print("\n".join(row["pseudonym"] for row in found["conversations"]))
        return 0
    for row in found["conversations"]:
        personal = "personal" if row["holds_personal"] else "-"
        print(
            f"{row['pseudonym']}  {row['last_event_at']}  {row['channel'] or '-':<10} "
            f"{row['language'] or '-':<3} consent:{row['consent']:<9} {personal}"
        )
    shown = len(found["conversations"])
    print(f"{shown} of {found['total']} conversation(s), page {found['page']}", file=sys.stderr)
    return 0


@command("show")
def show_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Prints the transcript."""
    found = console.show(session, args.pseudonym)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    print(f"conversation {args.pseudonym}  sender id: {found['sender_id']}")
    for name, value in found["personal_data"].items():
        print(f"  {name}: {value}")
    for line in found["transcript"]:
        what = line.get("text") if "text" in line else f"{line['slot']} = {line['value']}"
        print(f"{line['time']}  {line['actor']:<8} {what}")
    return 0


@command("export")
def export_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Writes the export file with a progress bar on stderr."""
    from tqdm import tqdm

    path = Path(args.output)
    if path.exists():
        raise CommandError(f"{path} exists: choose another file")
    wanted = _pseudonyms(args.pseudonyms)
    bar = tqdm(total=len(wanted), unit="conversation", file=sys.stderr, disable=len(wanted) < 2)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("xb") as out:
            count = console.export(
                session, wanted, args.format, out, progress=lambda n: bar.update(n - bar.n)
            )
        partial.rename(path)
    finally:
        bar.close()
        partial.unlink(missing_ok=True)
    print(f"exported {count} conversation(s) to {path} ({args.format})")
    return 0


@command("delete")
def delete_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Erases each conversation; prints one line (the receipt) per consumer."""
    wanted = _pseudonyms(args.pseudonyms)
    if not args.yes and args.pseudonyms == ["-"]:
        raise CommandError("reading pseudonyms from stdin needs --yes")
    if not args.yes:
        answer = input(f"erase {len(wanted)} conversation(s) for good? type 'erase': ")
        if answer.strip() != "erase":
            print("nothing erased")
            return 1
    reports = console.delete(session, wanted)
    for report in reports:
        print(json.dumps(report.as_dict()))
    failed = [r for r in reports if r.status != "erased"]
    if failed:
        print(
            f"{len(failed)} of {len(reports)} not erased (failed: untouched; see the lines)",
            file=sys.stderr,
        )
    return 1 if failed else 0
