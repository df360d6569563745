"""`forget`: delete a store's (or every store's) keychain secrets and cache (not in --help:
the window's File > Forget this store, and the Windows uninstaller's "delete my data")."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..services.forget import forget_all, forget_store
from ..services.settings import load_settings, save_settings, settings_dir
from .connection import UserError, data_dir_of
from .output import print_json


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    forget = subparsers.add_parser("forget")  # no help=: hidden from the command list
    forget.set_defaults(handler=cmd_forget)
    forget.add_argument("--all", action="store_true", help="every store of this computer")
    json_flag(forget)


def cmd_forget(args: argparse.Namespace) -> int:
    data_dir = data_dir_of(args)
    folder = settings_dir(Path(args.data_dir) if args.data_dir else None)
    settings, _warning = load_settings(folder)
    if args.all:
        result = forget_all(data_dir, settings)
    elif args.store_hash:
        result = forget_store(data_dir, settings, args.store_hash)
    else:
        raise UserError("Say which store to forget with --store-hash HASH, or --all.")
    if (folder / "settings.json").exists():
        save_settings(folder, settings)
    if args.json:
        print_json(
            {
                "stores": result.stores,
                "tokens_deleted": result.tokens_deleted,
                "files_deleted": [str(p) for p in result.files_deleted],
                "smtp_password_deleted": result.smtp_password_deleted,
            }
        )
    else:
        print(
            f"Forgot {len(result.stores)} store(s): {result.tokens_deleted} token(s) and "
            f"{len(result.files_deleted)} cache file(s) deleted"
            + ("; mail password deleted." if result.smtp_password_deleted else ".")
        )
    return 0
