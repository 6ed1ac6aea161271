"""``python -m generator`` is the ``okr`` command."""

from generator.cli import main

raise SystemExit(main())
