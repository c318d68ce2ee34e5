"""The subcommands of `kiosk`, one module each with `register(subparsers)`.

Every module here is imported to build the parser, so each imports what its command runs (the composition
root, OpenCV, the printer stack) inside the function that runs it: `kiosk nik` starts without loading them.
"""
