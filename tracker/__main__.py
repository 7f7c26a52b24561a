import sys

from tracker.cli_start import start_reader_early

# before tracker.cli imports pandas: see tracker/cli_start.py
start_reader_early(sys.argv[1:], read_files=True)

from tracker.cli import main  # noqa: E402
from tracker.cli_exit import exit_now, fast_exit_allowed  # noqa: E402

code = main()
if fast_exit_allowed(sys.argv[1:]):
    exit_now(code)  # without the interpreter's teardown: see tracker/cli_exit.py
raise SystemExit(code)
