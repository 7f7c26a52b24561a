import sys

from tracker.cli_start import start_reader_early

start_reader_early(sys.argv[1:])  # before tracker.cli imports pandas: see tracker/cli_start.py

from tracker.cli import main  # noqa: E402

raise SystemExit(main())
