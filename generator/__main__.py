"""``python -m generator`` is the ``okr`` command."""

from generator.cli import main

if __name__ == "__main__":  # not when a worker process that parses files imports it
    raise SystemExit(main())
