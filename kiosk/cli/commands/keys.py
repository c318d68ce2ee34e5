"""`kiosk keys init [--rotate]`: the office's gate-pass signing key pair."""
from __future__ import annotations

from kiosk.cli.common import add_config_option, config_from_args


def register(sub) -> None:
    p = sub.add_parser("keys", help="gate-pass signing keys")
    ksub = p.add_subparsers(dest="keys_command", metavar="ACTION")
    ksub.required = True
    init = ksub.add_parser(
        "init", help="create the key pair: private key (0600) for this kiosk, public key for security devices"
    )
    init.add_argument(
        "--rotate", action="store_true", help="replace an existing key; its public key stays installed"
    )
    add_config_option(init)
    init.set_defaults(func=run_init)


def run_init(args) -> int:
    from kiosk.app.passes import init_keys

    cfg = config_from_args(args)
    key, private, public = init_keys(cfg, rotate=args.rotate)
    print(f"key id {key.key_id}")
    print(f"private key: {private} (mode 0600; keep it on this kiosk only)")
    print(f"public key:  {public} (copy to every security device's {cfg.privacy.verify_keys_dir})")
    return 0
