import sys

from tracker.cli_start import start_reader_early

# before tracker.cli imports pandas: see tracker/cli_start.py
start_reader_early(sys.argv[1:], read_files=True)

from tracker.cli import main  # noqa: E402

raise SystemExit(main())
